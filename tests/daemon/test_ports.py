"""A port another process holds is a setting to change, said as such, not a crash."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette

from service.daemon.metrics import Metrics, MetricsServer
from service.dashboard.server import DashboardServer
from service.errors import ConfigError


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_a_taken_dashboard_port_names_the_setting(taken_port: int) -> None:
    """The dashboard cannot listen: a configuration error (exit 2) naming the port and the
    variable to set, not "internal error ... This is a bug"."""
    with pytest.raises(ConfigError, match=f"127.0.0.1:{taken_port}.*LEADSCORE_DASHBOARD__PORT"):
        DashboardServer(Starlette(), host="127.0.0.1", port=taken_port)


def test_a_taken_metrics_port_names_the_setting(taken_port: int) -> None:
    """The metrics server cannot listen: the same, naming LEADSCORE_DAEMON__METRICS_PORT."""
    with pytest.raises(ConfigError, match=f"127.0.0.1:{taken_port}.*METRICS_PORT"):
        MetricsServer(Metrics(), port=taken_port, live=lambda: (True, ""), ready=lambda: (True, ""))
