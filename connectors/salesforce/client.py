"""Logging in to Salesforce with simple-salesforce, and turning its errors into ours.

simple-salesforce always builds ``https://`` URLs. ``SalesforceSession`` rewrites the origins it
is told about (a plain-http ``127.0.0.1`` instance, a login host pointed at a fake or a proxy)
and sets a default timeout; it also keeps the last response's headers so a 429's
``Retry-After`` can be honoured (the library's exceptions drop the headers).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceAuthenticationFailed,
    SalesforceError,
    SalesforceOperationError,
)

from connectors.retry import classify_status, transport_error
from service import redact
from service.errors import (
    AuthError,
    BadRequestError,
    ConfigError,
    ConnectorError,
    FatalConnectorError,
)
from service.settings import SalesforceSettings

SERVICE = "Salesforce"


class SalesforceSession(requests.Session):
    """A ``requests.Session`` that maps https origins to other bases and applies a timeout."""

    def __init__(self, rewrites: dict[str, str] | None = None, timeout: float = 30.0) -> None:
        super().__init__()
        self.trust_env = False  # no proxies or CA bundles from the environment
        self.rewrites = dict(rewrites or {})
        self.timeout = timeout
        self.last_headers: dict[str, str] = {}

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        url = url.decode() if isinstance(url, bytes) else url
        for origin, target in self.rewrites.items():
            if url.startswith(origin):
                url = target + url[len(origin) :]
                break
        kwargs.setdefault("timeout", self.timeout)
        response = super().request(method, url, *args, **kwargs)
        self.last_headers = dict(response.headers)
        return response


def _origin(url: str) -> tuple[str, str]:
    """(the https origin simple-salesforce will build, the origin to send it to)."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    host = parts.netloc
    return f"https://{host}", f"{parts.scheme}://{host}"


def build_session(settings: SalesforceSettings) -> SalesforceSession:
    rewrites: dict[str, str] = {}
    if settings.instance_url:
        https, target = _origin(settings.instance_url)
        rewrites[https] = target
    if settings.login_url:
        _, target = _origin(settings.login_url)
        rewrites[f"https://{settings.domain}.salesforce.com"] = target
        # the login answer names the instance; a loopback one is plain http too
        rewrites.setdefault("https://127.0.0.1", "http://127.0.0.1")
    return SalesforceSession(rewrites, settings.timeout_seconds)


def auth_method(settings: SalesforceSettings) -> str:
    """Which login the settings describe; a ``ConfigError`` naming the keys when none fits."""
    if settings.session_id and settings.instance_url:
        return "session_id"
    if settings.username and settings.consumer_key and settings.private_key_file:
        return "jwt"
    if settings.username and settings.password and settings.consumer_key:
        return "oauth_password"
    if settings.username and settings.password:
        return "password"
    if settings.consumer_key and settings.consumer_secret:
        return "client_credentials"
    raise ConfigError(
        "Salesforce credentials are incomplete. Set one of: LEADSCORE_SALESFORCE__SESSION_ID with "
        "__INSTANCE_URL; __USERNAME, __PASSWORD and __SECURITY_TOKEN; __USERNAME, "
        "__CONSUMER_KEY and __PRIVATE_KEY_FILE (JWT bearer); or __CONSUMER_KEY and "
        "__CONSUMER_SECRET (client credentials, with __DOMAIN set to your My Domain)."
    )


REACH_HINT = (
    "check LEADSCORE_SALESFORCE__INSTANCE_URL (or __DOMAIN / __LOGIN_URL for the login) and the "
    "network"
)


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def connect(settings: SalesforceSettings, session: SalesforceSession) -> Salesforce:
    """Log in (or use the session id) and return the client; raises our errors only."""
    method = auth_method(settings)
    kwargs: dict[str, Any]
    common: dict[str, Any] = {"version": settings.api_version, "session": session}
    if method == "session_id":
        kwargs = {"instance_url": settings.instance_url, "session_id": _secret(settings.session_id)}
    elif method == "jwt":
        kwargs = {
            "username": settings.username,
            "consumer_key": settings.consumer_key,
            "privatekey_file": str(settings.private_key_file),
            "domain": settings.domain,
        }
    elif method == "oauth_password":
        kwargs = {
            "username": settings.username,
            "password": _secret(settings.password),
            "consumer_key": settings.consumer_key,
            "consumer_secret": _secret(settings.consumer_secret),
            "domain": settings.domain,
        }
    elif method == "password":
        kwargs = {
            "username": settings.username,
            "password": _secret(settings.password),
            "security_token": _secret(settings.security_token) or "",
            "domain": settings.domain,
        }
    else:
        kwargs = {
            "consumer_key": settings.consumer_key,
            "consumer_secret": _secret(settings.consumer_secret),
            "domain": settings.domain,
        }
    redact.register(
        settings.password, settings.security_token, settings.session_id, settings.consumer_secret
    )
    try:
        sf = Salesforce(**common, **kwargs)
        redact.register(sf.session_id)  # a session a login handed back is a secret too
        return sf
    except SalesforceAuthenticationFailed as exc:
        raise AuthError(
            f"Salesforce login ({method}) failed: {exc.code}: {_clean(exc.auth_message)}. Check the "
            "username, password and security token, the connected app's consumer key and "
            "policies, and the integration user's permissions.",
            status=401,
        ) from None
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise transport_error(exc, service=SERVICE, hint=REACH_HINT) from None


def _clean(text: Any) -> str:
    return str(text)[:300]


def error_message(exc: SalesforceError) -> str:
    """``errorCode: message`` from Salesforce's JSON error array (never the URL's query string)."""
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return "; ".join(f"{c.get('errorCode', '?')}: {c.get('message', '')}" for c in content)
    return _clean(content)


def translate(exc: BaseException, headers: dict[str, str]) -> ConnectorError:
    """simple-salesforce and requests exceptions -> the shared error classes."""
    if isinstance(exc, SalesforceError):
        message = error_message(exc)
        if exc.status == 403 and "REQUEST_LIMIT_EXCEEDED" in message:
            return FatalConnectorError(
                f"Salesforce refused the request (403): {message}. The org's daily API limit is "
                "spent; wait for it to reset or lower LEADSCORE_SALESFORCE__MAX_API_SHARE.",
                status=403,
            )
        if "DUPLICATE_DEVELOPER_NAME" in message:
            return BadRequestError(
                f"Salesforce refused to create a field that already exists ({message}): it "
                "exists but is not visible to the integration user; assign the permission set "
                "(deploy/salesforce/README.md).",
                status=exc.status,
            )
        return classify_status(exc.status, headers, message, service=SERVICE)
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return transport_error(exc, service=SERVICE, hint=REACH_HINT)
    if isinstance(exc, SalesforceOperationError):  # Bulk 2.0 client-side checks and answers
        return BadRequestError(f"Salesforce Bulk API 2.0 refused the job: {_clean(exc)}")
    raise exc
