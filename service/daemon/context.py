"""``Daemon``: everything a job needs, built once from the settings (tests build it by hand).

The clock is injected (``clock() -> aware UTC datetime``); jobs never read the wall clock
themselves, so tests move time by moving the clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from service.alerts.slack import SlackAlerter, escape_notice
from service.daemon.metrics import Metrics
from service.daemon.routing import RoutingWatcher
from service.daemon.rules_watch import RulesWatcher
from service.errors import LeadScoreError, PassInterrupted, StateStoreError
from service.settings import Settings
from service.state.leads import LeadState
from service.state.lease import Lease
from service.state.outbox import Outbox
from service.state.store import StateStore

log = structlog.get_logger(__name__)
Clock = Callable[[], datetime]
ConnectorFactory = Callable[[], AbstractContextManager[Any]]
SCORE_JOB = "score_cycle"


def utc_now() -> datetime:
    return datetime.now(UTC)


def settings_connector(settings: Settings) -> ConnectorFactory:
    """Open the configured connector the way ``leadscore crm`` does, once per job run."""
    from service.commands.crm import open_connector

    return lambda: open_connector(settings.connector, settings.field_mapping_path)


def open_store(
    settings: Settings,
    *,
    clock: Clock = utc_now,
    forever: bool = False,
    sleep: Callable[[float], Any] = time.sleep,
) -> StateStore:
    """Open the state store, retrying with backoff while the database cannot be reached:
    ``forever`` (``daemon run``: a restart while it is down must not crash-loop) or for the
    retry policy's attempts (``daemon once``: then ``StateStoreError``, exit 1)."""
    attempt = 0
    while True:
        try:
            return StateStore(settings.state_url, clock=clock)
        except StateStoreError as exc:
            attempt += 1
            if not forever and attempt >= settings.retry.attempts:
                raise
            wait = min(settings.retry.max_wait_seconds, 2.0 ** min(attempt, 10))
            log.warning("state_store_unreachable", attempt=attempt, wait=wait, error=str(exc))
            if sleep(wait):  # an Event.wait that returned True: stop asked for
                raise


@dataclass
class Daemon:
    """The state store, the rules in force, the CRM, Slack, metrics and the clock."""

    settings: Settings
    store: StateStore
    rules: RulesWatcher
    connect: ConnectorFactory
    clock: Clock = utc_now
    metrics: Metrics = field(default_factory=Metrics)
    alerter: SlackAlerter | None = None
    started_at: datetime | None = None
    #: the lease every pass and job runs under (None: no other instance is expected, tests)
    lease: Lease | None = None
    #: set on SIGTERM: a pass stops between two batches (``checkpoint``)
    stop: threading.Event = field(default_factory=threading.Event)
    #: Rule 4's routing file in force (None: built from ``settings.routing_path``)
    routing: RoutingWatcher | None = None

    def __post_init__(self) -> None:
        self.leads = LeadState(self.store)
        self.outbox = Outbox(self.store)
        if self.started_at is None:
            self.started_at = self.clock()
        #: the last heartbeat of the main loop, and of the running job (between its batches)
        self.beat_at: datetime = self.started_at
        self.job_beat_at: datetime | None = None
        #: per job: True when its last run succeeded (in memory: readable while the DB is down)
        self.job_ok: dict[str, bool] = {}
        #: the last scoring pass: (finished, ok, reason)
        self.last_cycle: tuple[datetime, bool, str] | None = None
        #: why the state database cannot be reached (None while it can)
        self.state_down: str | None = None
        #: when the score history was last pruned, and stale leads last looked for (Rule 5)
        self.pruned_at: datetime | None = None
        self.stale_checked_at: datetime | None = None
        if self.routing is None:
            self.routing = RoutingWatcher(self.settings.routing_path)
        self.metrics.rules_version_info(self.rules.current.version, self.rules.key)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        connect: ConnectorFactory | None = None,
        alerter: SlackAlerter | None = None,
        metrics: Metrics | None = None,
        forever: bool = False,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> Daemon:
        """Load the rules (``RulesError``, exit 2, when bad) and open the state store (retried
        while unreachable)."""
        rules = RulesWatcher(settings.rules_path)
        if alerter is None and settings.slack.enabled:
            alerter = SlackAlerter(settings.slack, retry=settings.retry)
        if alerter is None:
            log.info("slack_alerts_off", reason="LEADSCORE_SLACK__TOKEN is empty or not set")
        store = open_store(settings, clock=clock, forever=forever, sleep=sleep)
        s = settings.daemon
        return cls(
            settings=settings,
            store=store,
            rules=rules,
            connect=connect or settings_connector(settings),
            clock=clock,
            metrics=metrics or Metrics(),
            alerter=alerter,
            lease=Lease(store, ttl_seconds=s.lease_ttl_seconds),
        )

    def close(self) -> None:
        if self.lease is not None:
            self.lease.release()
        self.store.close()

    def notify(self, text: str) -> None:
        """Tell the Slack channel about a problem (when Slack is configured); never raises."""
        if self.alerter is None:
            return
        try:
            self.alerter.send_notice(escape_notice(text))
        except LeadScoreError as exc:
            log.warning("slack_notice_failed", error=str(exc))

    # -- between batches -------------------------------------------------------------------------
    def beat(self) -> None:
        """A heartbeat of the main loop (``/livez`` follows it while no job runs)."""
        self.beat_at = self.clock()

    def job_beat(self, running: bool = True) -> None:
        """A heartbeat of the running job (``running=False``: it ended)."""
        self.job_beat_at = self.clock() if running else None

    def checkpoint(self) -> None:
        """Between two batches: beat, stop when asked (``PassInterrupted``), and stop when the
        lease was lost to another instance."""
        self.job_beat()
        if self.stop.is_set():
            raise PassInterrupted(
                "stopping: the pass stopped between batches; the next one goes on"
            )
        if self.lease is not None and not self.lease.renew():
            raise PassInterrupted("the lease was lost to another instance; this one stops")

    # -- health --------------------------------------------------------------------------------
    def _cycle_window(self) -> timedelta:
        return timedelta(minutes=3 * self.settings.daemon.poll_minutes) + timedelta(minutes=5)

    def live(self) -> tuple[bool, str]:
        """Alive while the heartbeat keeps beating: between the batches of a running job (a long
        pass that makes progress stays alive; one stuck inside a batch does not), else from the
        main loop."""
        now = self.clock()
        window = timedelta(seconds=self.settings.daemon.liveness_seconds)
        last = self.job_beat_at or self.beat_at
        what = "between batches" if self.job_beat_at else "from the main loop"
        if now - last > window:
            return False, f"no heartbeat {what} since {last.isoformat()}"
        return True, f"heartbeat {what} at {last.isoformat()}"

    def ready(self) -> tuple[bool, str]:
        """Ready when the state database is reachable and the last scoring pass succeeded."""
        if self.state_down is not None:
            return False, f"the state database cannot be reached ({self.state_down})"
        if self.lease is not None and not self.lease.held:
            return False, "standby: another instance holds the lease"
        if self.last_cycle is None:
            return False, "no scoring cycle has run yet"
        finished, ok, kind = self.last_cycle
        if not ok:
            # only what failed: the server's own text (which may echo a request) stays in the logs
            return False, f"the last scoring cycle failed ({kind or 'error'})"
        return True, f"last cycle succeeded at {finished.isoformat()}"
