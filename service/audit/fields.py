"""Field inventory for the audit: what kind each column is, how complete, how many values.

Also the structural exclusions that need no outcome: identifiers, constant columns, free text.
Column names are read as lower-case word tokens (``TotalVisits`` -> ``total visit``), so rules
that look at names work on ``sales_cycle_days``, ``Sales Cycle (days)`` and ``SalesCycleDays``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from service.data.dates import parse_dates
from service.data.names import column_words
from service.data.numbers import read_numbers

BOOLEAN_TEXT = frozenset({"yes", "no", "true", "false", "y", "n", "t", "f", "0", "1"})
_ID_TOKENS = frozenset({"id", "uuid", "guid", "number", "no", "nr", "num", "key", "code", "ref"})
ID_TOKENS = _ID_TOKENS  # name parts that make unique whole numbers an identifier
_DATE_LAST_TOKENS = frozenset({"at", "on", "date", "timestamp", "datetime", "dt"})
_DATE_VALUE = re.compile(
    r"^\s*(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:[ T].*)?$"
    r"|^(?=.*\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)(?=.*\d{4})",
    re.IGNORECASE,
)


def name_tokens(name: str) -> list[str]:
    """Lower-case word stems of a column name: ``SalesCycleDays`` -> ``[sale, cycle, day]``."""
    return [_stem(w) for w in column_words(name)]


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass
class FieldInfo:
    """One column of the deals file as the audit sees it."""

    name: str
    kind: str  # numeric | category | boolean | date | text | id
    dtype: str
    completeness: float
    distinct: int
    flags: list[str] = field(default_factory=list)
    placeholders: dict[str, int] = field(default_factory=dict)
    top: list[tuple[str, int]] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    #: cross-validated AUC of a one-column model (leakage check), when computed
    oos_auc: float | None = None

    def flag(self, name: str) -> None:
        """Add a flag once."""
        if name not in self.flags:
            self.flags.append(name)


def close_date_column(fields: list[FieldInfo]) -> str | None:
    """The close-date column when the configuration names none: a date column whose name says
    close/closed/won, else the only date column."""
    dates = [f.name for f in fields if f.kind == "date"]
    closing = [n for n in dates if set(name_tokens(n)) & {"close", "closed", "closing", "won"}]
    if closing:
        return closing[0]
    return dates[0] if len(dates) == 1 else None


def is_date_name(name: str) -> bool:
    """True for names like ``closed_at``, ``Close Date``, ``created_on``."""
    tokens = name_tokens(name)
    return bool(tokens) and (tokens[-1] in _DATE_LAST_TOKENS or "date" in tokens)


def _distinct(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Distinct stripped text values and how often each occurs (checks run on these, fast)."""
    counts = values.astype("string").str.strip().value_counts()
    return pd.Series(counts.index, dtype="string"), counts.to_numpy()


def _share(mask: pd.Series, weights: np.ndarray) -> float:
    return float((mask.fillna(False).to_numpy(dtype=bool) * weights).sum() / max(weights.sum(), 1))


def looks_numeric(series: pd.Series) -> pd.Series | None:
    """The column as numbers when at least 95% of its text values are numbers, else None."""
    uniq, weights = _distinct(series.dropna())
    if uniq.empty:
        return None
    parsed = read_numbers(uniq.astype(object))
    if _share(parsed.notna(), weights) >= 0.95 and weights[parsed.notna().to_numpy()].sum() >= 2:
        return as_numbers(series)
    return None


def as_numbers(series: pd.Series) -> pd.Series:
    """The values as floats, read as the engine reads them (``service.data.numbers``: ``5,000``
    is 5000, ``12,34`` is not a number); text that is not a number is NaN."""
    if pd.api.types.is_bool_dtype(series):  # as text: True/False are not numbers here
        series = series.astype("string")
    return read_numbers(series).astype("float64")


def detect_kind(name: str, series: pd.Series) -> str:
    """numeric | category | boolean | date | text (identifiers are decided separately)."""
    values = series.dropna()
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "boolean" if set(values.unique()) <= {0, 1} and len(values) else "numeric"
    uniq, weights = _distinct(values)
    lowered = set(uniq.str.lower())
    if len(lowered) == 2 and lowered <= BOOLEAN_TEXT:
        return "boolean"
    date_named = is_date_name(name)
    dateish = len(uniq) and (date_named or _share(uniq.str.contains(_DATE_VALUE), weights) >= 0.9)
    if dateish and _share(parse_dates(uniq).notna(), weights) >= (0.5 if date_named else 0.9):
        return "date"
    if looks_numeric(series) is not None:
        return "numeric"
    words = uniq.str.split().str.len().fillna(0).to_numpy(dtype=float)
    if weights.sum() >= 10 and (words * weights).sum() / weights.sum() >= 5:
        return "text"
    return "category"


def inventory(frame: pd.DataFrame, placeholders: dict[str, dict[str, int]]) -> list[FieldInfo]:
    """One ``FieldInfo`` per column, in file order."""
    fields = []
    n = max(len(frame), 1)
    for col in frame.columns:
        series = frame[col]
        kind = detect_kind(str(col), series)
        values = series.dropna()
        info = FieldInfo(
            name=str(col),
            kind=kind,
            dtype=str(series.dtype),
            completeness=round(float(len(values)) / n, 4),
            distinct=int(values.nunique()),
            placeholders=dict(placeholders.get(str(col), {})),
        )
        if kind in {"category", "boolean"}:
            counts = values.astype("string").value_counts().head(5)
            info.top = [(str(k), int(v)) for k, v in counts.items()]
        if kind == "numeric":
            numbers = as_numbers(values).dropna()
            if len(numbers):
                info.minimum, info.maximum = float(numbers.min()), float(numbers.max())
        if info.placeholders:
            info.flag("placeholders")
        if info.completeness < 0.5:
            info.flag("low_completeness")
        fields.append(info)
    return fields


def identifier_reason(info: FieldInfo, series: pd.Series, *, configured: bool) -> str | None:
    """``identifier`` / ``free_text`` / ``constant`` / ``empty`` when the column cannot be a
    predictor because of its shape, else None."""
    values = series.dropna()
    if configured:
        return "identifier"
    if values.empty:
        return "empty"
    if info.distinct == 1:
        return "constant"
    if info.kind == "text":
        return "free_text"
    ratio = info.distinct / len(values)
    all_distinct = info.distinct == len(values) and len(values) >= 10
    if info.kind == "category" and (all_distinct or (ratio >= 0.95 and len(values) >= 50)):
        return "identifier"
    if info.kind == "numeric" and _is_integer(values):
        id_named = bool(set(name_tokens(info.name)) & _ID_TOKENS)
        if id_named and (all_distinct or ratio >= 0.95):
            return "identifier"
        numbers = as_numbers(values).dropna().to_numpy()
        if (
            all_distinct
            and numbers.min() in (0, 1)
            and numbers.max() - numbers.min() + 1 == len(numbers)
        ):
            return "identifier"  # a row counter
    return None


def near_constant(series: pd.Series) -> bool:
    """True when one value covers at least 99% of the non-missing values."""
    values = series.dropna()
    if len(values) < 100:
        return False
    top = values.astype("string").value_counts(normalize=True).iloc[0]
    return bool(top >= 0.99)


def _is_integer(values: pd.Series) -> bool:
    numbers = as_numbers(values).dropna().to_numpy()
    return bool(len(numbers)) and bool(np.all(np.mod(numbers, 1) == 0))
