"""The dashboard as a Starlette application: four pages, a lead page, and the static files.

Read-only: every route answers GET (and HEAD) only, so anything else is 405; the queries only
select. With a token or a user and password in the settings, every request needs them (HTTP basic
auth, or ``Authorization: Bearer <token>``); the credentials are compared in constant time and never
logged. Pages send a Content-Security-Policy allowing only this server's own scripts: the charting
library is served from the package (no CDN), so the page works without internet.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.dashboard import pages, queries, reps
from service.dashboard.pages import Site
from service.errors import ConfigError
from service.settings import DashboardSettings

log = structlog.get_logger(__name__)
HERE = Path(__file__).parent
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
NAV = (
    ("overview", "/", "Lead scoring overview"),
    ("performance", "/performance", "Model performance"),
    ("reps", "/reps", "Rep productivity"),
    ("model", "/model", "Model"),
)


class Credentials:
    """What a request must present, from the settings (``None`` when auth is off)."""

    def __init__(self, settings: DashboardSettings) -> None:
        # a blank value (an env file line left empty) means not set, as for the Slack token
        user = settings.username or None
        password = (
            settings.password
            if settings.password and settings.password.get_secret_value()
            else None
        )
        token = settings.token if settings.token and settings.token.get_secret_value() else None
        if (user is None) != (password is None):
            raise ConfigError(
                "LEADSCORE_DASHBOARD__USERNAME and LEADSCORE_DASHBOARD__PASSWORD go together: "
                "set both, or neither (a token alone is LEADSCORE_DASHBOARD__TOKEN)."
            )
        self.token = token.get_secret_value().encode() if token else None
        self.user = user.encode() if user else None
        self.password = password.get_secret_value().encode() if password else None

    @property
    def required(self) -> bool:
        return self.token is not None or self.user is not None

    def accept(self, header: str | None) -> bool:
        """True when the ``Authorization`` header carries the token or the user and password."""
        if not header:
            return False
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and self.token is not None:
            return hmac.compare_digest(value.strip().encode(), self.token)
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value.strip(), validate=True).partition(b":")
        except (binascii.Error, ValueError):
            return False
        ok = False
        if self.token is not None:
            ok |= hmac.compare_digest(password, self.token)
        if self.user is not None and self.password is not None:
            ok |= hmac.compare_digest(user, self.user) & hmac.compare_digest(
                password, self.password
            )
        return ok


class PageCache:
    """The figures of a page, kept while the store has not changed (``queries.store_version``)
    and for at most ``ttl`` seconds (figures that depend on the time, such as a period ending
    now, lag by at most that): the daemon writes every poll, people reload far more often."""

    def __init__(self, ttl: float = 600.0) -> None:
        self.ttl = ttl
        self.builds = 0
        self._lock = threading.Lock()
        self._pages: dict[tuple[Any, ...], tuple[tuple[Any, ...], float, dict[str, Any]]] = {}

    def get(
        self, key: tuple[Any, ...], version: tuple[Any, ...], build: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            hit = self._pages.get(key)
        if hit is not None and hit[0] == version and hit[1] > now:
            return dict(hit[2])
        value = build()
        with self._lock:
            self.builds += 1
            self._pages[key] = (version, now + self.ttl, value)
        return dict(value)


class Guard:
    """ASGI middleware: authentication when configured, and the security headers."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app, self.credentials = app, credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.credentials.required:
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not self.credentials.accept(header):
                deny = PlainTextResponse(
                    "authentication required\n",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="leadscore", charset="UTF-8"'},
                )
                await deny(scope, receive, send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


#: the pages whose figures come from the store, and the views the warmer keeps computed
BUILDERS: dict[str, Callable[..., dict[str, Any]]] = {
    "overview": pages.overview,
    "performance": pages.performance,
    "reps": reps.reps,
}
WARM_VIEWS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("overview", {"days": 30}),
    ("performance", {}),
    ("reps", {}),
)


class Figures:
    """A page's figures from the store through the cache; ``warm`` recomputes the default views
    when the store changed (or they expired), so the first visitor after a daemon pass does not
    wait for the queries."""

    def __init__(self, engine: Engine, site: Site, cache: PageCache) -> None:
        self.engine, self.site, self.cache = engine, site, cache

    def get(self, conn: Connection, name: str, extra: dict[str, Any]) -> dict[str, Any]:
        version = queries.store_version(conn, self.site.connector)
        key = (name, *sorted(extra.items()))
        return self.cache.get(key, version, lambda: BUILDERS[name](conn, self.site, **extra))

    def warm(self) -> None:
        with self.engine.connect() as conn:
            for name, extra in WARM_VIEWS:
                self.get(conn, name, extra)

    def keep_warm(self, stop: threading.Event, every: float) -> None:
        while True:
            try:
                self.warm()
            except SQLAlchemyError as exc:  # the store is down: the pages will say so
                log.warning("dashboard_warm_failed", error_type=type(exc).__name__)
            if stop.wait(every):
                return


def create_app(
    engine: Engine,
    site: Site,
    settings: DashboardSettings,
    *,
    cache_seconds: float = 600.0,
    warm_seconds: float | None = 30.0,
) -> Starlette:
    """The dashboard on ``engine`` (the state store's), for ``site.connector``. Page figures are
    reused while the store is unchanged, for at most ``cache_seconds`` (0: never); while the
    server runs, a thread checks every ``warm_seconds`` (None: never) whether the default views
    need computing again, and does it before anyone asks."""
    cache = PageCache(cache_seconds)
    figures = Figures(engine, site, cache)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["nav"] = NAV

    def page(name: str) -> Callable[[Request], Response]:
        def endpoint(request: Request) -> Response:
            extra: dict[str, Any] = {}
            if name == "overview":
                try:
                    days = int(request.query_params.get("days", "30"))
                except ValueError:
                    days = -1
                if days not in pages.PERIODS:
                    allowed = ", ".join(map(str, pages.PERIODS))
                    return PlainTextResponse(f"days must be one of {allowed}\n", status_code=400)
                extra["days"] = days
            if name == "model":
                context = pages.model(site)
            else:
                with engine.connect() as conn:
                    context = figures.get(conn, name, extra)
            context |= {"page": name, "site": site, "now": site.clock(), "periods": pages.PERIODS}
            return templates.TemplateResponse(request, f"{name}.html", context)

        return endpoint

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        stop = threading.Event()
        thread = None
        if warm_seconds is not None and cache_seconds > 0:
            thread = threading.Thread(
                target=figures.keep_warm, args=(stop, warm_seconds), daemon=True
            )
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=30)

    def lead(request: Request) -> Response:
        record_id = request.path_params["record_id"]
        with engine.connect() as conn:
            found = queries.lead(conn, site.connector, record_id)
            history = queries.lead_history(conn, record_id) if found else []
        if found is None:
            return PlainTextResponse(f"no lead {record_id!r} in the state store\n", 404)
        context = {
            "page": "lead",
            "site": site,
            "now": site.clock(),
            "lead": found,
            "history": history,
            "crm": site.crm_link(record_id, found["object_type"]),
        }
        return templates.TemplateResponse(request, "lead.html", context)

    routes = [
        Route("/", page("overview")),
        Route("/performance", page("performance")),
        Route("/reps", page("reps")),
        Route("/model", page("model")),
        Route("/lead/{record_id:path}", lead),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, Credentials(settings))],
        lifespan=lifespan,
    )
    app.state.figures = figures
    return app
