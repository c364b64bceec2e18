"""Serving the dashboard: from the settings, in the foreground (``leadscore dashboard``) or on a
thread beside the daemon's scheduler (``leadscore daemon run``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import structlog
import uvicorn
from starlette.applications import Starlette

from service.dashboard.app import create_app
from service.dashboard.pages import Site
from service.errors import ConfigError
from service.settings import Settings
from service.state.store import StateStore

log = structlog.get_logger(__name__)


def record_url(settings: Settings) -> str | None:
    """The CRM address of a record: the setting, else Salesforce's Lightning record page."""
    if settings.dashboard.record_url:
        return settings.dashboard.record_url
    if settings.connector == "salesforce" and settings.salesforce.instance_url:
        base = settings.salesforce.instance_url.rstrip("/")
        return base + "/lightning/r/{object_type}/{id}/view"
    return None


def app_from_settings(
    settings: Settings,
    store: StateStore,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Starlette:
    site = Site(
        connector=settings.connector,
        clock=clock,
        rules_path=settings.rules_path,
        models_dir=settings.daemon.models_dir,
        record_url=record_url(settings),
    )
    return create_app(store.engine, site, settings.dashboard)


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    # uvicorn's access log would print every path; the app logs nothing of a request
    return uvicorn.Config(app, host=host, port=port, access_log=False, log_level="warning")


class DashboardServer:
    """The dashboard on a background thread (``close()`` stops it)."""

    def __init__(self, app: Starlette, *, host: str, port: int) -> None:
        self._server = uvicorn.Server(_config(app, host, port))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive():
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        if not self._server.started:
            raise ConfigError(
                f"dashboard.port: the dashboard could not listen on {host}:{port} (another "
                "process may hold the port). Set LEADSCORE_DASHBOARD__PORT to a free port, or 0 "
                "to take any free one."
            )
        self.host = host
        self.port = self._server.servers[0].sockets[0].getsockname()[1]

    def _serve(self) -> None:
        try:
            self._server.run()
        except SystemExit:  # uvicorn exits when it cannot bind: reported by the constructor
            return

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def serve_forever(app: Starlette, *, host: str, port: int) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM."""
    uvicorn.Server(_config(app, host, port)).run()
