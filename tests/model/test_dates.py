"""Dates are read with the format most of the column's values parse with; the values that do
not parse with it are reported with their rows, never allowed to switch the whole column."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from service import sample
from service.audit.run import run_audit
from service.data.dates import choose_format, parse_dates
from service.data.deals import load_deals
from service.model.validation.holdout import split_holdout


class TestParseDates:
    """One format per column."""

    def test_one_day_first_value_does_not_swap_the_iso_dates(self) -> None:
        """2025-01-10 stays 10 January beside a stray 31/02/2025, which becomes missing."""
        parsed = parse_dates(pd.Series(["2025-01-10", "2025-03-04", "31/02/2025", "2025-12-01"]))
        assert parsed.tolist()[:2] == [pd.Timestamp("2025-01-10"), pd.Timestamp("2025-03-04")]
        assert pd.isna(parsed.iloc[2])

    @pytest.mark.parametrize(
        ("values", "fmt"),
        [
            (["01/02/2025", "13/02/2025", "28/02/2025"], "%d/%m/%Y"),
            (["01/02/2025", "02/13/2025", "02/28/2025"], "%m/%d/%Y"),
            (["2025-01-02T10:00:00Z", "2025-01-03 11:30"], "ISO8601"),
            (["05.03.2025", "17.03.2025"], "%d.%m.%Y"),
        ],
    )
    def test_the_format_most_values_parse_with_is_chosen(self, values, fmt) -> None:
        """Day-first, month-first, ISO with times and dotted dates are each recognised."""
        assert choose_format(pd.Series(values, dtype="string")) == fmt

    def test_text_no_format_reads_falls_back_to_the_flexible_parser(self) -> None:
        """'Jan 5, 2025' is still a date."""
        assert parse_dates(pd.Series(["Jan 5, 2025"])).iloc[0] == pd.Timestamp("2025-01-05")


def test_sample_dates_parse_exactly_and_strays_are_reported_by_row(tmp_path) -> None:
    """On the 2,000-deal sample every ISO close date is read as written (none swapped), the
    range is the true one, and the two planted strays are reported with their rows."""
    data = sample.generate(deals=2000, leads=20, seed=0, as_of=date(2026, 11, 30))
    paths = data.write(tmp_path)
    deals = load_deals(paths["deals.csv"], None)
    raw = pd.read_csv(paths["deals.csv"], dtype=str)["closed_at"]
    iso = raw.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    expected = pd.to_datetime(raw[iso], format="%Y-%m-%d", errors="coerce")
    parsed = parse_dates(raw)
    assert (parsed[iso & expected.notna()] == expected.dropna()).all()
    report = run_audit(deals.table.frame, deals.outcome, deals.config, as_of=date(2026, 11, 30))
    assert report.date_range is not None
    assert report.date_range["start"] == expected.min().date().isoformat()
    assert report.date_range["end"] == expected.max().date().isoformat()
    [bad] = report.problems_of("unparseable_date")
    truth = data.truth["problems"]["unparseable_dates"]
    assert bad.rows == sorted(t["row"] for t in truth)
    assert {i["value"] for i in bad.items} == {t["value"] for t in truth}


def test_holdout_by_date_reads_the_dates_the_same_way() -> None:
    """The newest deals held out are the newest by the column's one format."""
    n = 40
    dates = pd.Series([f"2025-{1 + i % 12:02d}-{1 + i // 12:02d}" for i in range(n)])
    dates.iloc[0] = "31/02/2025"
    X = pd.DataFrame({"a": range(n)})
    y = pd.Series([i % 2 for i in range(n)])
    split = split_holdout(X, y, holdout=0.25, dates=dates)
    held = pd.to_datetime(dates.iloc[split.test], format="%Y-%m-%d")
    kept = pd.to_datetime(dates.drop(index=0).iloc[:], format="%Y-%m-%d").drop(
        index=split.test, errors="ignore"
    )
    assert held.min() >= kept.max()
