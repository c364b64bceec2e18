"""Bulk writes and id filters (``service.state.bulk``) on SQLite and on the real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from service.state import StateStore
from service.state.bulk import among, select_among, update_rows, upsert
from service.state.store import is_outage
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


class TestUpdateAndSelect:
    def test_upsert_update_columns_keeps_the_other_columns(self, store: StateStore) -> None:  # noqa: F811
        """With ``update_columns`` a new key is inserted whole and an existing row gets only
        those columns (the rest keep their stored values)."""
        key = ("connector", "record_id")
        with store.engine.begin() as conn:
            upsert(conn, lead_state, [_state_row("a", 1.0, T0)], key)
            later = T0 + timedelta(days=3)
            upsert(
                conn,
                lead_state,
                [_state_row("a", 9.0, later), _state_row("b", 2.0, later)],
                key,
                update_columns=("total",),
            )
        with store.engine.connect() as conn:
            rows = {
                r.record_id: (r.total, r.scored_at)
                for r in conn.execute(
                    sa.select(lead_state.c.record_id, lead_state.c.total, lead_state.c.scored_at)
                )
            }
        assert rows == {"a": (9.0, T0), "b": (2.0, T0 + timedelta(days=3))}

    def test_update_rows_sets_matching_rows_and_inserts_nothing(self, store: StateStore) -> None:  # noqa: F811
        """``update_rows`` changes the given columns of the rows with the same key (the last row
        of a key wins), leaves the other columns and rows alone, and adds no row for an
        unknown key."""
        key = ("connector", "record_id")
        with store.engine.begin() as conn:
            upsert(conn, lead_state, [_state_row(r, 1.0, T0) for r in ("a", "b", "c")], key)
            sent = update_rows(
                conn,
                lead_state,
                [
                    {"connector": "local", "record_id": "a", "tier": "Hot", "total": 5.0},
                    {"connector": "local", "record_id": "zz", "tier": "Hot", "total": 7.0},
                    {"connector": "local", "record_id": "b", "tier": "Cold", "total": 3.0},
                    {"connector": "local", "record_id": "b", "tier": "Cool", "total": 4.0},
                ],
                key,
            )
        with store.engine.connect() as conn:
            rows = {
                r.record_id: (r.tier, r.total, r.scored_at)
                for r in conn.execute(
                    sa.select(
                        lead_state.c.record_id,
                        lead_state.c.tier,
                        lead_state.c.total,
                        lead_state.c.scored_at,
                    )
                )
            }
        assert sent in (3, 4)  # PostgreSQL sends the last row of each key only
        assert rows == {
            "a": ("Hot", 5.0, T0),
            "b": ("Cool", 4.0, T0),
            "c": ("Warm", 1.0, T0),
        }

    def test_select_among_converts_as_core_does(self, store: StateStore) -> None:  # noqa: F811
        """``select_among`` returns the rows of the ids given (not others, not another
        connector's) with each value as a Core select returns it: aware UTC timestamps."""
        key = ("connector", "record_id")
        other = {**_state_row("a", 8.0, T0), "connector": "hubspot"}
        with store.engine.begin() as conn:
            upsert(conn, lead_state, [_state_row(f"r{i}", float(i), T0) for i in range(5)], key)
            upsert(conn, lead_state, [other], key)
            columns = ("record_id", "tier", "total", "scored_at", "hot_turns")
            got = select_among(
                conn, lead_state, columns, {"connector": "local"}, "record_id", ["r1", "r3", "a"]
            )
            core = conn.execute(
                sa.select(*[lead_state.c[n] for n in columns]).where(
                    lead_state.c.connector == "local",
                    lead_state.c.record_id.in_(["r1", "r3", "a"]),
                )
            ).all()
            empty = select_among(conn, lead_state, columns, {"connector": "local"}, "record_id", [])
        assert sorted(got) == sorted(tuple(r) for r in core)
        assert sorted(r[0] for r in got) == ["r1", "r3"]
        assert all(r[3] == T0 and r[3].tzinfo is not None for r in got)
        assert empty == []


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_a_connection_dropped_during_copy_is_an_outage(store: StateStore) -> None:  # noqa: F811
    """The server ending the connection under a bulk write (PostgreSQL's raw ``COPY`` path)
    raises SQLAlchemy's ``OperationalError`` with the connection invalidated, which the daemon
    reports as a database outage, not as the driver's own error (a bug)."""
    with store.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        with store.engine.connect() as other:
            other.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})")
            other.commit()
        with pytest.raises(sa.exc.DBAPIError) as raised:
            upsert(conn, lead_state, [_state_row("a", 1.0, T0)], ("connector", "record_id"))
        assert isinstance(raised.value, sa.exc.OperationalError)
        assert raised.value.connection_invalidated
        assert is_outage(raised.value)
    with store.engine.begin() as conn:  # the pool hands out a working connection again
        upsert(conn, lead_state, [_state_row("a", 1.0, T0)], ("connector", "record_id"))


def test_ids_of_any_text_are_matched_exactly(store: StateStore) -> None:  # noqa: F811
    """The id list travels as one JSON text: ids with quotes, commas, braces, backslashes,
    spaces and non-ASCII letters match themselves and nothing else."""
    odd = ['a"b', "c,d", "{e}", "f\\g", " h ", "ünï", "NULL", "i'j"]
    rows = [_state_row(i, 1.0, T0) for i in [*odd, "plain"]]
    c = lead_state.c
    with store.engine.begin() as conn:
        upsert(conn, lead_state, rows, ("connector", "record_id"))
        dialect = conn.dialect.name
        found = conn.execute(sa.select(c.record_id).where(among(dialect, c.record_id, odd)))
        got = select_among(
            conn, lead_state, ("record_id",), {"connector": "local"}, "record_id", odd
        )
    assert sorted(found.scalars()) == sorted(odd)
    assert sorted(r[0] for r in got) == sorted(odd)


@pytest.mark.parametrize("store", ["postgresql"], indirect=True)
def test_many_ids_are_probed_through_the_key_without_statistics(store: StateStore) -> None:  # noqa: F811
    """On a table that grew without ANALYZE (a first pass), ``among`` on the key's second column
    is still an index scan, not a scan of the whole connector (which made a 1M backfill
    quadratic)."""
    rows = [_state_row(f"L{i:06d}", float(i), T0) for i in range(20_000)]
    with store.engine.begin() as conn:
        upsert(conn, lead_state, rows[:50], ("connector", "record_id"))
        conn.exec_driver_sql(f'ANALYZE "{store.schema}".leadscore_lead_state')  # a tiny table's
        upsert(conn, lead_state, rows[50:], ("connector", "record_id"))
    c = lead_state.c
    wanted = [f"L{i:06d}" for i in range(5_000, 7_000)]
    query = sa.select(c.record_id).where(
        c.connector == "local", among("postgresql", c.record_id, wanted)
    )
    with store.engine.connect() as conn:
        conn.exec_driver_sql(f'SET search_path TO "{store.schema}"')
        sql = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {sql}").scalars())
        assert len(conn.execute(query).all()) == 2_000
    assert "Index" in plan and "Seq Scan" not in plan, plan


@pytest.mark.parametrize("store", ["sqlite", "postgresql"], indirect=True)
def test_bulk_transactions_commit_without_waiting_for_the_disk_on_postgresql(
    store: StateStore,  # noqa: F811
) -> None:
    """A pass's bulk records commit asynchronously on PostgreSQL (the next ordinary commit
    flushes them) and only inside ``bulk``: other transactions keep the server's setting."""
    with store.bulk() as conn:
        upsert(conn, lead_state, [_state_row("a", 1.0, T0)], ("connector", "record_id"))
        if conn.dialect.name == "postgresql":
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "off"
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            assert conn.exec_driver_sql("SHOW synchronous_commit").scalar_one() == "on"
        assert conn.execute(sa.select(lead_state.c.total)).scalar_one() == 1.0
