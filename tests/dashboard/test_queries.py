"""The dashboard's queries at scale: the indexes they read, and the leads they must survive."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text, update

from service.dashboard import queries as q
from service.state.store import StateStore
from service.state.tables import lead_cache
from tests.dashboard.conftest import NOW, add_leads, client_for


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


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)  # the expression index is SQLite's
def test_attributes_that_are_not_json_fail_neither_the_write_nor_the_page(
    store: StateStore, rules_path: Path
) -> None:
    """``json.dumps`` writes an infinite number as ``Infinity``, which SQLite's JSON functions
    reject: the source index must not turn such a lead into a failed daemon write, and the
    overview counts it under "(none)"."""
    assert store.engine.dialect.name == "sqlite"
    add_leads(store, [("A", "Hot", 70, "Ana", {"lead_source": "Inbound", "x": float("inf")})], NOW)
    add_leads(store, [("B", "Warm", 40, "Ana", {"lead_source": "Inbound"})], NOW)
    with store.engine.begin() as conn:
        assert (
            "Infinity"
            in conn.execute(
                text("SELECT attributes_json FROM leadscore_lead_cache WHERE record_id = 'A'")
            ).scalar_one()
        )
        conn.execute(
            update(lead_cache).where(lead_cache.c.record_id == "A").values(owner="Bo")
        )  # an update through the index works too
    r = client_for(store, rules_path).get("/")
    assert r.status_code == 200
    with store.engine.connect() as conn:
        assert q.source_scores(conn, "local", "lead_source") == [
            ("(none)", 70.0, 1),
            ("Inbound", 40.0, 1),
        ]


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
