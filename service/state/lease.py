"""One instance at a time: a lease in the state store that every pass and job runs under.

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection held for
  the lease's life. When the process dies its connection closes and the lock goes with it, so a
  standby takes over at its next try. The ``leadscore_leases`` row only says who holds it.
- SQLite: a row in ``leadscore_leases`` with an expiry. The holder renews it (between batches
  and from the daemon's main loop); a row past its expiry can be taken over by anyone.

Renewing is rate-limited (at most every ``ttl / 4``), so calling ``renew()`` between every batch
costs nothing. The clock here is the wall clock: leases are shared between processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import (
    Connection,
    Engine,
    Insert,
    create_engine,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import NullPool

from service.redact import safe_url
from service.state.store import StateStore
from service.state.tables import leases

log = structlog.get_logger(__name__)
DAEMON_LEASE = "daemon"


def default_holder() -> str:
    """``host:pid:random`` (unique per process, readable in ``daemon status``)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _wall() -> datetime:
    return datetime.now(UTC)


class Lease:
    """The lease ``name`` in ``store``, taken by ``holder``."""

    def __init__(
        self,
        store: StateStore,
        name: str = DAEMON_LEASE,
        *,
        ttl_seconds: float = 60.0,
        holder: str | None = None,
        wall: Callable[[], datetime] = _wall,
    ) -> None:
        self.store = store
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.holder = holder or default_holder()
        self._wall = wall
        self._postgres = store.engine.dialect.name == "postgresql"
        self._conn: Connection | None = None
        self._lock_engine: Engine | None = None
        self._mutex = threading.Lock()
        self._renewed: datetime | None = None
        self.held = False

    # -- the advisory lock key (PostgreSQL) ------------------------------------------------------
    @property
    def key(self) -> int:
        """A signed 64-bit key from the lease name, the database URL (without its password) and
        the schema: two deployments sharing one PostgreSQL server do not block each other."""
        where = f"{safe_url(self.store.url)}:{self.store.schema or ''}"
        digest = hashlib.sha256(f"leadscore:{where}:{self.name}".encode())
        return int.from_bytes(digest.digest()[:8], "big", signed=True)

    # -- acquire / renew / release ---------------------------------------------------------------
    def try_acquire(self) -> bool:
        """Take the lease if it is free (or already ours); never waits."""
        if self.held and self._postgres:
            return self.renew(force=True)
        with self._mutex:
            return self._try_acquire()

    def _try_acquire(self) -> bool:
        now = self._wall()
        got = self._pg_lock() if self._postgres else self._row_lock(now)
        if got:
            if not self.held:
                log.info("lease_acquired", lease=self.name, holder=self.holder)
            if self._postgres and not self.held:
                self._write_row(now)
            self.held, self._renewed = True, now
        return got

    def acquire(
        self, wait_seconds: float, *, poll_seconds: float = 1.0, sleep: Callable[[float], Any]
    ) -> bool:
        """Try until ``wait_seconds`` have passed; True once held."""
        deadline = time.monotonic() + wait_seconds
        while True:
            if self.try_acquire():
                return True
            if time.monotonic() >= deadline:
                return False
            sleep(min(poll_seconds, max(0.0, deadline - time.monotonic())))

    def renew(self, *, force: bool = False) -> bool:
        """Keep the lease; False when it was lost (expired and taken, or the lock's connection
        died). Contacts the database at most every ``ttl / 4`` unless ``force``. Thread-safe:
        the main loop and the running pass both renew (one connection must not be shared)."""
        with self._mutex:
            return self._renew(force)

    def _renew(self, force: bool) -> bool:
        if not self.held:
            return False
        now = self._wall()
        if not force and self._renewed is not None and now - self._renewed < self.ttl / 4:
            return True
        try:
            if self._postgres:
                assert self._conn is not None
                self._conn.execute(text("SELECT 1"))
                self._conn.commit()
                with self.store.engine.begin() as conn:
                    conn.execute(
                        update(leases)
                        .where(leases.c.name == self.name, leases.c.holder == self.holder)
                        .values(expires_at=now + self.ttl)
                    )
                ok = True
            else:
                with self.store.engine.begin() as conn:
                    ok = bool(
                        conn.execute(
                            update(leases)
                            .where(leases.c.name == self.name, leases.c.holder == self.holder)
                            .values(expires_at=now + self.ttl)
                        ).rowcount
                    )
        except DBAPIError as exc:
            log.warning("lease_renew_failed", lease=self.name, error=type(exc).__name__)
            ok = False
        if ok:
            self._renewed = now
        else:
            self._lost()
        return ok

    def release(self) -> None:
        """Give the lease up (a stopping process lets the standby in at once)."""
        with self._mutex:
            self._release()

    def _release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            with self.store.engine.begin() as conn:
                conn.execute(
                    delete(leases).where(leases.c.name == self.name, leases.c.holder == self.holder)
                )
            if self._conn is not None:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
        except DBAPIError:
            pass  # the database is gone: the lock went with the connection, the row expires
        finally:
            self._close()
        log.info("lease_released", lease=self.name, holder=self.holder)

    def current_holder(self) -> dict[str, Any] | None:
        """Who holds the lease (from its row): holder, acquired_at, expires_at; None if free."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(leases).where(leases.c.name == self.name)).one_or_none()
        if row is None:
            return None
        if not self._postgres and row.expires_at < self._wall():
            return None
        return {"holder": row.holder, "acquired_at": row.acquired_at, "expires_at": row.expires_at}

    # -- the two mechanisms ----------------------------------------------------------------------
    def _row_lock(self, now: datetime) -> bool:
        c = leases.c
        try:
            with self.store.engine.begin() as conn:
                taken = conn.execute(
                    update(leases)
                    .where(c.name == self.name, (c.expires_at < now) | (c.holder == self.holder))
                    .values(holder=self.holder, acquired_at=now, expires_at=now + self.ttl)
                ).rowcount
                if taken:
                    return True
                exists = conn.execute(select(c.name).where(c.name == self.name)).first()
                if exists:
                    return False
                conn.execute(self._new_row(now))
                return True
        except IntegrityError:
            return False  # another process inserted it first
        except OperationalError as exc:
            if "locked" in str(exc.orig):  # the holder is writing: it is alive
                return False
            raise

    def _pg_lock(self) -> bool:
        if self._conn is None:
            # a connection of its own, outside the pool: closing it must end the session (and
            # the lock with it), not hand a locked session back to the pool
            if self._lock_engine is None:
                self._lock_engine = create_engine(self.store.engine.url, poolclass=NullPool)
            self._conn = self._lock_engine.connect()
        try:
            got = bool(
                self._conn.execute(
                    text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}
                ).scalar_one()
            )
            self._conn.commit()
        except DBAPIError:
            self._close()
            raise
        if not got:
            self._close()
        return got

    def _write_row(self, now: datetime) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(delete(leases).where(leases.c.name == self.name))
            conn.execute(self._new_row(now))

    def _new_row(self, now: datetime) -> Insert:
        """The lease row saying this process holds it from ``now`` for the TTL."""
        return insert(leases).values(
            name=self.name, holder=self.holder, acquired_at=now, expires_at=now + self.ttl
        )

    def _lost(self) -> None:
        if self.held:
            log.warning("lease_lost", lease=self.name, holder=self.holder)
        self.held = False
        self._close()

    def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(DBAPIError):
                self._conn.close()
            self._conn = None
