"""The state store the ``dashboard`` benchmark reads: a year of ``leadscore daemon run`` on
100,000 leads, written straight into SQLite, and copied into a PostgreSQL schema.

``build`` fills a SQLite store: each lead pulled (its attributes as JSON), scored at its tier's
cadence for 365 days (Hot daily, Warm every 3 days, Cool weekly, Cold and Unscoreable monthly:
about 5.9 million score-history rows), its tier changes, its Hot turns and alerts, and 5,000
closed deals. ``to_postgres`` copies every table into a schema of its own (``COPY``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
from sqlalchemy import make_url

from service.state.store import StateStore
from service.state.tables import metadata

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


LEADS = 100_000
DEALS = 5_000
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TIERS = np.array(["Hot", "Warm", "Cool", "Cold", "Unscoreable"])
SHARE = [0.05, 0.15, 0.30, 0.45, 0.05]
EVERY = {"Hot": 1, "Warm": 3, "Cool": 7, "Cold": 30, "Unscoreable": 30}
LOW = {"Hot": 60, "Warm": 30, "Cool": 15, "Cold": -20, "Unscoreable": 0}
SOURCES = ["Inbound", "Referral", "Outbound", "Paid search", "Event", "Partner"]
OWNERS = [f"Rep {i:02d}" for i in range(40)]
RULES = """\
version: "bench-1"
dimensions:
  firmographic: {max_points: 40}
  behavioral: {max_points: 40}
  engagement: {max_points: 10}
  intent: {max_points: 10}
signals:
  - {name: software, dimension: firmographic, points: 20,
     when: [{kind: field_in, field: industry, values: [Software]}]}
  - {name: demo, dimension: behavioral, points: 40, when: [{kind: flag, field: demo_requested}]}
thresholds: {hot: 60, warm: 30, cool: 15}
"""


def _ts(at: datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path, leads: int, seed: int = 0, *, history_rows: bool = True) -> dict[str, int]:
    """Fill a state store at ``path`` (tables created by ``StateStore``, rows by sqlite3)."""
    StateStore(f"sqlite:///{path}").close()
    rng = np.random.default_rng(seed)
    ids = [f"00Q{i:012d}" for i in range(leads)]
    tier_now = rng.choice(len(TIERS), size=leads, p=SHARE)
    tier_now[0] = 0  # the lead page benchmarked is a Hot lead with a score a day
    year = timedelta(days=365)
    conn = sqlite3.connect(path)
    counts = {"history": 0, "changes": 0}
    with conn:
        cache, state, alerts = [], [], []
        changes: list[tuple[str, str, str | None, str, str]] = []
        history: list[tuple[str, str, float, str, str]] = []
        for i, rid in enumerate(ids):
            tier = str(TIERS[tier_now[i]])
            attrs = {
                "company": f"Company {i}",
                "industry": ["Software", "Retail", "Finance"][i % 3],
                "employee_count": int(rng.integers(5, 5000)),
                "lead_source": SOURCES[i % len(SOURCES)],
                "demo_requested": bool(i % 7 == 0),
                "email_opens": int(rng.integers(0, 20)),
            }
            owner = OWNERS[i % len(OWNERS)]
            cache.append(("local", rid, "Lead", owner, None, json.dumps(attrs), _ts(NOW), _ts(NOW)))
            total = float(LOW[tier] + rng.integers(0, 15))
            # an earlier tier for a third of the leads: one change, somewhere in the year
            first = NOW - year
            before = str(TIERS[(tier_now[i] + 1) % 4]) if i % 3 == 0 else tier
            changes.append(("local", rid, None, before, _ts(first)))
            turns = 1 if before == "Hot" else 0
            if before != tier:
                moved = NOW - timedelta(days=int(rng.integers(1, 364)))
                changes.append(("local", rid, before, tier, _ts(moved)))
            if tier == "Hot":
                turns += 1
            if turns:
                alerts.append(
                    (f"hot:local:{rid}:{turns}", "local", "hot", rid, turns, "bench-1", "sent",
                     _ts(NOW), _ts(NOW), _ts(NOW), "C0", "1700000000.000100")
                )  # fmt: skip
            state.append(("local", rid, tier, total, "bench-1", _ts(NOW), turns))
            step = EVERY[tier] if history_rows else 366
            for day in range(0, 365, step):
                at = first + timedelta(days=day)
                history.append((rid, "bench-1", total, tier, _ts(at)))
            if len(history) > 200_000:
                conn.executemany(
                    "INSERT INTO leadscore_score_history (record_id, model_version, total, tier, at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    history,
                )
                counts["history"] += len(history)
                history = []
        conn.executemany(
            "INSERT INTO leadscore_score_history (record_id, model_version, total, tier, at)"
            " VALUES (?, ?, ?, ?, ?)",
            history,
        )
        counts["history"] += len(history)
        conn.executemany("INSERT INTO leadscore_lead_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?)", cache)
        conn.executemany("INSERT INTO leadscore_lead_state VALUES (?, ?, ?, ?, ?, ?, ?)", state)
        conn.executemany(
            "INSERT INTO leadscore_tier_changes (connector, record_id, from_tier, to_tier, at)"
            " VALUES (?, ?, ?, ?, ?)",
            changes,
        )
        counts["changes"] = len(changes)
        conn.executemany(
            "INSERT INTO leadscore_outbox (key, connector, kind, record_id, hot_turn,"
            " rules_version, status, created_at, claimed_at, sent_at, channel, message_ts)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            alerts,
        )
        deals = []
        for k in range(DEALS):
            tier = str(TIERS[rng.choice(5, p=SHARE)])
            won = bool(rng.random() < {"Hot": 0.6, "Warm": 0.35, "Cool": 0.15}.get(tier, 0.05))
            closed = NOW - timedelta(days=int(rng.integers(0, 365)))
            deals.append(
                (
                    "local", f"006{k:012d}", won, _ts(closed), float(rng.integers(20, 200)),
                    OWNERS[k % len(OWNERS)], float(LOW[tier] + rng.integers(0, 15)), tier,
                    "bench-1", _ts(closed), False,
                )
            )  # fmt: skip
        conn.executemany(
            "INSERT INTO leadscore_deal_outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", deals
        )
    conn.execute("ANALYZE")
    conn.close()
    return counts


def copy_to_postgres(path: Path, url: str, schema: str) -> None:
    """Every table of the SQLite store at ``path`` into ``schema`` (created with the tables),
    ids included (sequences moved past them), then ``ANALYZE``."""
    StateStore(url, schema=schema).close()
    src = sqlite3.connect(path)
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute("SET TIME ZONE 'UTC'")
        for table in metadata.sorted_tables:
            names = [c.name for c in table.columns]
            cols = ", ".join(f'"{n}"' for n in names)
            target = f'"{schema}"."{table.name}"'
            with pg.cursor() as cur, cur.copy(f"COPY {target} ({cols}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {cols} FROM {table.name}"):
                    copy.write_row(row)
            if "id" in names:
                pg.execute(
                    f"SELECT setval(pg_get_serial_sequence('{target}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {target}), 0) + 1, false)"
                )
            pg.execute(f"ANALYZE {target}")
    src.close()


@contextmanager
def pg_schema(name: str, url: str = PG_URL) -> Iterator[str]:
    """A PostgreSQL schema for the benchmark, dropped afterwards."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        pg.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as pg:
            pg.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
