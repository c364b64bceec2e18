"""Prometheus metrics of the daemon, and the HTTP endpoint that serves them with health checks.

Each ``Metrics`` has its own registry (two daemons in one test process do not share counters).
The endpoint (``LEADSCORE_DAEMON__METRICS_PORT``, 0 = off) serves ``/metrics``, ``/livez`` (the
heartbeat, beaten between batches and by the main loop, is recent) and ``/readyz`` (the state
database answers, this instance holds the lease and the last scoring cycle succeeded; otherwise
503 with the reason).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

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


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def _app(metrics: Metrics, live: Health, ready: Health) -> Callable[..., Iterable[bytes]]:
    scrape = make_wsgi_app(metrics.registry)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in ("/livez", "/readyz"):
            try:
                ok, reason = (live if path == "/livez" else ready)()
            except Exception as exc:  # a health check must answer, never 500
                ok, reason = False, type(exc).__name__
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [f"{'ok' if ok else 'not ok'}: {reason}\n".encode()]
        return scrape(environ, start_response)

    return app


class MetricsServer:
    """``/metrics``, ``/livez`` and ``/readyz`` on a port, served from a daemon thread."""

    def __init__(
        self, metrics: Metrics, *, port: int, host: str, live: Health, ready: Health
    ) -> None:
        self._httpd = make_server(
            host, port, _app(metrics, live, ready), _Server, handler_class=_QuietHandler
        )
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
