"""The one number-reading rule: what ``pandas.to_numeric`` reads, or digits grouped in threes by
commas; with ``decimal_comma`` a comma is the decimal point instead."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from service.data.io import read_table, read_values
from service.data.numbers import NUMBER_PATTERN, is_number_text, read_number, read_numbers
from service.scoring.conditions import evaluate_condition
from service.scoring.rules import Flag, Range

#: text -> the number it reads as (None: not a number)
CASES: dict[str, float | None] = {
    "1,234": 1234.0,
    "1,234,567.5": 1234567.5,
    "-5,000": -5000.0,
    "+1,000.": 1000.0,
    "999,999.99": 999999.99,
    "5,000": 5000.0,
    "12,34": None,  # not grouped in threes
    "1,5": None,  # a decimal comma only where decimal_comma is set
    "1,2345": None,
    "1234,567": None,  # a group of four before the separator
    ",100": None,
    "1,,000": None,
    "0,123": None,  # no whole number starts with 0 before a separator
    "012,345": None,
    "1,000,00": None,
    "1,000e3": None,
    "1.234,5": None,
    "1 234": None,
    "1_000": None,
    "1234": 1234.0,
    "-.5e-3": -0.0005,
    "inf": math.inf,
    "nan": None,
    "abc": None,
}


@pytest.mark.parametrize(("text", "number"), CASES.items())
def test_each_text_reads_as_its_number(text: str, number: float | None) -> None:
    """Scalar, vector and SQL pattern agree on every case."""
    assert read_number(text) == number
    assert is_number_text(text) == (number is not None)
    assert bool(re.fullmatch(NUMBER_PATTERN.strip("^$"), text)) == (number is not None)
    got = read_numbers(pd.Series([text, "7"], dtype=object)).iloc[0]
    assert (np.isnan(got) and number is None) or got == number


def test_the_pattern_without_separators_is_what_to_numeric_reads() -> None:
    """Text without a comma is a number exactly when ``pandas.to_numeric`` reads it, and reads
    as pandas' value; with grouped commas it reads as pandas reads it without them."""
    texts = [
        "1", "+1", "-1", ".5", "5.", "1e5", "1E5", "1e+5", "-.5e-3", "+.5", "inf", "-inf",
        "Infinity", "INF", "+inf", "iNfInItY", "1_000", "0x10", "١٢", "1.2.3", "e5",
        "1e", "1d5", "½", "²", "abc", "--1", "1-", ".", "+", "infinit", "5e1.0", "nan",
    ]  # fmt: skip
    by_pandas = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
    ours = read_numbers(pd.Series(texts, dtype=object))
    pd.testing.assert_series_equal(ours.astype("float64"), by_pandas.astype("float64"))
    grouped = ["1,234", "-12,345.25", "100,000,000"]
    without = pd.to_numeric(pd.Series([t.replace(",", "") for t in grouped]))
    assert read_numbers(pd.Series(grouped, dtype=object)).tolist() == without.tolist()


def test_decimal_comma_reads_the_comma_as_the_decimal_point() -> None:
    """With ``decimal_comma`` ``1,5`` is 1.5 and ``1,234`` is 1.234; nothing is a separator."""
    texts = pd.Series(["1,5", "1,234", "-0,25", "2", "1,234,567", "1.234,5"], dtype=object)
    got = read_numbers(texts, decimal_comma=True).tolist()
    assert got[:4] == [1.5, 1.234, -0.25, 2.0]
    assert np.isnan(got[4]) and np.isnan(got[5])


def test_whole_numbers_stay_integers_and_numbers_pass_through() -> None:
    """Text of whole numbers reads as int64, as ``to_numeric`` gives; a numeric column is kept."""
    assert read_numbers(pd.Series(["1,000", "2"], dtype="string")).dtype == np.int64
    numbers = pd.Series([1.5, np.nan])
    assert read_numbers(numbers) is numbers
    assert read_numbers(pd.Series(["1,000", None], dtype=object)).tolist()[0] == 1000.0


def test_read_table_and_read_values_read_separated_columns_as_numbers(tmp_path: Path) -> None:
    """A column of grouped numbers is numeric in a file and in CRM values; a column holding
    ``12,34`` stays text; a semicolon file still reads decimal commas."""
    frame = pd.DataFrame(
        {"deal_size": ["5,000", "1,250,000", "800", ""], "code": ["1,000", "12,34", "5", "7"]}
    )
    path = tmp_path / "deals.csv"
    frame.to_csv(path, index=False)
    filed = read_table(path).frame
    assert filed["deal_size"].tolist()[:3] == [5000.0, 1250000.0, 800.0]
    assert filed["code"].tolist() == ["1,000", "12,34", "5", "7"]
    values = frame.copy()
    read_values(values)
    pd.testing.assert_frame_equal(values, filed)
    european = tmp_path / "eu.csv"
    european.write_text("amount;name\n1,5;a\n1.000;b\n2;c\n", encoding="utf-8")
    assert read_table(european).frame["amount"].tolist() == [1.5, 1.0, 2.0]


def test_conditions_read_text_with_the_same_rule() -> None:
    """A range reads ``5,000`` in a text column as 5000; a flag is set on the text ``2`` as on
    the number 2, and not on ``0``, ``-2`` or ``12,34``."""
    text = pd.DataFrame(
        {"x": pd.Series(["5,000", "12,34", "2", "0", "-2", "yes", None], dtype="string")}
    )
    fires, known = evaluate_condition(text, Range(kind="range", field="x", min=1000))
    assert fires.tolist() == [True, False, False, False, False, False, False]
    assert known.tolist() == [True, False, True, True, True, False, False]
    fires, known = evaluate_condition(text, Flag(kind="flag", field="x"))
    assert fires.tolist() == [True, False, True, False, False, True, False]
    numbers = pd.DataFrame({"x": [2.0, 0.0]})
    assert evaluate_condition(numbers, Flag(kind="flag", field="x"))[0].tolist() == [True, False]
