"""The shared retry policy and the HTTP status -> error mapping."""

from __future__ import annotations

import pytest
import requests
from structlog.testing import capture_logs

from connectors.retry import classify_status, retry_after_seconds, retry_policy, transport_error
from service.errors import (
    AuthError,
    BadRequestError,
    ConnectorError,
    RateLimitedError,
    RetryableConnectorError,
)
from service.settings import RetrySettings


class Flaky:
    """A call that raises the given errors in turn, then returns ``"ok"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthError),
        (403, AuthError),
        (404, BadRequestError),
        (409, BadRequestError),
        (429, RateLimitedError),
        (500, RetryableConnectorError),
        (502, RetryableConnectorError),
        (503, RetryableConnectorError),
    ],
)
def test_classify_status_maps_each_status_to_its_class(status: int, cls: type) -> None:
    """Each HTTP status becomes exactly its error class, carrying the status."""
    err = classify_status(status, {}, "boom")
    assert type(err) is cls
    assert err.status == status
    assert "boom" in str(err)


def test_auth_errors_say_what_to_check() -> None:
    """A Salesforce 401 names the credentials and the integration user's permission set."""
    text = str(classify_status(401, {}, "INVALID_SESSION_ID", service="Salesforce"))
    assert text.startswith("Salesforce refused the credentials (401): INVALID_SESSION_ID")
    for word in ("credentials", "permission set", "deploy/salesforce/README.md"):
        assert word in text


def test_hubspot_auth_errors_give_hubspot_advice() -> None:
    """A HubSpot 401 names the private app token and its scopes, never Salesforce's advice."""
    text = str(classify_status(401, {}, "Authentication credentials not found", service="HubSpot"))
    assert "LEADSCORE_HUBSPOT__ACCESS_TOKEN" in text and "scopes" in text
    assert "salesforce" not in text.lower()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "7"}, 7.0),
        ({"retry-after": "0.5"}, 0.5),
        ({"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"}, 10.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_from_either_header(headers: dict, expected: float | None) -> None:
    """``Retry-After`` seconds win; HubSpot's interval header is milliseconds; dates are ignored."""
    assert retry_after_seconds(headers) == expected


def test_429_carries_retry_after() -> None:
    """A 429 error remembers how long the server asked to wait."""
    err = classify_status(429, {"Retry-After": "12"}, "slow down")
    assert isinstance(err, RateLimitedError) and err.retry_after == 12.0


def test_policy_retries_transient_errors_until_success() -> None:
    """Two 5xx then success: three calls, two injected sleeps, the result returned."""
    waits: list[float] = []
    call = Flaky(classify_status(500, {}, "x"), classify_status(503, {}, "y"))
    assert retry_policy(RetrySettings(attempts=5), sleep=waits.append)(call) == "ok"
    assert call.calls == 3
    assert len(waits) == 2


def test_policy_honours_retry_after_and_logs_each_retry() -> None:
    """A 429 with ``Retry-After: 4`` sleeps exactly 4 s and logs ``connector_retry`` naming the
    service it waits for."""
    waits: list[float] = []
    call = Flaky(classify_status(429, {"Retry-After": "4"}, "x"))
    with capture_logs() as logs:
        retry_policy(RetrySettings(), sleep=waits.append, service="hubspot")(call)
    assert waits == [4.0]
    assert logs == [
        {
            "event": "connector_retry",
            "service": "hubspot",
            "log_level": "warning",
            "attempt": 1,
            "wait": 4.0,
            "error": "RateLimitedError",
            "status": 429,
        }
    ]


def test_backoff_is_jittered_and_bounded() -> None:
    """Without ``Retry-After`` the waits stay within [0, max_wait] and are not all equal."""
    waits: list[float] = []
    errors = [classify_status(500, {}, "x") for _ in range(30)]
    retry_policy(RetrySettings(attempts=31, max_wait_seconds=2.0), sleep=waits.append)(
        Flaky(*errors)
    )
    assert len(waits) == 30
    assert all(0 <= w <= 2.0 for w in waits)
    assert len(set(waits)) > 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_policy_fails_fast_on_fatal_errors(status: int) -> None:
    """A fatal error is raised after one call, with no sleep."""
    waits: list[float] = []
    call = Flaky(classify_status(status, {}, "x"))
    with pytest.raises(ConnectorError) as info:
        retry_policy(RetrySettings(), sleep=waits.append)(call)
    assert info.value.status == status
    assert call.calls == 1 and waits == []


def test_policy_reraises_the_last_error_when_attempts_run_out() -> None:
    """After ``attempts`` failures the original error (not tenacity's) reaches the caller."""
    call = Flaky(*[classify_status(502, {}, f"n{i}") for i in range(10)])
    with pytest.raises(RetryableConnectorError, match="n2"):
        retry_policy(RetrySettings(attempts=3), sleep=lambda s: None)(call)
    assert call.calls == 3


def test_policy_gives_up_when_retry_after_exceeds_max_wait() -> None:
    """A 429 asking for more than ``max_wait_seconds`` is raised at once, with a log event."""
    waits: list[float] = []
    call = Flaky(classify_status(429, {"Retry-After": "3600"}, "daily limit"))
    with capture_logs() as logs, pytest.raises(RateLimitedError):
        retry_policy(RetrySettings(max_wait_seconds=60), sleep=waits.append)(call)
    assert waits == [] and call.calls == 1
    assert [e["event"] for e in logs] == ["connector_retry_wait_too_long"]


@pytest.mark.parametrize(
    ("exc", "word"),
    [
        (requests.ReadTimeout("read timed out"), "timed out"),
        (requests.ConnectionError(), "reached"),
    ],
)
def test_transport_errors_are_retryable(exc: Exception, word: str) -> None:
    """Timeouts and dropped connections become ``RetryableConnectorError``."""
    err = transport_error(exc, service="Salesforce")
    assert type(err) is RetryableConnectorError
    assert word in str(err)
