"""Checks on a rules file beyond its schema, and the JSON schema editors validate against.

The pydantic models catch wrong keys, types and signs. What they cannot see is a file that is
valid but cannot work as meant: a Hot threshold no lead can reach, a dimension cap below one of
its own signals, negative signals that can never subtract, a tier without a playbook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from service.scoring.rules import DIMENSIONS, TIERS, Rules

SCHEMA_ID = "https://json-schema.org/draft/2020-12/schema"


@dataclass
class CheckResult:
    """``problems`` make the file unusable as meant (exit 2); ``warnings`` are worth a look."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def score_bounds(rules: Rules) -> tuple[int, int]:
    """The lowest and highest total any lead can reach with these signals and caps."""
    high = 0
    for dim in DIMENSIONS:
        pts = sum(s.points for s in rules.signals if s.dimension == dim)
        high += min(pts, rules.dimensions[dim].max_points) if dim in rules.dimensions else 0
    neg = sum(s.points for s in rules.signals if s.dimension == "negative")
    return max(neg, -rules.negative_max_points), high


def check_rules(rules: Rules) -> CheckResult:
    """Every semantic problem as ``key.path: message``."""
    out = CheckResult()
    low, high = score_bounds(rules)
    t = rules.thresholds
    for name in ("hot", "warm", "cool"):
        value = getattr(t, name)
        if value > high:
            out.problems.append(
                f"thresholds.{name}: {value:g} is above the highest possible total ({high}); "
                f"no lead can reach {name.capitalize()}. Lower it or add signals."
            )
    if t.cool <= low:
        out.warnings.append(
            f"thresholds.cool: {t.cool:g} is at or below the lowest possible total ({low}); "
            "no lead can be Cold."
        )
    for dim in DIMENSIONS:
        signals = [(i, s) for i, s in enumerate(rules.signals) if s.dimension == dim]
        if dim not in rules.dimensions:
            continue
        cap = rules.dimensions[dim].max_points
        if not signals:
            out.warnings.append(
                f"dimensions.{dim}: no signal uses this dimension; it adds nothing."
            )
            continue
        i, biggest = max(signals, key=lambda p: p[1].points)
        if cap < biggest.points:
            out.problems.append(
                f"dimensions.{dim}.max_points: {cap} is below signals[{i}] ({biggest.name}, "
                f"{biggest.points} points), which can never count in full. Raise the cap or lower "
                "the signal's points."
            )
        total = sum(s.points for _, s in signals)
        if total < cap:
            out.warnings.append(
                f"dimensions.{dim}.max_points: {cap} is more than all its signals together "
                f"({total}); the cap never applies."
            )
    negatives = [s for s in rules.signals if s.dimension == "negative"]
    if negatives and rules.negative_max_points == 0:
        need = -sum(s.points for s in negatives)
        out.problems.append(
            f"negative_max_points: 0 with {len(negatives)} negative signal(s), which can then "
            f"never subtract a point. Set it (for example to {need})."
        )
    for tier in TIERS:
        if tier not in rules.tiers:
            out.problems.append(
                f"tiers: no entry for {tier}; add {tier} with sla, action and rescore_every_days "
                "(or remove the tiers key to use the defaults)."
            )
    return out


def summary_lines(rules: Rules) -> list[str]:
    """What a valid file holds, in a few lines for the person who edited it."""
    low, high = score_bounds(rules)
    lines = [f"model {rules.model_name!r}, version {rules.version}: {len(rules.signals)} signals"]
    for dim in (*DIMENSIONS, "negative"):
        sigs = [s for s in rules.signals if s.dimension == dim]
        cap = (
            f"max {rules.dimensions[dim].max_points}"
            if dim in rules.dimensions
            else f"floor -{rules.negative_max_points}"
            if dim == "negative"
            else "no max"
        )
        pts = ", ".join(f"{s.name} {s.points:+d}" for s in sigs) or "none"
        noun = "signal" if len(sigs) == 1 else "signals"
        lines.append(f"  {dim:<12} {len(sigs):>2} {noun} ({cap}): {pts}")
    t = rules.thresholds
    lines.append(f"thresholds: Hot >= {t.hot:g}, Warm >= {t.warm:g}, Cool >= {t.cool:g}, else Cold")
    lines.append(f"possible totals: {low} to {high}")
    lines.append(
        f"Unscoreable when {rules.unscoreable_missing_share:.0%} of signal points are missing"
    )
    return lines


def schema_text() -> str:
    """``rules/schema.json`` as generated from the pydantic models."""
    schema = {"$schema": SCHEMA_ID, **Rules.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
