"""``SlackAlerter``: posts a Hot-lead alert to a Slack channel with slack-sdk.

The message names the lead and company, shows the score and its four dimensions, the factors
that contributed most and the recommended first action. Every piece of CRM text is escaped for
mrkdwn (a company called ``<!channel>`` must not ping the channel). Failures go through the
shared retry policy for 429 only (it honours ``Retry-After``): a timeout or 5xx may have posted
the message, so it is never retried blindly (``service.alerts.outbox`` resolves it through the
channel history and the message metadata). slack-sdk's own retry handlers are switched off. The
token is a ``SecretStr`` and is never logged.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from connectors.retry import classify_status, retry_after_seconds, retry_policy, transport_error
from service import redact
from service.errors import AuthError, BadRequestError, ConfigError, RateLimitedError
from service.settings import RetrySettings, SlackSettings

log = structlog.get_logger(__name__)
SERVICE = "Slack"
MAX_SECTION = 3000
_AUTH_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
_CHANNEL_ERRORS = {"channel_not_found", "not_in_channel", "is_archived"}
_DIMENSIONS = ("Firmographic", "Behavioral", "Engagement", "Intent")


#: Slack's formatting markers, each shown by a look-alike that Slack does not act on
_MARKERS = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})
#: text Slack turns into a link by itself: scheme URLs, www. names, bare domains and e-mails
_LINKABLE = re.compile(
    r"(?i)\b(?:[a-z][a-z0-9+.-]*://\S+|www\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|[\w-]+(?:\.[\w-]+)*\.[a-z]{2,24}\b(?:/\S*)?)"
)


def _defang(match: re.Match[str]) -> str:
    return match.group(0).replace("://", "∶//").replace(".", "․").replace("@", "＠")


def _escape_entities(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_mrkdwn(text: object) -> str:
    """CRM text made inert for Slack mrkdwn: ``&``, ``<`` and ``>`` escaped (no ``<!channel>``,
    no ``<url|fake link>``), the markers ``* _ ~ ` `` and anything Slack would link by itself
    (``https://...``, ``www.``, ``evil.example``, e-mail addresses) shown by look-alike characters
    so it reads the same but is neither formatted nor clickable."""
    return _LINKABLE.sub(_defang, _escape_entities(text).translate(_MARKERS))


def escape_notice(text: object) -> str:
    """An operational notice (which may quote a server's or a file's text) as a Slack code
    block: nothing in it is formatted or linked, and setting names stay copyable."""
    return "```" + _escape_entities(text).replace("`", "ˋ") + "```"


def _clip(text: str, limit: int = MAX_SECTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class HotLeadAlert:
    """What a rep needs to act on a lead that just turned Hot."""

    lead_id: str
    lead_name: str
    company: str
    total: float
    breakdown: Mapping[str, float]
    top_factors: Sequence[str] = field(default_factory=tuple)
    action: str = "Call within 24 hours"
    tier: str = "Hot"
    record_url: str | None = None


def build_message(alert: HotLeadAlert) -> dict[str, Any]:
    """The ``text`` fallback and the blocks of the alert (all CRM text escaped)."""
    name, company = escape_mrkdwn(alert.lead_name), escape_mrkdwn(alert.company)
    headline = f"{escape_mrkdwn(alert.tier)} lead: {name} at {company}, score {alert.total:g}"
    breakdown = "  ".join(
        f"*{d}* {alert.breakdown.get(d, 0):g}" for d in _DIMENSIONS if d in alert.breakdown
    )
    factors = "\n".join(f"• {escape_mrkdwn(f)}" for f in alert.top_factors) or "• (none recorded)"
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(f":fire: *{headline}*")}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(breakdown or "no breakdown")}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(f"*Top factors*\n{factors}")}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": _clip(f"*Recommended first action*\n{escape_mrkdwn(alert.action)}"),
            },
        },
    ]
    if alert.record_url:
        url = _escape_entities(alert.record_url).replace("|", "%7C")  # our own link target
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{url}|Open in CRM>"}]}
        )
    return {"text": _clip(f"{headline}. {escape_mrkdwn(alert.action)}"), "blocks": blocks}


#: the ``event_type`` of the message metadata every leadscore alert carries
EVENT_TYPE = "leadscore_alert"
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


class SlackAlerter:
    """Posts alerts to ``settings.channel`` through ``settings.base_url``.

    A post is retried only when Slack said for certain that it did not post it (429); a timeout,
    a dropped connection or a 5xx may have posted it, so it is reported as
    ``RetryableConnectorError`` for the caller to resolve through the channel history
    (``find_message``) instead of posting blindly again.
    """

    def __init__(
        self,
        settings: SlackSettings,
        *,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float | None = None,
    ) -> None:
        if not settings.enabled:
            raise ConfigError(
                "slack.token is not set: create a Slack app with the chat:write and "
                "channels:history scopes, invite it to the channel and set LEADSCORE_SLACK__TOKEN "
                "to its bot token."
            )
        assert settings.token is not None
        self.channel = settings.channel
        self._retry = retry
        self._sleep = sleep
        #: the channel's id (history needs it): configured, or learned from a post's answer
        self.channel_id: str | None = (
            settings.channel if _CHANNEL_ID.match(settings.channel) else None
        )
        self._client = WebClient(
            token=settings.token.get_secret_value(),
            base_url=settings.base_url,
            timeout=timeout or settings.timeout_seconds,  # type: ignore[arg-type]  # a float works
            retry_handlers=[],
        )
        #: e-mail -> member id (None: no member has it); member id -> direct-message channel
        self._users: dict[str, str | None] = {}
        self._ims: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"SlackAlerter(channel={self.channel!r}, token=SecretStr('**********'))"

    def _call(self, method: Callable[..., Any], **kwargs: Any) -> Any:
        try:
            return method(**kwargs)
        except SlackApiError as exc:
            raise self._translate(exc) from None
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            raise transport_error(exc, service=SERVICE) from None

    def post(
        self,
        message: dict[str, Any],
        metadata: dict[str, Any] | None = None,
        *,
        channel: str | None = None,
    ) -> str:
        """Post once (429 waits and tries again: Slack did not post it); return the message ts.

        ``metadata`` (``event_type`` + ``event_payload``) is kept by Slack with the message, so a
        post whose answer was lost can be found again in the channel history. ``channel``: post
        there (a rep's direct-message channel, ``open_dm``) instead of the alert channel."""
        message = redact.scrub_any(message)  # no secret a server echoed reaches the channel

        def attempt() -> str:
            response = self._call(
                self._client.chat_postMessage,
                channel=channel or self.channel,
                metadata=metadata,
                **message,
            )
            answered = response.get("channel")
            if answered and channel is None:
                self.channel_id = str(answered)
            return str(response.get("ts"))

        return retry_policy(self._retry, sleep=self._sleep, service="slack", only=RateLimitedError)(
            attempt
        )

    def lookup_user(self, email: str) -> str | None:
        """The Slack member id of ``email`` (``users.lookupByEmail``, scope ``users:read.email``),
        or None when no member has it; answers are cached for the process's life."""
        key = email.strip().lower()
        if key in self._users:
            return self._users[key]

        def attempt() -> str | None:
            try:
                response = self._client.users_lookupByEmail(email=key)
            except SlackApiError as exc:
                data = exc.response.data if isinstance(exc.response.data, dict) else {}
                if data.get("error") == "users_not_found":
                    return None
                raise self._translate(exc) from None
            except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
                raise transport_error(exc, service=SERVICE) from None
            return str((response.get("user") or {}).get("id") or "") or None

        found = retry_policy(self._retry, sleep=self._sleep, service="slack")(attempt)
        self._users[key] = found
        return found

    def open_dm(self, user_id: str) -> str:
        """The direct-message channel with member ``user_id`` (``conversations.open``, scope
        ``im:write``); Slack returns the same channel every time, and so does the cache."""
        if user_id not in self._ims:

            def attempt() -> str:
                response = self._call(self._client.conversations_open, users=user_id)
                return str((response.get("channel") or {})["id"])

            self._ims[user_id] = retry_policy(self._retry, sleep=self._sleep, service="slack")(
                attempt
            )
        return self._ims[user_id]

    def resolve_channel_id(self) -> str:
        """The channel's id: configured, learned from an earlier post, else looked up by name
        (``conversations.list``, scope ``channels:read``)."""
        if self.channel_id:
            return self.channel_id
        name = self.channel.lstrip("#")
        cursor = None
        for _page in range(100):
            response = self._call(
                self._client.conversations_list,
                types="public_channel,private_channel",
                limit=1000,
                cursor=cursor,
                exclude_archived=True,
            )
            for channel in response.get("channels") or []:
                if channel.get("name") == name:
                    self.channel_id = str(channel["id"])
                    return self.channel_id
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        raise BadRequestError(
            f"Slack has no channel {self.channel!r} the app can see: check "
            "LEADSCORE_SLACK__CHANNEL (use the channel id, C...) and invite the app."
        )

    def find_message(self, key: str, oldest: float, channel: str | None = None) -> str | None:
        """The ts of the message whose metadata names ``key``, posted after ``oldest`` (Unix
        time), or None when the channel history has none (``conversations.history``)."""
        channel_id = channel or self.resolve_channel_id()
        cursor = None
        for _page in range(50):
            response = self._call(
                self._client.conversations_history,
                channel=channel_id,
                oldest=f"{oldest:.6f}",
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for message in response.get("messages") or []:
                meta = message.get("metadata") or {}
                payload = meta.get("event_payload") or {}
                if meta.get("event_type") == EVENT_TYPE and payload.get("key") == key:
                    return str(message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def _translate(self, exc: SlackApiError) -> Exception:
        response = exc.response
        status = int(getattr(response, "status_code", 200) or 200)
        headers = {k: str(v[0] if isinstance(v, list) else v) for k, v in response.headers.items()}
        error = (
            str((response.data or {}).get("error", "")) if isinstance(response.data, dict) else ""
        )
        if status == 429 or error == "ratelimited":
            return RateLimitedError(
                "Slack rate-limited the alert (429)", retry_after=retry_after_seconds(headers)
            )
        if error in _AUTH_ERRORS or error == "missing_scope":
            return AuthError(
                f"Slack refused the token ({error}): check LEADSCORE_SLACK__TOKEN and that the "
                "app has the chat:write and channels:history scopes.",
                status=status,
            )
        if error in _CHANNEL_ERRORS:
            return BadRequestError(
                f"Slack cannot post to {self.channel!r} ({error}): check LEADSCORE_SLACK__CHANNEL "
                "and invite the app to the channel.",
                status=status,
            )
        if status != 200:
            return classify_status(status, headers, error, service=SERVICE)
        return BadRequestError(f"Slack rejected the alert: {error or 'unknown error'}")

    def send_hot_lead(self, alert: HotLeadAlert, metadata: dict[str, Any] | None = None) -> str:
        """Post the alert; return the message timestamp Slack assigned."""
        ts = self.post(build_message(alert), metadata)
        log.info("slack_alert_sent", channel=self.channel, lead_id=alert.lead_id, tier=alert.tier)
        return ts

    def send_notice(self, text: str) -> str:
        """Post a plain operational notice (a failed job, a model not promoted); the caller
        escapes any CRM text in it. Return the message timestamp."""
        ts = self.post({"text": _clip(text)})
        log.info("slack_notice_sent", channel=self.channel)
        return ts
