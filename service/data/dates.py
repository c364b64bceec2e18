"""Read a column of date text with ONE format: the format most of its values parse with.

CRM exports mix a few odd values into a column of clean dates (``31/02/2024`` typed by hand into
an ISO column). Guessing per value, or switching the whole column on the evidence of one value,
reads the clean dates wrongly (day and month swapped). Instead every candidate format is tried
on the distinct values, the one that parses the most of them (weighted by how often each occurs)
is used for the whole column, and the values it does not parse become missing: the audit
reports them with their rows (``unparseable_date``).

Ties go to ISO first, then month-first (the US default of most CRMs), then day-first. Text no
candidate reads (``Jan 5, 2025``) falls back to pandas' flexible parser.
"""

from __future__ import annotations

import warnings

import pandas as pd

__all__ = ["DATE_FORMATS", "choose_format", "parse_dates"]

_DAYS = (
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d.%m.%y",
)
_TIMES = ("", " %H:%M", " %H:%M:%S")
#: tried in this order; on equal counts the earlier one wins
DATE_FORMATS: tuple[str, ...] = ("ISO8601", *(d + t for d in _DAYS for t in _TIMES))
#: distinct values used to choose the format (the most frequent ones)
_SAMPLE = 2_000
#: the best format must read at least this share of the values, else the flexible parser is used
_MIN_SHARE = 0.5


def _parse(text: pd.Series, fmt: str) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(text, errors="coerce", format=fmt, utc=True)


def choose_format(text: pd.Series) -> str | None:
    """The candidate format that parses the most values of ``text`` (None when none reads half)."""
    counts = text.dropna().str.strip().value_counts().head(_SAMPLE)
    if counts.empty:
        return None
    values = pd.Series(counts.index, dtype="string")
    weights = counts.to_numpy()
    best, best_n = None, 0
    for fmt in DATE_FORMATS:
        n = int(weights[_parse(values, fmt).notna().to_numpy()].sum())
        if n > best_n:
            best, best_n = fmt, n
    return best if best_n >= _MIN_SHARE * weights.sum() else None


def parse_dates(series: pd.Series) -> pd.Series:
    """Naive UTC timestamps, every value read with the column's one format; others are NaT."""
    if pd.api.types.is_datetime64_any_dtype(series):
        parsed = pd.to_datetime(series, utc=True)
    else:
        text = series.astype("string").str.strip()
        fmt = choose_format(text)
        parsed = _parse(text, fmt or "mixed")
    return parsed.dt.tz_convert(None)
