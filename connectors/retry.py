"""The one retry policy every connector shares, and the HTTP status -> error mapping.

``classify_status`` turns an HTTP answer into the right ``ConnectorError``; ``transport_error``
does the same for timeouts and dropped connections. ``retry_policy`` retries only
``RetryableConnectorError`` (5xx, timeouts, 429) with jittered exponential backoff that honours
the wait a 429 asked for, and fails fast on everything else (400, 401, 403, 404)::

    policy = retry_policy(settings.retry, sleep=fake_sleep)
    rows = policy(fetch_page, url)          # or: for attempt in policy: with attempt: ...

Sleeping is injected so tests never wait.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping

import structlog
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from service.errors import (
    AuthError,
    BadRequestError,
    ConnectorError,
    FatalConnectorError,
    RateLimitedError,
    RetryableConnectorError,
)
from service.settings import RetrySettings

log = structlog.get_logger(__name__)

#: what to check after a 401/403, per service (the generic line for any other)
AUTH_HINTS = {
    "Salesforce": (
        "Check the credentials (username, password and security token, or the session id) and "
        "the integration user's permissions (see deploy/salesforce/README.md for the permission "
        "set)."
    ),
    "HubSpot": (
        "Check LEADSCORE_HUBSPOT__ACCESS_TOKEN (the private app's access token) and the app's "
        "scopes: crm.objects.contacts.read/write, crm.objects.deals.read, crm.objects.companies"
        ".read, crm.objects.owners.read and crm.schemas.contacts.read/write."
    ),
}
_AUTH_HINT = "Check the credentials and the permissions of the user or app they belong to."


def _header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup on any mapping."""
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The wait a rate-limited answer asked for: ``Retry-After`` seconds, else HubSpot's
    ``X-HubSpot-RateLimit-Interval-Milliseconds``; ``None`` when neither is usable."""
    raw = _header(headers, "Retry-After")
    if raw is not None:
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass  # an HTTP date: fall back to the backoff
    raw = _header(headers, "X-HubSpot-RateLimit-Interval-Milliseconds")
    if raw is not None:
        try:
            return max(0.0, float(raw) / 1000.0)
        except ValueError:
            return None
    return None


def classify_status(
    status: int, headers: Mapping[str, str], message: str, *, service: str = "The CRM"
) -> ConnectorError:
    """The error class for an HTTP status; the message says what to check (never a secret)."""
    message = (message or "").strip() or "no details given"
    if status == 429:
        wait = retry_after_seconds(headers)
        return RateLimitedError(
            f"{service} rate-limited the request (429): {message}", retry_after=wait
        )
    if status in (401, 403):
        what = "refused the credentials" if status == 401 else "refused the permission"
        hint = AUTH_HINTS.get(service, _AUTH_HINT)
        return AuthError(f"{service} {what} ({status}): {message}. {hint}", status=status)
    if status == 404:
        return BadRequestError(
            f"{service} has no such resource (404): {message}. Check the object and field "
            "names in the field mapping and the API version.",
            status=status,
        )
    if 500 <= status <= 599:
        return RetryableConnectorError(
            f"{service} failed on its side ({status}): {message}", status=status
        )
    if 400 <= status <= 499:
        return BadRequestError(
            f"{service} rejected the request ({status}): {message}", status=status
        )
    return ConnectorError(f"{service} answered an unexpected {status}: {message}", status=status)


def _tls_failure(exc: BaseException | None) -> bool:
    """True when the error (or one it arose from) is a TLS handshake or certificate failure."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, ssl.SSLError) or "SSLError" in type(exc).__name__:
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(getattr(exc, "reason", "")):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def transport_error(
    exc: BaseException, *, service: str = "The CRM", hint: str = ""
) -> ConnectorError:
    """A timeout or dropped connection as a retryable error (the URL is kept, never a header);
    ``hint`` names the setting to check (``check LEADSCORE_HUBSPOT__HOST``). A server whose TLS
    certificate does not verify is a ``FatalConnectorError``: retrying will not fix it."""
    if _tls_failure(exc):
        return FatalConnectorError(
            f"{service}: the server's TLS certificate could not be verified (or the TLS "
            "handshake failed); check the address"
            + (f" ({hint})" if hint else "")
            + ". leadscore always verifies certificates."
        )
    kind = "timed out" if "timeout" in type(exc).__name__.lower() else "could not be reached"
    return RetryableConnectorError(
        f"{service} {kind}: {type(exc).__name__}" + (f"; {hint}" if hint else "")
    )


class _Wait:
    """Jittered exponential backoff, or the wait a 429 asked for when it said."""

    def __init__(self, max_wait: float) -> None:
        self.max_wait = max_wait
        self.backoff = wait_random_exponential(multiplier=0.5, max=max_wait)

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
            return exc.retry_after
        return float(self.backoff(state))


class _Stop:
    """Stop after ``attempts`` tries, or at once when a 429 asks for more than ``max_wait``."""

    def __init__(self, attempts: int, max_wait: float) -> None:
        self.after = stop_after_attempt(attempts)
        self.max_wait = max_wait

    def __call__(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if (
            isinstance(exc, RateLimitedError)
            and exc.retry_after is not None
            and exc.retry_after > self.max_wait
        ):
            log.warning(
                "connector_retry_wait_too_long",
                retry_after=exc.retry_after,
                max_wait_seconds=self.max_wait,
            )
            return True
        return bool(self.after(state))


def _log_retry(service: str) -> Callable[[RetryCallState], None]:
    def log_it(state: RetryCallState) -> None:
        _log_one_retry(service, state)

    return log_it


def _log_one_retry(service: str, state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else None
    log.warning(
        "connector_retry",
        service=service,
        attempt=state.attempt_number,
        wait=round(wait, 3) if wait is not None else None,
        error=type(exc).__name__,
        status=getattr(exc, "status", None),
    )


def retry_policy(
    settings: RetrySettings | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    service: str = "crm",
    only: type[BaseException] | tuple[type[BaseException], ...] = RetryableConnectorError,
) -> Retrying:
    """A tenacity ``Retrying`` that retries only ``RetryableConnectorError`` (or the narrower
    ``only``) and re-raises the last error (not tenacity's ``RetryError``) when the attempts run
    out. Each retry is logged as ``connector_retry`` naming the ``service``."""
    settings = settings or RetrySettings()
    return Retrying(
        retry=retry_if_exception_type(only),
        wait=_Wait(settings.max_wait_seconds),
        stop=_Stop(settings.attempts, settings.max_wait_seconds),
        before_sleep=_log_retry(service),
        sleep=sleep,
        reraise=True,
    )
