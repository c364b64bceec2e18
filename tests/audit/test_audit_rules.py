"""Exclusion, leakage, adequacy, survivorship and missing-input rules of the audit, each on a
small hand-made frame where the right answer is known by construction."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from structlog.testing import capture_logs

from service.audit.fields import name_tokens
from service.audit.leakage import oos_auc
from tests.audit.audit_support import audit, deals_frame, reasons


def test_name_tokens_read_any_naming_style() -> None:
    """snake_case, spaces and CamelCase give the same word stems."""
    assert name_tokens("sales_cycle_days") == ["sale", "cycle", "day"]
    assert name_tokens("SalesCycleDays") == ["sale", "cycle", "day"]
    assert name_tokens("Sales Cycle (days)") == ["sale", "cycle", "day"]
    assert name_tokens("Status") == ["status"]


def test_identifiers_are_excluded_but_unique_amounts_are_not() -> None:
    """Unique text ids and id-named unique integers are identifiers; unique deal sizes are not."""
    frame = deals_frame(80)
    frame["Opportunity Number"] = np.arange(5000, 5080)
    frame["deal_size"] = np.random.default_rng(1).integers(1000, 90_000, 80)
    got = reasons(audit(frame))
    assert got["deal_id"] == "identifier"
    assert got["Opportunity Number"] == "identifier"
    assert "deal_size" not in got


def test_constant_columns_including_one_value_plus_missing_are_excluded() -> None:
    """A single value, with or without missing cells, is constant; no value at all is empty."""
    frame = deals_frame(80)
    frame["Magazine"] = "No"
    frame["newsletter"] = ["Yes" if i % 3 else None for i in range(80)]
    frame["blank"] = np.nan
    got = reasons(audit(frame))
    assert got["Magazine"] == "constant"
    assert got["newsletter"] == "constant"
    detail = next(e.detail for e in audit(frame).excluded if e.field == "newsletter")
    assert "if a blank means 'no'" in detail
    assert got["blank"] == "empty"


def test_configured_exclusions_and_outcome_are_excluded() -> None:
    """config.exclude and the outcome column are excluded with their own reasons."""
    got = reasons(audit(deals_frame(80), exclude=["industry"]))
    assert got["industry"] == "configured_exclude"
    assert got["outcome"] == "outcome"
    assert got["closed_at"] == "date"


def test_field_filled_for_one_outcome_only_is_leakage() -> None:
    """A loss reason filled only for lost deals is excluded as populated for one outcome only."""
    frame = deals_frame(100)
    lost = frame["outcome"] == "lost"
    frame["loss_reason"] = np.where(lost, "Price", None)
    frame.loc[lost[lost].index[::3], "loss_reason"] = None  # filled for 2/3 of losses
    report = audit(frame)
    assert reasons(report)["loss_reason"] == "leakage_outcome_coded"
    x, _ = report.modelling_data()
    assert "loss_reason" not in x.columns


def test_close_time_names_with_no_signal_are_flagged_not_excluded() -> None:
    """sales_cycle_days and duration with no signal in them: the name is one kind of evidence,
    so they are flagged as suspects and kept (two kinds are needed to exclude)."""
    frame = deals_frame(100)
    rng = np.random.default_rng(3)
    frame["sales_cycle_days"] = rng.integers(10, 200, 100)
    frame["duration"] = rng.integers(10, 200, 100)
    report = audit(frame)
    got = reasons(report)
    assert "sales_cycle_days" not in got and "duration" not in got
    suspects = {s.field: s for s in report.suspected_leakage}
    for name in ("sales_cycle_days", "duration"):
        assert suspects[name].kinds == ["name_cue"]
        assert suspects[name].action == "flagged"


def test_near_perfect_separator_is_leakage_and_keep_overrides() -> None:
    """A category that gives the outcome away is excluded; config.keep puts it back."""
    frame = deals_frame(200, seed=4)
    won = frame["outcome"] == "won"
    labels = np.where(won, "Will revert", "Ringing")
    labels[:4] = labels[4:8][::-1]  # a little noise
    frame["Tags"] = labels
    report = audit(frame)
    assert reasons(report)["Tags"].startswith("leakage_")
    assert "strong_single_field" in next(s for s in report.suspected_leakage).kinds
    assert next(f for f in report.fields if f.name == "Tags").oos_auc > 0.95
    x, _ = audit(frame, keep=["Tags"]).modelling_data()
    assert "Tags" in x.columns


def test_near_perfect_where_filled_catches_post_contact_fields() -> None:
    """A field missing for half the deals but decisive where filled is leakage."""
    frame = deals_frame(300, seed=5)
    won = (frame["outcome"] == "won").to_numpy()
    tags = np.where(won, "Closed by rep", "Not interested").astype(object)
    tags[np.arange(300) % 2 == 0] = None
    frame["Tags"] = tags
    report = audit(frame)
    assert reasons(report)["Tags"].startswith("leakage_")
    [tags] = [s for s in report.suspected_leakage if s.field == "Tags"]
    assert {"strong_single_field", "name_cue"} <= set(tags.kinds)


def test_out_of_sample_auc_of_a_unique_id_is_chance() -> None:
    """Unique values per row cannot predict unseen rows: AUC near 0.5, not 1."""
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.4).astype(int)
    ids = pd.Series([f"X{i}" for i in range(400)])
    assert oos_auc(ids, "category", y) == pytest.approx(0.5, abs=0.05)
    planted = pd.Series(np.where(y == 1, "a", "b"))
    assert oos_auc(planted, "category", y) == pytest.approx(1.0)


def test_genuine_moderate_predictor_is_not_flagged() -> None:
    """An attribute with a real but ordinary effect (win rate 60% vs 25%) stays usable."""
    rng = np.random.default_rng(6)
    frame = deals_frame(300, seed=6)
    inbound = rng.random(300) < 0.5
    frame["lead_source"] = np.where(inbound, "Inbound", "Outbound")
    frame["outcome"] = np.where(rng.random(300) < np.where(inbound, 0.6, 0.25), "won", "lost")
    assert "lead_source" not in reasons(audit(frame))


@pytest.mark.parametrize(
    ("n", "level", "can_model"),
    [(30, "insufficient", False), (120, "low", True), (260, "adequate", True)],
)
def test_adequacy_levels(n: int, level: str, can_model: bool) -> None:
    """Below 50 closed deals no model; below 200 low confidence; else adequate."""
    report = audit(deals_frame(n))
    assert report.adequacy.level == level
    assert report.can_model is can_model


def test_too_few_deals_says_minimum_and_come_back_in_90_days() -> None:
    """The insufficient verdict names the minimum of 50 and the 90-day advice."""
    message = audit(deals_frame(30)).adequacy.message
    assert "at least 50 closed deals" in message
    assert "come back in 90 days" in message


def test_one_outcome_only_cannot_model() -> None:
    """Sixty deals that are all won cannot support a model."""
    frame = deals_frame(60)
    frame.loc[0, "outcome"] = "won"
    frame["outcome"] = "won"
    assert audit(frame).can_model is False


def test_a_rare_outcome_cannot_model_and_the_audit_says_so() -> None:
    """Sixty deals with one win: the audit calls it insufficient (as the build would) and says
    how many of each outcome are needed, instead of 'enough to build a model'."""
    frame = deals_frame(60)
    frame["outcome"] = ["won"] + ["lost"] * 59
    report = audit(frame)
    assert report.can_model is False and report.adequacy.level == "insufficient"
    assert "1 won and 59 lost" in report.adequacy.message
    assert "at least 10 won and 10 lost" in report.adequacy.message


def test_attribute_sufficiency_names_thin_values() -> None:
    """Values with fewer than min_attribute_deals deals are listed as too few to judge."""
    frame = deals_frame(120)
    frame["region"] = ["EMEA"] * 100 + ["APAC"] * 14 + ["LATAM"] * 6
    frame["rare_flag"] = ["yes"] * 5 + ["no"] * 115
    report = audit(frame, min_attribute_deals=15, dimensions={"rare_flag": "firmographic"})
    entry = next(a for a in report.adequacy.attributes if a["field"] == "region")
    assert entry["values_judgeable"] == ["EMEA"]
    assert sorted(entry["values_too_few"]) == ["APAC", "LATAM"]
    assert entry["sufficient"] is True
    rare = next(a for a in report.adequacy.attributes if a["field"] == "rare_flag")
    assert rare["sufficient"] is False
    assert "rare_flag" not in report.dimensions["firmographic"]["fields_with_enough_deals"]


def test_missing_inputs_and_unscorable_dimensions() -> None:
    """No intent, enrichment or activity columns: all three are missing and intent cannot be
    scored, while engagement is scorable from the email columns."""
    report = audit(deals_frame(80))
    missing = {m.input: m for m in report.missing_inputs}
    assert set(missing) == {"activity_logs", "enrichment", "intent"}
    assert missing["intent"].dimensions_affected == ["intent"]
    assert report.dimensions["intent"]["scorable"] is False
    assert report.dimensions["engagement"]["fields"] == ["email_opens", "email_clicks"]
    assert report.dimensions["engagement"]["fields_with_enough_deals"] == [
        "email_opens",
        "email_clicks",
    ]


def test_configured_dimension_counts_as_that_input() -> None:
    """A column mapped to intent in the config makes the intent dimension scorable."""
    frame = deals_frame(80)
    frame["bombora_score"] = np.random.default_rng(2).integers(0, 100, 80)
    frame["partner"] = np.random.default_rng(3).choice(["A", "B"], 80)
    report = audit(frame, dimensions={"partner": "intent"})
    assert report.dimensions["intent"]["fields"] == ["bombora_score", "partner"]
    assert "intent" not in {m.input for m in report.missing_inputs}


def test_survivorship_for_opportunities_but_not_for_converted_leads() -> None:
    """Won/lost deals with a deal size are opportunities; a converted 1/0 lead file is not."""
    frame = deals_frame(80)
    frame["deal_size"] = np.random.default_rng(1).integers(1000, 90_000, 80)
    assert audit(frame).survivorship["applies"] is True
    leads = deals_frame(80).drop(columns=["outcome"])
    leads["Converted"] = np.random.default_rng(2).integers(0, 2, 80)
    report = audit(leads, outcome={"column": "Converted", "won": ["1"]})
    assert report.survivorship["applies"] is False


def test_date_range_and_coverage() -> None:
    """Close dates spanning about 20 months cover the recommended 12-24 months."""
    report = audit(deals_frame(120))
    assert report.date_range is not None
    assert report.date_range["covers_12_24_months"] is True
    assert 15 <= report.date_range["months"] <= 20


def test_to_dict_is_json_with_the_contract_keys() -> None:
    """The JSON has base_rate, closed_deals, won, lost, fields, excluded, problems, missing_inputs."""
    frame = deals_frame(80)
    frame.loc[3, "employee_count"] = -1
    data = json.loads(json.dumps(audit(frame).to_dict()))
    for key in (
        "base_rate",
        "closed_deals",
        "won",
        "lost",
        "fields",
        "excluded",
        "problems",
        "missing_inputs",
        "adequacy",
        "date_range",
        "survivorship",
        "placeholders",
    ):
        assert key in data
    assert data["won"] + data["lost"] == data["closed_deals"] == 80
    assert data["base_rate"] == pytest.approx(data["won"] / 80, abs=1e-4)
    assert {"name", "completeness", "flags"} <= set(data["fields"][0])
    assert {"field", "reason"} <= set(data["excluded"][0])
    assert data["problems"][0]["rows"] == [4]


def test_audit_logs_a_finished_event() -> None:
    """The audit logs audit_finished with the deal counts."""
    with capture_logs() as logs:
        report = audit(deals_frame(80))
    [event] = [e for e in logs if e["event"] == "audit_finished"]
    assert event["closed_deals"] == report.closed_deals == 80
    assert event["can_model"] is True


def test_limitations_list_what_weakens_the_model() -> None:
    """Low sample, no close date and a mostly empty field each appear as a limitation."""
    frame = deals_frame(120).drop(columns=["closed_at"])
    frame["budget"] = [1000.0 + i if i % 3 == 0 else None for i in range(120)]
    text = "\n".join(audit(frame).limitations)
    assert "low confidence" in text
    assert "No close-date column" in text
    assert "budget is filled in for only 33% of rows" in text
    assert "Missing input (intent)" in text
