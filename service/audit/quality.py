"""Data-quality checks for the audit: duplicates, impossible values, unparseable dates and
numbers, future dates, and outcome values that are neither won nor lost.

Every problem names the field and the 1-based data rows (header not counted), so a user can
open the file and fix them. Nothing is silently dropped here: ``AuditReport.modelling_data``
applies the fixes (drop duplicates, blank the impossible cells) and the report says so.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from service.audit.fields import FieldInfo, looks_numeric, name_tokens, parse_dates
from service.config import Outcome

_NON_NEGATIVE = frozenset(
    {
        "count", "number", "employee", "revenue", "amount", "size", "deal", "value", "price",
        "visit", "open", "click", "download", "touch", "stakeholder", "meeting", "call", "email",
        "day", "age", "view", "time", "duration", "attended", "attendance", "request", "seat",
        "user", "license", "year", "month", "week", "hour", "minute", "page", "session", "contact",
    }
)  # fmt: skip
_SIGNED = frozenset(
    {"change", "delta", "growth", "var", "diff", "net", "balance", "profit", "margin", "idx",
     "index", "trend"}
)  # fmt: skip
_PERCENT = frozenset({"pct", "percent", "percentage"})
#: (part, whole): a count of the part cannot exceed the count of the whole.
_ORDERED = (
    ("click", "open"),
    ("open", "sent"),
    ("click", "sent"),
    ("reply", "sent"),
    ("attended", "registered"),
    ("won", "total"),
)
_MAX_ITEMS = 200


@dataclass
class Problem:
    """One data-quality finding: what kind, which field, which rows (1-based), in words."""

    kind: str
    field: str | None
    rows: list[int]
    detail: str
    items: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def _row(position: int) -> int:
    return int(position) + 1


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, np.generic):
        return _plain(value.item())
    return value if isinstance(value, int | float | bool) else str(value)


def _n_rows(rows: list[int]) -> str:
    word = "row" if len(rows) == 1 else "rows"
    return f"{len(rows)} {word} ({word} {_rows_text(rows)})"


def _rows_text(rows: list[int], limit: int = 12) -> str:
    shown = ", ".join(map(str, rows[:limit]))
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def find_duplicates(frame: pd.DataFrame, id_column: str | None) -> list[Problem]:
    """Exact duplicate rows, then rows repeating an earlier row's id (keep the first)."""
    problems: list[Problem] = []
    items: list[dict[str, Any]]
    first = _first_occurrence(frame)
    dup = [i for i in range(len(frame)) if first[i] != i]
    if dup:
        items = [{"row": _row(i), "duplicate_of": _row(first[i])} for i in dup]
        problems.append(
            Problem(
                "duplicate",
                None,
                [_row(i) for i in dup],
                f"{len(dup)} rows repeat an earlier row exactly "
                f"(rows {_rows_text([_row(i) for i in dup])}); the later copies are left out of the model.",
                items,
            )
        )
    if id_column is not None and id_column in frame.columns:
        ids = frame[id_column].astype("string")
        keep = pd.Series([first[i] == i for i in range(len(frame))])
        valid = ids.notna().to_numpy() & keep.to_numpy()
        first_of_id: dict[str, int] = {}
        items = []
        for i in range(len(frame)):
            if not valid[i]:
                continue
            key = str(ids.iloc[i])
            if key in first_of_id:
                items.append({"row": _row(i), "duplicate_of": _row(first_of_id[key]), "id": key})
            else:
                first_of_id[key] = i
        if items:
            rows = [it["row"] for it in items]
            problems.append(
                Problem(
                    "duplicate_id",
                    id_column,
                    rows,
                    f"{len(rows)} rows reuse an {id_column} already seen (rows {_rows_text(rows)}); "
                    "only the first row of each id is used. Merge or correct them in the CRM.",
                    items,
                )
            )
        problems.extend(_same_but_id(frame, id_column, first))
    return problems


def _first_occurrence(frame: pd.DataFrame) -> np.ndarray:
    """For each row, the position of the first row with exactly the same values."""
    hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return pd.Series(range(len(frame))).groupby(hashes).transform("min").to_numpy()


def _same_but_id(frame: pd.DataFrame, id_column: str, exact_first: np.ndarray) -> list[Problem]:
    """Rows equal to an earlier row in every column except the id: the same deal entered twice.

    Only judged when at least two other columns are distinctive (at least half their values
    distinct, such as company, amount or date), so two small deals that merely look alike in a
    few categories are not called duplicates."""
    rest = frame.drop(columns=[id_column])
    distinctive = [c for c in rest.columns if rest[c].nunique() >= 0.5 * len(frame)]
    if len(distinctive) < 2:
        return []
    first = _first_occurrence(rest)
    ids = frame[id_column].astype("string")
    rows = [
        i
        for i in range(len(frame))
        if first[i] != i and exact_first[i] == i and ids.iloc[i] != ids.iloc[first[i]]
    ]
    if not rows:
        return []
    items = [{"row": _row(i), "duplicate_of": _row(first[i]), "id": str(ids.iloc[i])} for i in rows]
    shown = [_row(i) for i in rows]
    return [
        Problem(
            "duplicate_except_id",
            id_column,
            shown,
            f"{len(rows)} rows repeat an earlier row in every field but {id_column} "
            f"(rows {_rows_text(shown)}): the same deal entered twice? Only the first is used.",
            items,
        )
    ]


def _bad_cells(
    kind: str,
    name: str,
    mask: pd.Series,
    values: pd.Series,
    why: str,
    extra: dict[int, dict[str, Any]] | None = None,
) -> Problem | None:
    positions = [int(p) for p in mask.to_numpy().nonzero()[0]]
    if not positions:
        return None
    items = []
    for p in positions[:_MAX_ITEMS]:
        item = {"row": _row(p), "field": name, "value": _plain(values.iloc[p])}
        item.update((extra or {}).get(p, {}))
        items.append(item)
    rows = [_row(p) for p in positions]
    return Problem(kind, name, rows, f"{name}: {why} in {_n_rows(rows)}.", items)


def find_value_problems(frame: pd.DataFrame, fields: list[FieldInfo], as_of: date) -> list[Problem]:
    """Impossible numbers, unparseable numbers and dates, and dates after ``as_of``."""
    problems: list[Problem | None] = []
    numbers: dict[str, pd.Series] = {}
    for info in fields:
        series = frame[info.name]
        if info.kind == "numeric":
            num = series if pd.api.types.is_numeric_dtype(series) else looks_numeric(series)
            if num is None:
                continue
            num = pd.to_numeric(num, errors="coerce").astype("float64")
            numbers[info.name] = num
            problems.append(
                _bad_cells(
                    "unparseable_number",
                    info.name,
                    series.notna() & num.isna(),
                    series,
                    "not a number (treated as missing)",
                )
            )
            tokens = set(name_tokens(info.name))
            if tokens & _PERCENT or "%" in info.name:
                problems.append(
                    _bad_cells(
                        "impossible_value",
                        info.name,
                        (num < 0) | (num > 100),
                        num,
                        "a percentage outside 0-100",
                    )
                )
            elif tokens & _NON_NEGATIVE and not tokens & _SIGNED:
                why = "negative or an age over 120" if "age" in tokens else "a negative value"
                bad = (num < 0) | ((num > 120) if "age" in tokens else False)
                problems.append(_bad_cells("impossible_value", info.name, bad, num, why))
        elif info.kind == "date":
            parsed = parse_dates(series)
            problems.append(
                _bad_cells(
                    "unparseable_date",
                    info.name,
                    series.notna() & parsed.isna(),
                    series,
                    "not a date (treated as missing)",
                )
            )
            future = parsed > pd.Timestamp(as_of) + pd.Timedelta(days=1)
            problems.append(
                _bad_cells(
                    "future_date",
                    info.name,
                    future.fillna(False),
                    series,
                    f"a date after {as_of.isoformat()}",
                )
            )
    problems.extend(_ordered_pairs(numbers))
    return [p for p in problems if p is not None]


def _ordered_pairs(numbers: dict[str, pd.Series]) -> list[Problem | None]:
    by_tokens = {tuple(name_tokens(n)): n for n in numbers}
    found: list[Problem | None] = []
    for tokens, part in by_tokens.items():
        for small, big in _ORDERED:
            if small not in tokens:
                continue
            whole = by_tokens.get(tuple(big if t == small else t for t in tokens))
            if whole is None:
                continue
            bad = (numbers[part] > numbers[whole]).fillna(False)
            extra = {
                int(p): {"other_field": whole, "other_value": _plain(numbers[whole].iloc[p])}
                for p in bad.to_numpy().nonzero()[0][:_MAX_ITEMS]
            }
            found.append(
                _bad_cells(
                    "impossible_value",
                    part,
                    bad,
                    numbers[part],
                    f"more {part} than {whole}",
                    extra,
                )
            )
    return found


def find_outcome_problems(frame: pd.DataFrame, outcome: Outcome) -> list[Problem]:
    """Outcome values that mean neither won nor lost, with a did-you-mean hint."""
    if not outcome.invalid_rows:
        return []
    raw = frame[outcome.column]
    known = [*outcome.won_values, *outcome.lost_values]
    hints = []
    for value in outcome.invalid_values:
        close = difflib.get_close_matches(value.lower(), known, n=1, cutoff=0.6)
        hints.append(f"{value!r} (did you mean {close[0]!r}?)" if close else repr(value))
    rows = list(outcome.invalid_rows)
    detail = (
        f"{outcome.column}: {len(rows)} rows are neither won nor lost: {', '.join(hints)} "
        f"(rows {_rows_text(rows)}). They are left out; fix them or name the values with "
        "--won / --lost."
    )
    items = [
        {"row": r, "value": "(missing)" if pd.isna(raw.iloc[r - 1]) else _plain(raw.iloc[r - 1])}
        for r in rows[:_MAX_ITEMS]
    ]
    return [Problem("invalid_outcome", outcome.column, rows, detail, items)]
