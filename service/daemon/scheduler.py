"""The APScheduler 3.x wiring, in one place: which job runs when, and what happens when one breaks.

- ``score_cycle``: every ``poll_minutes`` (first run at start-up): changed leads, new activity,
  due cadences, retries;
- ``rules_reload``: every ``rules_poll_seconds``: pick up edits of the rules file;
- ``deal_outcomes``: every ``deals_poll_minutes`` (first run at start-up): closed deals and the
  score each had, for the dashboard;
- ``recalibrate``: monthly, on ``recalibration_day`` at ``recalibration_hour`` UTC;
- ``model_health``: weekly, on ``health_day_of_week`` at ``health_hour`` UTC.

Each job has ``max_instances=1`` (a slow pass is never overlapped by the next), ``coalesce=True``
(runs missed while the process was busy or asleep collapse into one) and a misfire grace time.
"""

from __future__ import annotations

import threading
from datetime import UTC
from typing import Any

import structlog
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import DBAPIError

from service.daemon import jobs
from service.daemon.context import SCORE_JOB, Daemon
from service.daemon.metrics import MetricsServer
from service.state.store import is_outage, outage_reason

log = structlog.get_logger(__name__)


def build_scheduler(d: Daemon, scheduler: BaseScheduler | None = None) -> BaseScheduler:
    """Add the daemon's jobs and error listener to ``scheduler`` (a new background one)."""
    s = d.settings.daemon
    sched = scheduler or BackgroundScheduler(timezone=UTC)
    once = {"max_instances": 1, "coalesce": True, "misfire_grace_time": s.misfire_grace_seconds}
    sched.add_job(
        jobs.score_job,
        IntervalTrigger(minutes=s.poll_minutes, timezone=UTC),
        args=[d],
        id=SCORE_JOB,
        name="score leads: changes, activity, due cadences",
        **once,
        next_run_time=d.clock(),
    )
    sched.add_job(
        jobs.rules_job,
        IntervalTrigger(seconds=s.rules_poll_seconds, timezone=UTC),
        args=[d],
        id=jobs.RULES_JOB,
        name="reload the rules file when it changes",
        **once,
    )
    sched.add_job(
        jobs.outcomes_job,
        IntervalTrigger(minutes=s.deals_poll_minutes, timezone=UTC),
        args=[d],
        id=jobs.OUTCOMES_JOB,
        name="record closed deals and their scores",
        **once,
        next_run_time=d.clock(),
    )
    sched.add_job(
        jobs.recalibrate_job,
        CronTrigger(day=s.recalibration_day, hour=s.recalibration_hour, minute=0, timezone=UTC),
        args=[d],
        id=jobs.RECALIBRATE_JOB,
        name="recalibrate the model from closed deals",
        **once,
    )
    sched.add_job(
        jobs.health_job,
        CronTrigger(day_of_week=s.health_day_of_week, hour=s.health_hour, minute=0, timezone=UTC),
        args=[d],
        id=jobs.HEALTH_JOB,
        name="check the live model's health (Section 6.4)",
        **once,
    )
    sched.add_listener(lambda event: on_job_event(d, event), EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return sched


def on_job_event(d: Daemon, event: JobExecutionEvent) -> None:
    """A job raised something that is not a ``LeadScoreError`` (a bug), or missed its time."""
    if event.code == EVENT_JOB_MISSED:
        log.warning("job_missed", job=event.job_id, scheduled_for=str(event.scheduled_run_time))
        return
    exc = event.exception
    log.error(
        "job_crashed",
        job=event.job_id,
        error_type=type(exc).__name__,
        error=str(exc),
        traceback=event.traceback,
    )
    d.notify(
        f"leadscore daemon: job {event.job_id} crashed with {type(exc).__name__}: {exc}. "
        "This is a bug; the logs have the traceback. The job runs again at its next time."
    )


def _take_lease(d: Daemon) -> bool:
    """Try the lease once; an unreachable state database is an outage (503), not a crash."""
    if d.lease is None or d.lease.held:
        return True
    try:
        return d.lease.try_acquire()
    except DBAPIError as exc:
        if not is_outage(exc):
            raise
        reason = outage_reason(exc)
        if d.state_down is None:
            log.warning("state_store_unreachable", error=reason)
        d.state_down = reason
        d.metrics.state_up.set(0)
        return False


def serve(d: Daemon, stop: threading.Event, scheduler: BaseScheduler | None = None) -> None:
    """Run the jobs (and the metrics endpoint) until ``stop`` is set.

    Only the instance holding the lease runs jobs; another waits as a standby and tries again
    every ``lease_retry_seconds``, taking over when the active one dies (PostgreSQL: at once; SQLite:
    when its lease expires). The main loop beats the heartbeat and renews the lease. On ``stop`` a
    running pass stops at its next batch boundary (its work is kept), then this returns."""
    s = d.settings.daemon
    d.stop = stop
    server = None
    if s.metrics_port:
        server = MetricsServer(
            d.metrics, port=s.metrics_port, host=s.metrics_host, live=d.live, ready=d.ready
        )
        log.info("metrics_serving", host=s.metrics_host, port=server.port)
    board = _dashboard(d)
    tick = min(s.lease_retry_seconds, s.lease_ttl_seconds / 4)
    standby_said = False
    try:
        while not stop.is_set():
            d.beat()
            if not _take_lease(d):
                if not standby_said:
                    log.info("daemon_standby", retry_seconds=s.lease_retry_seconds)
                    standby_said = True
                stop.wait(s.lease_retry_seconds)
                continue
            standby_said = False
            d.metrics.lease_held.set(1)
            sched = build_scheduler(d, scheduler)
            scheduler = None  # a scheduler that was shut down is not started twice
            sched.start()
            log.info("daemon_started", jobs=[job.id for job in sched.get_jobs()])
            while not stop.wait(tick):
                d.beat()
                if d.lease is not None and not d.lease.renew():
                    break
            log.info("daemon_stopping", reason="stop requested" if stop.is_set() else "lease lost")
            sched.shutdown(wait=True)
            d.metrics.lease_held.set(0)
    finally:
        if d.lease is not None:
            d.lease.release()
        if server is not None:
            server.close()
        if board is not None:
            board.close()
        log.info("daemon_stopped")


def _dashboard(d: Daemon) -> Any:
    """Start the web dashboard on its own port (``LEADSCORE_DASHBOARD__PORT``; 0 = off)."""
    s = d.settings.dashboard
    if not s.port:
        return None
    from service.dashboard.app import Credentials
    from service.dashboard.server import DashboardServer, app_from_settings

    Credentials(s)  # ConfigError (exit 2) on a half-set user/password, before anything runs
    board = DashboardServer(
        app_from_settings(d.settings, d.store, d.clock), host=s.host, port=s.port
    )
    log.info("dashboard_serving", host=s.host, port=board.port)
    return board
