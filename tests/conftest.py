"""Settings every test shares."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service import redact


@pytest.fixture(autouse=True)
def _local_fakes_over_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fake CRM and Slack servers listen on http://127.0.0.1: allow plain http for them (a
    test of the https rule deletes this), read no env file, and forget secrets between tests."""
    monkeypatch.setenv("LEADSCORE_ALLOW_INSECURE_HTTP", "true")
    monkeypatch.delenv("LEADSCORE_ENV_FILE", raising=False)
    yield
    redact.forget_all()
