"""Reading deal and lead files: delimiters, encodings, Parquet, placeholders, and bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from service.data.io import read_table
from service.errors import DataFileError, InputError

ROWS = [
    ("D1", "Software", "120", "won"),
    ("D2", "Retail", "45", "lost"),
    ("D3", "Health", "9", "won"),
]
HEADER = ("deal_id", "industry", "employee_count", "outcome")


def _write(path: Path, delimiter: str, encoding: str = "utf-8") -> Path:
    lines = [delimiter.join(HEADER), *(delimiter.join(r) for r in ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiters_are_detected(tmp_path: Path, delimiter: str, name: str) -> None:
    """Comma, semicolon and tab files read to the same table."""
    table = read_table(_write(tmp_path / f"{name}.csv", delimiter))
    assert table.delimiter == delimiter
    assert list(table.frame.columns) == list(HEADER)
    assert table.frame["industry"].tolist() == ["Software", "Retail", "Health"]
    assert table.frame["employee_count"].tolist() == [120, 45, 9]


def test_utf8_bom_does_not_reach_the_first_column_name(tmp_path: Path) -> None:
    """A UTF-8 byte-order mark (Excel's 'CSV UTF-8') is not part of the first header."""
    table = read_table(_write(tmp_path / "bom.csv", ",", encoding="utf-8-sig"))
    assert table.frame.columns[0] == "deal_id"


def test_latin1_file_is_decoded(tmp_path: Path) -> None:
    """A Latin-1 file with accented names reads with the accents intact."""
    path = tmp_path / "latin1.csv"
    path.write_bytes("company;outcome\nSociété Générale;won\nZürich AG;lost\n".encode("latin-1"))
    table = read_table(path)
    assert table.frame["company"].tolist() == ["Société Générale", "Zürich AG"]
    assert table.encoding in {"cp1252", "latin-1"}


def test_utf16_file_from_excel_unicode_text_is_decoded(tmp_path: Path) -> None:
    """Excel's 'Unicode Text' export (UTF-16 with a BOM, tab-separated) reads correctly."""
    path = tmp_path / "excel.txt"
    path.write_text("company\toutcome\nZürich AG\twon\nAcme\tlost\n", encoding="utf-16")
    table = read_table(path)
    assert list(table.frame.columns) == ["company", "outcome"]
    assert table.frame["company"].tolist() == ["Zürich AG", "Acme"]


def test_parquet_is_read_and_placeholders_cleaned(tmp_path: Path) -> None:
    """A Parquet file reads with its types, and 'Select' in a text column becomes missing."""
    path = tmp_path / "deals.parquet"
    pd.DataFrame(
        {
            "industry": ["Software", "Select", "Retail"],
            "employees": [10, 20, 30],
            "outcome": ["won", "lost", "won"],
        }
    ).to_parquet(path)
    table = read_table(path)
    assert table.frame["employees"].tolist() == [10, 20, 30]
    assert table.frame["industry"].isna().tolist() == [False, True, False]
    assert table.placeholders == {"industry": {"Select": 1}}


def test_placeholders_become_missing_and_are_counted(tmp_path: Path) -> None:
    """Select, N/A, -, empty and unknown in any case are missing, counted as written."""
    path = tmp_path / "p.csv"
    path.write_text(
        "industry,country,outcome\n"
        "Select,N/A,won\n"
        "Software,-,lost\n"
        ",UNKNOWN,won\n"
        "Retail,Unknown,lost\n"
        "  Health  ,unknown,won\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.frame["industry"].isna().tolist() == [True, False, True, False, False]
    assert table.frame["country"].isna().all()
    assert table.frame.loc[4, "industry"] == "Health"  # surrounding spaces stripped
    assert table.placeholders["industry"] == {"Select": 1, "(empty)": 1}
    assert table.placeholders["country"] == {
        "N/A": 1,
        "-": 1,
        "UNKNOWN": 1,
        "Unknown": 1,
        "unknown": 1,
    }


def test_na_is_a_region_code_among_codes_but_missing_elsewhere(tmp_path: Path) -> None:
    """'NA' next to EMEA and APAC is North America; in a column of words it means missing."""
    path = tmp_path / "r.csv"
    path.write_text(
        "region,industry,outcome\nNA,Software,won\nEMEA,NA,lost\nAPAC,Retail,won\n",
        encoding="utf-8",
    )
    table = read_table(path)
    assert table.frame["region"].tolist() == ["NA", "EMEA", "APAC"]
    assert table.frame["industry"].isna().tolist() == [False, True, False]
    assert "region" not in table.placeholders


def test_numbers_with_placeholders_become_numeric(tmp_path: Path) -> None:
    """A numeric column with 'N/A' cells is numeric with missing values, not text."""
    path = tmp_path / "n.csv"
    path.write_text("employees,outcome\n10,won\nN/A,lost\n30,won\n", encoding="utf-8")
    frame = read_table(path).frame
    assert pd.api.types.is_numeric_dtype(frame["employees"])
    assert frame["employees"].isna().tolist() == [False, True, False]


def test_semicolon_file_with_decimal_commas_is_numeric(tmp_path: Path) -> None:
    """European exports (';' with decimal commas) give numbers, 1,5 meaning 1.5."""
    path = tmp_path / "eu.csv"
    path.write_text("deal;amount;outcome\nA;1,5;won\nB;20;lost\nC;3,25;won\n", encoding="utf-8")
    frame = read_table(path).frame
    assert frame["amount"].tolist() == [1.5, 20.0, 3.25]


def test_quoted_values_keep_their_delimiters(tmp_path: Path) -> None:
    """A quoted value containing commas or semicolons stays one value."""
    path = tmp_path / "q.csv"
    path.write_text('id,stack,outcome\n1,"Workday;Slack",won\n2,"SAP, Teams",lost\n3,Okta,won\n')
    table = read_table(path)
    assert table.delimiter == ","
    assert table.frame["stack"].tolist() == ["Workday;Slack", "SAP, Teams", "Okta"]


def test_trailing_empty_column_is_dropped(tmp_path: Path) -> None:
    """A trailing delimiter on every line does not create an extra column."""
    path = tmp_path / "t.csv"
    path.write_text("id,outcome,\n1,won,\n2,lost,\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == ["id", "outcome"]
    assert table.dropped_empty == ["Unnamed: 2"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"deal_id,outcome\n", "header but no rows"),
        (b"deal id outcome\nD1 won\n", "cannot detect the delimiter"),
        (b"id,id,outcome\n1,2,won\n", "duplicate column names"),
        (b"id,outcome\n1,won\n2,lost,extra\n", "line 3"),
    ],
)
def test_bad_files_raise_data_file_error_naming_the_file(
    tmp_path: Path, content: bytes | None, expected: str
) -> None:
    """Each unreadable file gives one DataFileError that names the file and the problem."""
    path = tmp_path / "deals.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFileError) as exc:
        read_table(path)
    assert str(path) in str(exc.value)
    assert expected in str(exc.value)
    assert isinstance(exc.value, InputError) and exc.value.exit_code == 2


def test_folder_excel_and_corrupt_parquet_are_clear_errors(tmp_path: Path) -> None:
    """A folder, an Excel workbook and a broken Parquet file each get a message saying what to do."""
    with pytest.raises(DataFileError, match="is a folder"):
        read_table(tmp_path)
    xlsx = tmp_path / "deals.xlsx"
    xlsx.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(DataFileError, match="save it as CSV"):
        read_table(xlsx)
    broken = tmp_path / "deals.parquet"
    broken.write_bytes(b"not parquet at all")
    with pytest.raises(DataFileError, match="not a readable Parquet file"):
        read_table(broken)


def test_binary_file_is_not_read_as_text(tmp_path: Path) -> None:
    """A binary file with a .csv name is rejected instead of parsed as garbage."""
    path = tmp_path / "deals.csv"
    path.write_bytes(b"id,outcome\x00\x00\x01\x02\n\x00\x00")
    with pytest.raises(DataFileError, match="binary"):
        read_table(path)


def test_clean_limits_interpretation_to_the_named_columns(tmp_path: Path) -> None:
    """With clean=, only those columns get placeholders removed and numbers parsed."""
    path = tmp_path / "leads.csv"
    path.write_text("id,visits,notes\n007,N/A,N/A\n008, 12 ,-\n", encoding="utf-8")
    table = read_table(path, clean={"visits"})
    assert table.frame["visits"].isna().tolist() == [True, False]
    assert table.frame["visits"].iloc[1] == 12
    assert table.frame["id"].tolist() == ["007", "008"]
    assert table.frame["notes"].tolist() == ["N/A", "-"]
    assert set(table.placeholders) == {"visits"}


def test_values_from_elsewhere_read_as_the_same_file_reads_them(tmp_path: Path) -> None:
    """``read_values`` (CRM records, the daemon's lead copy): numbers beside emptied values are
    numbers as in the file, text beside numbers stays text, booleans stay booleans (as a Parquet
    file's), and a ``text`` column keeps its numbers as text."""
    from service.data.io import read_values

    frame = pd.DataFrame(
        {
            "employees": pd.Series([1200, "", None, " 7 "], dtype=object),
            "country": pd.Series(["US", 5, "n/a", "UK"], dtype=object),
            "demo": [True, False, True, False],
            "seats": pd.Series([3, 4, "", 5], dtype=object),
        }
    )
    path = tmp_path / "leads.csv"
    frame.to_csv(path, index=False)
    filed = read_table(path).frame
    found = read_values(frame, text=["seats"])
    assert found == {"employees": {"(empty)": 1}, "country": {"n/a": 1}, "seats": {"(empty)": 1}}
    pd.testing.assert_series_equal(frame["employees"], filed["employees"])
    assert frame["country"].tolist()[:2] == filed["country"].tolist()[:2] == ["US", "5"]
    assert frame["demo"].dtype == bool
    assert frame["seats"].tolist()[:2] == ["3", "4"]


def test_a_text_column_is_not_parsed_past_its_first_value() -> None:
    """Every text ``pd.to_numeric`` reads as a number is one ``float`` reads, so a column whose
    first value ``float`` refuses cannot be all numbers (and is not parsed)."""
    from service.data.io import _could_be_number

    texts = [
        "1", "+1", "-1", ".5", "5.", "1e5", "1E5", "1e+5", "-.5e-3", "+.5", "inf", "-inf",
        "Infinity", "INF", "+inf", "iNfInItY", "1_000", "0x10", "١٢", "1,5", "1.2.3", "e5",
        "1e", "1d5", "½", "²", "abc", "--1", "1-", ".", "+", "infinit", "5e1.0", "nan", "1e999",
    ]  # fmt: skip
    parsed = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
    by_pandas = {t for t, v in zip(texts, parsed, strict=True) if pd.notna(v)}
    assert by_pandas <= {t for t in texts if _could_be_number(t)}
    assert not _could_be_number("Company 1")
