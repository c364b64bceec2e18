"""Plant the data problems the audit must find, and record where they are.

Problem rows are kept apart: a row carries at most one planted problem, planted missing values
avoid problem rows, and duplicates copy clean rows only. Impossible values and unparseable dates
are planted in valid deals (they still count as won or lost); outcome typos are extra rows on top
of the requested deals, and so are the duplicate copies (exact copies, deal_id included).
Row numbers are 1-based data rows (the first row after the header is row 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Share of valid deals with a planted missing value, per field.
MISSING_RATES: dict[str, float] = {
    "annual_revenue": 0.08,
    "tech_stack": 0.06,
    "country": 0.04,
    "industry": 0.03,
    "employee_count": 0.03,
}
OUTCOME_TYPOS = ("wonn", "lsot")


@dataclass(frozen=True)
class ProblemCounts:
    duplicates: int
    impossible: int
    typos: int
    dates: int


def problem_counts(rng: np.random.Generator, deals: int) -> ProblemCounts:
    """3-5 duplicates, 3 impossible values, 2 typos, 2 bad dates; none below 30 deals."""
    if deals < 30:
        return ProblemCounts(0, 0, 0, 0)
    return ProblemCounts(int(rng.integers(3, 6)), 3, len(OUTCOME_TYPOS), 2)


def plant_problems(
    rng: np.random.Generator, frame: pd.DataFrame, counts: ProblemCounts
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the frame as written (problems planted, duplicates inserted) and ``problems``."""
    frame = frame.copy()
    typo_rows = np.flatnonzero(frame["outcome"].isin(OUTCOME_TYPOS).to_numpy())
    valid = np.setdiff1d(np.arange(len(frame)), typo_rows)
    chosen = rng.choice(valid, size=counts.impossible + counts.dates, replace=False)
    impossible_idx, date_idx = chosen[: counts.impossible], chosen[counts.impossible :]
    clean = np.setdiff1d(valid, chosen)

    for col in ("employee_count", "annual_revenue"):
        frame[col] = frame[col].astype("Int64")
    for field, rate in MISSING_RATES.items():
        k = round(rate * len(valid))
        rows = rng.choice(clean, size=min(k, len(clean)), replace=False)
        frame.loc[rows, field] = pd.NA

    impossible: list[tuple[int, dict[str, Any]]] = []
    for kind, i in zip(
        ("employee_count", "email_clicks", "deal_size"), impossible_idx, strict=False
    ):
        if kind == "employee_count":
            value = -int(rng.integers(10, 100))
            note = "a negative employee count"
        elif kind == "email_clicks":
            value = int(frame.at[i, "email_opens"]) + int(rng.integers(2, 7))
            note = "more email clicks than email opens"
        else:
            value = -int(frame.at[i, "deal_size"])
            note = "a negative deal size"
        frame.at[i, kind] = value
        impossible.append((i, {"field": kind, "value": value, "note": note}))

    bad_dates: list[tuple[int, dict[str, Any]]] = []
    for j, i in enumerate(date_idx):
        year = str(frame.at[i, "closed_at"])[:4]
        text = f"31/02/{year}" if j % 2 == 0 else f"{year}-02-30"
        frame.at[i, "closed_at"] = text
        bad_dates.append((i, {"field": "closed_at", "value": text}))

    sources = rng.choice(clean, size=min(counts.duplicates, len(clean)), replace=False)
    order = list(range(len(frame)))
    for s in sources:
        order.insert(int(rng.integers(order.index(s) + 1, len(order) + 1)), int(s))
    first: dict[int, int] = {}
    for pos, i in enumerate(order):
        first.setdefault(i, pos + 1)
    last = {i: pos + 1 for pos, i in enumerate(order)}
    written = frame.iloc[order].reset_index(drop=True)
    problems: dict[str, Any] = {
        "duplicates": _by_row(
            [{"row": last[int(s)], "duplicate_of": first[int(s)]} for s in sources]
        ),
        "impossible_values": _by_row([{"row": first[int(i)], **d} for i, d in impossible]),
        "outcome_typos": _by_row(
            [{"row": first[int(i)], "value": str(frame.at[i, "outcome"])} for i in typo_rows]
        ),
        "unparseable_dates": _by_row([{"row": first[int(i)], **d} for i, d in bad_dates]),
        "missing": {f: round(float(written[f].isna().mean()), 4) for f in MISSING_RATES},
    }
    return written, problems


def _by_row(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda d: int(d["row"]))
