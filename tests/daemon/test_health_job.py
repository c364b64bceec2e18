"""The weekly ``model_health`` job: on the CRM's data, kept in the state store, gauges, Slack."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from connectors.local import LocalCRM
from service.daemon.jobs import HEALTH_JOB, health_job, score_job
from service.daemon.scheduler import build_scheduler
from service.data.deals import load_deals
from service.model.build import build_model
from service.report.writer import write_build
from service.sample import generate
from service.sample.drift import Drift, later_batch
from service.state.health import HealthHistory
from tests.daemon.conftest import Clock, alerter_for, local_connector, make_daemon
from tests.fakes.local import LocalFake
from tests.fakes.slack import FakeSlack
from tests.health.conftest import BUILT_ON, CHECKED_ON, NOW

# on one xdist worker: the module-scoped build runs once, not once per worker
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("health-job")]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample model (seed 0, 600 deals, 1,000 leads) written as a registry version."""
    tmp = tmp_path_factory.mktemp("health-model")
    data = generate(deals=600, leads=1000, seed=0, as_of=BUILT_ON)
    data.write(tmp / "sample")
    deals = load_deals(tmp / "sample" / "deals.csv", None)
    leads = pd.read_csv(tmp / "sample" / "leads.csv")
    result = build_model(deals, now=datetime(2026, 6, 1, tzinfo=UTC), leads=leads)
    write_build(result, tmp / "models" / result.rules.version)
    return tmp / "models"


def _setup(tmp_path: Path, model_dir: Path, drift: Drift | None) -> tuple[Path, LocalFake]:
    shutil.copytree(model_dir, tmp_path / "models")
    rules = tmp_path / "rules" / "live.yaml"
    rules.parent.mkdir()
    shutil.copyfile(tmp_path / "models" / "1.0" / "model.yaml", rules)
    batch = later_batch(
        deals=500, leads=500, seed=100, since=BUILT_ON, as_of=CHECKED_ON, drift=drift
    )
    crm = LocalCRM(tmp_path / "crm.db")
    crm.load_frames(deals=batch.deals, leads=batch.leads, now=NOW)
    crm.close()
    return rules, LocalFake(tmp_path / "crm.db")


@pytest.mark.parametrize("drift", [Drift(), None], ids=["drift", "steady"])
def test_the_job_records_publishes_and_posts_only_when_flagged(
    tmp_path: Path, model_dir: Path, slack: FakeSlack, drift: Drift | None
) -> None:
    """After a scoring pass fills the lead copy, the job checks the live model on the deals
    closed since it was built: the report is kept, the gauges set, and Slack hears about it only
    when something is flagged."""
    rules, fake = _setup(tmp_path, model_dir, drift)
    try:
        d = make_daemon(
            tmp_path, rules, Clock(NOW), local_connector(fake), alerter=alerter_for(slack)
        )
        assert score_job(d) is None
        slack.reset()
        assert health_job(d) is None
    finally:
        fake.close()
    report = HealthHistory(d.store).latest()
    assert report is not None and report["leads_n"] == 500 and report["deals_n"] == 500
    run = d.leads.last_runs()[HEALTH_JOB]
    assert run["ok"] and run["detail"]["flags"] == len(report["flags"])
    psi = d.metrics.value("leadscore_psi", dimension="behavioral")
    assert psi == pytest.approx(report["psi"]["behavioral"]["psi"])
    assert d.metrics.value("leadscore_tier_share", tier="Hot") is not None
    assert d.metrics.value("leadscore_tier_win_rate", tier="Hot") is not None
    if drift is None:
        assert report["flags"] == [] and psi < 0.1
        assert slack.messages == []
        assert d.metrics.value("leadscore_health_flags", severity="act") == 0
    else:
        assert psi > 0.25
        kinds = {(f["kind"], f["subject"]) for f in report["flags"]}
        assert ("unseen_value", "lead_source=Marketplace") in kinds
        assert any(k == "decay" and "demo_requested" in s for k, s in kinds)
        assert len(slack.messages) == 1
        assert "model health" in slack.messages[0]["text"]
        assert "Marketplace" in slack.messages[0]["text"]
        assert d.metrics.value("leadscore_health_flags", severity="act") >= 3
    d.close()


def test_the_job_is_scheduled_weekly(tmp_path: Path, clock: Clock, rules_file: Path) -> None:
    """``model_health`` runs on the configured weekday and hour (Monday 04:00 UTC by default)."""
    d = make_daemon(tmp_path, rules_file, clock, object())
    sched = build_scheduler(d, BackgroundScheduler(timezone=UTC))
    job = sched.get_job(HEALTH_JOB)
    assert job is not None
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert fields["day_of_week"] == "mon" and fields["hour"] == "4"
    d.close()


def test_status_shows_the_last_health_check(
    tmp_path: Path,
    rules_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``daemon status`` names the last check, its verdict and its findings, act first."""
    from service.state.store import StateStore
    from tests.daemon.test_cli_recalibrate import run

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEADSCORE_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("LEADSCORE_RULES_PATH", str(rules_file))
    code, out = run(capsys, "daemon", "status")
    assert code == 0 and "model health: not checked yet" in out
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    flags = [
        {"kind": "fire_rate", "subject": "x", "severity": "watch", "message": "x [moved] a bit"},
        {"kind": "psi", "subject": "behavioral", "severity": "act", "message": "PSI 0.40"},
    ]
    report = {"model_version": "t1", "checked_at": "2026-01-05T04:00:00+00:00", "flags": flags}
    HealthHistory(store).record(NOW, {**report, "leads_n": 10, "deals_n": 2})
    store.close()
    code, out = run(capsys, "daemon", "status")
    assert code == 0, out
    assert "model health (t1, checked 2026-01-05T04:00:00+00:00): 2 finding(s)" in out
    assert out.index("[act] PSI 0.40") < out.index("[watch] x [moved] a bit")
