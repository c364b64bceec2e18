"""The daemon's state methods (``LeadState``) on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

from connectors.base import LeadRecord
from service.state.leads import LeadState, Scored
from service.state.outbox import Outbox, hot_key
from service.state.store import StateStore
from tests.ci import PG_URL, pg_schema
from tests.daemon.conftest import T0

DAYS = {"Hot": 1, "Warm": 3, "Cool": 7, "Cold": 30}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LeadState]:
    if request.param == "sqlite":
        store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
        yield LeadState(store)
        store.close()
        return
    with pg_schema() as schema:
        store = StateStore(PG_URL, schema=schema)
        try:
            yield LeadState(store)
        finally:
            store.close()


def lead(i: str, **attrs: object) -> LeadRecord:
    return LeadRecord(i, "Lead", T0, {"industry": "Software", **attrs})


def test_cache_keeps_the_latest_copy(state: LeadState) -> None:
    """A lead pulled twice keeps the second copy; unknown ids are simply absent."""
    state.upsert_leads("local", [lead("a", n=1), lead("b")], T0)
    state.upsert_leads("local", [lead("a", n=2)], T0)
    got = state.cached("local", ["a", "b", "zz"])
    assert set(got) == {"a", "b"} and got["a"].attributes == {"industry": "Software", "n": 2}
    assert set(state.cached("local")) == {"a", "b"}


def test_due_ids_follow_tier_cadence_and_rules_version(state: LeadState) -> None:
    """Never scored, other rules version, or cadence passed (Unscoreable on Cold's) are due."""
    state.upsert_leads("local", [lead(i) for i in "hwcxun"], T0)
    tiers = {"h": "Hot", "w": "Warm", "c": "Cool", "x": "Cold", "u": "Unscoreable"}
    state.record_scored("local", [Scored(i, t, 1) for i, t in tiers.items()], "v1", T0)
    assert state.due_ids("local", T0, DAYS, "v1") == ["n"]
    assert state.due_ids("local", T0 + timedelta(days=3), DAYS, "v1") == ["h", "n", "w"]
    assert state.due_ids("local", T0 + timedelta(days=30), DAYS, "v1") == sorted("hwcxun")
    assert state.due_ids("local", T0, DAYS, "v2") == sorted("hwcxun")


def test_hot_turns_and_alerts(state: LeadState) -> None:
    """Each turn into Hot is numbered and gets one outbox row with the score; a confirmed turn
    is not pending and cannot be confirmed twice."""
    outbox = Outbox(state.store)
    assert state.record_scored("local", [Scored("a", "Hot", 70)], "v1", T0) == [("a", 1)]
    assert state.record_scored("local", [Scored("a", "Hot", 72)], "v1", T0) == []
    assert state.pending_alerts("local") == [("a", 1)]
    assert outbox.claim(hot_key("local", "a", 1), T0, None) is True
    assert state.pending_alerts("local") == [("a", 1)]  # claimed, not confirmed yet
    assert outbox.confirm(hot_key("local", "a", 1), T0, "C1", "ts1") is True
    assert outbox.confirm(hot_key("local", "a", 1), T0, "C1", "ts2") is False
    assert state.pending_alerts("local") == []
    state.record_scored("local", [Scored("a", "Warm", 40)], "v1", T0)
    assert state.record_scored("local", [Scored("a", "Hot", 65)], "v1", T0) == [("a", 2)]
    assert state.pending_alerts("local") == [("a", 2)] and state.alerts_sent("local") == 1
    assert state.tier_counts("local") == {"Hot": 1}


def test_reference_totals_pick_the_score_two_weeks_back(state: LeadState) -> None:
    """The last score at or before the cutoff, else the first after it, same rules version only."""
    rows = [
        ("a", 10, T0), ("a", 20, T0 + timedelta(days=5)), ("a", 30, T0 + timedelta(days=20)),
        ("b", 50, T0 + timedelta(days=18)), ("b", 55, T0 + timedelta(days=19)),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["id", "total", "at"]).assign(tier="Warm")
    state.store.record_scores("v1", frame)
    state.store.record_scores("v0", frame.assign(total=99))
    cutoff = T0 + timedelta(days=7)
    assert state.reference_totals(["a", "b", "c"], "v1", cutoff) == {"a": 20, "b": 50}


def test_runs_keep_the_last_and_the_last_success(state: LeadState) -> None:
    """``last_runs`` gives each job's last run with its detail and its last successful finish."""
    state.record_run("score_cycle", T0, T0 + timedelta(seconds=5), True, {"scored": 3})
    later = T0 + timedelta(minutes=15)
    state.record_run("score_cycle", later, later, False, {"error": "down"})
    run = state.last_runs()["score_cycle"]
    assert (run["ok"], run["detail"], run["last_success"]) == (
        False,
        {"error": "down"},
        T0 + timedelta(seconds=5),
    )


def test_lead_frame_reads_only_the_columns_asked_for(state: LeadState) -> None:
    """Recalibration's read of the lead copy: only the wanted fields, placeholders as missing,
    a field no lead carries left out, every lead once, in chunks."""
    records = [
        lead(f"L{i}", industry="Software" if i % 2 else "N/A", x=i, big="y" * 100) for i in range(7)
    ]
    state.upsert_leads("local", records, T0)
    frame = state.lead_frame("local", ["industry", "x", "missing"], chunk=3)
    assert list(frame.columns) == ["industry", "x"]
    assert frame.index.tolist() == sorted(r.id for r in records)
    assert frame.loc["L1", "industry"] == "Software" and pd.isna(frame.loc["L2", "industry"])
    assert frame["x"].sum() == sum(range(7))


def test_statistics_are_refreshed_after_a_bulk_load(state: LeadState) -> None:
    """``refresh_statistics`` runs ANALYZE: PostgreSQL records it per table, SQLite fills
    ``sqlite_stat1``."""
    state.upsert_leads("local", [lead(f"L{i}") for i in range(50)], T0)
    state.store.refresh_statistics()
    with state.store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            analysed = conn.exec_driver_sql(
                "SELECT last_analyze FROM pg_stat_user_tables "
                "WHERE relname = 'leadscore_lead_cache' AND schemaname = %s",
                (state.store.schema,),
            ).scalar_one()
            assert analysed is not None
        else:
            names = conn.exec_driver_sql("SELECT tbl FROM sqlite_stat1").scalars().all()
            assert "leadscore_lead_cache" in names
