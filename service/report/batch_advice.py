"""The words in the Section 7 tables: actions, nurture tracks, reasons, fields to enrich.

Called only for the rows a table shows (capped), so plain per-row code is fine here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd

from service.scoring.engine import ScoredFrame
from service.scoring.rules import DIMENSIONS, Rules, Signal

#: what a lead weakest in a dimension gets, in the spirit of the specification's examples
NURTURE = {
    "firmographic": "engaged but outside the best-fit profile: confirm company fit before sales time",
    "behavioral": "no buying behaviour yet: product content track (case studies, pricing guide)",
    "engagement": "little two-way engagement: event or webinar invitation campaign",
    "intent": "no research signals yet: intent monitoring, re-engage when the topic surges",
}
#: dimensions a rep can move; firmographic facts are only ever verified, not worked towards
WORKABLE = ("behavioral", "engagement", "intent")


def _label(sig: Signal) -> str:
    return sig.label or sig.name


def enrich_fields(
    leads: pd.DataFrame, res: ScoredFrame, rules: Rules, rows: Sequence[object] | pd.Index
) -> Counter[str]:
    """Fields that are empty (or absent) and feed a signal the lead could not be evaluated on;
    counted once per lead, in the order of the rules file."""
    found: Counter[str] = Counter()
    if len(rows) == 0:
        return found
    unknown = ~res.known.loc[rows].to_numpy()
    for field in dict.fromkeys(f for s in rules.signals for f in s.fields):
        cols = [j for j, s in enumerate(rules.signals) if field in s.fields]
        needs = unknown[:, cols].any(axis=1)
        if field in leads.columns:
            needs &= leads.loc[rows, field].isna().to_numpy()
        if needs.any():
            found[field] = int(needs.sum())
    return found


def dimension_cells(scores: pd.DataFrame, rules: Rules) -> dict[object, list[str]]:
    """``12/25`` per dimension for each row."""
    limits = {d: rules.dimensions[d].max_points if d in rules.dimensions else 0 for d in DIMENSIONS}
    return {row: [f"{int(r[d])}/{limits[d]}" for d in DIMENSIONS] for row, r in scores.iterrows()}


def gap_action(res: ScoredFrame, rules: Rules, row: object, gap: int) -> str:
    """The signal not yet fired that would add the most points (after caps) to this lead."""
    r = res.scores.loc[row]
    fires, known = res.fires.loc[row], res.known.loc[row]
    best: tuple[int, Signal, bool] | None = None
    for sig in rules.signals:
        if sig.dimension == "negative" or fires[sig.name]:
            continue
        unknown = not known[sig.name]
        if not unknown and sig.dimension not in WORKABLE:
            continue
        headroom = rules.dimensions[sig.dimension].max_points - int(r[sig.dimension])
        gain = min(sig.points, headroom)
        if gain > 0 and (best is None or gain > best[0]):
            best = (gain, sig, unknown)
    if best is None:
        return "No single signal left to add; keep in the weekly queue until new activity"
    gain, sig, unknown = best
    what = (
        f"Find out whether “{_label(sig)}” holds (data missing, +{gain})"
        if unknown
        else f"Work towards “{_label(sig)}” (+{gain})"
    )
    short = gap - gain
    after = (
        "would reach Hot" if short <= 0 else f"then {short} point{'s' * (short != 1)} short of Hot"
    )
    return f"{what}; {after}"


def nurture(r: pd.Series, rules: Rules) -> tuple[str, str, str]:
    """``(strongest, weakest, strategy)`` for a Cool lead, by share of each dimension's maximum."""
    dims = [d for d in DIMENSIONS if d in rules.dimensions]
    shares = np.array([r[d] / rules.dimensions[d].max_points for d in dims])
    strong, weak = dims[int(np.argmax(shares))], dims[int(np.argmin(shares))]

    limits: dict[str, int] = {d: rules.dimensions[d].max_points for d in dims}

    def cell(d: str) -> str:
        return f"{d.capitalize()}: {int(r[d])}/{limits[d]} pts"

    strategy = f"Best on {strong}, weakest on {weak} — {NURTURE[weak]}"
    return cell(strong), cell(weak), strategy


def cold_reason(res: ScoredFrame, rules: Rules, row: object) -> str:
    """Negative signals that fired and the dimensions where the lead scored nothing."""
    r, fires = res.scores.loc[row], res.fires.loc[row]
    parts = [_label(s) for s in rules.signals if s.dimension == "negative" and fires[s.name]]
    empty = [d for d in DIMENSIONS if d in rules.dimensions and int(r[d]) == 0]
    if empty:
        parts.append("no " + ", no ".join(f"{d} signals" for d in empty))
    return "; ".join(parts) if parts else f"few signals ({int(r['total'])} points)"


def cold_recommendation(res: ScoredFrame, rules: Rules, row: object) -> str:
    """Remove when something counts against the lead or it has no points; otherwise nurture."""
    r, fires = res.scores.loc[row], res.fires.loc[row]
    negative_fired = any(fires[s.name] for s in rules.signals if s.dimension == "negative")
    if negative_fired or int(r["total"]) <= 0:
        return "Remove from active pipeline"
    return rules.tiers["Cold"].action if "Cold" in rules.tiers else "Automated nurture only"
