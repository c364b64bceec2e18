"""Fixtures shared by the connector tests: loopback without proxies, and an injected sleep."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


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
