"""The daemon at scale: a first pass over 1,000,000 leads in the local CRM, on SQLite and on
PostgreSQL state; a quiet pass; recalibration's memory; state growth per day with nothing changing.

Run with ``python -m benchmarks daemon [LEADS] [PARTS]`` (default 1,000,000, every part). Each measurement runs in a
child process of its own, so its peak memory (``ru_maxrss``) is its own. Targets (exit 1 when one
is missed): first pass under 180 s with peak RSS under 500 MB on each state store; quiet pass under
3 s; recalibration under 1 GiB. State growth per day (rows and bytes, per 10,000 leads) is printed.
PostgreSQL is the server at 127.0.0.1:5432 (database ``test``), in a schema of its own.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.memory import peak_rss_mb

ROOT = Path(__file__).resolve().parents[1]
LEADS = 1_000_000
PASS_TARGET_S = 180.0
RSS_TARGET_MB = 500.0
QUIET_TARGET_S = 3.0
RECAL_TARGET_MB = 1024.0
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROWTH_LEADS = 20_000
GROWTH_POLLS = 96  # one simulated day at the default 15-minute poll


def build_crm(path: Path, n: int, *, deals: int = 0) -> None:
    """A local CRM file with ``n`` synthetic leads (and sample closed deals when asked)."""
    from benchmarks.scoring import generate_leads
    from connectors.local.crm import LocalCRM

    if deals:
        subprocess.run(
            [
                str(Path(sys.executable).with_name("leadscore")),
                "crm",
                "load-sample",
                "--deals",
                str(deals),
                "--leads",
                "0",
                "--path",
                str(path),
            ],
            check=True,
            capture_output=True,
        )
    LocalCRM(path).close()
    modified = (T0 - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    db = sqlite3.connect(path)
    for start in range(0, n, 100_000):
        frame = generate_leads(min(100_000, n - start), seed=start)
        frame["lead_id"] = [f"B{start + i:08d}" for i in range(len(frame))]
        records = frame.set_index("lead_id").to_dict("index")
        db.executemany(
            "INSERT INTO leads (id, account_id, owner, attributes, modified_at, score_writes) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            [
                (i, f"A{hash(i) % 50_000}", f"Owner {hash(i) % 40}", json.dumps(a), modified)
                for i, a in records.items()
            ],
        )
    db.commit()
    db.close()


# -- the child processes ---------------------------------------------------------------------------
def _daemon(crm: Path, state_url: str, clock: Any, **daemon: Any) -> Any:
    from connectors.local import LocalConnector
    from service.daemon.context import Daemon
    from service.daemon.metrics import Metrics
    from service.daemon.rules_watch import RulesWatcher
    from service.settings import DaemonSettings, RetrySettings, Settings
    from service.state.store import StateStore

    settings = Settings(
        state_url=state_url,
        rules_path=ROOT / "rules" / "example.yaml",
        daemon=DaemonSettings(metrics_port=0, models_dir=crm.parent / "m", **daemon),
    )
    settings.local.path = crm

    def connect() -> Any:
        from contextlib import closing

        return closing(LocalConnector(crm, retry=RetrySettings(attempts=2), page_size=5000))

    return Daemon(
        settings=settings,
        store=StateStore(state_url, clock=clock),
        rules=RulesWatcher(settings.rules_path),
        connect=connect,
        clock=clock,
        metrics=Metrics(),
    )


def _cpu_s() -> float:
    """CPU seconds (user + sys) of this process so far: what load on the machine does not
    inflate (SQLite runs in the process; PostgreSQL's server is not counted)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def _state_size(d: Any) -> dict[str, int]:
    from sqlalchemy import func, select

    from service.state.tables import metadata

    rows = 0
    with d.store.engine.connect() as conn:
        for table in metadata.sorted_tables:
            rows += int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        if conn.dialect.name == "postgresql":
            size = conn.exec_driver_sql(
                "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            ).scalar_one()
        else:
            size = conn.exec_driver_sql(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            ).scalar_one()
    return {"rows": rows, "bytes": int(size)}


def child(kind: str, crm: Path, state_url: str) -> dict[str, Any]:
    from service.daemon.cycle import run_cycle
    from service.logging import configure_logging

    configure_logging("WARNING", json=True)
    clock = _Clock()
    out: dict[str, Any] = {}
    if kind == "pass":
        d = _daemon(crm, state_url, clock)
        start, cpu = time.perf_counter(), _cpu_s()
        report = run_cycle(d)
        out["first_pass_s"] = time.perf_counter() - start
        out["first_pass_cpu_s"] = _cpu_s() - cpu
        out["written"] = report.written
        out["first_pass_rss_mb"] = peak_rss_mb()
        clock.now += timedelta(minutes=15)
        start, cpu = time.perf_counter(), _cpu_s()
        quiet = run_cycle(d)
        out["quiet_pass_s"] = time.perf_counter() - start
        out["quiet_pass_cpu_s"] = _cpu_s() - cpu
        out["quiet_scored"] = quiet.scored
    elif kind == "growth":
        d = _daemon(crm, state_url, clock)
        run_cycle(d)
        before = _state_size(d)
        from service.daemon.jobs import score_job

        for _ in range(GROWTH_POLLS):
            clock.now += timedelta(minutes=15)
            score_job(d)
        after = _state_size(d)
        out["rows_per_day"] = after["rows"] - before["rows"]
        out["bytes_per_day"] = after["bytes"] - before["bytes"]
    elif kind == "fill":  # the lead copy a first pass leaves, without scoring (a child of its own)
        from sqlalchemy import func, select

        from connectors.base import batched
        from service.state.tables import lead_cache

        d = _daemon(crm, state_url, clock)
        with d.store.engine.connect() as conn:
            cached = conn.execute(select(func.count()).select_from(lead_cache)).scalar_one()
        if not cached:
            with d.connect() as crm_conn:
                for batch in batched(crm_conn.iter_leads(), 5000):
                    d.leads.upsert_leads("local", batch, clock())
        out["cached"] = cached
    elif kind == "recalibrate":
        from service.daemon.recalibrate import recalibrate

        d = _daemon(crm, state_url, clock)
        base = peak_rss_mb()
        start, cpu = time.perf_counter(), _cpu_s()
        recalibrate(d)
        out["recalibrate_s"] = time.perf_counter() - start
        out["recalibrate_cpu_s"] = _cpu_s() - cpu
        out["recalibrate_rss_mb"] = peak_rss_mb()
        out["rss_before_mb"] = base
    return out


def _run_child(kind: str, crm: Path, state_url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.daemon", "--child", kind, str(crm), state_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NO_PROXY": "127.0.0.1,localhost"},
    )
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"the {kind} child failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def sigterm_mid_pass(crm: Path, state_url: str, after_s: float = 20.0) -> dict[str, Any]:
    """``daemon once`` over the whole CRM, SIGTERM after ``after_s``: how long it takes to exit,
    then a second ``once`` that must finish the work (exit 0)."""
    import signal

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEADSCORE_")},
        "LEADSCORE_LOCAL__PATH": str(crm),
        "LEADSCORE_STATE_URL": state_url,
        "LEADSCORE_RULES_PATH": str(ROOT / "rules" / "example.yaml"),
        "LEADSCORE_DAEMON__MODELS_DIR": str(crm.parent / "m"),
        "LEADSCORE_LOG_LEVEL": "WARNING",
        "NO_PROXY": "127.0.0.1,localhost",
    }
    exe = str(Path(sys.executable).with_name("leadscore"))
    proc = subprocess.Popen(
        [exe, "daemon", "once"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(after_s)
    start = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    out, _err = proc.communicate(timeout=600)
    stop_s = time.perf_counter() - start
    written = _crm_scored(crm)
    start = time.perf_counter()
    second = subprocess.run([exe, "daemon", "once"], env=env, capture_output=True, text=True)
    return {
        "written_before_stop": written,
        "written_after": _crm_scored(crm),
        "stop_s": stop_s,
        "stopped": "Stopped between batches" in out,
        "first_code": proc.returncode,
        "second_code": second.returncode,
        "second_s": time.perf_counter() - start,
        "second_out": second.stdout.strip().splitlines()[0] if second.stdout.strip() else "",
    }


def _crm_scored(crm: Path) -> int:
    """Leads of the local CRM that hold a score now."""
    db = sqlite3.connect(crm)
    try:
        return int(db.execute("SELECT COUNT(DISTINCT lead_id) FROM lead_scores").fetchone()[0])
    finally:
        db.close()


def _reset_scores(crm: Path) -> None:
    """The CRM as before any pass: no score fields written (each store starts from the same)."""
    db = sqlite3.connect(crm)
    db.execute("DELETE FROM lead_scores")
    db.execute("UPDATE leads SET score_writes = 0")
    db.commit()
    db.close()


class _PgSchema:
    def __enter__(self) -> str:
        import sqlalchemy as sa

        self.schema = f"leadscore_bench_{uuid.uuid4().hex[:10]}"
        self.engine = sa.create_engine(PG_URL)
        with self.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        return f"{PG_URL}?options=-csearch_path%3D{self.schema}"

    def __exit__(self, *_exc: object) -> None:
        import sqlalchemy as sa

        with self.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.engine.dispose()


def _ratio(value: float, target: float) -> str:
    return f"{value / target:.2f}x of the target"


def main(argv: list[str] | None = None) -> int:
    """``[LEADS] [PARTS]``: PARTS is a comma list of sqlite, postgresql, recalibrate, sigterm
    (on SQLite state), sigterm-pg, growth (default all)."""
    argv = list(argv or [])
    n = int(argv[0]) if argv else LEADS
    parts = set(argv[1].split(",")) if len(argv) > 1 else set(_PARTS)
    ok = True
    target_s = PASS_TARGET_S * n / LEADS
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-daemon-") as tmp:
        folder = Path(tmp)
        crm = folder / "crm.db"
        start = time.perf_counter()
        build_crm(crm, n, deals=600)
        print(
            f"local CRM with {n:,} leads built in {time.perf_counter() - start:.1f} s", flush=True
        )
        for name in ("sqlite", "postgresql"):
            if name not in parts:
                continue
            _reset_scores(crm)
            if name == "sqlite":
                figures = _run_child("pass", crm, f"sqlite:///{folder / 'state.db'}")
            else:
                with _PgSchema() as url:
                    figures = _run_child("pass", crm, url)
            ok &= figures["first_pass_s"] < target_s
            ok &= figures["first_pass_rss_mb"] < RSS_TARGET_MB
            ok &= figures["quiet_pass_s"] < QUIET_TARGET_S
            print(
                f"{name:10s} first pass {n:,} leads: {figures['first_pass_s']:.1f} s wall "
                f"({_ratio(figures['first_pass_s'], target_s)} of {target_s:.0f} s; "
                f"{n / figures['first_pass_s']:,.0f} leads/s), "
                f"{figures['first_pass_cpu_s']:.1f} CPU s in the daemon "
                f"({_ratio(figures['first_pass_cpu_s'], target_s)}), "
                f"{figures['written']:,} written; peak RSS {figures['first_pass_rss_mb']:.0f} MB "
                f"({_ratio(figures['first_pass_rss_mb'], RSS_TARGET_MB)} of "
                f"{RSS_TARGET_MB:.0f}); quiet pass {figures['quiet_pass_s']:.2f} s "
                f"({figures['quiet_pass_cpu_s']:.2f} CPU s; "
                f"{_ratio(figures['quiet_pass_s'], QUIET_TARGET_S)} of {QUIET_TARGET_S:.0f} s), "
                f"{figures['quiet_scored']} re-scored",
                flush=True,
            )
        if "recalibrate" in parts:
            # recalibration reads the lead copy a pass leaves (filled here when no pass ran)
            _run_child("fill", crm, f"sqlite:///{folder / 'state.db'}")
            recal = _run_child("recalibrate", crm, f"sqlite:///{folder / 'state.db'}")
            ok &= recal["recalibrate_rss_mb"] < RECAL_TARGET_MB
            print(
                f"recalibration with {n:,} leads: {recal['recalibrate_s']:.1f} s "
                f"({recal['recalibrate_cpu_s']:.1f} CPU s), peak RSS "
                f"{recal['recalibrate_rss_mb']:.0f} MB ({_ratio(recal['recalibrate_rss_mb'], RECAL_TARGET_MB)} "
                f"of {RECAL_TARGET_MB:.0f}; {recal['rss_before_mb']:.0f} MB before it started)",
                flush=True,
            )
        for name in ("sqlite", "postgresql"):
            if ("sigterm" if name == "sqlite" else "sigterm-pg") not in parts:
                continue
            _reset_scores(crm)
            if name == "sqlite":
                stop = sigterm_mid_pass(crm, f"sqlite:///{folder / 'sigterm.db'}")
            else:
                with _PgSchema() as url:
                    stop = sigterm_mid_pass(crm, url)
            ok &= stop["stop_s"] < 10 and stop["second_code"] == 0 and stop["written_after"] == n
            print(
                f"{name:10s} SIGTERM 20 s into a first pass over {n:,} leads: exited in "
                f"{stop['stop_s']:.1f} s (target 10; "
                f"{'stopped between batches' if stop['stopped'] else 'had already finished'}, "
                f"exit {stop['first_code']}, {stop['written_before_stop']:,} leads written); "
                f"the next pass finished the work in {stop['second_s']:.0f} s (exit "
                f"{stop['second_code']}; {stop['written_after']:,} of {n:,} leads hold a score)",
                flush=True,
            )
        if "growth" in parts:
            small = folder / "small.db"
            build_crm(small, GROWTH_LEADS)
            growth = _run_child("growth", small, f"sqlite:///{folder / 'growth.db'}")
            per = 10_000 / GROWTH_LEADS
            print(
                f"state growth with nothing changing, {GROWTH_POLLS} polls (one day) over "
                f"{GROWTH_LEADS:,} leads: {growth['rows_per_day'] * per:,.0f} rows and "
                f"{growth['bytes_per_day'] * per / 1024:,.0f} KiB a day per 10,000 leads",
                flush=True,
            )
    return 0 if ok else 1


_PARTS = ("sqlite", "postgresql", "recalibrate", "sigterm", "sigterm-pg", "growth")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], Path(sys.argv[3]), sys.argv[4])))
    else:
        sys.exit(main(sys.argv[1:]))
