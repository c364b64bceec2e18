"""A fake Slack Web API (``chat.postMessage``) on 127.0.0.1 for slack-sdk."""

from __future__ import annotations

from typing import Any

from tests.fakes.base import FakeServer, Request, Response

TOKEN = "xoxb-fake-slack-secret"


class FakeSlack(FakeServer):
    """Accepts ``chat.postMessage`` for known channels; API errors come as HTTP 200 ok=false."""

    def __init__(self, token: str = TOKEN, channels: tuple[str, ...] = ("#hot-leads",)) -> None:
        super().__init__()
        self.token = token
        self.channels = set(channels)
        self.messages: list[dict[str, Any]] = []

    @property
    def base_url(self) -> str:
        return f"{self.url}/api/"

    def reset(self) -> None:
        with self.lock:
            self.reset_controls()
            self.messages.clear()

    def error_response(self, status: int, headers: dict[str, str]) -> Response:
        error = "ratelimited" if status == 429 else "internal_error"
        return Response.json({"ok": False, "error": error}, status, headers)

    def route(self, request: Request) -> Response:
        if request.path != "/api/chat.postMessage" or request.method != "POST":
            return Response.json({"ok": False, "error": "unknown_method"}, 404)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response.json({"ok": False, "error": "invalid_auth"})
        body = request.json() or {}
        if body.get("channel") not in self.channels:
            return Response.json({"ok": False, "error": "channel_not_found"})
        ts = f"1700000000.{len(self.messages) + 1:06d}"
        self.messages.append(body)
        return Response.json({"ok": True, "channel": body["channel"], "ts": ts, "message": body})
