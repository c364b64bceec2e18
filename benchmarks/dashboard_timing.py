"""Times every dashboard page on one state store, for ``benchmarks/dashboard.py``.

Run as a script (``python -P benchmarks/dashboard_timing.py URL SCHEMA RULES MODELS REPEATS``) in a
child process whose ``PYTHONPATH`` picks the code under test, so the same harness times the
dashboard of an earlier commit (extracted with ``git archive``) and of this tree on the same
store. It imports only what every version of the dashboard has (``create_app``, ``Site``,
``DashboardSettings``, ``StateStore``) and prints one JSON list: per page, the wall and CPU
seconds of each request, cold (the page cache off: every request computes its figures, as the
first view after a daemon pass does) and warm (the cache on, the store unchanged).

CPU seconds are this process's (routing, queries, templates; SQLite runs in it) plus, on
PostgreSQL, those of the server process serving the one pooled connection (read from
``/proc/<pid>/stat``; parallel workers are turned off for the session so that process does all
of the server's work). Load on the machine inflates wall time, not CPU time.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from starlette.testclient import TestClient

from service.dashboard.app import create_app
from service.dashboard.pages import Site
from service.settings import DashboardSettings
from service.state.store import StateStore

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
#: every route: the overview with its default period and each other one, then the other pages
PAGES = (
    "/",
    "/?days=7",
    "/?days=90",
    "/?days=365",
    "/performance",
    "/reps",
    "/model",
    "/lead/00Q000000000000",
)
_TICKS = os.sysconf("SC_CLK_TCK")


def _server_cpu(pid: int | None) -> float:
    """User plus system seconds of the server process ``pid`` (0 when not on this machine)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _store(url: str, schema: str | None) -> tuple[StateStore, int | None]:
    if not url.startswith("postgresql"):
        return StateStore(url), None
    engine = create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        connect_args={"options": "-c max_parallel_workers_per_gather=0"},
    )
    store = StateStore(url, schema=schema, engine=engine)
    with store.engine.connect() as conn:
        pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    return store, pid


def _timed(client: TestClient, path: str, pid: int | None) -> tuple[float, float]:
    t0, c0, s0 = time.perf_counter(), time.process_time(), _server_cpu(pid)
    response = client.get(path)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0 + _server_cpu(pid) - s0
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
    return wall, cpu


def run(url: str, schema: str | None, rules: Path, models: Path, repeats: int) -> list[Any]:
    began = time.perf_counter()
    store, pid = _store(url, schema)
    opened = time.perf_counter() - began  # creating what is missing (new indexes) included
    store.refresh_statistics()
    site = Site("local", lambda: NOW, rules, models, "https://crm.example/{id}")
    cold = TestClient(create_app(store.engine, site, DashboardSettings(), cache_seconds=0))
    warm = TestClient(create_app(store.engine, site, DashboardSettings()))
    out: list[Any] = [{"opened_s": opened}]
    for path in PAGES:
        runs = [_timed(cold, path, pid) for _ in range(repeats)]
        first = _timed(warm, path, pid)  # computes and keeps the figures
        cached = [_timed(warm, path, pid) for _ in range(repeats)]
        out.append(
            {
                "page": path,
                "cold_wall": [w for w, _ in runs],
                "cold_cpu": [c for _, c in runs],
                "warm_first": first[0],
                "warm_wall": [w for w, _ in cached],
                "warm_cpu": [c for _, c in cached],
            }
        )
    store.close()
    return out


if __name__ == "__main__":
    url_, schema_, rules_, models_, repeats_ = sys.argv[1:6]
    figures = run(
        url_, None if schema_ == "-" else schema_, Path(rules_), Path(models_), int(repeats_)
    )
    print(json.dumps(figures))
