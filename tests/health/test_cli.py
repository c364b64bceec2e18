"""``leadscore model health`` on files: the report on the terminal and as JSON; bad input exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.scoring.rules import dump_rules
from tests.daemon.test_cli_recalibrate import run
from tests.health.conftest import Batch, Built

# one worker builds the health model (session-scoped `built`) once for these modules
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("health-built")]


@pytest.fixture
def model(built: Built, tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    folder.mkdir()
    dump_rules(built.rules, folder / "model.yaml")
    (folder / "analysis.json").write_text(built.analysis.to_json(), encoding="utf-8")
    return folder / "model.yaml"


def test_health_on_files_prints_the_findings_and_writes_json(
    model: Path,
    drifted: Batch,
    health_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The drifted batch: exit 0, the findings (act first) and the PSI line; --json has them."""
    monkeypatch.chdir(tmp_path)
    out_json = tmp_path / "health.json"
    code, out = run(
        capsys,
        "model",
        "health",
        "--leads",
        str(health_dir / "drifted-leads.csv"),
        "--deals",
        str(health_dir / "drifted-deals.csv"),
        "--model",
        str(model),
        "--json",
        str(out_json),
    )
    assert code == 0, out
    assert "finding(s) in the health check" in out
    assert "[act] PSI of the behavioral score" in out
    assert "lead_source 'Marketplace' is new to the model" in out
    report = json.loads(out_json.read_text())
    assert report["flagged"] is True and report["psi"]["behavioral"]["level"] == "act"


def test_a_missing_analysis_file_is_exit_2_naming_it(
    model: Path,
    steady: Batch,
    health_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = run(
        capsys,
        "model",
        "health",
        "--leads",
        str(health_dir / "steady-leads.csv"),
        "--model",
        str(model),
        "--analysis",
        str(tmp_path / "nope.json"),
    )
    assert code == 2 and "nope.json" in out and "Traceback" not in out
