"""``leadscore dashboard``: the read-only web dashboard on a state store, without the daemon.

It reads what the daemon keeps (``LEADSCORE_STATE_URL``) and the live rules
(``LEADSCORE_RULES_PATH``), with the same settings as ``leadscore daemon``. Exit codes: 0 stopped
with Ctrl-C or SIGTERM; 2 a bad setting or a state database that cannot be opened.
"""

from __future__ import annotations

import typer

from service.commands.common import console
from service.settings import get_settings


def dashboard(
    host: str | None = typer.Option(
        None, "--host", help="Address to listen on (default LEADSCORE_DASHBOARD__HOST, 127.0.0.1)."
    ),
    port: int | None = typer.Option(
        None,
        "--port",
        min=1,
        max=65535,
        help="Port to listen on (default LEADSCORE_DASHBOARD__PORT, 8080).",
    ),
) -> None:
    """Serve the dashboards of Section 5.3 (overview, model performance, rep productivity, model)."""
    from service.dashboard.app import Credentials
    from service.dashboard.server import app_from_settings, serve_forever
    from service.redact import safe_url
    from service.state.store import StateStore

    settings = get_settings()
    Credentials(settings.dashboard)  # a half-set user/password is refused before listening
    bind = host or settings.dashboard.host
    listen = port or settings.dashboard.port or 8080
    store = StateStore(settings.state_url)
    try:
        app = app_from_settings(settings, store)
        auth = "on" if Credentials(settings.dashboard).required else "off"
        console.print(
            f"Dashboard of {safe_url(settings.state_url)} on http://{bind}:{listen}/ "
            f"(authentication {auth}; Ctrl-C stops it)",
            highlight=False,
            soft_wrap=True,
        )
        serve_forever(app, host=bind, port=listen)
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    app.command("dashboard")(dashboard)
