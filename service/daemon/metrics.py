"""Prometheus metrics of the daemon, and the HTTP endpoint that serves them with health checks.

Each ``Metrics`` has its own registry (two daemons in one test process do not share counters).
The endpoint (``LEADSCORE_DAEMON__METRICS_PORT``, 0 = off; ``LEADSCORE_DAEMON__METRICS_HOST``,
127.0.0.1 unless set) serves ``/metrics``, ``/healthz`` and ``/livez`` (the heartbeat,
beaten between batches and by the main loop, is recent) and ``/readyz`` (the state database
answers, this instance holds the lease and the last scoring cycle succeeded; otherwise 503); any
other path is 404.
It needs no login, so it says no more than that: ``/readyz`` names what failed, never a server's
text. Requests are served by a fixed pool of ``WORKERS`` threads; a client has ``REQUEST_TIMEOUT``
seconds to send its request, and connections beyond ``BACKLOG`` waiting ones are closed at once,
so slow or half-open clients cannot pile up threads.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

from service import redact
from service.errors import ConfigError

#: ``(healthy, reason)``
Health = Callable[[], tuple[bool, str]]
TIERS = ("Hot", "Warm", "Cool", "Cold", "Unscoreable")


class Metrics:
    """The counters, gauges and histogram the jobs update."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.leads_scored = Counter(
            "leadscore_leads_scored", "Leads scored by the daemon", ["connector"], registry=r
        )
        self.scores_written = Counter(
            "leadscore_scores_written", "Score records the CRM confirmed", ["connector"], registry=r
        )
        self.write_failures = Counter(
            "leadscore_write_failures",
            "Score records the CRM refused or did not attempt (kept for retry)",
            ["connector"],
            registry=r,
        )
        self.hot_alerts = Counter(
            "leadscore_hot_alerts_sent", "Slack alerts for leads that turned Hot", registry=r
        )
        self.leads_per_tier = Gauge(
            "leadscore_leads", "Leads per tier as last scored", ["tier"], registry=r
        )
        self.job_duration = Histogram(
            "leadscore_job_duration_seconds",
            "How long each job run took",
            ["job"],
            buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600),
            registry=r,
        )
        self.job_failures = Counter(
            "leadscore_job_failures", "Job runs that failed", ["job"], registry=r
        )
        self.last_success = Gauge(
            "leadscore_last_success_timestamp_seconds",
            "When each job last succeeded (Unix time)",
            ["job"],
            registry=r,
        )
        self.sla_breaches = Counter(
            "leadscore_sla_breaches",
            "Hot leads with no rep contact before their SLA deadline (each escalated once)",
            ["connector"],
            registry=r,
        )
        self.sla_compliance = Gauge(
            "leadscore_sla_compliance_ratio",
            "Share of finished SLA clocks met (rep contact before the deadline), per owner",
            ["connector", "owner"],
            registry=r,
        )
        self.rules_reload_failures = Counter(
            "leadscore_rules_reload_failures",
            "Edits of the rules file that failed validation",
            registry=r,
        )

        self.rules_info = Gauge(
            "leadscore_rules_info",
            "The rules in force (1): version and key (version + content hash)",
            ["version", "key"],
            registry=r,
        )
        self.rules_bad_file = Gauge(
            "leadscore_rules_file_bad",
            "1 while the rules file cannot replace the rules in force (bad or missing)",
            registry=r,
        )
        self.pending_alerts = Gauge(
            "leadscore_pending_alerts",
            "Slack messages in the outbox not confirmed yet (pending or claimed)",
            registry=r,
        )
        self.state_up = Gauge(
            "leadscore_state_store_up", "1 while the state database answers", registry=r
        )
        self.lease_held = Gauge(
            "leadscore_lease_held", "1 while this instance is the active one", registry=r
        )
        self.state_up.set(1)

    def rules_version_info(self, version: str, key: str) -> None:
        """Show the rules in force (and only them) in ``leadscore_rules_info``."""
        self.rules_info.clear()
        self.rules_info.labels(version=version, key=key).set(1)

    def set_tiers(self, counts: dict[str, int]) -> None:
        """Set the per-tier gauge (tiers absent from ``counts`` read 0)."""
        for tier in TIERS:
            self.leads_per_tier.labels(tier=tier).set(counts.get(tier, 0))

    def value(self, name: str, **labels: str) -> float | None:
        """One sample's current value (tests and ``daemon status`` read it)."""
        return self.registry.get_sample_value(name, labels or None)


#: threads serving requests
WORKERS = 4
#: connections accepted and waiting for a worker; more are closed at once
BACKLOG = 32
#: seconds a client has to send its request (and to read the answer)
REQUEST_TIMEOUT = 5.0
_TEXT = [("Content-Type", "text/plain; charset=utf-8")]


class _PooledServer(WSGIServer):
    """A WSGI server whose requests run on a fixed thread pool with a bounded queue."""

    def __init__(self, *args: Any, workers: int = WORKERS, backlog: int = BACKLOG, **kw: Any):
        # made first: a failed bind closes the server from inside ``super().__init__``
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="metrics")
        self._slots = threading.BoundedSemaphore(workers + backlog)
        super().__init__(*args, **kw)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self.shutdown_request(request)  # overloaded: drop rather than queue without end
            return
        self._pool.submit(self._serve, request, client_address)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # a client that timed out or hung up is not news

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)


class _PooledServer6(_PooledServer):
    address_family = socket.AF_INET6


class _QuietHandler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        return


def _app(metrics: Metrics, live: Health, ready: Health) -> Callable[..., Iterable[bytes]]:
    scrape = make_wsgi_app(metrics.registry)
    checks = {"/healthz": live, "/livez": live, "/readyz": ready}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in checks:
            try:
                ok, reason = checks[path]()
            except Exception as exc:  # a health check must answer, never 500
                ok, reason = False, type(exc).__name__
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, list(_TEXT))
            return [redact.scrub(f"{'ok' if ok else 'not ok'}: {reason}\n").encode()]
        if path == "/metrics":
            return scrape(environ, start_response)
        start_response("404 Not Found", list(_TEXT))
        return [b"not found: this server answers /metrics, /healthz and /readyz\n"]

    return app


class MetricsServer:
    """``/metrics``, ``/healthz`` and ``/readyz`` on a port, served from a daemon thread."""

    def __init__(
        self,
        metrics: Metrics,
        *,
        port: int,
        host: str = "127.0.0.1",
        live: Health,
        ready: Health,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:

        class _Handler(_QuietHandler):
            pass

        _Handler.timeout = timeout
        server_class = _PooledServer6 if ":" in host else _PooledServer
        try:
            self._httpd = make_server(
                host, port, _app(metrics, live, ready), server_class, handler_class=_Handler
            )
        except OSError as exc:
            raise ConfigError(
                f"daemon.metrics_port: cannot serve metrics on {host}:{port}: "
                f"{exc.strerror or exc} (another process may hold the port). Set "
                "LEADSCORE_DAEMON__METRICS_PORT to a free port, or 0 to take any free one."
            ) from None
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
