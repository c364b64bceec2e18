"""Fixtures shared by the connector tests: loopback without proxies and an injected sleep; and
helpers: a virtual clock, and connectors on the fake servers (``salesforce``, ``hubspot``: see
``tests/fakes/fixtures.py``) whose waits take no time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from connectors.hubspot import HubSpotConnector
from connectors.salesforce import SalesforceConnector
from service.settings import RetrySettings, SalesforceSettings
from tests.fakes.hubspot import TOKEN as HUBSPOT_TOKEN
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.salesforce import TOKEN as SALESFORCE_TOKEN
from tests.fakes.salesforce import FakeSalesforce


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback calls never go through a proxy from the environment."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def sleeps() -> Iterator[list[float]]:
    """The waits the retry policy asked for; pass ``sleeps.append`` as the policy's ``sleep``."""
    waits: list[float] = []
    yield waits


class VirtualClock:
    """A monotonic clock that sleeping advances: nothing really waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _no_wait(_seconds: float) -> None:
    return None


def salesforce_connector(
    fake: FakeSalesforce,
    *,
    attempts: int = 2,
    sleep: Callable[[float], None] = _no_wait,
    **settings: Any,
) -> SalesforceConnector:
    """A connector on the fake's session (no login), with 2-second timeouts unless ``settings``
    say otherwise, ``attempts`` tries per call and the retry waits given to ``sleep``."""
    options = {"instance_url": fake.url, "session_id": SALESFORCE_TOKEN, "timeout_seconds": 2}
    return SalesforceConnector(
        SalesforceSettings(**{**options, **settings}),
        retry=RetrySettings(attempts=attempts),
        sleep=sleep,
    )


def hubspot_connector(
    fake: FakeHubSpot, *, attempts: int = 2, clock: VirtualClock | None = None, **options: Any
) -> HubSpotConnector:
    """A connector on the fake HubSpot whose waits take no time: the retry waits and the rate
    limiter's sleeps advance ``clock`` (a new one by default), unless ``options`` give a
    ``sleep`` of their own; ``attempts`` tries per call, up to 60 s between them."""
    clock = clock or VirtualClock()
    given: dict[str, Any] = {
        "host": fake.url,
        "retry": RetrySettings(attempts=attempts, max_wait_seconds=60),
        "sleep": clock.sleep,
        "clock": clock,
        "rate_sleep": clock.sleep,
        **options,
    }
    return HubSpotConnector(HUBSPOT_TOKEN, **given)
