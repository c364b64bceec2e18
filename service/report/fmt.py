"""Formatting numbers and tables for the markdown a sales leader reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from service.model.analysis_schema import (
    Analysis,
    Attribute,
    HoldoutTier,
    Insufficient,
    NonPredictor,
    TierRow,
)

NA = "not available"


def pct(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float) or value != value:
        return NA
    return f"{value * 100:.{digits}f}%"


def num(value: Any, digits: int = 0) -> str:
    if not isinstance(value, int | float) or value != value:
        return NA
    if digits == 0:
        return f"{round(value):,}"
    return f"{value:,.{digits}f}"


def lift(value: Any) -> str:
    if not isinstance(value, int | float) or value != value:
        return NA
    return f"{value:.2f}x"


def signed(points: Any) -> str:
    if not isinstance(points, int | float):
        return NA
    return f"+{points:g}" if points > 0 else f"{points:g}".replace("-", "−")


def cell(value: Any) -> str:
    text = NA if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in rows:
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines)


def attribute_name(entry: Attribute | NonPredictor | Insufficient) -> str:
    """``industry = Healthcare``, ``employee_count 200 to 1,000``: how the report names an attribute."""
    if not isinstance(entry, Insufficient):
        return entry.label or entry.id
    field = entry.field
    if entry.range is not None:
        low, high = entry.range
        if low is None:
            return f"{field} below {num(high, 2 if isinstance(high, float) and not float(high).is_integer() else 0)}"
        if high is None:
            return f"{field} {num(low, 2 if isinstance(low, float) and not float(low).is_integer() else 0)} or more"
        return f"{field} {low:g} to under {high:g}"
    value = entry.value
    return (
        f"{field} = { ({True: 'yes', False: 'no'}[value] if isinstance(value, bool) else value) }"
    )


def rate_noun(analysis: Analysis) -> str:
    """What a tier's rate is: the win rate of opportunities, or the conversion rate of leads."""
    if analysis.outcome_unit == "opportunities":
        return "win rate of opportunities"
    return "conversion rate"


def holdout_rate(t: TierRow | HoldoutTier) -> str:
    """A tier's holdout rate with its Wilson 95% interval: ``46% (38% to 54%, 120 deals)``."""
    rate = t.holdout_win_rate
    if rate is None:
        return f"{NA} (no holdout deal in this tier)"
    low, high = t.holdout_ci or (None, None)
    return f"{pct(rate)} ({pct(low)} to {pct(high)}, {num(t.holdout_n)} deals)"


def plain(value: Any) -> str:
    """A value for prose: floats rounded (never ``0.42800000000000005``), None as not available."""
    if isinstance(value, bool) or value is None:
        return cell(value) if value is not None else NA
    if isinstance(value, float):
        return num(value, 2) if abs(value) < 10 else num(value)
    if isinstance(value, int):
        return num(value)
    return cell(value)
