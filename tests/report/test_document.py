"""The report holds every section of the specification, with numbers and no placeholders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from service.report.document import render_report
from service.report.writer import write_report

REQUIRED_HEADINGS = [
    "# Lead Scoring Model: ",
    "## Executive Summary",
    "## Section 1: Data Foundation",
    "### 1.1 Data Sources Analyzed",
    "### 1.2 Data Quality Notes",
    "### 1.3 Known Limitations",
    "## Section 2: Win/Loss Pattern Analysis",
    "### 2.1 Top Predictive Attributes (Ranked by Lift)",
    "### 2.2 Attributes That Do NOT Predict Winning",
    "### 2.3 Interaction Effects",
    "### 2.4 Loss Reason Analysis",
    "## Section 3: Scoring Model",
    "### 3.0 Score Range and Structure",
    "### 3.1 Dimension 1: Firmographic Fit",
    "### 3.2 Dimension 2: Behavioral Signals",
    "### 3.3 Dimension 3: Engagement Depth",
    "### 3.4 Dimension 4: Intent Indicators",
    "### 3.5 Negative Scoring (Deductions Summary)",
    "## Section 4: Threshold Definitions",
    "### 4.1 Score Distribution Analysis",
    "### 4.2 Tier Definitions",
    "### 4.3 Tier Transition Rules",
    "### 4.4 Volume and Capacity Validation",
    "## Section 5: CRM Implementation Guide",
    "### 5.1 Required CRM Fields",
    "### 5.2 Automation Rules",
    "### 5.3 Dashboard and Reporting Setup",
    "### 5.4 Integration Points",
    "## Section 6: Validation Methodology",
    "### 6.1 Holdout Validation (Initial)",
    "### 6.2 False Positive Analysis",
    "### 6.3 False Negative Analysis",
    "### 6.4 Ongoing Monitoring Protocol",
    "### 6.5 A/B Testing Protocol",
    "## Section 7: Batch Scoring Current Leads",
    "## Section 8: Model Maintenance Runbook",
    "### 8.1 Weekly Tasks (15 minutes)",
    "### 8.2 Monthly Tasks (1 hour)",
    "### 8.3 Quarterly Tasks (Half day)",
    "### 8.4 Version History",
]

#: what must never appear in a finished report
PLACEHOLDER = re.compile(r"\[X\]|\[Date\]|\[Company|\bNone\b|\bnan\b|\{[a-z_]+\}|TODO")


def assert_finished(text: str) -> None:
    """Every heading present, in order, and no placeholder left."""
    positions = []
    for heading in REQUIRED_HEADINGS:
        assert heading in text, heading
        positions.append(text.index(heading))
    assert positions == sorted(positions), "sections out of order"
    match = PLACEHOLDER.search(text)
    assert match is None, text[max(0, match.start() - 80) : match.end() + 80]


def _analysis() -> dict[str, Any]:
    signal = {
        "name": "demo_requested",
        "label": "Requested a demo",
        "field": "demo_requested",
        "fields": ["demo_requested"],
        "dimension": "behavioral",
        "points": 18,
        "lift": 2.31,
        "n": 64,
        "criteria": "demo_requested is true",
    }
    negative = {
        "name": "careers_page_only",
        "id": "careers_page_only",
        "label": "Visited the careers page only",
        "field": "careers_page_only",
        "fields": ["careers_page_only"],
        "dimension": "negative",
        "points": -7,
        "lift": 0.31,
        "n": 30,
        "criteria": "careers_page_only is true",
    }
    return {
        "model_version": "1.0",
        "built_at": "2026-11-28T10:00:00+00:00",
        "company": "Acme HR",
        "base_rate": 0.344,
        "won": 62,
        "lost": 118,
        "audit": {
            "closed_deals": 180,
            "fields": [
                {"name": "demo_requested", "completeness": 0.97},
                {"name": "industry", "completeness": 0.7},
            ],
            "problems": [{"kind": "duplicate", "rows": [12, 57], "detail": "2 duplicate deals"}],
            "date_range": {"start": "2025-01-03", "end": "2026-11-01"},
        },
        "attributes": [
            {
                "id": "demo_requested",
                "label": "Requested a demo",
                "field": "demo_requested",
                "value": True,
                "dimension": "behavioral",
                "n": 64,
                "win_rate_present": 0.79,
                "win_rate_absent": 0.2,
                "lift": 2.31,
                "p_value": 1e-6,
                "q_value": 1e-5,
                "significant": True,
                "direction": 1,
                "rank": 1,
                "confidence": "High",
            },
            {
                "id": "careers_page_only",
                "label": "Visited the careers page only",
                "field": "careers_page_only",
                "value": True,
                "dimension": "negative",
                "n": 30,
                "win_rate_present": 0.1067,
                "win_rate_absent": 0.38,
                "lift": 0.31,
                "p_value": 1e-4,
                "q_value": 1e-3,
                "significant": True,
                "direction": -1,
                "rank": 2,
                "confidence": "Medium",
            },
        ],
        "ranking_formula": "power = |ln(lift)| x (1 - q)",
        "non_predictors": [
            {
                "id": "newsletter_signup",
                "field": "newsletter_signup",
                "value": True,
                "win_rate_present": 0.35,
                "win_rate_absent": 0.34,
                "lift": 1.02,
                "p_value": 0.8,
                "note": "Newsletter sign-up does not improve win rate",
            }
        ],
        "interactions": [],
        "loss_reasons": [
            {
                "reason": "Price",
                "count": 40,
                "share_of_losses": 0.34,
                "avg_score": 31.5,
                "pattern": "low engagement",
            }
        ],
        "signals": [signal, negative],
        "dimensions": {
            "firmographic": {"max_points": 30, "avg_won": 12.0, "avg_lost": 8.1},
            "behavioral": {"max_points": 30, "avg_won": 15.2, "avg_lost": 4.3},
            "engagement": {"max_points": 25, "avg_won": 9.0, "avg_lost": 6.0},
            "intent": {"max_points": 15, "avg_won": 5.0, "avg_lost": 2.0},
        },
        "score_range": {"min": -7, "max": 100, "max_positive": 100, "max_negative": 7},
        "distributions": {
            "won": {"min": 5, "p25": 40, "median": 55, "p75": 70, "max": 95},
            "lost": {"min": -7, "p25": 10, "median": 22, "p75": 35, "max": 80},
        },
        "separation": {"score": 38, "ks": 0.52},
        "thresholds": {"hot": 70, "warm": 45, "cool": 25},
        "tiers": [
            {
                "tier": "Hot",
                "min_score": 70,
                "max_score": None,
                "expected_conversion": 0.78,
                "holdout_n": 7,
                "holdout_won": 5,
                "holdout_win_rate": 0.7143,
                "holdout_ci": [0.359, 0.918],
                "ci_low": 0.6,
                "ci_high": 0.9,
                "share_of_leads": 0.12,
                "n": 20,
                "sla": "1 hour",
                "action": "Call",
                "rescore_every_days": 1,
            },
            {
                "tier": "Warm",
                "min_score": 45,
                "max_score": 69,
                "expected_conversion": 0.5,
                "holdout_n": 12,
                "holdout_won": 5,
                "holdout_win_rate": 0.4167,
                "holdout_ci": [0.193, 0.68],
                "ci_low": 0.4,
                "ci_high": 0.6,
                "share_of_leads": 0.25,
                "n": 40,
                "sla": "4 hours",
                "action": "Call",
                "rescore_every_days": 3,
            },
            {
                "tier": "Cool",
                "min_score": 25,
                "max_score": 44,
                "expected_conversion": 0.25,
                "holdout_n": 15,
                "holdout_won": 3,
                "holdout_win_rate": 0.2,
                "holdout_ci": [0.07, 0.452],
                "ci_low": 0.15,
                "ci_high": 0.35,
                "share_of_leads": 0.3,
                "n": 50,
                "sla": "24 hours",
                "action": "Email",
                "rescore_every_days": 7,
            },
            {
                "tier": "Cold",
                "min_score": None,
                "max_score": 24,
                "expected_conversion": 0.08,
                "holdout_n": 11,
                "holdout_won": 1,
                "holdout_win_rate": 0.0909,
                "holdout_ci": [0.016, 0.377],
                "ci_low": 0.03,
                "ci_high": 0.15,
                "share_of_leads": 0.33,
                "n": 70,
                "sla": "none",
                "action": "Nurture",
                "rescore_every_days": 30,
            },
        ],
        "validation": {
            "holdout_n": 45,
            "holdout_won": 15,
            "holdout_lost": 30,
            "split": "newest_by_date",
            "auc": 0.81,
            "accuracy": 0.76,
            "precision_hot": 0.71,
            "recall_hot": 0.33,
            "recall_hot_warm": 0.73,
            "confusion": {"tp": 11, "fn": 4, "fp": 7, "tn": 23},
            "targets": [
                {"metric": "AUC-ROC", "value": 0.81, "target": "> 0.70", "passed": True},
                {
                    "metric": "Recall for Hot tier",
                    "value": 0.33,
                    "target": "> 50%",
                    "passed": False,
                },
            ],
            "calibration": [{"tier": "Hot", "expected": 0.78, "actual": 0.71, "n": 7}],
            "false_positives": [
                {
                    "deal": "Globex",
                    "score": 72,
                    "tier": "Hot",
                    "drivers": ["Requested a demo (+18)"],
                    "missing": [],
                }
            ],
            "false_negatives": [],
            "fp_pattern": "Demo requests from companies outside the sweet spot",
            "roc": {"fpr": [0, 0.2, 1], "tpr": [0, 0.7, 1]},
            "holdout_scores": [
                {"score": s, "won": w}
                for s, w in [(80, 1), (60, 0), (30, 0), (75, 1), (10, 0), (50, 1)]
            ],
        },
        "confidence": {"level": "Low", "reasons": ["only 180 closed deals (200+ preferred)"]},
        "excluded": [{"field": "loss_reason", "reason": "leakage_one_outcome_only"}],
    }


def test_every_section_of_the_specification_is_present_and_filled(tmp_path: Path) -> None:
    """The written report has every heading in order, its numbers, and links to existing plots."""
    files = write_report(_analysis(), tmp_path)
    text = files["report"].read_text()
    assert_finished(text)
    assert "# Lead Scoring Model: Acme HR" in text
    assert "| Requested a demo | +18 |" in text and "2.31x lift" in text
    assert "Visited the careers page only | −7" in text
    links = re.findall(r"!\[[^\]]*\]\((plots/[^)]+\.png)\)", text)
    assert {Path(link).name for link in links} == {
        "score-distribution.png",
        "roc-curve.png",
        "cumulative-gains.png",
        "calibration.png",
        "tier-volumes.png",
    }
    for link in links:
        assert (tmp_path / link).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| Hot | 70+ points |" in text and "| Cold | below 25 points |" in text
    assert "### 1.4 Stated ICP Compared With the Data" in text
    guide = files["rep_guide"].read_text()
    assert (
        "Requested a demo: +18" in guide
        and "| Hot | 70+ points | 71% (36% to 92%, 7 deals) |" in guide
    )


def test_missing_numbers_say_not_available_instead_of_placeholders() -> None:
    """An analysis without validation or tiers still renders every heading, saying what is missing."""
    analysis = _analysis()
    for key in ("validation", "tiers", "interactions", "loss_reasons", "distributions"):
        analysis.pop(key)
    text = render_report(analysis)
    assert_finished(text)
    assert "not available" in text


def test_batch_section_is_embedded() -> None:
    """When leads were scored, Section 7 carries the batch tables instead of the pointer."""
    section = "## Section 7: Batch Scoring Current Leads\n\n### 7.1 Scoring Summary\n\n| Total | Hot |\n|---|---|\n| 3 | 1 |"
    text = render_report(_analysis(), batch_section=section)
    assert "### 7.1 Scoring Summary" in text
    assert text.count("## Section 7") == 1


@pytest.mark.parametrize("level", ["High", "Medium", "Low"])
def test_header_states_confidence_and_recalibration(level: str) -> None:
    """The header gives the confidence with its reasons and the date 90 days after the build."""
    analysis = _analysis()
    analysis["confidence"] = {"level": level, "reasons": ["because"]}
    text = render_report(analysis)
    assert f"**Model Confidence:** {level} -- because" in text
    assert "**Next Recalibration:** 2027-02-26" in text


def test_negative_signal_rationale_gives_the_measured_win_rate() -> None:
    """Section 3.5 states the win rate of the attribute a deduction came from, not 'not available'."""
    text = render_report(_analysis())
    section = text[text.index("### 3.5") : text.index("## Section 4")]
    assert "won 11% of the time vs 34% overall (0.31x, 30 deals)" in section
    assert "not available" not in section


def test_rep_guide_example_uses_this_models_own_signals() -> None:
    """The Top_Factors example in the rep guide names signals this model has, not made-up ones."""
    from service.report.rep_guide import render_rep_guide

    analysis = _analysis()
    analysis["signals"][0] = {**analysis["signals"][0], "label": "Booked a meeting", "points": 12}
    guide = render_rep_guide(analysis)
    assert "for example `Booked a meeting (+12)`" in guide
    assert "Healthcare industry" not in guide and "Requested a demo" not in guide


def test_limitations_tell_skipped_fields_from_thin_values() -> None:
    """A field skipped for its shape gets its reason, not 'field = None' among too-few-deals
    values; a thin boolean value reads 'yes', not Python's 'True'."""
    analysis = _analysis()
    analysis["insufficient_data"] = [
        {"field": "notes", "value": None, "n": 180, "reason": "free text, not a category"},
        {"field": "default", "value": True, "n": 3, "reason": "only 3 deals (fewer than 15)"},
    ]
    text = render_report(analysis)
    section = text[text.index("### 1.3") : text.index("## Section 2")]
    assert "notes gets no points: free text, not a category." in section
    assert (
        "Too few deals to judge 1 attribute value, which gets no points: default = yes (3 deals)"
        in section
    )
    assert "None" not in section and "True" not in section
