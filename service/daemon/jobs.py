"""The daemon's jobs as plain functions of a ``Daemon``; ``scheduler.py`` decides when they run.

Every job runs through ``run_job``: a ``LeadScoreError`` (a CRM that is down, a bad file, too few
deals) is caught here, logged as ``job_failed``, recorded in the state store and, when the job was
healthy before, posted to Slack; the next run tries again. Anything else is a bug: it is recorded
and re-raised for the scheduler's error listener (``scheduler.on_job_event``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from service.daemon.context import SCORE_JOB, Daemon
from service.errors import LeadScoreError

log = structlog.get_logger(__name__)
RULES_JOB = "rules_reload"
RECALIBRATE_JOB = "recalibrate"
HEALTH_JOB = "model_health"
OUTCOMES_JOB = "deal_outcomes"


def run_job(
    d: Daemon, job: str, work: Callable[[Daemon], Mapping[str, Any]]
) -> LeadScoreError | None:
    """Run ``work`` as ``job``: time it, record it, and return the ``LeadScoreError`` it raised."""
    started = d.clock()
    began = time.perf_counter()
    previous = d.leads.last_runs().get(job)
    try:
        detail = work(d)
    except LeadScoreError as exc:
        _failed(d, job, started, exc, previous)
        return exc
    except Exception as exc:
        d.leads.record_run(job, started, d.clock(), False, _error(exc))
        d.metrics.job_failures.labels(job=job).inc()
        raise
    finally:
        d.metrics.job_duration.labels(job=job).observe(time.perf_counter() - began)
    finished = d.clock()
    d.leads.record_run(job, started, finished, True, detail)
    d.metrics.last_success.labels(job=job).set(finished.timestamp())
    return None


def _error(exc: BaseException) -> dict[str, str]:
    return {"error": str(exc).splitlines()[0] if str(exc) else "", "error_type": type(exc).__name__}


def _failed(
    d: Daemon, job: str, started: Any, exc: LeadScoreError, previous: Mapping[str, Any] | None
) -> None:
    log.error("job_failed", job=job, error_type=type(exc).__name__, error=str(exc))
    d.leads.record_run(job, started, d.clock(), False, _error(exc))
    d.metrics.job_failures.labels(job=job).inc()
    if previous is None or previous["ok"]:  # say it once, not every poll while the CRM is down
        d.notify(f"leadscore daemon: {job} failed ({type(exc).__name__}): {exc}")


def score_job(d: Daemon) -> LeadScoreError | None:
    """One scoring pass (``cycle.run_cycle``)."""
    from service.daemon.cycle import run_cycle

    return run_job(d, SCORE_JOB, lambda d: run_cycle(d).as_dict())


def rules_job(d: Daemon) -> bool:
    """Reload the rules file when it changed; True when new rules came into force."""
    problems_before = d.rules.problems
    changed = d.rules.check()
    if d.rules.problems and d.rules.problems is not problems_before:
        d.metrics.rules_reload_failures.inc()
        d.notify(
            f"leadscore daemon: {d.rules.path} has {len(d.rules.problems)} problem(s); rules "
            f"{d.rules.current.version} stay in force. First: {d.rules.problems[0]}"
        )
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
