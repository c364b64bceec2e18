"""The state store on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
from structlog.testing import capture_logs

from connectors.base import RecordError, ScoreUpdate
from service.errors import ConfigError
from service.state import StateStore
from service.state.store import canonical_values
from tests.ci import PG_URL, pg_schema

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[StateStore]:
    clock = Clock()
    if request.param == "sqlite":
        s = StateStore(f"sqlite:///{tmp_path / 'state.db'}", clock=clock)
        s.clock = clock  # type: ignore[attr-defined]
        yield s
        s.close()
        return
    with pg_schema() as schema:
        s = StateStore(PG_URL, schema=schema, clock=clock)
        s.clock = clock  # type: ignore[attr-defined]
        try:
            yield s
        finally:
            s.close()


def upd(rid: str, total: float, tier: str = "Hot", **extra: object) -> ScoreUpdate:
    return ScoreUpdate(rid, "Lead", {"Total": total, "Tier": tier, **extra})


def test_first_push_treats_every_update_as_changed(store: StateStore) -> None:
    """Records never pushed before are all returned as changed."""
    updates = [upd("a", 80), upd("b", 40, "Cool")]
    assert store.changed_updates("local", updates) == updates


def test_only_records_whose_values_changed_are_returned(store: StateStore) -> None:
    """After a push, only records with different values come back; volatile fields do not count."""
    store.record_pushed("local", [upd("a", 80), upd("b", 40), upd("c", 10)], ["a", "b", "c"])
    offered = [
        upd("a", 80.0, Last_Calculated=T0),  # same value as a float, new timestamp: unchanged
        upd("b", 41),  # changed total
        upd("c", 10, "Cold"),  # changed tier
        upd("d", 5),  # new record
    ]
    changed = store.changed_updates("local", offered)
    assert [u.record_id for u in changed] == ["b", "c", "d"]


def test_unwritten_records_stay_changed(store: StateStore) -> None:
    """Only the ids the CRM confirmed are remembered; the others are offered again next time."""
    updates = [upd("a", 80), upd("b", 40)]
    store.record_pushed("local", updates, ["a"])
    assert [u.record_id for u in store.changed_updates("local", updates)] == ["b"]
    assert store.last_pushed("local", "a") == {"Tier": "Hot", "Total": 80}
    assert store.last_pushed("local", "b") is None


def test_push_state_is_kept_per_connector(store: StateStore) -> None:
    """A push to one connector does not mark the record pushed in another."""
    store.record_pushed("local", [upd("a", 80)], ["a"])
    assert len(store.changed_updates("hubspot", [upd("a", 80)])) == 1


def test_failures_are_kept_counted_and_cleared_by_a_later_push(store: StateStore) -> None:
    """A refused record is pending with its reason and attempt count until it is written."""
    first = [RecordError("x", "INVALID_EMAIL"), RecordError("y", "LOCKED")]
    store.record_failures("hubspot", first)
    store.clock.now = T0 + timedelta(minutes=5)  # type: ignore[attr-defined]
    store.record_failures("hubspot", [RecordError("x", "STILL_INVALID", retryable=True)])
    pending = store.pending_failures("hubspot")
    assert [(e.record_id, e.reason, e.retryable) for e in pending] == [
        ("y", "LOCKED", False),
        ("x", "STILL_INVALID", True),
    ]
    assert store.failure_attempts("hubspot", "x") == 2
    store.record_pushed("hubspot", [upd("x", 50)], ["x"])
    assert [e.record_id for e in store.pending_failures("hubspot")] == ["y"]
    assert store.failure_attempts("hubspot", "x") == 0
    assert store.pending_failures("local") == []


def test_cursors_round_trip_in_utc(store: StateStore) -> None:
    """A cursor comes back as the same instant, timezone-aware in UTC, and can move."""
    assert store.get_cursor("local", "leads") is None
    plus2 = timezone(timedelta(hours=2))
    store.set_cursor("local", "leads", datetime(2025, 1, 2, 14, 30, tzinfo=plus2))
    got = store.get_cursor("local", "leads")
    assert got == datetime(2025, 1, 2, 12, 30, tzinfo=UTC)
    assert got is not None and got.utcoffset() == timedelta(0)
    store.set_cursor("local", "leads", datetime(2025, 2, 1))  # naive: taken as UTC
    assert store.get_cursor("local", "leads") == datetime(2025, 2, 1, tzinfo=UTC)
    assert store.get_cursor("local", "deals") is None


def test_score_history_is_returned_in_time_order(store: StateStore) -> None:
    """Scores recorded in several runs come back for one record, oldest first."""
    store.record_scores(
        "v2",
        pd.DataFrame(
            {
                "id": ["a", "b"],
                "total": [70.5, 20.0],
                "tier": ["Warm", None],
                "at": ["2025-03-02T00:00:00Z", "2025-03-02T00:00:00Z"],
            }
        ),
    )
    store.record_scores(
        "v1", pd.DataFrame({"id": ["a"], "total": [60], "tier": ["Warm"], "at": [T0]})
    )
    hist = store.score_history("a")
    assert list(hist["model_version"]) == ["v1", "v2"]
    assert list(hist["total"]) == [60.0, 70.5]
    assert hist["at"].iloc[1] == datetime(2025, 3, 2, tzinfo=UTC)
    assert store.score_history("b")["tier"].isna().all()
    assert store.score_history("zzz").empty


def test_record_scores_names_missing_columns(store: StateStore) -> None:
    """Rows without the needed columns are refused with the missing names."""
    with pytest.raises(ValueError, match="tier, at"):
        store.record_scores("v1", pd.DataFrame({"id": ["a"], "total": [1]}))


def test_many_updates_are_compared_in_chunks(store: StateStore) -> None:
    """More records than one IN clause holds are compared and remembered correctly."""
    updates = [upd(f"r{i}", i) for i in range(1203)]
    store.record_pushed("local", updates, [u.record_id for u in updates[:1100]])
    changed = store.changed_updates("local", updates)
    assert [u.record_id for u in changed] == [f"r{i}" for i in range(1100, 1203)]


def test_canonical_values_ignore_number_type_and_key_order() -> None:
    """72 and 72.0, and keys in any order, give the same canonical text; NaN equals None."""
    assert canonical_values({"Total": 72, "Tier": "Hot"}) == canonical_values(
        {"Tier": "Hot", "Total": 72.0}
    )
    assert canonical_values({"Total": float("nan")}) == canonical_values({"Total": None})
    assert canonical_values({"Total": 72.5}) != canonical_values({"Total": 72})


def test_bad_url_is_a_config_error_without_password(tmp_path) -> None:
    """An unusable state URL is a ConfigError naming the setting, with the password masked."""
    with pytest.raises(ConfigError, match="LEADSCORE_STATE_URL") as info:
        StateStore("nosuchdb://user:hunter2@host/db")
    assert "hunter2" not in str(info.value)
    with pytest.raises(ConfigError, match="cannot open") as info:
        StateStore(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")


def test_logs_say_how_many_changed(store: StateStore) -> None:
    """changed_updates logs a snake_case event with the counts."""
    with capture_logs() as logs:
        store.changed_updates("local", [upd("a", 1)])
    assert {"event": "state_changed_updates", "offered": 1, "changed": 1}.items() <= logs[0].items()


def test_an_older_store_gets_the_indexes_it_lacks(store: StateStore) -> None:
    """A store created by a version without some index gets it when next opened (tables that
    exist are not created again, their new indexes are), and opening twice changes nothing."""
    from service.state.tables import metadata

    dialect = store.engine.dialect.name
    expected = {
        i.name
        for t in metadata.sorted_tables
        for i in t.indexes
        if i.info.get("dialect", dialect) == dialect
    }
    assert "ix_leadscore_lead_cache_source" in expected or dialect != "sqlite"

    def present() -> set[str]:
        with store.engine.connect() as conn:
            if dialect == "sqlite":
                found = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'")
            else:
                found = conn.execute(
                    sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = :s"),
                    {"s": store.schema},
                )
            return set(found.scalars())

    assert expected <= present()
    with store.engine.begin() as conn:
        prefix = f'"{store.schema}".' if store.schema else ""
        for name in ("ix_leadscore_lead_state_score", "ix_leadscore_outbox_record"):
            conn.exec_driver_sql(f"DROP INDEX {prefix}{name}")
    assert not expected <= present()
    StateStore(store.url, schema=store.schema).close()
    StateStore(store.url, schema=store.schema).close()
    assert expected <= present()
