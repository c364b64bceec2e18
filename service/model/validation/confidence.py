"""Model confidence: High, Medium or Low, with the reasons in plain words and numbers.

- Low when there are fewer than 200 closed deals, the holdout AUC is below 0.65 (or could not be
  measured), or most validation targets fail.
- High when there are at least 500 closed deals, the holdout AUC is at least 0.75, most targets
  pass, and no major data gap (a scoring dimension that no field in the data can feed).
- Medium otherwise.

A target that could not be measured (for example Hot precision when no holdout deal scored Hot)
counts as not passed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

LOW_DEALS = 200
HIGH_DEALS = 500
LOW_AUC = 0.65
HIGH_AUC = 0.75


def _dimension_gaps(audit: Mapping[str, Any]) -> list[str]:
    """Scoring dimensions the audit says cannot be scored, in the order it lists them."""
    gaps: list[str] = []
    for item in audit.get("missing_inputs") or []:
        dims: Sequence[Any] = []
        if isinstance(item, Mapping):
            dims = item.get("dimensions_affected") or item.get("dimensions") or []
        if isinstance(dims, str):
            dims = [dims]
        for d in dims:
            if str(d) not in gaps:
                gaps.append(str(d))
    return gaps


def _missing_inputs(audit: Mapping[str, Any]) -> list[str]:
    out = []
    for item in audit.get("missing_inputs") or []:
        name = item.get("input") if isinstance(item, Mapping) else item
        if name:
            out.append(str(name))
    return out


def assess_confidence(
    n_deals: int, validation: Mapping[str, Any] | None, audit: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``{"level": "High" | "Medium" | "Low", "reasons": [...]}`` for the model's confidence."""
    audit = audit or {}
    low: list[str] = []
    short_of_high: list[str] = []
    notes: list[str] = []

    if n_deals < LOW_DEALS:
        low.append(
            f"Only {n_deals} closed deals; fewer than {LOW_DEALS} gives a low-confidence model."
        )
    elif n_deals < HIGH_DEALS:
        short_of_high.append(
            f"{n_deals} closed deals: enough to model, but under the {HIGH_DEALS} a "
            "high-confidence model needs."
        )
    else:
        notes.append(f"{n_deals} closed deals, a solid sample.")

    if validation is None:
        short_of_high.append("The model was not validated on held-out deals.")
    else:
        auc = validation.get("auc")
        if auc is None:
            why = (validation.get("unavailable") or {}).get(
                "auc", "the holdout could not measure it"
            )
            low.append(f"Holdout AUC could not be measured: {why}.")
        elif auc < LOW_AUC:
            low.append(
                f"Holdout AUC is {auc:.2f}, below {LOW_AUC}: "
                "the score barely ranks winners above losers."
            )
        elif auc < HIGH_AUC:
            short_of_high.append(
                f"Holdout AUC is {auc:.2f}; {HIGH_AUC} or more is needed for high confidence."
            )
        else:
            notes.append(f"Holdout AUC is {auc:.2f}.")
        targets = list(validation.get("targets") or [])
        if targets:
            passed = [t for t in targets if t.get("passed") is True]
            failed = [str(t.get("metric")) for t in targets if t.get("passed") is not True]
            summary = f"{len(passed)} of {len(targets)} validation targets pass"
            if failed:
                summary += f" (not passed: {', '.join(failed)})"
            if 2 * len(failed) > len(targets):
                low.append(summary + "; most fail.")
            elif 2 * len(passed) > len(targets):
                notes.append(summary + ".")
            else:
                short_of_high.append(summary + "; most must pass for high confidence.")

    gaps = _dimension_gaps(audit)
    if gaps:
        inputs = _missing_inputs(audit)
        what = f" ({', '.join(inputs)} missing)" if inputs else ""
        short_of_high.append(
            f"Data gap{what}: the {', '.join(gaps)} dimension(s) cannot be scored."
        )
    else:
        notes.append("No scoring dimension is missing its data.")

    if low:
        level = "Low"
    elif short_of_high:
        level = "Medium"
    else:
        level = "High"
    return {"level": level, "reasons": low + short_of_high + notes}
