"""`leadscore build` on the command line: files, summary, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from service import sample
from tests.cli import CliResult
from tests.report.analysis import at, modified


@pytest.fixture
def build(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., CliResult]:
    """``leadscore build ARGS`` in-process, run from ``tmp_path`` (the default --out is ./model)."""
    monkeypatch.chdir(tmp_path)
    return lambda *args: cli("build", *args)


def test_build_writes_the_three_files_and_prints_a_summary(tmp_path, build):
    """A build exits 0, writes model.yaml, analysis.json and the report, and summarises them."""
    paths = sample.generate(deals=400, leads=5, seed=3).write(tmp_path / "data")
    result = build(str(paths["deals.csv"]), "--icp", str(paths["icp.yaml"]), "--seed", "1")
    assert result.code == 0, result.stderr
    out = tmp_path / "model"
    for name in ("model.yaml", "analysis.json", "lead-scoring-model.md"):
        assert (out / name).is_file()
    an = json.loads((out / "analysis.json").read_text())
    assert an["icp_comparison"]
    assert "AUC" in result.stdout and "Confidence" in result.stdout
    assert "Tiers: Hot >=" in result.stdout


def test_fewer_than_50_deals_is_refused_with_exit_2(tmp_path, build):
    """Under 50 closed deals the build stops with a clear message and exit code 2."""
    deals = sample.generate(deals=40, leads=0, seed=1).deals
    path = tmp_path / "few.csv"
    deals.to_csv(path, index=False)
    result = build(str(path), "--out", str(tmp_path / "m"))
    assert result.code == 2
    assert "50" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "m").exists()


def test_one_outcome_only_is_refused_with_exit_2(tmp_path, build):
    """Deals that are all lost cannot be modelled: exit 2 and no traceback."""
    frame = pd.DataFrame({"outcome": ["lost"] * 80, "industry": ["Retail", "Tech"] * 40})
    frame.loc[0, "outcome"] = "won"  # won must exist for the outcome to resolve
    frame = frame.iloc[1:]
    path = tmp_path / "lost.csv"
    frame.to_csv(path, index=False)
    result = build(str(path), "--won", "won")
    assert result.code == 2
    assert "Traceback" not in result.stderr


def test_bad_holdout_is_a_usage_error_naming_the_value(tmp_path, build):
    """--holdout 0.7 exits 2 with the accepted range and the value given."""
    path = tmp_path / "d.csv"
    path.write_text("outcome,x\nwon,1\nlost,2\n")
    result = build(str(path), "--holdout", "0.7")
    assert result.code == 2
    assert "holdout must be in (0, 0.5]; got 0.7." in result.stderr


def test_summary_says_how_many_signals_the_table_leaves_out(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, planted_analysis: Any
) -> None:
    """With more signals than the table shows, the summary says how many more and where they are;
    a label with square brackets is printed as written."""
    from types import SimpleNamespace

    from service.commands.build import SHOWN_SIGNALS, summarise

    monkeypatch.setenv("COLUMNS", "200")
    signal = at(planted_analysis, "signals[0]")
    bands = [
        modified(modified(signal, "label", f"Budget [eur] band {i}"), "points", 30 - i)
        for i in range(SHOWN_SIGNALS + 3)
    ]
    analysis = modified(planted_analysis, "signals", bands)
    analysis = modified(analysis, "notes", ["Left out: Stage [/old]"])
    summarise(SimpleNamespace(analysis=analysis), {"rules": Path("m") / "model.yaml"})
    out = " ".join(capsys.readouterr().out.split())
    assert f"the {SHOWN_SIGNALS} with the most points; 3 more in model.yaml and the report" in out
    assert "Budget [eur] band 0" in out and "Stage [/old]" in out
    assert f"band {SHOWN_SIGNALS - 1} " in out and f"band {SHOWN_SIGNALS} " not in out
