"""A fake Slack Web API on 127.0.0.1 for slack-sdk: ``chat.postMessage`` (with message metadata),
``conversations.history`` (newest first, ``oldest``, ``cursor`` paging, metadata only with
``include_all_metadata``), ``conversations.list``, ``users.lookupByEmail`` (``users_not_found``
for an address no member has) and ``conversations.open`` (``users=U...``: the member's direct
message channel, ``D...``, the same one every time; a post to it lands in ``dms``).

Besides the shared controls (``fail_next``: answer an error before accepting, i.e. Slack down;
``hang_next``), a post can be *accepted and then answered late* (``slow_next``: the client times
out although the message is in the channel) or *accepted and then dropped* (``drop_next``: the
connection closes without an answer). ``messages`` is what the channel really holds.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.base import FakeServer, Request, Response

TOKEN = "xoxb-fake-slack-secret"
CHANNEL_ID = "C0HOTLEADS1"


class FakeSlack(FakeServer):
    """API errors come as HTTP 200 ok=false, as Slack does."""

    def __init__(
        self, token: str = TOKEN, channels: dict[str, str] | tuple[str, ...] = ("#hot-leads",)
    ) -> None:
        super().__init__()
        self.token = token
        if isinstance(channels, tuple):
            channels = {
                name: CHANNEL_ID if i == 0 else f"C0CHAN{i:05d}" for i, name in enumerate(channels)
            }
        #: channel name (with #) -> id
        self.channels = dict(channels)
        self.messages: list[dict[str, Any]] = []
        #: workspace members: e-mail (lower case) -> user id
        self.users: dict[str, str] = {}
        #: user id -> their direct-message channel id, once opened
        self.ims: dict[str, str] = {}
        self._slow: list[float] = []
        self._drops = 0
        self._last_ts = 0.0

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def reset(self) -> None:
        with self.lock:
            self.reset_controls()
            self.messages.clear()
            self.users.clear()
            self.ims.clear()
            self._slow.clear()
            self._drops = 0

    # --- controls ----------------------------------------------------------------------------
    def slow_next(self, n: int, seconds: float) -> None:
        """Accept the next ``n`` posts, then answer each only after ``seconds``."""
        with self.lock:
            self._slow.extend([seconds] * n)

    def drop_next(self, n: int) -> None:
        """Accept the next ``n`` posts, then close the connection without answering."""
        with self.lock:
            self._drops += n

    def add_member(self, email: str, user_id: str) -> str:
        """A workspace member ``users.lookupByEmail`` finds by ``email``."""
        with self.lock:
            self.users[email.lower()] = user_id
        return user_id

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        """The messages posted to ``user_id``'s direct-message channel."""
        channel = self.ims.get(user_id)
        return [m for m in self.messages if channel is not None and m["channel_id"] == channel]

    def channel_posts(self) -> list[dict[str, Any]]:
        """The messages posted to channels (not direct messages)."""
        return [m for m in self.messages if m["channel_id"] in self.channels.values()]

    def posts(self, **payload: Any) -> list[dict[str, Any]]:
        """The messages whose metadata payload has these values (``lead_id="L1"``)."""
        return [
            m
            for m in self.messages
            if all(
                ((m.get("metadata") or {}).get("event_payload") or {}).get(k) == v
                for k, v in payload.items()
            )
        ]

    # --- the API -----------------------------------------------------------------------------
    def error_response(self, status: int, headers: dict[str, str]) -> Response:
        error = "ratelimited" if status == 429 else "internal_error"
        return Response.json({"ok": False, "error": error}, status, headers)

    def _channel_id(self, value: Any) -> str | None:
        if value in self.channels.values() or value in self.ims.values():
            return str(value)
        return self.channels.get(str(value))

    def _ts(self) -> str:
        now = max(time.time(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def route(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response.json({"ok": False, "error": "invalid_auth"})
        if request.path == "/api/chat.postMessage" and request.method == "POST":
            return self._post(request)
        if request.path == "/api/conversations.history":
            return self._history(request)
        if request.path == "/api/users.lookupByEmail":
            user = self.users.get(str(self._params(request).get("email", "")).lower())
            if user is None:
                return Response.json({"ok": False, "error": "users_not_found"})
            return Response.json({"ok": True, "user": {"id": user, "deleted": False}})
        if request.path == "/api/conversations.open":
            users = str(self._params(request).get("users") or "")
            if not users:
                return Response.json({"ok": False, "error": "users_list_not_supplied"})
            if users not in self.users.values():
                return Response.json({"ok": False, "error": "user_not_found"})
            with self.lock:
                channel = self.ims.setdefault(users, f"D0{len(self.ims) + 1:09d}")
            return Response.json({"ok": True, "channel": {"id": channel}})
        if request.path == "/api/conversations.list":
            channels = [{"id": i, "name": n.lstrip("#")} for n, i in self.channels.items()]
            return Response.json({"ok": True, "channels": channels, "response_metadata": {}})
        return Response.json({"ok": False, "error": "unknown_method"}, 404)

    def _post(self, request: Request) -> Response:
        body = request.json() or {}
        channel = self._channel_id(body.get("channel"))
        if channel is None:
            return Response.json({"ok": False, "error": "channel_not_found"})
        ts = self._ts()
        self.messages.append({**body, "ts": ts, "channel_id": channel})
        answer = Response.json({"ok": True, "channel": channel, "ts": ts, "message": body})
        if self._drops:
            self._drops -= 1
            answer.drop = True
        elif self._slow:
            answer.delay = self._slow.pop(0)
        return answer

    @staticmethod
    def _params(request: Request) -> dict[str, Any]:
        """The call's arguments: query string, form body or JSON body (slack-sdk uses each)."""
        params: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
        if request.body:
            text = request.body.decode()
            if text.lstrip().startswith("{"):
                params.update(json.loads(text))
            else:
                params.update({k: v[-1] for k, v in parse_qs(text).items()})
        return params

    def _history(self, request: Request) -> Response:
        params = self._params(request)
        channel = params.get("channel")
        if channel not in self.channels.values() and channel not in self.ims.values():
            return Response.json({"ok": False, "error": "channel_not_found"})
        oldest = float(params.get("oldest") or 0)
        limit = int(params.get("limit") or 100)
        start = int(params.get("cursor") or 0)
        with_meta = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            m
            for m in reversed(self.messages)
            if m["channel_id"] == channel and float(m["ts"]) > oldest
        ]
        page = found[start : start + limit]
        out = []
        for m in page:
            item = {"type": "message", "ts": m["ts"], "text": m.get("text", "")}
            if with_meta and m.get("metadata"):
                item["metadata"] = m["metadata"]
            out.append(item)
        more = start + limit < len(found)
        return Response.json(
            {
                "ok": True,
                "messages": out,
                "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""},
            }
        )
