"""The analyst's whole flow, as `make demo` runs it: sample data, audit, build, score, push."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from connectors.local import LocalConnector
from tests.cli import invoke
from tests.conftest import SAMPLE_AS_OF
from tests.report.test_document import assert_finished

AS_OF = SAMPLE_AS_OF  # the sample model and the CRM are one data set


def _run(*args: str) -> str:
    result = invoke(*args)
    assert result.code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory, sample_model: Path) -> Path:
    """Run every step of the demo once into a temporary folder (the session's sample model is
    the demo's ``sample-data`` and ``build``)."""
    root = tmp_path_factory.mktemp("demo")
    shutil.copytree(sample_model, root, dirs_exist_ok=True)
    mp = pytest.MonkeyPatch()
    mp.setenv("LEADSCORE_LOCAL__PATH", str(root / "crm.db"))
    mp.setenv("LEADSCORE_STATE_URL", f"sqlite:///{root / 'state.db'}")
    data, model = root / "data", root / "model"
    try:
        _run("audit", str(data / "deals.csv"), "--json", str(root / "audit.json"))
        _run(
            "score", str(data / "leads.csv"), "--model", str(model / "model.yaml"),
            "--out", str(root / "scored.csv"), "--report", str(model / "batch.md"),
        )  # fmt: skip
        _run("crm", "load-sample", "--as-of", AS_OF)
        (root / "push1.txt").write_text(_run("crm", "push", str(root / "scored.csv")))
        (root / "push2.txt").write_text(_run("crm", "push", str(root / "scored.csv")))
    finally:
        mp.undo()
    return root


def test_audit_json_has_the_promised_keys(flow: Path) -> None:
    """The audit JSON carries the base rate, counts, fields, exclusions and problems."""
    audit = json.loads((flow / "audit.json").read_text())
    for key in (
        "base_rate",
        "closed_deals",
        "won",
        "lost",
        "fields",
        "excluded",
        "problems",
        "missing_inputs",
    ):
        assert key in audit
    assert (audit["won"], audit["lost"]) == (62, 118)


def test_report_is_complete_with_section_7_and_plots(flow: Path) -> None:
    """The model report has every section filled, the batch tables, and plots that exist."""
    text = (flow / "model" / "lead-scoring-model.md").read_text()
    assert_finished(text)
    assert "### 7.1 Scoring Summary" in text and "### 7.6 Score Distribution Visualization" in text
    assert "340 leads" in text
    for name in (
        "score-distribution",
        "roc-curve",
        "cumulative-gains",
        "calibration",
        "tier-volumes",
    ):
        assert f"(plots/{name}.png)" in text
        assert (flow / "model" / "plots" / f"{name}.png").stat().st_size > 5_000
    assert (flow / "model" / "rep-guide.md").read_text().startswith("# Lead score")


def test_a_reader_can_check_points_against_lift(flow: Path) -> None:
    """Every signal in model.yaml appears in the report with its points and its lift."""
    analysis = json.loads((flow / "model" / "analysis.json").read_text())
    text = (flow / "model" / "lead-scoring-model.md").read_text()
    assert analysis["signals"]
    for s in analysis["signals"]:
        points = f"+{s['points']}" if s["points"] > 0 else f"−{-s['points']}"
        # the points cell may carry a note: "(deduction)", "(capped from +25: ...)"
        row = next(
            line
            for line in text.splitlines()
            if line.startswith((f"| {s['label']} | {points} |", f"| {s['label']} | {points} ("))
        )
        assert f"{s['lift']:.2f}x" in row


def test_scored_file_and_the_local_crm_agree(flow: Path) -> None:
    """Every lead is scored; the local CRM holds the same tier; a second push writes nothing."""
    scored = pd.read_csv(flow / "scored.csv", dtype=str)
    assert len(scored) == 340 and scored["Lead_Score_Tier"].notna().all()
    crm = {lead.id: lead.current_scores for lead in LocalConnector(flow / "crm.db").iter_leads()}
    for _, row in scored.iterrows():
        assert crm[row["lead_id"]]["Tier"] == row["Lead_Score_Tier"]
        assert str(crm[row["lead_id"]]["Total"]) == row["Lead_Score_Total"]
    first, second = (" ".join((flow / f).read_text().split()) for f in ("push1.txt", "push2.txt"))
    assert "340 changed; 340 written" in first
    assert "0 changed; 0 written" in second
