"""The audit finds every data problem and both leakage fields planted in the sample data."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from service.audit.run import AuditReport, run_audit
from service.data.deals import load_deals
from service.sample import generate

AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[AuditReport, dict[str, Any]]:
    """Generate the default sample, write it, read deals.csv as the CLI does, and audit it."""
    data = generate(deals=180, leads=340, seed=0, as_of=AS_OF)
    paths = data.write(tmp_path_factory.mktemp("sample"))
    deals = load_deals(paths["deals.csv"], None)
    report = run_audit(
        deals.table.frame,
        deals.outcome,
        deals.config,
        source="deals.csv",
        placeholders=deals.table.placeholders,
        as_of=AS_OF,
    )
    return report, data.truth


def _items(report: AuditReport, *kinds: str) -> list[dict[str, Any]]:
    return [item for p in report.problems if p.kind in kinds for item in p.items]


def test_every_planted_duplicate_is_found(sample: tuple[AuditReport, dict]) -> None:
    """Each planted duplicate is reported with the row it repeats, and nothing else is."""
    report, truth = sample
    found = {
        (i["row"], i["duplicate_of"])
        for i in _items(report, "duplicate", "duplicate_id", "duplicate_except_id")
    }
    planted = {(d["row"], d["duplicate_of"]) for d in truth["problems"]["duplicates"]}
    assert planted and found == planted


def test_every_planted_impossible_value_is_found(sample: tuple[AuditReport, dict]) -> None:
    """Each planted impossible value is reported at its row, field and value, and nothing else."""
    report, truth = sample
    found = {(i["row"], i["field"], i["value"]) for i in _items(report, "impossible_value")}
    planted = {(d["row"], d["field"], d["value"]) for d in truth["problems"]["impossible_values"]}
    assert planted and found == planted


def test_every_planted_outcome_typo_is_found(sample: tuple[AuditReport, dict]) -> None:
    """Each outcome typo is reported with its row and text, and left out of the deal counts."""
    report, truth = sample
    found = {(i["row"], i["value"]) for i in _items(report, "invalid_outcome")}
    planted = {(d["row"], d["value"]) for d in truth["problems"]["outcome_typos"]}
    assert planted and found == planted
    assert (report.closed_deals, report.won, report.lost) == (180, 62, 118)


def test_every_planted_unparseable_date_is_found(sample: tuple[AuditReport, dict]) -> None:
    """Each impossible calendar date (31 February) is reported at its row and field."""
    report, truth = sample
    found = {(i["row"], i["field"], i["value"]) for i in _items(report, "unparseable_date")}
    planted = {(d["row"], d["field"], d["value"]) for d in truth["problems"]["unparseable_dates"]}
    assert planted and found == planted


def test_planted_missing_shares_match_completeness(sample: tuple[AuditReport, dict]) -> None:
    """Completeness of each field with planted gaps is one minus the planted missing share."""
    report, truth = sample
    completeness = {f.name: f.completeness for f in report.fields}
    for name, share in truth["problems"]["missing"].items():
        assert completeness[name] == pytest.approx(1 - share, abs=1e-3), name


def test_both_leakage_fields_are_excluded(sample: tuple[AuditReport, dict]) -> None:
    """loss_reason and sales_cycle_days are excluded as leakage; planted effects are not."""
    report, truth = sample
    reasons = {e.field: e.reason for e in report.excluded}
    assert set(truth["leakage"]) == {"loss_reason", "sales_cycle_days"}
    for name in truth["leakage"]:
        assert reasons[name].startswith("leakage_"), name
    leaked = {f for f, r in reasons.items() if r.startswith("leakage_")}
    assert leaked == set(truth["leakage"])


def test_sample_covers_the_recommended_window_and_all_dimensions(
    sample: tuple[AuditReport, dict],
) -> None:
    """The sample spans 12-24 months and every dimension has at least one usable field."""
    report, _ = sample
    assert report.date_range is not None and report.date_range["covers_12_24_months"]
    assert all(d["scorable"] for d in report.dimensions.values())
    assert report.missing_inputs == []
    assert report.adequacy.level == "low"
