"""Model confidence: High / Medium / Low from sample size, holdout results and data gaps."""

from __future__ import annotations

from typing import Any

import pytest

from service.model.validation.holdout import assess_confidence

NO_GAPS: dict[str, Any] = {"missing_inputs": []}
INTENT_GAP: dict[str, Any] = {
    "missing_inputs": [
        {"input": "intent", "fields_looked_for": ["intent"], "dimensions_affected": ["intent"]}
    ]
}


def _validation(auc: float | None, passed: int, total: int = 7) -> dict[str, Any]:
    targets = [
        {"metric": f"m{i}", "value": 1.0, "target": 0.5, "passed": i < passed} for i in range(total)
    ]
    return {"auc": auc, "targets": targets, "unavailable": {}}


def test_high_needs_500_deals_good_auc_most_targets_and_no_gaps() -> None:
    """600 deals, AUC 0.80, 5 of 7 targets and no missing dimension give High."""
    result = assess_confidence(600, _validation(0.80, 5), NO_GAPS)
    assert result["level"] == "High"
    assert "600 closed deals, a solid sample." in result["reasons"]
    assert "Holdout AUC is 0.80." in result["reasons"]
    assert any(r.startswith("5 of 7 validation targets pass") for r in result["reasons"])


@pytest.mark.parametrize(
    ("n_deals", "validation", "audit", "phrase"),
    [
        (150, _validation(0.9, 7), NO_GAPS, "Only 150 closed deals"),
        (800, _validation(0.60, 7), NO_GAPS, "Holdout AUC is 0.60, below 0.65"),
        (800, _validation(0.9, 3), NO_GAPS, "3 of 7 validation targets pass"),
        (800, _validation(None, 7), NO_GAPS, "Holdout AUC could not be measured"),
    ],
)
def test_low_when_small_weak_or_failing(
    n_deals: int, validation: dict[str, Any], audit: dict[str, Any], phrase: str
) -> None:
    """Under 200 deals, AUC under 0.65 (or unmeasurable), or most targets failing give Low."""
    result = assess_confidence(n_deals, validation, audit)
    assert result["level"] == "Low"
    assert any(phrase in r for r in result["reasons"]), result["reasons"]


@pytest.mark.parametrize(
    ("n_deals", "validation", "audit", "phrase"),
    [
        (300, _validation(0.8, 6), NO_GAPS, "under the 500"),
        (900, _validation(0.70, 6), NO_GAPS, "0.75 or more is needed"),
        (900, _validation(0.8, 6), INTENT_GAP, "the intent dimension(s) cannot be scored"),
        (900, None, NO_GAPS, "not validated"),
    ],
)
def test_medium_otherwise(
    n_deals: int, validation: dict[str, Any] | None, audit: dict[str, Any], phrase: str
) -> None:
    """Enough to model but short of High on one count gives Medium and names that count."""
    result = assess_confidence(n_deals, validation, audit)
    assert result["level"] == "Medium"
    assert any(phrase in r for r in result["reasons"]), result["reasons"]


def test_boundaries_are_inclusive_where_stated() -> None:
    """Exactly 200 deals is not Low on size; exactly 500 deals with AUC 0.75 can be High."""
    assert assess_confidence(200, _validation(0.9, 7), NO_GAPS)["level"] == "Medium"
    assert assess_confidence(500, _validation(0.75, 7), NO_GAPS)["level"] == "High"
    assert assess_confidence(199, _validation(0.9, 7), NO_GAPS)["level"] == "Low"


def test_unmeasured_targets_count_as_not_passed() -> None:
    """A target with no value (passed None) does not count towards 'most pass'."""
    validation = _validation(0.9, 3)
    validation["targets"][3]["passed"] = None
    result = assess_confidence(900, validation, NO_GAPS)
    assert result["level"] == "Low"
    assert any("not passed: m3, m4, m5, m6" in r for r in result["reasons"])


def test_gap_reason_names_the_missing_input_and_survives_odd_audit_shapes() -> None:
    """The data-gap reason names the missing input; an audit without the key means no gap."""
    result = assess_confidence(900, _validation(0.8, 6), INTENT_GAP)
    assert any("intent missing" in r for r in result["reasons"])
    assert assess_confidence(900, _validation(0.8, 6), {})["level"] == "High"
    assert assess_confidence(900, _validation(0.8, 6), None)["level"] == "High"
