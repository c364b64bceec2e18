"""The lease: one holder at a time, on SQLite (a row with an expiry) and PostgreSQL (an advisory
lock that dies with its connection)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from service.state.lease import Lease
from service.state.store import StateStore
from tests.ci import PG_URL, pg_schema


class Wall:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[StateStore, StateStore]]:
    """Two stores on one database, as two processes would have."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
        a, b = StateStore(url), StateStore(url)
        yield a, b
        a.close()
        b.close()
        return
    with pg_schema("leadscore_lease") as schema:
        a, b = StateStore(PG_URL, schema=schema), StateStore(PG_URL, schema=schema)
        yield a, b
        a.close()
        b.close()


class TestLease:
    def test_one_holder_at_a_time(self, stores: tuple[StateStore, StateStore]) -> None:
        """The second instance cannot take a held lease; after a release it can, and the row
        names the holder."""
        a, b = Lease(stores[0], holder="a"), Lease(stores[1], holder="b")
        assert a.try_acquire() and a.held
        assert not b.try_acquire() and not b.held
        assert a.try_acquire()  # re-entrant for its holder
        assert b.current_holder()["holder"] == "a"  # type: ignore[index]
        a.release()
        assert b.try_acquire()
        assert not a.try_acquire()
        assert a.current_holder()["holder"] == "b"  # type: ignore[index]
        b.release()

    def test_a_dead_holder_is_taken_over(self, stores: tuple[StateStore, StateStore]) -> None:
        """SQLite: once the holder stops renewing, its lease expires and the standby takes it;
        the old holder's renew then says it lost it. PostgreSQL: the lock dies with the holder's
        connection."""
        wall = Wall()
        a = Lease(stores[0], holder="a", ttl_seconds=60, wall=wall)
        b = Lease(stores[1], holder="b", ttl_seconds=60, wall=wall)
        assert a.try_acquire()
        wall.now += timedelta(seconds=30)
        assert a.renew(force=True)
        wall.now += timedelta(seconds=59)
        assert not b.try_acquire()  # renewed 59 s ago: still alive
        if stores[0].engine.dialect.name == "postgresql":
            assert a._conn is not None  # the process died: its connection (and lock) go
            pid = a._conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
            a._conn.commit()
            with stores[1].engine.begin() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        else:
            wall.now += timedelta(seconds=2)
        assert b.try_acquire()
        assert not a.renew(force=True) and not a.held
        b.release()

    def test_deployments_sharing_a_server_do_not_block_each_other(self, tmp_path: Path) -> None:
        """The advisory lock key depends on the database and schema, not only on the name."""
        one = StateStore(f"sqlite:///{tmp_path / 'one.db'}")
        two = StateStore(f"sqlite:///{tmp_path / 'two.db'}")
        assert Lease(one).key != Lease(two).key
        assert Lease(one).try_acquire() and Lease(two).try_acquire()
        one.close()
        two.close()
