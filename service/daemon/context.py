"""``Daemon``: everything a job needs, built once from the settings (tests build it by hand).

The clock is injected (``clock() -> aware UTC datetime``); jobs never read the wall clock
themselves, so tests move time by moving the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from service.alerts.slack import SlackAlerter, escape_notice
from service.daemon.metrics import Metrics
from service.daemon.rules_watch import RulesWatcher
from service.errors import LeadScoreError
from service.settings import Settings
from service.state.leads import LeadState
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

    def __post_init__(self) -> None:
        self.leads = LeadState(self.store)
        if self.started_at is None:
            self.started_at = self.clock()

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock = utc_now,
        connect: ConnectorFactory | None = None,
        alerter: SlackAlerter | None = None,
        metrics: Metrics | None = None,
    ) -> Daemon:
        """Load the rules (``RulesError``, exit 2, when bad) and open the state store."""
        rules = RulesWatcher(settings.rules_path)
        if alerter is None and settings.slack.token is not None:
            alerter = SlackAlerter(settings.slack, retry=settings.retry)
        if alerter is None:
            log.info("slack_alerts_off", reason="LEADSCORE_SLACK__TOKEN is not set")
        store = StateStore(settings.state_url, clock=clock)
        return cls(
            settings=settings,
            store=store,
            rules=rules,
            connect=connect or settings_connector(settings),
            clock=clock,
            metrics=metrics or Metrics(),
            alerter=alerter,
        )

    def close(self) -> None:
        self.store.close()

    def notify(self, text: str) -> None:
        """Tell the Slack channel about a problem (when Slack is configured); never raises."""
        if self.alerter is None:
            return
        try:
            self.alerter.send_notice(escape_notice(text))
        except LeadScoreError as exc:
            log.warning("slack_notice_failed", error=str(exc))

    # -- health --------------------------------------------------------------------------------
    def _cycle_window(self) -> timedelta:
        return timedelta(minutes=3 * self.settings.daemon.poll_minutes) + timedelta(minutes=5)

    def live(self) -> tuple[bool, str]:
        """Alive while the scoring job keeps running (whatever its outcome)."""
        run = self.leads.last_runs().get(SCORE_JOB)
        now = self.clock()
        last = run["finished_at"] if run else (self.started_at or now)
        if now - last > self._cycle_window():
            return False, f"no scoring cycle has finished since {last.isoformat()}"
        return True, "scheduler running"

    def ready(self) -> tuple[bool, str]:
        """Ready when the last scoring cycle succeeded."""
        run = self.leads.last_runs().get(SCORE_JOB)
        if run is None:
            return False, "no scoring cycle has run yet"
        if not run["ok"]:
            # only what failed: the server's own text (which may echo a request) stays in the logs
            kind = run["detail"].get("error_type", "") or "error"
            return False, f"the last scoring cycle failed ({kind})"
        return True, f"last cycle succeeded at {run['finished_at'].isoformat()}"
