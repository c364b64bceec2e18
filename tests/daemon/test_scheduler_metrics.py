"""The APScheduler wiring, the error listener, graceful shutdown, and the metrics endpoint."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from structlog.testing import capture_logs

from service.daemon.cycle import run_cycle
from service.daemon.metrics import MetricsServer
from service.daemon.scheduler import build_scheduler, on_job_event, serve
from tests.daemon.conftest import (
    COLD,
    HOT,
    T0,
    WARM,
    Clock,
    alerter_for,
    local_connector,
    make_daemon,
)
from tests.fakes.local import LocalFake
from tests.fakes.slack import FakeSlack


def test_scheduler_registers_the_jobs_with_their_triggers(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """Scoring every poll (first run now), rules every 30 s, recalibration monthly, the model
    health check weekly, one at a time."""
    d = make_daemon(
        tmp_path, rules_file, clock, local_connector(local), poll_minutes=10, recalibration_day=2
    )
    sched = build_scheduler(d, BackgroundScheduler())
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {
        "score_cycle",
        "rules_reload",
        "recalibrate",
        "model_health",
        "deal_outcomes",
    }
    score, rules, recal = jobs["score_cycle"], jobs["rules_reload"], jobs["recalibrate"]
    assert isinstance(score.trigger, IntervalTrigger)
    assert score.trigger.interval == timedelta(minutes=10)
    assert score.next_run_time == T0
    assert isinstance(rules.trigger, IntervalTrigger)
    assert rules.trigger.interval == timedelta(seconds=30)
    assert isinstance(recal.trigger, CronTrigger)
    fields = {f.name: str(f) for f in recal.trigger.fields}
    assert (fields["day"], fields["hour"], fields["minute"]) == ("2", "3", "0")
    assert recal.trigger.get_next_fire_time(None, T0).isoformat() == "2026-02-02T03:00:00+00:00"
    health = jobs["model_health"].trigger
    assert health.get_next_fire_time(None, T0).isoformat() == "2026-01-12T04:00:00+00:00"
    for job in jobs.values():
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 600)
        assert job.args == (d,)


def test_error_listener_logs_and_alerts_a_crash(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """A job that raises something other than a LeadScoreError is logged and posted to Slack."""
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack))
    event = JobExecutionEvent(
        EVENT_JOB_ERROR, "score_cycle", "default", T0, exception=KeyError("x"), traceback="tb"
    )
    with capture_logs() as logs:
        on_job_event(d, event)
    (crash,) = [e for e in logs if e["event"] == "job_crashed"]
    assert (crash["job"], crash["error_type"], crash["log_level"]) == (
        "score_cycle",
        "KeyError",
        "error",
    )
    assert "score_cycle crashed with KeyError" in slack.messages[0]["text"]


def test_serve_runs_a_pass_then_stops_gracefully_on_request(
    tmp_path: Path, rules_file: Path, local: LocalFake
) -> None:
    """The first pass runs at start-up through the real scheduler; a bug in a job reaches the
    listener; setting the stop event shuts the scheduler down and returns."""
    local.add_leads(2, modified_at=T0 - timedelta(hours=1), attributes=WARM)
    broken = threading.Event()

    def connect() -> Any:
        if not broken.is_set():
            return local_connector_cm(local)
        raise RuntimeError("bug")  # the recalibration job, run by hand below

    real = Clock(datetime.now(UTC))  # the real scheduler runs on wall-clock time
    d = make_daemon(tmp_path, rules_file, real, connect)
    sched = BackgroundScheduler()
    ran: set[str] = set()
    started = threading.Event()
    done = threading.Event()

    def on_event(event: Any) -> None:
        ran.add(event.job_id)
        if {"score_cycle", "deal_outcomes"} <= ran:
            started.set()
        if event.job_id == "recalibrate":
            done.set()

    sched.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    stop = threading.Event()
    with capture_logs() as logs:
        runner = threading.Thread(target=serve, args=(d, stop, sched))
        runner.start()
        assert started.wait(30)  # both start-up jobs ran
        broken.set()
        sched.modify_job("recalibrate", next_run_time=datetime.now(UTC))
        sched.wakeup()
        assert done.wait(30)
        stop.set()
        runner.join(30)
    assert not runner.is_alive()
    assert not sched.running
    assert d.leads.last_runs()["score_cycle"]["ok"]
    assert d.leads.tier_counts("local") == {"Warm": 2}
    events = [e["event"] for e in logs]
    assert "job_crashed" in events and events[-1] == "daemon_stopped"
    assert d.leads.last_runs()["recalibrate"]["detail"]["error_type"] == "RuntimeError"


def local_connector_cm(local: LocalFake) -> Any:
    from contextlib import closing

    return closing(local_connector(local))


def test_metrics_and_health_endpoints(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """/metrics shows leads scored, written and per tier; /readyz turns 200 after a good pass;
    /livez turns 503 when no heartbeat came for ``liveness_seconds``."""
    for attrs in (HOT, WARM, WARM, COLD):
        local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=attrs)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    server = MetricsServer(d.metrics, port=0, host="127.0.0.1", live=d.live, ready=d.ready)
    base = f"http://127.0.0.1:{server.port}"
    try:
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 503
        from service.daemon.jobs import score_job

        assert score_job(d) is None
        text = requests.get(f"{base}/metrics", timeout=5).text
        assert 'leadscore_leads_scored_total{connector="local"} 4.0' in text
        assert 'leadscore_scores_written_total{connector="local"} 4.0' in text
        assert 'leadscore_leads{tier="Warm"} 2.0' in text
        assert 'leadscore_leads{tier="Hot"} 1.0' in text
        assert 'leadscore_job_duration_seconds_count{job="score_cycle"} 1.0' in text
        assert (
            f'leadscore_last_success_timestamp_seconds{{job="score_cycle"}} {T0.timestamp():.1f}'
            in text.replace("e+09", "")
            or d.metrics.value("leadscore_last_success_timestamp_seconds", job="score_cycle")
            == T0.timestamp()
        )
        assert requests.get(f"{base}/readyz", timeout=5).status_code == 200
        assert requests.get(f"{base}/livez", timeout=5).status_code == 200
        clock.advance(hours=1)
        live = requests.get(f"{base}/livez", timeout=5)
        assert live.status_code == 503 and "no heartbeat from the main loop since" in live.text
        assert run_cycle(d).scored == 0
    finally:
        server.close()


def test_liveness_follows_the_heartbeat_between_batches(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """A pass running for hours stays alive while it beats between batches (the old check failed
    any pass longer than three polls); a pass stuck in one batch for longer than the window is
    not alive; the main loop's beat counts again once no job runs."""
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    d.job_beat()
    for _ in range(12):  # three hours of a pass, a batch every 15 minutes
        clock.advance(minutes=15)
        d.checkpoint()
        assert d.live()[0]
    clock.advance(minutes=16)  # 900 s window: stuck in one batch
    ok, reason = d.live()
    assert not ok and "between batches" in reason
    d.job_beat(running=False)
    d.beat()
    assert d.live()[0]
