"""HubSpot's own count of today's API calls for a private app (for ``leadscore crm check``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import urllib3
from pydantic import SecretStr

from connectors.retry import classify_status, retry_policy, transport_error
from service.settings import RetrySettings

USAGE_PATH = "/account-info/v3/api-usage/daily/private-apps"
SERVICE = "HubSpot"


def parse_usage(body: Any) -> tuple[int, int] | None:
    """``(used, limit)`` from the usage payload, or ``None`` when it holds no daily limit."""
    for row in (body or {}).get("results") or []:
        if isinstance(row, dict) and "usageLimit" in row and "currentUsage" in row:
            return int(row["currentUsage"]), int(row["usageLimit"])
    return None


def daily_usage(
    host: str,
    token: SecretStr,
    *,
    timeout: float,
    retry: RetrySettings | None,
    sleep: Callable[[float], None],
    before: Callable[[], None] = lambda: None,
) -> tuple[int, int] | None:
    """Ask HubSpot how many calls the app made today and how many it may make."""
    http = urllib3.PoolManager()

    def attempt() -> Any:
        before()
        try:
            resp = http.request(
                "GET",
                host.rstrip("/") + USAGE_PATH,
                headers={"Authorization": f"Bearer {token.get_secret_value()}"},
                timeout=timeout,
                retries=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise transport_error(exc, service=SERVICE) from None
        if resp.status >= 400:
            try:
                message = str(json.loads(resp.data or b"{}").get("message", ""))
            except (ValueError, AttributeError):
                message = ""
            raise classify_status(resp.status, dict(resp.headers), message, service=SERVICE)
        return json.loads(resp.data or b"null")

    return parse_usage(retry_policy(retry, sleep=sleep, service="hubspot")(attempt))
