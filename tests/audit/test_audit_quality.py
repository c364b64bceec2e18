"""Data-quality rules of the audit, each on a small hand-made frame with a planted problem."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.audit.audit_support import audit, deals_frame


def test_clean_frame_has_no_problems() -> None:
    """A frame with nothing planted reports no data-quality problem."""
    assert audit(deals_frame()).problems == []


def test_exact_duplicate_rows_are_reported_with_the_row_they_repeat() -> None:
    """A copied row is reported as a duplicate of the first occurrence, 1-based."""
    frame = deals_frame(60)
    frame = pd.concat([frame, frame.iloc[[3, 10]]], ignore_index=True)
    report = audit(frame)
    [dup] = report.problems_of("duplicate")
    assert dup.items == [{"row": 61, "duplicate_of": 4}, {"row": 62, "duplicate_of": 11}]
    assert report.closed_deals == 60


def test_reused_id_with_different_content_is_a_duplicate_id() -> None:
    """A row that reuses an earlier deal_id but differs elsewhere is a duplicate_id problem."""
    frame = deals_frame(60)
    frame.loc[20, "deal_id"] = frame.loc[5, "deal_id"]
    report = audit(frame)
    [dup] = report.problems_of("duplicate_id")
    assert dup.field == "deal_id"
    assert dup.items == [{"row": 21, "duplicate_of": 6, "id": "D0005"}]
    assert report.problems_of("duplicate") == []


def test_same_deal_under_a_new_id_is_a_duplicate() -> None:
    """A row equal to an earlier one in everything but deal_id is reported and left out."""
    frame = deals_frame(60)
    copy = frame.iloc[[8]].assign(deal_id="D9999")
    report = audit(pd.concat([frame, copy], ignore_index=True))
    [dup] = report.problems_of("duplicate_except_id")
    assert dup.items == [{"row": 61, "duplicate_of": 9, "id": "D9999"}]
    assert report.closed_deals == 60


def test_lookalike_deals_in_few_categories_are_not_duplicates() -> None:
    """Two deals with different ids that agree only on a few categories are both kept."""
    frame = deals_frame(60)[["deal_id", "industry", "outcome"]]
    report = audit(frame)
    assert report.problems_of("duplicate_except_id") == []
    assert report.closed_deals == 60


def test_modelling_data_drops_duplicates_and_keeps_original_positions() -> None:
    """Duplicates leave the modelling rows (first kept) and the index is the 0-based position."""
    frame = deals_frame(60)
    frame = pd.concat([frame, frame.iloc[[3]]], ignore_index=True)
    x, y = audit(frame).modelling_data()
    assert list(x.index) == list(range(60))
    assert len(y) == 60 and set(y.unique()) <= {0, 1}


def test_negative_employee_count_is_impossible_and_blanked() -> None:
    """A negative count is an impossible value, and modelling data sets it to missing."""
    frame = deals_frame(60)
    frame.loc[7, "employee_count"] = -40
    report = audit(frame)
    [bad] = report.problems_of("impossible_value")
    assert (bad.field, bad.rows, bad.items[0]["value"]) == ("employee_count", [8], -40)
    x, _ = report.modelling_data()
    assert np.isnan(x.loc[7, "employee_count"])
    assert x["employee_count"].notna().sum() == 59


def test_clicks_above_opens_is_impossible() -> None:
    """More email clicks than opens on a row is reported, naming the other field."""
    frame = deals_frame(60)
    frame.loc[12, ["email_opens", "email_clicks"]] = [2, 9]
    [bad] = audit(frame).problems_of("impossible_value")
    assert bad.field == "email_clicks" and bad.rows == [13]
    assert bad.items[0]["other_field"] == "email_opens"


def test_percentage_above_100_is_impossible_but_negative_growth_is_not() -> None:
    """A win_pct of 140 is impossible; a negative revenue_growth is a legitimate value."""
    frame = deals_frame(60)
    frame["discount_pct"] = 10.0
    frame.loc[4, "discount_pct"] = 140.0
    frame["revenue_growth"] = np.linspace(-0.5, 0.5, 60)
    bad = audit(frame).problems_of("impossible_value")
    assert [(p.field, p.rows) for p in bad] == [("discount_pct", [5])]


def test_unparseable_and_future_dates_are_reported() -> None:
    """A close date that is not a date, and one after the as-of date, are each reported."""
    frame = deals_frame(60)
    frame.loc[9, "closed_at"] = "31st of Smarch"
    frame.loc[15, "closed_at"] = "2027-06-01"
    report = audit(frame)
    [bad] = report.problems_of("unparseable_date")
    assert bad.rows == [10] and bad.items[0]["value"] == "31st of Smarch"
    [future] = report.problems_of("future_date")
    assert future.rows == [16]
    x, _ = report.modelling_data(include=("closed_at",))
    assert pd.isna(x.loc[9, "closed_at"]) and pd.isna(x.loc[15, "closed_at"])
    assert pd.api.types.is_datetime64_any_dtype(x["closed_at"])


def test_text_in_a_numeric_column_is_unparseable_number() -> None:
    """One non-number in a numeric column is reported and the column stays numeric."""
    frame = deals_frame(60)
    frame["deal_size"] = [str(1000 + 37 * i) for i in range(60)]
    frame.loc[30, "deal_size"] = "ten thousand"
    report = audit(frame)
    [bad] = report.problems_of("unparseable_number")
    assert bad.rows == [31]
    assert next(f for f in report.fields if f.name == "deal_size").kind == "numeric"
    x, _ = report.modelling_data()
    assert pd.api.types.is_numeric_dtype(x["deal_size"]) and pd.isna(x.loc[30, "deal_size"])


def test_outcome_typo_is_reported_with_rows_and_a_hint_not_dropped_silently() -> None:
    """An outcome 'Wonn' is an invalid_outcome problem with its row and a did-you-mean hint."""
    frame = deals_frame(60)
    frame.loc[[2, 40], "outcome"] = ["Wonn", "pending"]
    report = audit(frame)
    [bad] = report.problems_of("invalid_outcome")
    assert bad.rows == [3, 41]
    assert bad.items == [{"row": 3, "value": "Wonn"}, {"row": 41, "value": "pending"}]
    assert "did you mean 'won'" in bad.detail
    assert report.closed_deals == 58 == report.won + report.lost
    x, _ = report.modelling_data()
    assert 2 not in x.index and 40 not in x.index


def test_day_first_dates_are_read_day_first_for_the_whole_column() -> None:
    """When one value can only be day/month (13/02/2025), 01/02/2025 means 1 February."""
    from service.audit.fields import parse_dates

    parsed = parse_dates(pd.Series(["01/02/2025", "13/02/2025", "31/02/2025"]))
    assert parsed.iloc[0] == pd.Timestamp("2025-02-01")
    assert parsed.iloc[1] == pd.Timestamp("2025-02-13")
    assert pd.isna(parsed.iloc[2])  # 31 February does not exist either way


def test_date_range_falls_back_to_a_close_named_date_column() -> None:
    """Without a configured or standard date column, 'Won On' (a date) gives the date range."""
    frame = deals_frame(60).rename(columns={"closed_at": "Won On"})
    report = audit(frame)
    assert report.date_range is not None and report.date_range["column"] == "Won On"
