"""Read CSV (delimiter and encoding detected) and Parquet files into pandas.

Placeholder values that mean "missing" (``Select``, ``N/A``, ``-``, empty, ``unknown`` ...) are
turned into real missing values and counted per column so the audit can report them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from service.data.limits import check_columns, check_file_size, check_parquet
from service.data.numbers import is_number_text, read_numbers
from service.errors import DataFileError

#: Compared case-insensitively after stripping whitespace.
PLACEHOLDERS: frozenset[str] = frozenset(
    {"", "select", "n/a", "na", "-", "--", "unknown", "null", "nan", "#n/a", "?"}
)
_DELIMITERS = [",", ";", "\t", "|"]
_SNIFF_BYTES = 64 * 1024
_COMPRESSED = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
#: a well-formed multi-byte UTF-8 character (cp1252 text almost never holds one)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


@dataclass
class Table:
    """A file read into a DataFrame, with what was found on the way."""

    path: Path
    frame: pd.DataFrame
    delimiter: str | None = None
    encoding: str | None = None
    #: column -> {placeholder text as found -> count}
    placeholders: dict[str, dict[str, int]] = field(default_factory=dict)
    #: columns dropped because they had no header and no values (trailing delimiter)
    dropped_empty: list[str] = field(default_factory=list)
    #: the values as the file has them, when read with ``keep_raw=True``
    raw: pd.DataFrame | None = None


def _line_of(raw: bytes, offset: int) -> int:
    """The 1-based line of the file a byte offset falls on (line 1 is the header)."""
    return raw.count(b"\n", 0, offset) + 1


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise DataFileError(f"{path}: broken UTF-16 text; save it as UTF-8 CSV.") from exc
    for magic, kind in _COMPRESSED:
        if raw.startswith(magic):
            raise DataFileError(
                f"{path}: a compressed file ({kind}), not CSV text; decompress it and pass the CSV "
                "(compressed files are not read, so their size can be checked)."
            )
    head = raw[:_SNIFF_BYTES]
    if head.count(b"\x00") > max(1, len(head) // 100):  # text has none; binary files many
        raise DataFileError(
            f"{path}: a binary file, not CSV text. Export the deals as CSV (or Parquet)."
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DataFileError(
            f"{path}: line {_line_of(raw, nul)} holds a NUL byte (\\x00), which is not text; "
            "remove it or export the file again."
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        # real UTF-8 elsewhere in the file means the bad byte is damage, not another encoding
        if _UTF8_SEQUENCE.search(raw):
            raise DataFileError(
                f"{path}: line {_line_of(raw, exc.start)} is not valid UTF-8 (byte "
                f"0x{raw[exc.start]:02x} at position {exc.start:,}) while the rest of the file "
                "is UTF-8; fix that line or export the file again as UTF-8."
            ) from None
    for encoding in ("cp1252", "latin-1"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise DataFileError(f"{path}: cannot decode the file as UTF-8 or Latin-1; save it as UTF-8.")


def _sniff_delimiter(text: str, path: Path) -> str:
    sample = "\n".join(text[:_SNIFF_BYTES].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        pass
    header = sample.splitlines()[0] if sample else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        raise DataFileError(
            f"{path}: cannot detect the delimiter; the header line has no ',', ';', tab or '|'. "
            "Save the file as a comma-separated CSV with a header row."
        )
    return best


def _is_code_column(values: pd.Series) -> bool:
    """True when the other values are short upper-case codes (EMEA, APAC, US): then NA is a
    code too (North America, Namibia), not a missing value."""
    distinct = pd.Series(values.dropna().unique(), dtype="string")
    distinct = distinct[distinct != ""]
    return bool(len(distinct)) and bool(distinct.str.fullmatch(r"[A-Z]{2,5}").all())


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


def _distinct_texts(
    columns: Sequence[pd.Series],
) -> tuple[list[tuple[np.ndarray, int]], pd.Series, np.ndarray]:
    """Per column its codes (``pd.factorize``: -1 for missing) and how many distinct values it
    has, and over the distinct values of every column at once (in column order) their stripped
    text and whether each is a placeholder: the string kernels run once per frame, not once per
    column (the daemon cleans batches of a few thousand rows, where the per-column overhead
    was most of the cost)."""
    codes: list[tuple[np.ndarray, int]] = []
    parts: list[pd.Series] = []
    for series in columns:
        c, u = pd.factorize(series, use_na_sentinel=True)
        codes.append((c, len(u)))
        parts.append(pd.Series(pd.array(u, dtype="string")))
    distinct = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    stripped = distinct.str.strip()
    is_placeholder = stripped.str.lower().isin(PLACEHOLDERS).fillna(False).to_numpy(bool, copy=True)
    return codes, stripped, is_placeholder


def _clean_column(
    series: pd.Series,
    codes: np.ndarray,
    stripped: np.ndarray,
    is_placeholder: np.ndarray,
    *,
    decimal_comma: bool = False,
    coerce: bool = True,
) -> tuple[pd.Series, dict[str, int]]:
    """One text column: placeholders to missing, whitespace stripped, numbers parsed.

    The work is done once per distinct value (``codes`` index ``stripped``, the column's distinct
    values stripped, and ``is_placeholder``: see ``_distinct_texts``) and mapped back to the rows,
    so a million-row column with a few hundred distinct values costs a few hundred string
    operations.
    """
    is_placeholder = is_placeholder.copy()
    if (
        is_placeholder.any()
        and any(v == "NA" for v in stripped[is_placeholder])
        and _is_code_column(pd.Series(stripped[~is_placeholder], dtype="string"))
    ):
        is_placeholder &= stripped != "NA"  # NA is North America here
    found: dict[str, int] = {}
    if is_placeholder.any():
        counts = np.bincount(codes[codes >= 0], minlength=len(stripped))
        for i in np.flatnonzero(is_placeholder):
            key = str(stripped[i]) or "(empty)"
            found[key] = found.get(key, 0) + int(counts[i])
    cleaned = stripped.copy()
    cleaned[is_placeholder] = None
    if (
        coerce
        and not is_placeholder.all()
        and _could_be_number(cleaned[int(np.argmin(is_placeholder))], decimal_comma)
    ):
        valid = pd.Series(cleaned, dtype=object).dropna()
        numbers = read_numbers(valid.iloc[:1000], decimal_comma=decimal_comma)
        if numbers.notna().all():
            numbers = read_numbers(valid, decimal_comma=decimal_comma)
        if numbers.notna().all():
            lookup = np.full(len(stripped) + 1, np.nan)  # the last slot serves code -1 (missing)
            lookup[valid.index.to_numpy()] = numbers.to_numpy(dtype=float)
            values = lookup[codes]
            if pd.api.types.is_integer_dtype(numbers) and not np.isnan(values).any():
                return pd.Series(values.astype("int64"), index=series.index), found
            return pd.Series(values, index=series.index), found
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        # gather in Arrow: no Python string object is created per row
        taken = pa.array(cleaned, type=pa.large_string())
        taken = taken.take(pa.array(codes, mask=codes < 0))
        return pd.Series(pd.array(taken, dtype=series.dtype), index=series.index), found
    cleaned[is_placeholder] = np.nan
    lookup_text = np.append(cleaned, np.nan)
    return pd.Series(lookup_text[codes], index=series.index, dtype=series.dtype), found


def _could_be_number(text: str, decimal_comma: bool = False) -> bool:
    """False when ``text`` is not a number (``service.data.numbers``): one look at a text
    column's first value spares parsing the others (most columns are text)."""
    return is_number_text(text, decimal_comma=decimal_comma)


def normalise_placeholders(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Replace placeholder strings with missing values in place; return what was replaced."""
    return _clean(frame, coerce=False)


def read_values(frame: pd.DataFrame, *, text: Collection[str] = ()) -> dict[str, dict[str, int]]:
    """Values from elsewhere (CRM records, the daemon's lead copy) interpreted in place by the
    rule ``read_table`` applies to a file's: placeholders to missing, and a column of text (or of
    text and numbers mixed: ``1200`` beside ``""``) whose values all read as numbers to numbers.
    Typed columns (numbers, booleans) stay as they are, as a Parquet file's do. The ``text``
    columns only lose their placeholders: their values are text even where they all read as
    numbers (the whole they belong to, read in parts, holds other text). Returns what was
    replaced, per column."""
    keep = set(text)
    found = _clean(frame, coerce=False, only=keep) if keep else {}
    found.update(_clean(frame, only=[c for c in frame.columns if c not in keep]))
    return found


def _clean(
    frame: pd.DataFrame,
    *,
    decimal_comma: bool = False,
    coerce: bool = True,
    only: Collection[str] | None = None,
) -> dict[str, dict[str, int]]:
    """Placeholders to missing and (with ``coerce``) text that is all numbers to numbers, in place.

    With ``decimal_comma`` (semicolon files, as European spreadsheets write them) ``1,5`` is 1.5.
    """
    found: dict[str, dict[str, int]] = {}
    names = [col for col in frame.columns if (only is None or col in only) and _is_text(frame[col])]
    if not names:
        return found
    codes, texts, is_placeholder = _distinct_texts([frame[col] for col in names])
    stripped = texts.to_numpy(dtype=object, na_value=None)
    start = 0
    for col, (col_codes, size) in zip(names, codes, strict=True):
        end = start + size
        frame[col], counts = _clean_column(
            frame[col],
            col_codes,
            stripped[start:end],
            is_placeholder[start:end],
            decimal_comma=decimal_comma,
            coerce=coerce,
        )
        start = end
        if counts:
            found[str(col)] = counts
    return found


def table_from_frame(frame: pd.DataFrame, source: str, *, clean: Collection[str]) -> Table:
    """A frame read from elsewhere (a database table) as ``read_table`` would leave it: ``raw``
    as given, and the ``clean`` columns' values interpreted (placeholders, numbers)."""
    frame = frame.copy(deep=False)
    raw = frame.copy(deep=False)
    placeholders = _clean(frame, only=clean)
    return Table(path=Path(source), frame=frame, placeholders=placeholders, raw=raw)


def table_from_text(frame: pd.DataFrame, source: str) -> Table:
    """A frame of records from elsewhere (a CRM pull) read as ``read_table`` reads the same frame
    written with ``to_csv``: every value as the text the file would hold (missing as empty,
    leading spaces of an unquoted value dropped), then placeholders and numbers interpreted."""
    if frame.shape[1] == 0 or frame.empty:
        raise DataFileError(f"{source}: no rows.")
    text = pd.DataFrame(
        {str(c).strip(): _as_csv_text(frame[c]) for c in frame.columns}, index=range(len(frame))
    )
    placeholders = _clean(text)
    return Table(path=Path(source), frame=text, delimiter=",", placeholders=placeholders)


def _as_csv_text(column: pd.Series) -> pd.Series:
    """The column's values as ``to_csv`` writes them and ``read_table`` reads them back."""
    values = column.astype(object).where(column.notna(), "").map(str).reset_index(drop=True)
    quoted = values.str.contains(r'[,"\r\n]', regex=True)
    return values.where(quoted, values.str.lstrip(" \t"))


def read_table(
    path: str | Path, *, keep_raw: bool = False, clean: Collection[str] | None = None
) -> Table:
    """Read a deals or leads file; raise ``DataFileError`` with the path on any problem.

    ``clean`` limits the interpretation of values (placeholders, numbers) to those columns; the
    others stay text as read. Scoring passes the fields its rules read, and skips the rest.

    With ``keep_raw``, ``Table.raw`` holds the values exactly as the file has them (text, before
    placeholders and numbers are interpreted), for output that must pass them through unchanged.
    """
    path = Path(path)
    if not path.exists():
        raise DataFileError(f"{path}: no such file. Check the path.")
    if path.is_dir():
        raise DataFileError(f"{path}: is a folder, not a file. Pass the CSV or Parquet file.")
    if path.stat().st_size == 0:
        raise DataFileError(f"{path}: the file is empty. Export the deals with a header row.")
    if path.suffix.lower() in {".xlsx", ".xls", ".xlsm", ".ods"}:
        raise DataFileError(
            f"{path}: a spreadsheet workbook; save it as CSV (File > Save As > CSV UTF-8) "
            "or Parquet and pass that file."
        )
    check_file_size(path)
    if path.suffix.lower() in {".parquet", ".pq"}:
        check_parquet(path)
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many types
            raise DataFileError(f"{path}: not a readable Parquet file ({exc}).") from exc
        table = Table(path=path, frame=frame)
    else:
        text, encoding = _decode(path.read_bytes(), path)
        if not text.strip():
            raise DataFileError(f"{path}: the file is empty. Export the deals with a header row.")
        delimiter = _sniff_delimiter(text, path)
        header = next(csv.reader(io.StringIO(text[: 1 << 20]), delimiter=delimiter), [])
        check_columns(path, len(header))
        names = [h.strip() for h in header]
        dupes = sorted({n for n in names if n and names.count(n) > 1})
        if dupes:
            raise DataFileError(
                f"{path}: duplicate column names {dupes}; rename them so each is unique."
            )
        try:
            del text  # parse the file itself: pandas' reader is faster than from a Python string
            frame = pd.read_csv(
                path,
                encoding=encoding,
                sep=delimiter,
                dtype=str,
                keep_default_na=False,
                skipinitialspace=True,
            )
        except pd.errors.ParserError as exc:
            raise DataFileError(
                f"{path}: cannot parse as CSV with delimiter {delimiter!r}: {exc}. "
                "Check that values containing the delimiter are quoted."
            ) from exc
        table = Table(path=path, frame=frame, delimiter=delimiter, encoding=encoding)
    frame = table.frame
    if frame.shape[1] == 0 or frame.empty:
        raise DataFileError(f"{path}: the file has a header but no rows.")
    dropped = [
        str(c)
        for c in frame.columns
        if str(c).startswith("Unnamed:")
        and frame[c].astype("string").str.strip().fillna("").eq("").all()
    ]
    if dropped:
        frame = frame.drop(columns=dropped)
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise DataFileError(
            f"{path}: duplicate column names {dupes}; rename them so each is unique."
        )
    if keep_raw:
        table.raw = frame.copy(deep=False)  # copy-on-write: shares buffers until a column changes
    table.placeholders = _clean(frame, decimal_comma=table.delimiter == ";", only=clean)
    table.frame = frame
    table.dropped_empty = dropped
    return table
