"""What every fake CRM offers the tests, and a small threaded HTTP server to build fakes on.

A fake is a real HTTP server on 127.0.0.1 (port 0) in a daemon thread, so the real client
library does the real HTTP work. It is stateful, counts every request it receives, and can be
told to fail (``fail_next``) or hang (``hang_next``) the next calls. Subclasses of ``FakeServer``
implement ``route(request) -> Response``; ``FakeControl`` is the protocol the contract suite uses.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qs, urlsplit


@runtime_checkable
class FakeControl(Protocol):
    """The controls the connector contract suite drives a fake CRM through."""

    def reset(self) -> None: ...

    def add_leads(
        self, n: int, *, modified_at: datetime | None = None, attributes: dict | None = None
    ) -> list[str]: ...

    def add_deals(
        self, n_won: int, n_lost: int, *, modified_at: datetime | None = None
    ) -> list[str]: ...

    def add_activities(
        self, lead_id: str, n: int, *, occurred_at: datetime | None = None
    ) -> list[str]: ...

    def fail_next(
        self,
        n: int,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        path_contains: str | None = None,
    ) -> None: ...

    def fail_after_apply(
        self, n: int, status: int = -1, *, path_contains: str, body_contains: str | None = None
    ) -> None: ...

    def hang_next(self, n: int, seconds: float) -> None: ...

    def reject_records(self, ids: Iterable[str], reason: str) -> None: ...

    def remove_field(self, logical: str) -> None: ...

    def score_of(self, record_id: str, logical: str) -> Any: ...

    def writes_of(self, record_id: str) -> int: ...

    def count(self, method: str | None = None, path_contains: str | None = None) -> int: ...


@runtime_checkable
class FakeOwners(Protocol):
    """The controls of a fake CRM whose connector reads users and writes owners
    (``writes_owners``): the contract suite's owner tests drive it through these."""

    def add_user(
        self,
        name: str,
        email: str | None = None,
        *,
        manager_id: str | None = None,
        active: bool = True,
    ) -> str: ...

    def owner_of(self, record_id: str) -> str | None: ...

    def set_owner(self, record_id: str, owner_id: str | None) -> None:
        """A person gives the record to ``owner_id`` in the CRM (``None``: leaves it without
        an owner); not counted by ``owner_writes_of``."""
        ...

    def owner_writes_of(self, record_id: str) -> int:
        """How many writes set this record's owner."""
        ...

    def add_activities(
        self,
        lead_id: str,
        n: int,
        *,
        occurred_at: datetime | None = None,
        rep_id: str | None = None,
    ) -> list[str]: ...


@runtime_checkable
class FakeRereads(Protocol):
    """The controls of a fake CRM whose connector re-reads leads by id (``get_leads``)."""

    def change_lead(self, record_id: str, attributes: dict, *, at: datetime) -> None:
        """Edit a lead as a person would, attributes named as ``add_leads`` names them."""
        ...

    def unknown_lead_id(self) -> str:
        """A well-formed lead id the CRM has no record of."""
        ...


@dataclass
class Request:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: seconds to wait after the work is done, before answering (a slow server that accepted)
    delay: float = 0.0
    #: close the connection without answering (a server that accepted, then dropped)
    drop: bool = False

    @classmethod
    def json(
        cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None
    ) -> Response:
        return cls(
            status,
            json.dumps(payload, default=str).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )


#: ``Response.status`` meaning "close the connection without answering" (a reset)
RESET = -1


@dataclass
class _Failure:
    remaining: int
    status: int
    headers: dict[str, str]
    path_contains: str | None
    #: apply the request first, then fail (the client never learns it was applied)
    after_apply: bool = False
    #: only requests whose body contains this (an owner write among score writes)
    body_contains: bytes | None = None


class FakeServer:
    """A threaded HTTP server on 127.0.0.1:0 that records requests and injects failures."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self._failures: list[_Failure] = []
        self._hangs: list[float] = []
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        #: called with each write request after the fake applied it (benchmarks kill a client)
        self.on_write: Any = None

    # --- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k: v for k, v in self.headers.items()},
                    body=body,
                )
                response = fake._dispatch(request)
                if response.delay:  # a slow server that already did the work
                    fake._stopping.wait(response.delay)
                if response.drop or response.status == RESET:  # applied, then the connection drops
                    self.close_connection = True
                    return
                try:
                    self.send_response(response.status)
                    for key, value in response.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(response.body)))
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a client went away
                    super().handle_error(request, client_address)

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the fake first"
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- controls --------------------------------------------------------------------------
    def reset_controls(self) -> None:
        """Forget requests, queued failures and hangs."""
        with self.lock:
            self.requests.clear()
            self._failures.clear()
            self._hangs.clear()

    def fail_next(
        self,
        n: int,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        path_contains: str | None = None,
    ) -> None:
        """Answer the next ``n`` matching requests with ``status`` (and these headers)."""
        with self.lock:
            self._failures.append(_Failure(n, status, dict(headers or {}), path_contains))

    def fail_after_apply(
        self,
        n: int,
        status: int = RESET,
        *,
        path_contains: str,
        body_contains: str | None = None,
    ) -> None:
        """Apply the next ``n`` matching requests (with ``body_contains`` in their body, when
        given), then answer ``status`` (``RESET``, -1: drop the connection without an answer),
        so the client cannot know the write happened."""
        body = body_contains.encode() if body_contains is not None else None
        with self.lock:
            self._failures.append(
                _Failure(n, status, {}, path_contains, after_apply=True, body_contains=body)
            )

    def hang_next(self, n: int, seconds: float) -> None:
        """Delay the next ``n`` requests by ``seconds`` before answering (client timeouts)."""
        with self.lock:
            self._hangs.extend([seconds] * n)

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """How many requests arrived, optionally only one method or paths containing a string."""
        with self.lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path_contains is None or path_contains in r.path)
            )

    # --- dispatch --------------------------------------------------------------------------
    def _dispatch(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
            hang = self._hangs.pop(0) if self._hangs else None
            failure = next(
                (
                    f
                    for f in self._failures
                    if (f.path_contains is None or f.path_contains in request.path)
                    and (f.body_contains is None or f.body_contains in request.body)
                    and (not f.after_apply or request.method != "GET")
                ),
                None,
            )
            if failure is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
        if hang is not None:
            self._stopping.wait(hang)
        if failure is not None and not failure.after_apply:
            return self.error_response(failure.status, failure.headers)
        try:
            with self.lock:
                response = self.route(request)
        except Exception as exc:  # a bug in the fake: make it loud in the client
            return Response.json([{"message": f"fake error: {exc!r}", "errorCode": "FAKE"}], 500)
        if request.method != "GET" and self.on_write is not None:
            self.on_write(request)
        if failure is not None:
            if failure.status == RESET:
                return Response(RESET)
            return self.error_response(failure.status, failure.headers)
        return response

    def error_response(self, status: int, headers: dict[str, str]) -> Response:
        """The body an injected failure is answered with; fakes override it per API."""
        return Response.json({"message": f"injected {status}"}, status, headers)

    def route(self, request: Request) -> Response:
        raise NotImplementedError
