"""The daemon's jobs as plain functions of a ``Daemon``; ``scheduler.py`` decides when they run.

Every job runs through ``run_job``, under the lease (one instance at a time). A ``LeadScoreError``
(a CRM that is down, the state database unreachable, a bad file, too few deals) is caught here,
logged as ``job_failed``, counted, recorded when the state store answers and, when the job was
healthy before, posted to Slack once; when it works again a "recovered" notice follows. A stop
between batches (``PassInterrupted``) is logged, not reported. Anything else is a bug: it is
recorded and re-raised for the scheduler's error listener (``scheduler.on_job_event``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.exc import DBAPIError

from service.daemon.context import SCORE_JOB, Daemon
from service.errors import LeadScoreError, LeaseError, PassInterrupted, StateStoreError
from service.state.store import is_outage, outage_reason

log = structlog.get_logger(__name__)
RULES_JOB = "rules_reload"
RECALIBRATE_JOB = "recalibrate"
HEALTH_JOB = "model_health"
OUTCOMES_JOB = "deal_outcomes"


def held_elsewhere(d: Daemon) -> str:
    """Who holds the lease, in words."""
    holder = None
    if d.lease is not None:
        try:
            holder = d.lease.current_holder()
        except DBAPIError:
            holder = None
    who = (
        f" ({holder['holder']}, since {holder['acquired_at']:%Y-%m-%d %H:%M:%S} UTC)"
        if holder
        else ""
    )
    return (
        f"another leadscore daemon is running against this state database{who}; only one "
        "instance runs passes at a time. This one did nothing."
    )


def _work(d: Daemon, work: Callable[[Daemon], Mapping[str, Any]]) -> Mapping[str, Any]:
    try:
        if d.lease is not None and not d.lease.held and not d.lease.try_acquire():
            raise LeaseError(held_elsewhere(d))
        return work(d)
    except DBAPIError as exc:
        if not is_outage(exc):
            raise
        raise StateStoreError(
            f"the state database cannot be reached ({outage_reason(exc)})"
        ) from exc


def run_job(
    d: Daemon, job: str, work: Callable[[Daemon], Mapping[str, Any]]
) -> LeadScoreError | None:
    """Run ``work`` as ``job``: time it, record it, and return the ``LeadScoreError`` it raised."""
    started = d.clock()
    began = time.perf_counter()
    d.job_beat()
    try:
        detail = _work(d, work)
    except PassInterrupted as exc:
        log.info("job_interrupted", job=job, reason=str(exc))
        _record(d, job, started, False, _error(exc))
        return exc
    except LeadScoreError as exc:
        _failed(d, job, started, exc)
        return exc
    except Exception as exc:
        _record(d, job, started, False, _error(exc))
        d.metrics.job_failures.labels(job=job).inc()
        d.job_ok[job] = False
        raise
    finally:
        d.metrics.job_duration.labels(job=job).observe(time.perf_counter() - began)
        d.job_beat(running=False)
        d.beat()
    finished = d.clock()
    _record(d, job, started, True, detail, finished)
    d.metrics.last_success.labels(job=job).set(finished.timestamp())
    if d.state_down is not None:
        log.info("state_store_recovered", job=job)
        d.notify("leadscore daemon: the state database is reachable again; jobs run as usual.")
        d.state_down = None
        d.metrics.state_up.set(1)
    elif d.job_ok.get(job) is False:
        log.info("job_recovered", job=job)
        d.notify(f"leadscore daemon: {job} works again.")
    d.job_ok[job] = True
    if job == SCORE_JOB:
        d.last_cycle = (finished, True, "")
    return None


def _record(
    d: Daemon,
    job: str,
    started: datetime,
    ok: bool,
    detail: Mapping[str, Any],
    finished: datetime | None = None,
) -> None:
    try:
        d.leads.record_run(job, started, finished or d.clock(), ok, detail)
    except DBAPIError as exc:
        if not is_outage(exc):
            raise
        log.warning("job_run_not_recorded", job=job, error=outage_reason(exc))


def _error(exc: BaseException) -> dict[str, str]:
    return {"error": str(exc).splitlines()[0] if str(exc) else "", "error_type": type(exc).__name__}


def _failed(d: Daemon, job: str, started: datetime, exc: LeadScoreError) -> None:
    log.error("job_failed", job=job, error_type=type(exc).__name__, error=str(exc))
    _record(d, job, started, False, _error(exc))
    d.metrics.job_failures.labels(job=job).inc()
    if job == SCORE_JOB:
        d.last_cycle = (d.clock(), False, type(exc).__name__)
    if isinstance(exc, LeaseError):
        return
    if isinstance(exc, StateStoreError):
        d.metrics.state_up.set(0)
        if d.state_down is None:  # one notice per outage
            d.notify(
                f"leadscore daemon: {exc}. Jobs are retried at their next time; nothing is lost. "
                "A notice follows when it is back."
            )
        d.state_down = type(exc).__name__
    elif d.job_ok.get(job, True):  # say it once, not every poll while the CRM is down
        d.notify(f"leadscore daemon: {job} failed ({type(exc).__name__}): {exc}")
    d.job_ok[job] = False


def score_job(d: Daemon) -> LeadScoreError | None:
    """One scoring pass (``cycle.run_cycle``)."""
    from service.daemon.cycle import run_cycle

    return run_job(d, SCORE_JOB, lambda d: run_cycle(d).as_dict())


def rules_job(d: Daemon) -> bool:
    """Reload the rules file when it changed; True when new rules came into force. A problem is
    posted once per distinct bad content, and once more when it is fixed."""
    before = d.rules.problem_key
    if d.routing is not None:
        d.routing.check()  # Rule 4's routing file: reloaded like the rules, last good kept
    changed = d.rules.check()
    after = d.rules.problem_key
    d.metrics.rules_bad_file.set(1 if after is not None else 0)
    if after is not None and after != before:
        d.metrics.rules_reload_failures.inc()
        d.notify(
            f"leadscore daemon: {d.rules.path} has {len(d.rules.problems)} problem(s); rules "
            f"{d.rules.current.version} stay in force. First: {d.rules.problems[0]}"
        )
    elif before is not None and after is None:
        d.notify(
            f"leadscore daemon: {d.rules.path} is fine again; rules {d.rules.current.version} "
            "are in force."
        )
    if changed:
        d.metrics.rules_version_info(d.rules.current.version, d.rules.key)
    return changed


def recalibrate_job(d: Daemon) -> LeadScoreError | None:
    """Rebuild the model from the CRM's closed deals (``recalibrate.recalibrate``)."""
    from service.daemon.recalibrate import recalibrate

    return run_job(d, RECALIBRATE_JOB, recalibrate)


def health_job(d: Daemon) -> LeadScoreError | None:
    """The weekly model health check (``health_job.model_health``)."""
    from service.daemon.health_job import model_health

    return run_job(d, HEALTH_JOB, model_health)


def outcomes_job(d: Daemon) -> LeadScoreError | None:
    """Record closed deals with their score, for the dashboard (``outcomes.record_outcomes``)."""
    from service.daemon.outcomes import record_outcomes

    return run_job(d, OUTCOMES_JOB, record_outcomes)
