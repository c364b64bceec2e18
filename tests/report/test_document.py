"""The report holds every section of the specification, with numbers and no placeholders."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from service.report.batch import render_section7
from service.report.document import render_report
from service.report.rep_guide import render_rep_guide
from service.report.writer import write_report
from service.scoring.engine import score_frame
from service.scoring.rules import load_rules
from tests.report.analysis import at, find, modified

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


def percent(rate: float) -> str:
    """A rate as the report prints it, written out here rather than taken from the renderer."""
    return f"{rate * 100:.0f}%"


def points(value: float) -> str:
    """Points as the report prints them: ``+26``, ``−28`` (a minus sign, not a hyphen)."""
    return f"+{value:g}" if value > 0 else f"\N{MINUS SIGN}{-value:g}"


def positives(analysis: Any) -> list[Any]:
    """The signals that add points, the largest first."""
    shown = [s for s in at(analysis, "signals") if at(s, "points") > 0]
    return sorted(shown, key=lambda s: -at(s, "points"))


def test_every_section_of_the_specification_is_present_and_filled(
    built_analysis: Any, tmp_path: Path
) -> None:
    """The written report has every heading in order, its numbers, and links to existing plots."""
    files = write_report(built_analysis, tmp_path)
    text = files["report"].read_text()
    assert_finished(text)
    assert f"# Lead Scoring Model: {at(built_analysis, 'company')}\n" in text
    top = positives(built_analysis)[0]
    row = next(line for line in text.splitlines() if line.startswith(f"| {at(top, 'label')} |"))
    assert f"| {points(at(top, 'points'))}" in row and f"{at(top, 'lift'):.2f}x lift" in row
    deduction = find(built_analysis, "signals", dimension="negative")
    assert f"| {at(deduction, 'label')} | {points(at(deduction, 'points'))}" in text
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
    hot, cool = at(built_analysis, "thresholds.hot"), at(built_analysis, "thresholds.cool")
    assert (
        f"| Hot | {hot:,.0f}+ points |" in text and f"| Cold | below {cool:,.0f} points |" in text
    )
    icp = at(built_analysis, "icp_comparison[0]")
    section = text[
        text.index("### 1.4 Stated ICP Compared With the Data") : text.index("## Section 2")
    ]
    assert f"| {at(icp, 'criterion')} | {at(icp, 'stated')} |" in section
    guide = files["rep_guide"].read_text()
    assert f"{at(top, 'label')}: {points(at(top, 'points'))}" in guide
    tier = find(built_analysis, "tiers", tier="Hot")
    low, high = at(tier, "holdout_ci")
    assert (
        f"| Hot | {hot:,.0f}+ points | {percent(at(tier, 'holdout_win_rate'))} "
        f"({percent(low)} to {percent(high)}, {at(tier, 'holdout_n')} deals) |" in guide
    )


#: what a build can fail to measure: a list comes back empty, a holdout figure null (the typed
#: document always has the blocks themselves)
UNMEASURED = {
    "tiers": [],
    "interactions": [],
    "loss_reasons": [],
    "validation.auc": None,
    "validation.auc_ci": None,
    "validation.accuracy": None,
    "distributions.won.median": None,
}


def test_missing_numbers_say_not_available_instead_of_placeholders(built_analysis: Any) -> None:
    """An analysis without holdout figures or tiers still renders every heading, saying what is
    missing."""
    analysis = built_analysis
    for path, value in UNMEASURED.items():
        analysis = modified(analysis, path, value)
    text = render_report(analysis)
    assert_finished(text)
    holdout = text[text.index("### 6.1") : text.index("### 6.2")]
    assert "not available" in holdout
    assert "Not available: the data has no loss-reason field." in text
    assert "No pair of strong attributes had enough deals together" in text


def test_batch_section_is_embedded(sample_model: Path, built_analysis: Any) -> None:
    """When leads were scored, Section 7 carries the batch tables instead of the pointer."""
    rules = load_rules(sample_model / "model" / "model.yaml")
    leads = pd.read_csv(sample_model / "data" / "leads.csv")
    section = render_section7(
        leads,
        score_frame(rules, leads),
        rules,
        id_col="lead_id",
        name_col="company",
        contact_col="contact_name",
    )
    text = render_report(built_analysis, batch_section=section)
    assert "### 7.1 Scoring Summary" in text and f"| {len(leads)} |" in text
    assert text.count("## Section 7") == 1
    assert "No current leads were scored with this build" not in text
    assert "No current leads were scored with this build" in render_report(built_analysis)


@pytest.mark.parametrize("level", ["High", "Medium", "Low"])
def test_header_states_confidence_and_recalibration(built_analysis: Any, level: str) -> None:
    """The header gives the confidence with its reasons and the date 90 days after the build."""
    analysis = modified(built_analysis, "confidence", {"level": level, "reasons": ["because"]})
    analysis = modified(analysis, "built_at", "2026-11-28T10:00:00+00:00")
    text = render_report(analysis)
    assert f"**Model Confidence:** {level} -- because" in text
    assert "**Next Recalibration:** 2027-02-26" in text


def test_negative_signal_rationale_gives_the_measured_win_rate(built_analysis: Any) -> None:
    """Section 3.5 states the win rate of the attribute a deduction came from, not 'not available'."""
    deduction = find(built_analysis, "signals", dimension="negative")
    assert at(deduction, "win_rate_present", None) is None  # the rate is the attribute's
    measured = find(built_analysis, "attributes", id=at(deduction, "id"))
    text = render_report(built_analysis)
    section = text[text.index("### 3.5") : text.index("## Section 4")]
    assert (
        f"won {percent(at(measured, 'win_rate_present'))} of the time vs "
        f"{percent(at(built_analysis, 'base_rate'))} overall "
        f"({at(deduction, 'lift'):.2f}x, {at(deduction, 'n')} deals)" in section
    )
    assert "not available" not in section


def test_rep_guide_example_uses_this_models_own_signals(built_analysis: Any) -> None:
    """The Top_Factors example in the rep guide names the model's two biggest signals, not the
    made-up ones it falls back on."""
    first, second = positives(built_analysis)[:2]
    guide = render_rep_guide(built_analysis)
    assert (
        f"for example `{at(first, 'label')} ({points(at(first, 'points'))}); "
        f"{at(second, 'label')} ({points(at(second, 'points'))})`" in guide
    )
    assert "Healthcare industry" not in guide and "Requested a demo" not in guide


def test_rep_guide_invents_no_example_for_a_model_without_positive_signals(
    built_analysis: Any,
) -> None:
    """A model whose signals all subtract points gets no made-up Top_Factors example: the guide
    says the field lists only deductions."""
    signals = [s for s in at(built_analysis, "signals") if at(s, "points") < 0]
    assert signals, "the sample build has a deduction"
    guide = render_rep_guide(modified(built_analysis, "signals", signals))
    assert "for example `" not in guide
    assert "Healthcare industry" not in guide and "Requested a demo" not in guide
    assert "no signal that adds points yet" in guide


def test_limitations_tell_skipped_fields_from_thin_values(planted_analysis: Any) -> None:
    """A field skipped for its shape gets its reason, not 'field = None' among too-few-deals
    values; a thin boolean value reads 'yes', not Python's 'True'."""
    skipped = find(planted_analysis, "insufficient_data", field="notes")
    thin = find(planted_analysis, "insufficient_data", field="referral")
    assert at(skipped, "value", None) is None and at(thin, "value") is True
    text = render_report(planted_analysis)
    section = text[text.index("### 1.3") : text.index("## Section 2")]
    assert f"notes gets no points: {at(skipped, 'reason')}." in section
    assert (
        "Too few deals to judge 1 attribute value, which gets no points: "
        f"referral = yes ({at(thin, 'n')} deals)" in section
    )
    assert "None" not in section and "True" not in section


def test_rep_guide_cadence_follows_the_rules_file(built_analysis: Any, tmp_path: Path) -> None:
    """Cadences edited in the rules YAML (``tiers.<Tier>.rescore_every_days``) are the ones the
    rep guide states, as the daemon follows them; the old hard-coded sentence is gone."""
    import numpy as np
    import yaml

    from service.model.thresholds import tier_table

    example = Path(__file__).parents[2] / "rules" / "example.yaml"
    data = yaml.safe_load(example.read_text(encoding="utf-8"))
    for tier, days in {"Hot": 2, "Warm": 5, "Cool": 14, "Cold": 60}.items():
        data["tiers"][tier]["rescore_every_days"] = days
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    rules = load_rules(path)
    rows = tier_table(np.array([70.0, 0.0]), np.array([1, 0]), rules.thresholds, rules.tiers)
    edited = built_analysis
    for i, row in enumerate(rows):
        assert at(built_analysis, f"tiers[{i}].tier") == row["tier"]
        edited = modified(edited, f"tiers[{i}].rescore_every_days", row["rescore_every_days"])
    guide = render_rep_guide(edited)
    assert (
        "Hot leads are re-scored every 2 days, Warm every 5 days, Cool every 14 days, "
        "Cold every 60 days, and any lead at once when it shows new activity." in guide
    )
    assert "re-scored daily" not in guide and "Warm every 3 days" not in guide
    assert (
        "Hot leads are re-scored daily, Warm every 3 days, Cool weekly, Cold every 30 days,"
        in render_rep_guide(built_analysis)
    )
