"""The dashboard's queries at scale: the indexes they read, and the leads they must survive."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from service.daemon.cycle import run_cycle
from service.dashboard import queries as q
from service.state.store import StateStore
from service.state.tables import lead_cache
from tests.daemon.conftest import HOT, WARM, Clock, local_connector, make_daemon
from tests.dashboard.conftest import NOW, PAGES, add_leads, client_for
from tests.fakes.local import LocalFake


def _plans(store: StateStore, call: str) -> list[str]:
    """The SQLite query plans (``EXPLAIN QUERY PLAN`` lines) of the statements ``call`` runs."""
    seen: list[tuple[str, object]] = []
    with store.engine.connect() as conn:

        @event.listens_for(conn, "before_cursor_execute")
        def keep(_c: object, _cur: object, statement: str, params: object, *_: object) -> None:
            seen.append((statement, params))

        {
            "summary": lambda: q.lead_summary(conn, "local", "lead_source"),
            "reps": lambda: q.rep_leads(conn, "local"),
            "hot": lambda: q.hot_leads(conn, "local"),
        }[call]()
        event.remove(conn, "before_cursor_execute", keep)
        return [
            str(row[-1])
            for statement, params in seen
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)  # type: ignore[arg-type]
        ]


@pytest.fixture
def leads(store: StateStore) -> StateStore:
    add_leads(
        store,
        [
            (f"L{i}", ("Hot", "Warm", "Cool", "Cold")[i % 4], 70 - 20 * (i % 4), f"Rep {i % 3}",
             {"lead_source": ("Inbound", "Event")[i % 2]})
            for i in range(40)
        ],
        NOW,
    )  # fmt: skip
    with store.engine.begin() as conn:  # the planner's statistics, as the daemon refreshes them
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    return store


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # SQLite's plans, SQLite's index
def test_sqlite_plans_read_the_dashboard_indexes(leads: StateStore) -> None:
    """On SQLite the tier counts and histogram come from ``ix_leadscore_lead_state_score`` alone,
    the sources from ``ix_leadscore_lead_cache_source`` (no JSON parsed per lead), the joins walk
    both primary keys in step, and the Hot list finds each alert by its index: no full scan."""
    assert leads.engine.dialect.name == "sqlite"
    summary = _plans(leads, "summary")
    assert any("COVERING INDEX ix_leadscore_lead_state_score" in p for p in summary), summary
    assert any("ix_leadscore_lead_cache_source" in p for p in summary), summary
    reps = _plans(leads, "reps")
    assert any("sqlite_autoindex_leadscore_lead_state_1" in p for p in reps), reps
    assert any("sqlite_autoindex_leadscore_lead_cache_1" in p for p in reps), reps
    hot = _plans(leads, "hot")
    assert any("ix_leadscore_outbox_record" in p for p in hot), hot
    for plan in summary + reps + hot:
        assert not plan.startswith("SCAN "), plan


def test_figures_by_source_and_rep(leads: StateStore) -> None:
    """The grouped joins give the known counts and averages on both databases."""
    with leads.engine.connect() as conn:
        assert q.source_scores(conn, "local", "lead_source") == [
            ("Event", 30.0, 20),  # odd leads: Warm 50 and Cold 10
            ("Inbound", 50.0, 20),  # even: Hot 70 and Cool 30
        ]
        reps = {r.rep: r for r in q.rep_leads(conn, "local")}
    assert sorted(reps) == ["Rep 0", "Rep 1", "Rep 2"]
    assert reps["Rep 0"].leads == 14 and sum(r.leads for r in reps.values()) == 40
    assert reps["Rep 0"].tiers == {"Hot": 4, "Warm": 3, "Cool": 3, "Cold": 4}
    assert reps["Rep 0"].average == round((4 * 70 + 3 * 50 + 3 * 30 + 4 * 10) / 14, 1)


def test_an_infinite_or_nan_number_from_the_crm_is_stored_as_null_and_scored_as_missing(
    store: StateStore, rules_path: Path, tmp_path: Path
) -> None:
    """A lead whose CRM sends an infinite or NaN number is kept as standard JSON (null, which
    PostgreSQL's JSON reads), scored with that field missing, and shown by every page."""
    fake = LocalFake(tmp_path / "crm.db")
    try:
        odd = {**HOT, "employee_count": float("inf"), "email_opens": float("nan"), "x": -math.inf}
        (lead,) = fake.add_leads(1, modified_at=NOW - timedelta(hours=1), attributes=odd)
        (other,) = fake.add_leads(1, modified_at=NOW - timedelta(hours=1), attributes=WARM)
        run_cycle(make_daemon(tmp_path, rules_path, Clock(NOW), local_connector(fake), store=store))
        # Software 20 + demo 40; the infinite employee count is missing, not "200 or more"
        assert fake.score_of(lead, "Total") == 60 and fake.score_of(other, "Total") == 30
    finally:
        fake.close()
    with store.engine.connect() as conn:
        text_ = conn.execute(
            select(lead_cache.c.attributes_json).where(lead_cache.c.record_id == lead)
        ).scalar_one()
    stored = json.loads(text_, parse_constant=lambda token: pytest.fail(f"{token} stored"))
    assert stored["employee_count"] is None and stored["x"] is None
    client = client_for(store, rules_path)
    for path in (*PAGES, f"/lead/{lead}"):
        assert client.get(path).status_code == 200, path
    with store.engine.connect() as conn:
        assert q.source_scores(conn, "local", "lead_source") == [("Inbound", 45.0, 2)]


def test_a_copy_stored_with_infinity_by_an_older_version_still_shows(
    store: StateStore, rules_path: Path
) -> None:
    """Copies stored before non-finite numbers became null hold ``Infinity``, which PostgreSQL's
    JSON and SQLite's JSON functions reject: neither a write through SQLite's source index nor
    a page fails, and PostgreSQL still counts the lead under its source (SQLite, reading the
    index, under "(none)"); a name holding "Infinity" or "NaN" is no such copy."""
    add_leads(
        store,
        [
            ("A", "Hot", 70, "Ana", {"lead_source": "Inbound"}),
            ("B", "Warm", 40, "Ana", {"lead_source": "Inbound"}),
            ("C", "Cold", 10, "Bo", {"lead_source": "NaN Infinity", "company": "Infinity"}),
        ],
        NOW,
    )
    legacy = '{"lead_source": "Inbound", "x": Infinity, "y": NaN}'
    with store.engine.begin() as conn:
        conn.execute(
            update(lead_cache).where(lead_cache.c.record_id == "A").values(attributes_json=legacy)
        )
        conn.execute(
            update(lead_cache).where(lead_cache.c.record_id == "A").values(owner="Bo")
        )  # an update through SQLite's index works too
    client = client_for(store, rules_path)
    for path in (*PAGES, "/lead/A", "/lead/C"):
        assert client.get(path).status_code == 200, path
    with store.engine.connect() as conn:
        sources = q.source_scores(conn, "local", "lead_source")
    if store.engine.dialect.name == "sqlite":
        assert sources == [("(none)", 70.0, 1), ("Inbound", 40.0, 1), ("NaN Infinity", 10.0, 1)]
    else:
        assert sources == [("Inbound", 55.0, 2), ("NaN Infinity", 10.0, 1)]


def test_hot_changes_count_each_period_back_from_now(store: StateStore) -> None:
    """Changes exactly on a period boundary belong to the older period (a mark counts only the
    changes after it), on both databases."""
    add_leads(store, [("A", "Cold", 0, None, {})], NOW - timedelta(days=20))
    add_leads(store, [("A", "Hot", 70, None, {})], NOW - timedelta(days=7))  # on a boundary
    add_leads(store, [("A", "Warm", 40, None, {})], NOW - timedelta(days=3, hours=1))
    add_leads(store, [("B", "Hot", 70, None, {})], NOW - timedelta(hours=2))
    add_leads(store, [("C", "Hot", 70, None, {})], NOW - timedelta(days=5, hours=20))  # 5.83
    with store.engine.connect() as conn:
        deltas, turns = q.hot_changes(
            conn, "local", NOW - timedelta(days=30), NOW, timedelta(days=1)
        )
    assert deltas == {0: 1, 3: -1, 5: 1, 7: 1} and turns == 3
