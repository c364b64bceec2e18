"""The state store: what was pushed, what failed, where each sync stopped, and the score history.

One SQLAlchemy engine; SQLite (``sqlite:///leadscore-state.db``, the default) or PostgreSQL
(``postgresql+psycopg://user@host/db``). Tables are created on first use. ``schema`` puts them in a
PostgreSQL schema of their own (tests use one per run).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import structlog
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError
from sqlalchemy.schema import CreateIndex

from connectors.base import RecordError, ScoreUpdate, batched
from connectors.base import plain_value as connector_plain
from service import redact
from service.errors import ConfigError, StateStoreError
from service.state.bulk import among, select_among, upsert
from service.state.tables import (
    cursors,
    lead_cache,
    lead_facts,
    lead_state,
    metadata,
    push_failures,
    pushed_scores,
    score_history,
    seen_activities,
)

log = structlog.get_logger(__name__)

#: Score fields that change on every run and so never count as a change on their own.
VOLATILE_FIELDS: tuple[str, ...] = ("Last_Calculated",)
_CHUNK = 500
#: rows SQLite's ANALYZE samples per index (``PRAGMA analysis_limit``)
ANALYSIS_LIMIT = 1000


def plain_value(value: Any) -> Any:
    """One value in a canonical, JSON-able form (numbers compare by value, not by type)."""
    if value is None or type(value) is str:
        return value
    value = connector_plain(value)  # numpy scalars unwrapped, NaN as None
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 6)
    if isinstance(value, int):
        return value
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def canonical_value(value: Any) -> Any:
    """``plain_value`` with the types score values have (text, Python floats and ints) first."""
    kind = type(value)
    if kind is str or value is None or kind is int:
        return value
    if kind is float:
        if value != value:  # NaN
            return None
        return int(value) if value.is_integer() else round(value, 6)
    return plain_value(value)


sorted_json = json.JSONEncoder(sort_keys=True).encode


def canonical_values(values: dict[str, Any], ignore: Iterable[str] = VOLATILE_FIELDS) -> str:
    """The values as sorted JSON, without the volatile fields: equal text means unchanged."""
    skip = ignore if isinstance(ignore, (tuple, frozenset, set)) else set(ignore)
    return sorted_json({k: canonical_value(v) for k, v in values.items() if k not in skip})


#: seconds a PostgreSQL server has to accept the connection (a silent one no longer blocks)
CONNECT_TIMEOUT = 10
_LOOPBACK = {"", "localhost", "127.0.0.1", "::1"}


def connect_args(url: str) -> dict[str, Any]:
    """Driver arguments for ``url``: for PostgreSQL a connect timeout and, off this machine,
    TLS that verifies the server (``sslmode=verify-full``), unless the URL says otherwise."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return {}
    query = {k.lower() for k in parsed.query}
    args: dict[str, Any] = {}
    if "connect_timeout" not in query:
        args["connect_timeout"] = CONNECT_TIMEOUT
    host = (parsed.host or "").lower()
    if "sslmode" not in query and host not in _LOOPBACK and not host.startswith("/"):
        args["sslmode"] = "verify-full"
    return args


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (500 by default: under every database's parameter limit)."""
    return batched(items, size)


class StateStore:
    """Everything the service remembers between runs, in one SQL database."""

    def __init__(
        self,
        url: str = "sqlite:///leadscore-state.db",
        *,
        schema: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        engine: Engine | None = None,
    ) -> None:
        self.url = url
        self.schema = schema
        #: canonical values text of the updates ``changed_updates`` found changed, by record id
        self.texts: dict[str, str] = {}
        #: ... and the hash of each
        self.hashes: dict[str, str] = {}
        self._clock = clock
        try:
            base = engine or create_engine(url, future=True, connect_args=connect_args(url))
        except (ArgumentError, ImportError, ValueError) as exc:
            raise ConfigError(
                f"state_url: cannot use {redact.safe_url(url)!r} ({type(exc).__name__}); use "
                "sqlite:///path.db or postgresql+psycopg://user@host/db (LEADSCORE_STATE_URL)."
            ) from None
        if base.dialect.name == "sqlite" and engine is None:
            event.listen(base, "connect", _sqlite_pragmas)
        self.engine = (
            base.execution_options(schema_translate_map={None: schema}) if schema else base
        )
        try:
            self._create_tables()
        except DBAPIError as exc:
            if not is_outage(exc):
                raise
            if self.engine.dialect.name == "sqlite":  # a file does not go down: a wrong path
                raise ConfigError(
                    f"state_url: cannot open the state database {redact.safe_url(url)!r}: "
                    f"{outage_reason(exc)}. Check LEADSCORE_STATE_URL (the folder must exist)."
                ) from None
            raise StateStoreError(
                f"state_url: cannot open the state database {redact.safe_url(url)!r}: "
                f"{outage_reason(exc)}. Check LEADSCORE_STATE_URL and that the database is up."
            ) from None

    def now(self) -> datetime:
        """The store's clock (injected in tests)."""
        return self._clock()

    def _create_tables(self) -> None:
        """Create the missing tables and indexes; on PostgreSQL under a transaction advisory lock, so two
        instances starting together do not race on ``CREATE TABLE``."""
        for attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(7367616353741963)"))
                    metadata.create_all(conn)
                    # a store made by an older version has the tables but not every index
                    for table in metadata.sorted_tables:
                        for index in table.indexes:
                            if index.info.get("dialect", conn.dialect.name) == conn.dialect.name:
                                conn.execute(CreateIndex(index, if_not_exists=True))
                return
            except OperationalError as exc:
                # SQLite: another process created a table between the check and the CREATE;
                # the next try sees it and skips it
                if "already exists" not in str(exc.orig) or attempt == 2:
                    raise
                time.sleep(0.2)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Connection]:
        """A transaction of a pass's bulk records (copies, pushes, tiers, facts). On PostgreSQL
        its commit does not wait for the disk (``synchronous_commit`` off for it alone, ~5 ms a
        commit here): a server crash can lose only the last of these, which is as if the daemon
        had stopped before them (the next pass redoes them: the CRM gets the same values again,
        a lost Hot turn is found again); every later ordinary commit (an alert's claim before
        its post, the cursors) flushes the log up to itself, these included."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            yield conn

    def estimated_rows(self) -> int:
        """The planner's estimate of the leads kept (PostgreSQL; 0 where never measured)."""
        if self.engine.dialect.name != "postgresql":
            return 0
        with self.engine.connect() as conn:
            value = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
                (_qualified_name(conn, "leadscore_lead_cache"),),
            ).scalar()
        return max(0, int(value or 0))

    def refresh_statistics(self, *, growing: bool = False, fresh: bool = False) -> None:
        """Refresh the planner's statistics after a bulk load (``ANALYZE``), so PostgreSQL does
        not depend on autovacuum having run (a 1M pull fell from 29k to 12k leads a minute
        without them) and SQLite's planner knows the new table sizes. ``growing``: during a
        pass that is filling the store, PostgreSQL's tables a batch reads (nothing on SQLite).
        ``fresh``: those were refreshed during the pass, at half the size or more at worst (the
        planner scales their statistics to the tables' size): only the others are."""
        if growing and self.engine.dialect.name != "postgresql":
            return
        tables = (
            _READ_PER_BATCH
            if growing
            else [
                t.name for t in metadata.sorted_tables if not fresh or t.name not in _READ_PER_BATCH
            ]
        )
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                for name in tables:
                    conn.exec_driver_sql(f"ANALYZE {_qualified_name(conn, name)}")
            else:
                # sampled (about 1000 rows an index, as PostgreSQL samples): a full ANALYZE reads
                # every index of a million-lead store, tens of seconds after a backfill
                conn.exec_driver_sql(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
                conn.exec_driver_sql("ANALYZE")
        log.info("state_statistics_refreshed")

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    # -- pushed scores -------------------------------------------------------------------------
    def changed_updates(self, connector: str, updates: Sequence[ScoreUpdate]) -> list[ScoreUpdate]:
        """The updates whose values differ from the last successful push of that record."""
        ids = [u.record_id for u in updates]
        stored: dict[str, str] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(ids, 10_000):
                rows = select_among(
                    conn,
                    pushed_scores,
                    ("record_id", "values_hash"),
                    {"connector": connector},
                    "record_id",
                    chunk,
                )
                stored.update(rows)
        texts = {u.record_id: canonical_values(u.values) for u in updates}
        hashes = {rid: _hash(text) for rid, text in texts.items()}
        changed = [u for u in updates if stored.get(u.record_id) != hashes[u.record_id]]
        # record_pushed needs the same text and hash for these: keep them rather than build
        # them twice (new dicts each time: a batch recorded in the background keeps its own)
        self.texts = {u.record_id: texts[u.record_id] for u in changed}
        self.hashes = {u.record_id: hashes[u.record_id] for u in changed}
        log.info(
            "state_changed_updates", connector=connector, offered=len(updates), changed=len(changed)
        )
        return changed

    def record_pushed(
        self,
        connector: str,
        updates: Sequence[ScoreUpdate],
        written_ids: Iterable[str],
        *,
        texts: Mapping[str, str] | None = None,
        hashes: Mapping[str, str] | None = None,
    ) -> int:
        """Remember the values of the updates the CRM confirmed; clear their pending failures.
        ``texts`` and ``hashes``: their canonical values and its hash as ``changed_updates``
        made them (default: those of its last call)."""
        written = set(written_ids)
        done = [u for u in updates if u.record_id in written]
        now = self._clock()
        if texts is None:
            texts, hashes = self.texts, self.hashes
        hashes = hashes or {}
        if not done:
            return 0
        rows = []
        for u in done:
            text = texts.get(u.record_id)
            digest = None if text is None else hashes.get(u.record_id)
            if text is None:
                text = canonical_values(u.values)
            rows.append(
                {
                    "connector": connector,
                    "record_id": u.record_id,
                    "object_type": u.object_type,
                    "values_hash": digest or _hash(text),
                    "values_json": text,
                    "pushed_at": now,
                }
            )
        with self.bulk() as conn:
            upsert(conn, pushed_scores, rows, ("connector", "record_id"))
            f = push_failures.c
            if done:
                conn.execute(
                    delete(push_failures).where(
                        f.connector == connector,
                        among(conn.dialect.name, f.record_id, [u.record_id for u in done]),
                    )
                )
        return len(done)

    def last_pushed(self, connector: str, record_id: str) -> dict[str, Any] | None:
        """The values last pushed for a record (without the volatile fields), or None."""
        with self.engine.connect() as conn:
            text = conn.execute(
                select(pushed_scores.c.values_json).where(
                    pushed_scores.c.connector == connector, pushed_scores.c.record_id == record_id
                )
            ).scalar_one_or_none()
        return None if text is None else json.loads(text)

    # -- failures ------------------------------------------------------------------------------
    def record_failures(self, connector: str, failed: Sequence[RecordError]) -> None:
        """Keep the records the CRM refused (with the reason) until a later push writes them."""
        if not failed:
            return
        now = self._clock()
        with self.bulk() as conn:
            for err in failed:
                attempts = conn.execute(
                    select(push_failures.c.attempts).where(
                        push_failures.c.connector == connector,
                        push_failures.c.record_id == err.record_id,
                    )
                ).scalar_one_or_none()
                values = {
                    "reason": redact.scrub(err.reason),
                    "retryable": err.retryable,
                    "failed_at": now,
                }
                if attempts is None:
                    conn.execute(
                        insert(push_failures).values(
                            connector=connector, record_id=err.record_id, attempts=1, **values
                        )
                    )
                else:
                    conn.execute(
                        update(push_failures)
                        .where(
                            push_failures.c.connector == connector,
                            push_failures.c.record_id == err.record_id,
                        )
                        .values(attempts=attempts + 1, **values)
                    )
        if failed:
            log.info("state_failures_recorded", connector=connector, count=len(failed))

    def pending_failures(self, connector: str) -> list[RecordError]:
        """The records still waiting to be written after a refusal, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(push_failures)
                .where(push_failures.c.connector == connector)
                .order_by(push_failures.c.failed_at, push_failures.c.record_id)
            ).all()
        return [RecordError(r.record_id, r.reason, r.retryable) for r in rows]

    def failure_attempts(self, connector: str, record_id: str) -> int:
        """How many pushes in a row the CRM refused this record (0 when none is pending)."""
        with self.engine.connect() as conn:
            n = conn.execute(
                select(push_failures.c.attempts).where(
                    push_failures.c.connector == connector,
                    push_failures.c.record_id == record_id,
                )
            ).scalar_one_or_none()
        return int(n or 0)

    # -- cursors -------------------------------------------------------------------------------
    def get_cursor(self, connector: str, stream: str) -> datetime | None:
        """Where the last sync of ``stream`` (deals, leads, activities) stopped, in UTC."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(cursors.c.value).where(
                    cursors.c.connector == connector, cursors.c.stream == stream
                )
            ).scalar_one_or_none()

    def set_cursor(self, connector: str, stream: str, value: datetime) -> None:
        """Move the cursor of ``stream``; a naive datetime is taken as UTC."""
        where = (cursors.c.connector == connector, cursors.c.stream == stream)
        with self.engine.begin() as conn:
            if conn.execute(select(func.count()).where(*where)).scalar_one():
                conn.execute(update(cursors).where(*where).values(value=value))
            else:
                row = {"connector": connector, "stream": stream, "value": value}
                conn.execute(insert(cursors).values(**row))

    # -- activities already acted on ----------------------------------------------------------
    def activities_seen(self, connector: str) -> set[str]:
        """Ids of the activities already acted on (inside the overlap window, or in the future)."""
        c = seen_activities.c
        with self.engine.connect() as conn:
            return set(
                conn.execute(select(c.activity_id).where(c.connector == connector)).scalars()
            )

    def remember_activities(
        self, connector: str, seen: Sequence[tuple[str, datetime]], forget_before: datetime
    ) -> None:
        """Keep ``(id, occurred_at)`` of the activities acted on; forget those older than
        ``forget_before`` (out of the overlap window for good)."""
        c = seen_activities.c
        rows = [{"connector": connector, "activity_id": i, "occurred_at": at} for i, at in seen]
        with self.engine.begin() as conn:
            upsert(conn, seen_activities, rows, ("connector", "activity_id"))
            conn.execute(
                delete(seen_activities).where(
                    c.connector == connector, c.occurred_at < forget_before
                )
            )

    # -- score history -------------------------------------------------------------------------
    def record_scores(self, model_version: str, rows: pd.DataFrame) -> int:
        """Append scores (columns ``id``, ``total``, ``tier``, ``at``) to the history."""
        missing = [c for c in ("id", "total", "tier", "at") if c not in rows.columns]
        if missing:
            raise ValueError(f"record_scores: rows lack the column(s) {', '.join(missing)}")
        at = pd.to_datetime(rows["at"], utc=True)
        records = [
            {
                "record_id": str(rid),
                "model_version": model_version,
                "total": plain_value(total),
                "tier": None if pd.isna(tier) else str(tier),
                "at": ts.to_pydatetime(),
            }
            for rid, total, tier, ts in zip(
                rows["id"], rows["total"], rows["tier"], at, strict=True
            )
        ]
        with self.engine.begin() as conn:
            for chunk in chunks(records):
                conn.execute(insert(score_history), list(chunk))
        return len(records)

    def score_history(self, record_id: str) -> pd.DataFrame:
        """A record's scores over time: columns ``model_version``, ``total``, ``tier``, ``at``."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    score_history.c.model_version,
                    score_history.c.total,
                    score_history.c.tier,
                    score_history.c.at,
                )
                .where(score_history.c.record_id == record_id)
                .order_by(score_history.c.at, score_history.c.id)
            ).all()
        return pd.DataFrame(
            [tuple(r) for r in rows], columns=["model_version", "total", "tier", "at"]
        )


#: the tables each batch of a pass reads by lead id (their statistics matter during a backfill)
_READ_PER_BATCH = tuple(
    t.name for t in (lead_cache, lead_state, lead_facts, pushed_scores, score_history)
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL (readers do not block the writer; ``daemon status`` beside a running pass) and
    ``synchronous=NORMAL`` (durable at each checkpoint; a commit is not an fsync), and a busy
    timeout so a second process waits for a lock instead of failing at once."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _qualified_name(conn: Any, name: str) -> str:
    prep = conn.dialect.identifier_preparer
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    return f"{prep.quote_schema(schema)}.{prep.quote(name)}" if schema else prep.quote(name)


def is_outage(exc: BaseException) -> bool:
    """True for the database being unreachable (down, restarting, connection dropped), as
    opposed to a bug (a constraint, a bad statement)."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def outage_reason(exc: BaseException) -> str:
    """The first line of the driver's message (no statement, no parameters)."""
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__
