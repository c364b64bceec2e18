"""``leadscore daemon once/status`` exit codes and output; monthly recalibration's promotion rule."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from service.daemon.recalibrate import decide, recalibrate
from tests.cli import invoke
from tests.daemon.conftest import RULES, T0, WARM, Clock, local_connector, make_daemon
from tests.fakes.local import LocalFake


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rules_file: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    for key, value in {
        "COLUMNS": "200",
        "LEADSCORE_LOCAL__PATH": str(tmp_path / "crm.db"),
        "LEADSCORE_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
        "LEADSCORE_RULES_PATH": str(rules_file),
        "LEADSCORE_DAEMON__MODELS_DIR": str(tmp_path / "models"),
        "LEADSCORE_RETRY__ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    result = invoke(*args)
    return result.code, result.text


def test_once_scores_and_status_reports(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``once`` exits 0 after a pass; ``status`` shows cursors, the run, tiers and failures."""
    fake = LocalFake(env / "crm.db")
    try:
        fake.add_leads(3, modified_at=T0, attributes=WARM)
        fake.reject_records(fake.add_leads(1, modified_at=T0, attributes=WARM), "locked by Flow")
    finally:
        fake.close()
    code, out = run(capsys, "daemon", "once")
    assert code == 0, out
    assert "4 leads pulled" in out and "3 written, 1 kept for retry" in out
    assert "Leads per tier: Hot 0, Warm 3," in out
    code, out = run(capsys, "daemon", "status")
    assert code == 0, out
    assert "cursor leads: 2026-01-05 09:00:01 UTC" in out  # settled: just after the newest
    assert "score_cycle" in out and "3 written, 1 refused" in out
    assert "leads per tier: Hot 0, Warm 3" in out
    assert "pending failures: 1" in out and "record locked: locked by Flow" in out


def test_once_exits_2_on_a_bad_rules_file(
    env: Path, rules_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rules file that fails validation at start-up is exit 2 with the key path, no traceback."""
    rules_file.write_text(RULES.replace("points: 40", "points: lots"), encoding="utf-8")
    code, out = run(capsys, "daemon", "once")
    assert code == 2
    assert "signals[2].points" in out and "Traceback" not in out


def test_once_exits_2_when_the_crm_is_not_configured(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No local CRM file (a FatalConnectorError: fix the setting): exit 2 with what to do; the
    failed run is recorded for status."""
    code, out = run(capsys, "daemon", "once")
    assert code == 2
    assert "does not exist" in out and "Traceback" not in out
    code, out = run(capsys, "daemon", "status")
    assert code == 0 and "failed" in out and "FatalConnectorError" in out


@pytest.mark.parametrize(
    ("candidate", "live", "auto", "promoted"),
    [
        (0.70, 0.72, True, True),  # exactly 0.02 worse: allowed
        (0.699, 0.72, True, False),  # more than 0.02 worse
        (0.80, 0.72, False, False),  # better, but auto_promote is off
        (0.80, None, True, True),  # live AUC unknown
        (None, 0.72, True, False),  # no candidate AUC
    ],
)
def test_promotion_rule(
    candidate: float | None, live: float | None, auto: bool, promoted: bool
) -> None:
    """Promote only with auto_promote on and a holdout AUC at most 0.02 below the live one."""
    assert decide(candidate, live, auto_promote=auto, max_drop=0.02)[0] is promoted


@pytest.mark.slow
def test_recalibration_writes_a_candidate_and_promotes_only_under_the_rule(
    tmp_path: Path, rules_file: Path, clock: Clock
) -> None:
    """Each run writes a versioned candidate with its report and review; it goes live only when
    auto_promote is on and its AUC is within the margin of the live rules' AUC measured on the
    same holdout deals; promotion keeps the live file's mode and the replaced bytes."""
    import os
    import stat

    from connectors.local import LocalCRM
    from service.sample import generate

    data = generate(deals=180, leads=40, seed=0)
    crm = LocalCRM(tmp_path / "crm.db")
    crm.load_frames(deals=data.deals, leads=data.leads, activities=data.activities)
    crm.close()
    os.chmod(rules_file, 0o644)
    fake = LocalFake(tmp_path / "crm.db")
    try:
        d = make_daemon(tmp_path, rules_file, clock, local_connector(fake))
        models = tmp_path / "models"
        first = recalibrate(d)
        folder = Path(first["folder"])
        for name in (
            "model.yaml",
            "analysis.json",
            "lead-scoring-model.md",
            "decision.json",
            "recalibration.md",
        ):
            assert (folder / name).exists()
        assert first["version"] == "2026.01.05-0900" and not first["promoted"]
        n = json.loads((folder / "analysis.json").read_text())["validation"]["holdout_n"]
        assert first["live_auc_source"] == f"measured on the candidate's {n} holdout deals"
        assert first["champion"]["deals"] == first["challenger"]["deals"] == n
        assert first["champion"]["version"] == "t1"
        # the candidate's holdout AUC is the engine's on the raw deals, as the challenger's is
        assert first["challenger"]["auc"] == first["candidate_auc"]
        assert rules_file.read_text() == RULES

        d.settings.daemon.auto_promote = True
        d.settings.daemon.max_auc_drop = 0.0
        clock.advance(days=31)
        worse = recalibrate(d)
        if worse["candidate_auc"] < worse["live_auc"]:
            assert not worse["promoted"] and "more than 0.00 below" in worse["reason"]
            assert d.rules.current.version == "t1"

        d.settings.daemon.max_auc_drop = 1.0
        clock.advance(days=31)
        good = recalibrate(d)
        assert good["promoted"]
        assert d.rules.current.version == good["version"]
        assert rules_file.read_bytes() == (Path(good["folder"]) / "model.yaml").read_bytes()
        assert stat.S_IMODE(rules_file.stat().st_mode) == 0o644
        assert json.loads((models / "live.json").read_text())["version"] == good["version"]
        events = json.loads((models / "history.json").read_text())["events"]
        promoted = [e for e in events if e["action"] == "promoted"]
        assert [e["version"] for e in promoted] == [good["version"]]
        assert promoted[0]["by"] == "daemon (auto_promote)"
        assert (models / promoted[0]["replaced_file"]).read_text() == RULES
    finally:
        fake.close()


@pytest.mark.slow
def test_a_stale_recorded_auc_does_not_block_a_better_candidate(
    tmp_path: Path, rules_file: Path, clock: Clock
) -> None:
    """After a market shift the AUC recorded at promotion is stale: the champion is measured on
    the candidate's holdout deals, so a candidate within the margin of that is promoted."""
    from connectors.local import LocalCRM
    from service.sample import generate

    # 400 deals: on 180 the candidate (cut points now confirmed on a second half, issue 10) has
    # no signal, and an empty model cannot show the stale-AUC rule at work
    data = generate(deals=400, leads=40, seed=0)
    crm = LocalCRM(tmp_path / "crm.db")
    crm.load_frames(deals=data.deals, leads=data.leads, activities=data.activities)
    crm.close()
    models = tmp_path / "models"
    models.mkdir()
    (models / "live.json").write_text(json.dumps({"version": "t1", "auc": 0.99}))
    fake = LocalFake(tmp_path / "crm.db")
    try:
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(fake), auto_promote=True, max_auc_drop=0.1
        )
        decision = recalibrate(d)
    finally:
        fake.close()
    assert decision["live_auc"] < 0.9 and decision["live_auc_source"].startswith("measured on")
    assert decision["promoted"], decision["reason"]


def test_recalibration_without_deals_keeps_the_live_model(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """A CRM with no closed deals fails the job with a clear error; nothing is written."""
    from service.daemon.jobs import recalibrate_job

    local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=WARM)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    error = recalibrate_job(d)
    assert error is not None and "no closed deals" in str(error)
    assert not (tmp_path / "models").exists()  # no candidate folder
    assert d.leads.last_runs()["recalibrate"]["ok"] is False


@pytest.mark.slow
def test_unknown_live_auc_is_measured_on_the_candidates_own_holdout(
    tmp_path: Path, rules_file: Path, clock: Clock
) -> None:
    """With no record of the live AUC (and a damaged analysis.json), the live rules are measured
    on exactly the deals the candidate was validated on, never on its training deals."""
    from connectors.local import LocalCRM
    from service.sample import generate

    data = generate(deals=180, leads=20, seed=1)
    crm = LocalCRM(tmp_path / "crm.db")
    crm.load_frames(deals=data.deals, leads=data.leads, activities=data.activities)
    crm.close()
    (rules_file.parent / "analysis.json").write_text("{ not json")
    fake = LocalFake(tmp_path / "crm.db")
    try:
        d = make_daemon(tmp_path, rules_file, clock, local_connector(fake))
        decision = recalibrate(d)
    finally:
        fake.close()
    analysis = json.loads((Path(decision["folder"]) / "analysis.json").read_text())
    n = analysis["validation"]["holdout_n"]
    assert len(analysis["validation"]["holdout_rows"]) == n
    assert decision["live_auc_source"] == f"measured on the candidate's {n} holdout deals"
    assert decision["live_auc"] is not None


def test_a_missing_rules_file_names_the_setting_to_fix(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No rules file where the settings point: ``once`` exits 2 naming LEADSCORE_RULES_PATH, and
    ``status`` says MISSING rather than INVALID."""
    LocalFake(env / "crm.db").close()  # the CRM is there; only the rules are not
    monkeypatch.setenv("LEADSCORE_RULES_PATH", str(env / "ops" / "live.yaml"))
    code, out = run(capsys, "daemon", "once")
    assert code == 2, out
    assert "live.yaml: no such file; set LEADSCORE_RULES_PATH" in out
    code, out = run(capsys, "daemon", "status")
    assert code == 0, out
    assert "(MISSING: set LEADSCORE_RULES_PATH)" in out and "INVALID" not in out
