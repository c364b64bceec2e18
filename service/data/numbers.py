"""The one rule for reading a value as a number, wherever a value is read as one.

The audit, ``read_table`` / ``read_values``, the engine's conditions and the compiled SQL all
read numbers here (the SQL through ``NUMBER_PATTERN`` and ``SEPARATOR``), so a value the model
learnt from as a number is the same number when a lead is scored, in every path.

A number is what ``pandas.to_numeric`` reads (``12``, ``-1.5``, ``.5``, ``1e3``, ``inf``), or
whole digits grouped in threes by commas, as spreadsheets export them (``1,234``,
``1,234,567.5``, ``-5,000``). The grouping must be exact: ``12,34``, ``1,5``, ``1,2345`` and
``0,123`` are not numbers (a comma there is not a thousands separator, and guessing would change
the value).
With ``decimal_comma`` (semicolon files, as European spreadsheets write them) a comma is the
decimal point instead (``1,5`` is 1.5; ``1,234`` is 1.234) and nothing is a separator.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: the thousands separator (``1,234``)
SEPARATOR = ","
#: ``pandas.to_numeric``'s numbers, or digits grouped in threes by ``SEPARATOR``; the text is
#: the number once the separators are removed (checked against pandas by tests)
NUMBER_PATTERN = (
    "^[+-]?(([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?"
    "|[1-9][0-9]{0,2}(,[0-9]{3})+([.][0-9]*)?"
    "|[iI][nN][fF]([iI][nN][iI][tT][yY])?)$"
)
_NUMBER = re.compile(NUMBER_PATTERN)


def _plain(text: str, decimal_comma: bool) -> str | None:
    """The text ``pandas.to_numeric`` reads as the same number, or None when not a number."""
    if decimal_comma:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    return text.replace(SEPARATOR, "")


def is_number_text(text: str, *, decimal_comma: bool = False) -> bool:
    """True when ``text`` (whitespace already stripped) reads as a number."""
    return _plain(text, decimal_comma) is not None


def read_number(value: object, *, decimal_comma: bool = False) -> float | None:
    """One value as a float (numbers and booleans as they are), or None when not a number."""
    if isinstance(value, bool | int | float | np.integer | np.floating):
        return float(value)
    plain = _plain(str(value).strip(), decimal_comma)
    return None if plain is None else float(plain)


def read_numbers(values: pd.Series, *, decimal_comma: bool = False) -> pd.Series:
    """The values as numbers (NaN where a value is not one), on the same index.

    A numeric column is returned as it is. Text is read once per distinct value (whitespace
    around it ignored); the result keeps ``pandas.to_numeric``'s type (whole numbers as int64
    when every value is one and none is missing, else float64).
    """
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    if pd.api.types.is_numeric_dtype(values):
        return values
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    parsed = _parse_distinct(pd.Series(distinct), decimal_comma)
    whole = pd.api.types.is_integer_dtype(parsed) and len(parsed) and (codes >= 0).all()
    if whole:  # every value a whole number: int64, as ``to_numeric`` gives
        return pd.Series(parsed.to_numpy()[codes], index=values.index)
    lookup = np.append(parsed.to_numpy(dtype="float64", na_value=np.nan), np.nan)
    return pd.Series(lookup[codes], index=values.index, dtype="float64")


def _parse_distinct(text: pd.Series, decimal_comma: bool) -> pd.Series:
    """Distinct values as ``to_numeric`` reads them once the rule has made them plain: all text
    goes through pandas at once, and only the values holding a comma (few) one by one."""
    if not pd.api.types.is_string_dtype(text) or pd.api.types.infer_dtype(text) != "string":
        plain = [
            _plain(v.strip(), decimal_comma) if isinstance(v, str) else _scalar_text(v)
            for v in text.astype(object)
        ]  # numbers beside text (CRM values): each as its own kind
        return pd.to_numeric(pd.Series(plain, dtype=object), errors="coerce")
    stripped = text.astype("str").str.strip()  # pandas' default text: to_numeric gives numpy types
    commas = stripped.str.contains(",", regex=False).to_numpy(dtype=bool)
    if commas.any():  # without a comma pandas reads exactly NUMBER_PATTERN's text
        plain = [_plain(v, decimal_comma) for v in stripped[commas]]
        stripped = stripped.astype(object)
        stripped[commas] = plain
    return pd.to_numeric(stripped, errors="coerce")


def _scalar_text(value: object) -> str | None:
    """A non-text value in a text column (a number beside text): as ``to_numeric`` reads it."""
    if isinstance(value, bool | np.bool_):
        return str(float(value))
    if isinstance(value, int | float | np.integer | np.floating) and value == value:
        return repr(float(value))
    return None
