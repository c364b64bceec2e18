"""Bulk writes and id filters (``service.state.bulk``) on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from service.state import StateStore
from service.state.bulk import among, upsert
from service.state.tables import lead_state, score_history, tier_changes
from tests.state.test_store import store  # noqa: F401  (the fixture: both stores)

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _state_row(rid: str, total: float, at: datetime) -> dict[str, object]:
    return {
        "connector": "local",
        "record_id": rid,
        "tier": "Warm",
        "total": total,
        "model_version": "v1",
        "scored_at": at,
        "hot_turns": 0,
    }


class TestUpsert:
    def test_a_timestamp_is_stored_exactly_as_core_stores_it(self, store: StateStore) -> None:  # noqa: F811
        """A row written in bulk holds the same stored text as one written through Core, so
        comparisons with Core's parameters hold at equal instants."""
        at = T0 + timedelta(microseconds=0)
        with store.engine.begin() as conn:
            upsert(conn, lead_state, [_state_row("bulk", 1.0, at)], ("connector", "record_id"))
            conn.execute(sa.insert(lead_state).values(**_state_row("core", 1.0, at)))
            stored = dict(
                conn.execute(
                    sa.select(lead_state.c.record_id, sa.cast(lead_state.c.scored_at, sa.Text))
                ).all()
            )
            equal = conn.execute(
                sa.select(lead_state.c.record_id).where(lead_state.c.scored_at == at)
            ).scalars()
            assert sorted(equal) == ["bulk", "core"]
        assert stored["bulk"] == stored["core"]

    def test_the_last_row_of_a_key_wins_and_plain_inserts_append(self, store: StateStore) -> None:  # noqa: F811
        """An upsert replaces the row with the same key (the last of the batch wins, on
        PostgreSQL's COPY path too); ``update=False`` appends rows with their generated ids."""
        key = ("connector", "record_id")
        with store.engine.begin() as conn:
            upsert(conn, lead_state, [_state_row("a", 1.0, T0), _state_row("b", 2.0, T0)], key)
        with store.engine.begin() as conn:
            upsert(conn, lead_state, [_state_row("a", 3.0, T0), _state_row("a", 4.0, T0)], key)
            history = [
                {"record_id": r, "model_version": "v1", "total": 1.0, "tier": "Warm", "at": T0}
                for r in ("a", "a", "b")
            ]
            upsert(conn, score_history, history, (), update=False)
            changes = [
                {
                    "connector": "local",
                    "record_id": "a",
                    "from_tier": None,
                    "to_tier": "Warm",
                    "at": T0,
                }
            ]
            upsert(conn, tier_changes, changes, (), update=False)
        with store.engine.connect() as conn:
            totals = dict(conn.execute(sa.select(lead_state.c.record_id, lead_state.c.total)).all())
            ids = sorted(conn.execute(sa.select(score_history.c.id)).scalars())
            n_changes = conn.execute(sa.select(sa.func.count()).select_from(tier_changes)).scalar()
        assert totals == {"a": 4.0, "b": 2.0}
        assert len(ids) == 3 and len(set(ids)) == 3
        assert n_changes == 1


class TestAmong:
    def test_filters_on_many_ids_with_one_parameter(self, store: StateStore) -> None:  # noqa: F811
        """``among`` selects exactly the ids given, 40,000 of them (past SQLite's limit of
        bound parameters), and nothing for an empty list."""
        rows = [_state_row(f"L{i:06d}", float(i), T0) for i in range(50_000)]
        with store.engine.begin() as conn:
            upsert(conn, lead_state, rows, ("connector", "record_id"))
        wanted = [f"L{i:06d}" for i in range(0, 80_000, 2)]  # half of them do not exist
        dialect = store.engine.dialect.name
        c = lead_state.c
        with store.engine.connect() as conn:
            found = conn.execute(sa.select(c.record_id).where(among(dialect, c.record_id, wanted)))
            none = conn.execute(sa.select(c.record_id).where(among(dialect, c.record_id, [])))
            assert sorted(found.scalars()) == [f"L{i:06d}" for i in range(0, 50_000, 2)]
            assert list(none.scalars()) == []
