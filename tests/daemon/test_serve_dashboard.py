"""``leadscore daemon run`` serves the dashboard on its own port beside the scheduler."""

from __future__ import annotations

import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from apscheduler.schedulers.background import BackgroundScheduler

from service.daemon.scheduler import serve
from service.settings import DashboardSettings
from tests.daemon.conftest import WARM, Clock, local_connector, make_daemon
from tests.dashboard.test_server import free_port
from tests.fakes.local import LocalFake


def test_daemon_run_serves_the_dashboard_on_its_own_port(
    tmp_path: Path, rules_file: Path, local: LocalFake
) -> None:
    """``serve`` (what ``daemon run`` calls) starts the dashboard on the configured port beside
    the scheduler, with the credentials from the settings, and stops it on shutdown."""
    local.add_leads(3, attributes=WARM)
    d = make_daemon(
        tmp_path, rules_file, Clock(datetime.now(UTC)), lambda: closing(local_connector(local))
    )
    port = free_port()
    d.settings = d.settings.model_copy(
        update={"dashboard": DashboardSettings(port=port, token="tok-123")}
    )
    stop = threading.Event()
    runner = threading.Thread(target=serve, args=(d, stop, BackgroundScheduler()))
    runner.start()
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                denied = requests.get(url, timeout=5)
                break
            except requests.ConnectionError:
                stop.wait(0.05)
        assert denied.status_code == 401
        page = requests.get(url, headers={"Authorization": "Bearer tok-123"}, timeout=10)
        assert page.status_code == 200 and "Lead scoring overview" in page.text
    finally:
        stop.set()
        runner.join(30)
    assert not runner.is_alive()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)
