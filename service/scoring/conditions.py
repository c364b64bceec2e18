"""Evaluate rule conditions on a whole DataFrame at once.

The one place that decides whether a condition holds for a row. The model builder uses it to
measure attributes and the engine uses it to score leads, so a signal means the same in both.

Each function returns two boolean arrays: ``fires`` (the condition holds) and ``known`` (the row
has the data to decide). A row whose field is missing is not known, except for ``missing``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from service.data.numbers import read_number, read_numbers
from service.scoring.rules import Condition, FieldIn, FieldNotIn, Flag, Missing, Range

TRUE_TEXT = frozenset({"true", "yes", "y", "1", "1.0", "t"})

BoolArray = np.ndarray


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.casefold()


def _field_in(series: pd.Series, cond: FieldIn) -> tuple[BoolArray, BoolArray]:
    known = series.notna().to_numpy()
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        numeric = pd.to_numeric(series, errors="coerce")
        wanted = [n for n in map(read_number, cond.values) if n is not None]
        fires = numeric.isin(wanted).to_numpy() if wanted else np.zeros(len(series), bool)
        text_vals = [str(v).casefold() for v in cond.values if not _is_number(v)]
        if text_vals:
            fires = fires | _text(series).isin(text_vals).fillna(False).to_numpy(bool)
    else:
        wanted_text = [_canon(v) for v in cond.values]
        fires = _text(series).isin(wanted_text).fillna(False).to_numpy(bool)
    return fires & known, known


def _is_number(value: object) -> bool:
    return read_number(value) is not None


def _canon(value: object) -> str:
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().casefold()


def _range(series: pd.Series, cond: Range) -> tuple[BoolArray, BoolArray]:
    numeric = read_numbers(series)
    known = numeric.notna().to_numpy()
    values = numeric.to_numpy(dtype="float64", na_value=np.nan)
    fires = known.copy()
    with np.errstate(invalid="ignore"):
        if cond.min is not None:
            fires &= values >= cond.min
        if cond.max is not None:
            fires &= values < cond.max
    return fires, known


def _flag(series: pd.Series, _cond: Flag) -> tuple[BoolArray, BoolArray]:
    known = series.notna().to_numpy()
    if pd.api.types.is_bool_dtype(series):  # numpy bool or nullable "boolean" (Parquet)
        fires = series.astype("boolean").fillna(False).to_numpy(dtype=bool)
    elif pd.api.types.is_numeric_dtype(series):
        fires = (pd.to_numeric(series, errors="coerce").fillna(0) > 0).to_numpy(dtype=bool)
    else:  # text: a number above 0 (``2``, ``5,000``), as the number itself, or a true word
        numbers = read_numbers(series).to_numpy(dtype="float64", na_value=np.nan)
        with np.errstate(invalid="ignore"):
            fires = numbers > 0
        fires |= _text(series).isin(TRUE_TEXT).fillna(False).to_numpy(bool)
    return fires & known, known


def evaluate_condition(frame: pd.DataFrame, cond: Condition) -> tuple[BoolArray, BoolArray]:
    """``(fires, known)`` for one condition on every row of ``frame``."""
    n = len(frame)
    if cond.field not in frame.columns:
        return np.zeros(n, bool), np.zeros(n, bool)
    series = frame[cond.field]
    if isinstance(cond, Missing):
        return series.isna().to_numpy(), np.ones(n, bool)
    if isinstance(cond, FieldIn):
        return _field_in(series, cond)
    if isinstance(cond, FieldNotIn):
        named, known = _field_in(
            series, FieldIn(kind="field_in", field=cond.field, values=cond.values)
        )
        return known & ~named, known
    if isinstance(cond, Range):
        return _range(series, cond)
    return _flag(series, cond)


def evaluate_all(
    frame: pd.DataFrame, conditions: Sequence[Condition]
) -> tuple[BoolArray, BoolArray]:
    """``(fires, known)`` for the AND of ``conditions``.

    The result is known when every condition is known, or when any known condition fails
    (one known ``False`` decides an AND).
    """
    n = len(frame)
    fires = np.ones(n, bool)
    all_known = np.ones(n, bool)
    any_known_false = np.zeros(n, bool)
    for cond in conditions:
        f, k = evaluate_condition(frame, cond)
        fires &= f
        all_known &= k
        any_known_false |= k & ~f
    known = all_known | any_known_false
    return fires & all_known, known


#: public names for code that must read values as these conditions do (the SQL compiler)
is_number = _is_number
number_value = read_number
canonical_text = _canon
