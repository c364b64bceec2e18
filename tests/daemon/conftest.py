"""Shared pieces of the daemon tests: an injected clock, a small rules file, the local CRM, Slack."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from connectors.local import LocalConnector
from connectors.local import tables as t
from service.alerts.slack import SlackAlerter
from service.daemon.context import Daemon
from service.daemon.metrics import Metrics
from service.daemon.rules_watch import RulesWatcher
from service.settings import (
    DaemonSettings,
    DashboardSettings,
    RetrySettings,
    Settings,
    SlackSettings,
)
from service.state.store import StateStore
from tests.fakes.local import LocalFake
from tests.fakes.slack import TOKEN, FakeSlack

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

#: Software +20, 200+ employees +10, demo requested +40, 5+ email opens +10.
#: Hot >= 60, Warm >= 30, Cool >= 15, else Cold. Hot has the default 1-hour SLA clock.
RULES_SLA = """\
version: "t1"
dimensions:
  firmographic: {max_points: 30}
  behavioral: {max_points: 40}
  engagement: {max_points: 10}
  intent: {max_points: 10}
signals:
  - {name: software, label: "Industry: Software", dimension: firmographic, points: 20,
     when: [{kind: field_in, field: industry, values: [Software]}]}
  - {name: big, label: "200+ employees", dimension: firmographic, points: 10,
     when: [{kind: range, field: employee_count, min: 200}]}
  - {name: demo, label: "Requested a demo", dimension: behavioral, points: 40,
     when: [{kind: flag, field: demo_requested}]}
  - {name: opens, label: "5+ email opens", dimension: engagement, points: 10,
     when: [{kind: range, field: email_opens, min: 5}]}
thresholds: {hot: 60, warm: 30, cool: 15}
unscoreable_missing_share: 0.9
"""

#: RULES_SLA with no SLA clock on Hot (most daemon tests count every Slack message; the clock
#: and its escalations are tested on RULES_SLA)
RULES = (
    RULES_SLA
    + """tiers:
  Hot: {sla: "1 hour", action: "Call within 1 hour", rescore_every_days: 1}
  Warm: {sla: "4 hours", action: "Call or email within 4 hours", rescore_every_days: 3}
  Cool: {sla: "24 hours", action: "Email within 24 hours; nurture track", rescore_every_days: 7}
  Cold: {sla: "none", action: "Automated nurture only", rescore_every_days: 30}
"""
)

#: attributes that land a lead in each tier under RULES
HOT = {"industry": "Software", "employee_count": 250, "demo_requested": True, "email_opens": 0}
WARM = {"industry": "Software", "employee_count": 250, "demo_requested": False, "email_opens": 0}
COOL = {"industry": "Software", "employee_count": 10, "demo_requested": False, "email_opens": 0}
COLD = {"industry": "Retail", "employee_count": 10, "demo_requested": False, "email_opens": 0}


class Clock:
    """A settable clock; ``advance`` moves it."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        from datetime import timedelta

        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules" / "live.yaml"
    path.parent.mkdir()
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture
def sla_rules_file(tmp_path: Path) -> Path:
    """Rules whose Hot tier has the default 1-hour SLA clock."""
    path = tmp_path / "rules-sla" / "live.yaml"
    path.parent.mkdir()
    path.write_text(RULES_SLA, encoding="utf-8")
    return path


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalFake]:
    fake = LocalFake(tmp_path / "crm.db")
    yield fake
    fake.close()


@pytest.fixture(scope="module")
def _slack_server() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def slack(_slack_server: FakeSlack) -> FakeSlack:
    _slack_server.reset()
    return _slack_server


def alerter_for(
    slack: FakeSlack, sleeps: list[float] | None = None, *, timeout: float = 10.0
) -> SlackAlerter:
    settings = SlackSettings(token=TOKEN, base_url=slack.base_url, timeout_seconds=timeout)
    waits = sleeps if sleeps is not None else []
    return SlackAlerter(settings, retry=RetrySettings(attempts=2), sleep=waits.append)


def settings_for(tmp_path: Path, rules_path: Path, **daemon: Any) -> Settings:
    return Settings(
        state_url=f"sqlite:///{tmp_path / 'state.db'}",
        rules_path=rules_path,
        connector="local",
        daemon=DaemonSettings(models_dir=tmp_path / "models", metrics_port=0, **daemon),
        dashboard=DashboardSettings(port=0),
    )


def make_daemon(
    tmp_path: Path,
    rules_path: Path,
    clock: Clock,
    connector: Any,
    *,
    alerter: SlackAlerter | None = None,
    store: StateStore | None = None,
    **daemon: Any,
) -> Daemon:
    """A daemon on a SQLite state file in ``tmp_path`` (or on ``store``) that uses ``connector``
    for every job."""
    settings = settings_for(tmp_path, rules_path, **daemon)
    connect: Callable[[], Any] = (
        connector if callable(connector) else (lambda: nullcontext(connector))
    )
    return Daemon(
        settings=settings,
        store=store or StateStore(settings.state_url, clock=clock),
        rules=RulesWatcher(rules_path),
        connect=connect,
        clock=clock,
        metrics=Metrics(),
        alerter=alerter,
    )


def local_connector(fake: LocalFake) -> LocalConnector:
    return LocalConnector(fake.path, retry=RetrySettings(attempts=2), sleep=lambda _s: None)


def set_lead(fake: LocalFake, lead_id: str, at: datetime, attributes: dict[str, Any]) -> None:
    """Change a lead's attributes in the local CRM as a rep's edit would (modified_at moves)."""
    with fake.crm.engine.begin() as conn:
        conn.execute(
            update(t.leads)
            .where(t.leads.c.id == lead_id)
            .values(attributes={**attributes}, modified_at=at)
        )
