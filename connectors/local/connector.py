"""``LocalConnector``: the CRMConnector protocol over the embedded SQLite CRM.

Reads page by page with a keyset on ``(modified_at, id)``, so a page costs one indexed query
whatever the offset; writes in batches of ``page_size``, one transaction each, with a per-record
result (unknown id, locked record, missing field, bad picklist value). A locked database is a
transient error and goes through the shared retry policy.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import structlog
from sqlalchemy import Select, String, and_, bindparam, func, literal_column, or_, select, update
from sqlalchemy.exc import OperationalError

from connectors.base import (
    SCORE_FIELDS,
    Activity,
    BatchCallback,
    CRMConnector,
    CRMUser,
    DealRecord,
    LeadRecord,
    OwnerAssignment,
    RecordError,
    ScoreUpdate,
    WriteResult,
    batched,
    report_batch,
    score_field_name,
    unique_updates,
)
from connectors.local import tables as t
from connectors.local.crm import STYLE, LocalCRM, plain
from connectors.retry import retry_policy
from service.errors import ConnectorError, FatalConnectorError, RetryableConnectorError
from service.settings import RetrySettings, Settings

log = structlog.get_logger(__name__)
T = TypeVar("T")
_LOGICAL_BY_NAME = {score_field_name(n, STYLE): n for n in SCORE_FIELDS}


def check_value(logical: str, value: Any) -> str | None:
    """Why the CRM would refuse ``value`` for a score field, or None when it is acceptable."""
    kind = SCORE_FIELDS[logical]
    if value is None:
        return None
    if kind == "number" and not isinstance(value, (int, float)):
        try:
            float(value)
        except (TypeError, ValueError):
            return f"{score_field_name(logical, STYLE)} must be a number; got {value!r}"
    if kind.startswith("picklist:") and str(value) not in kind.split(":", 1)[1].split(","):
        allowed = kind.split(":", 1)[1].replace(",", ", ")
        return f"{score_field_name(logical, STYLE)} must be one of {allowed}; got {value!r}"
    return None


class LocalConnector(CRMConnector):
    """The embedded CRM as a connector; no credentials, one SQLite file."""

    name: ClassVar[str] = "local"
    score_objects: ClassVar[tuple[str, ...]] = ("Lead",)

    def __init__(
        self,
        path: Path | str,
        *,
        page_size: int = 5000,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        mapping: Any = None,
    ) -> None:
        if page_size < 1:
            raise ValueError(f"page_size must be at least 1; got {page_size}.")
        self.path = Path(path)
        self.page_size = page_size
        self.mapping = mapping
        self._retry = retry
        self._sleep = sleep
        self._crm: LocalCRM | None = None

    @classmethod
    def from_settings(cls, settings: Settings, mapping: Any = None) -> LocalConnector:
        return cls(settings.local.path, retry=settings.retry, mapping=mapping)

    # -- plumbing ------------------------------------------------------------------------------
    @property
    def crm(self) -> LocalCRM:
        if self._crm is None:
            if not self.path.exists():
                raise FatalConnectorError(
                    f"The local CRM {self.path} does not exist: fill it with `leadscore crm "
                    "load-sample`, or point LEADSCORE_LOCAL__PATH at an existing file."
                )
            self._crm = LocalCRM(self.path)
        return self._crm

    def close(self) -> None:
        if self._crm is not None:
            self._crm.close()
            self._crm = None

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one database round trip under the shared retry policy."""

        def attempt() -> T:
            try:
                return fn()
            except OperationalError as exc:
                text = str(exc.orig)
                if "locked" in text or "busy" in text:
                    raise RetryableConnectorError(f"The local CRM is busy: {text}") from None
                raise ConnectorError(f"The local CRM {self.path} failed: {text}") from None

        return retry_policy(self._retry, sleep=self._sleep, service="local")(attempt)

    def _pages(self, table: Any, time_col: str, since: datetime | None) -> Iterator[Any]:
        """Rows of ``table`` with ``time_col`` at or after ``since``, by keyset pages."""
        col = table.c[time_col]
        last: tuple[datetime, str] | None = None
        while True:
            query = select(table).order_by(col, table.c.id).limit(self.page_size)
            if since is not None:  # inclusive: a record stamped in the cursor's instant is read
                query = query.where(col >= since)
            if last is not None:
                query = query.where(or_(col > last[0], and_(col == last[0], table.c.id > last[1])))

            def fetch(q: Any = query) -> list[Any]:
                with self.crm.engine.connect() as conn:
                    return list(conn.execute(q))

            rows = self._call(fetch)
            yield from rows
            if len(rows) < self.page_size:
                return
            last = (rows[-1]._mapping[time_col], rows[-1].id)

    # -- the protocol --------------------------------------------------------------------------
    def check(self) -> None:
        """The file exists and answers a query."""
        self._call(lambda: self.crm.score_field_names())
        log.info("connector_checked", connector=self.name, path=str(self.path))

    def iter_leads(self, *, since: datetime | None = None) -> Iterator[LeadRecord]:
        for page in batched(self._pages(t.leads, "modified_at", since), self.page_size):
            yield from self._records(page)

    def _records(self, rows: Sequence[Any]) -> list[LeadRecord]:
        """Map lead rows to records: the owner is the user's name when the owner id names a
        user (else the owner text the lead was loaded with)."""
        scores = self._scores_of([r.id for r in rows])
        names = self._user_names({r.owner_id for r in rows if r.owner_id})
        columns = [c.name for c in t.leads.c]
        at = {name: columns.index(name) for name in _LEAD_COLUMNS}
        # positional, column by column from plain tuples: a million leads on a first pass
        return [
            LeadRecord(
                rid,
                "Lead",
                modified,
                dict(attributes or {}),
                names.get(owner_id, owner) if owner_id else owner,
                account,
                owner_id,
                scores.get(rid, {}),
            )
            for rid, account, owner, attributes, modified, owner_id in zip(
                *[[row[at[name]] for row in rows] for name in _LEAD_COLUMNS], strict=True
            )
        ]

    def _user_names(self, ids: set[str]) -> dict[str, str]:
        if not ids:
            return {}

        def fetch() -> dict[str, str]:
            with self.crm.engine.connect() as conn:
                query = select(t.users.c.id, t.users.c.name).where(t.users.c.id.in_(sorted(ids)))
                return {i: n for i, n in conn.execute(query)}

        return self._call(fetch)

    def get_leads(self, ids: Sequence[str]) -> list[LeadRecord]:
        """The leads with these ids as they are now (unknown ids left out)."""
        out: list[LeadRecord] = []
        for chunk in batched(list(dict.fromkeys(ids)), self.page_size):

            def fetch(chunk: list[str] = chunk) -> list[Any]:
                with self.crm.engine.connect() as conn:
                    return list(conn.execute(select(t.leads).where(t.leads.c.id.in_(chunk))))

            out.extend(self._records(self._call(fetch)))
        return out

    def iter_users(self) -> Iterator[CRMUser]:
        def fetch() -> list[Any]:
            with self.crm.engine.connect() as conn:
                return list(conn.execute(select(t.users).order_by(t.users.c.id)))

        for row in self._call(fetch):
            yield CRMUser(row.id, row.name, row.email, row.manager_id, bool(row.active))

    writes_owners: ClassVar[bool] = True

    def assign_owners(
        self, assignments: Sequence[OwnerAssignment], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """Set ``owner_id`` (and the owner name) per lead that has none, in batches of
        ``page_size``; an unknown lead, an unknown or inactive user and a locked record are
        refused per record. The update is conditional on the lead having no owner (or this one)
        in the same transaction, so a lead a rep took since it was read is refused with
        ``taken_by`` and keeps its owner."""
        result = WriteResult()
        unique = list({a.record_id: a for a in assignments}.values())
        for batch in batched(unique, self.page_size):
            report_batch(result, self._call(partial(self._assign_batch, batch)), on_batch)
        log.info(
            "owners_written",
            connector=self.name,
            written=len(result.written),
            failed=len(result.failed),
        )
        return result

    def _assign_batch(self, batch: Sequence[OwnerAssignment]) -> WriteResult:
        result = WriteResult()
        ids = [a.record_id for a in batch]
        with self.crm.engine.begin() as conn:
            known = set(conn.execute(select(t.leads.c.id).where(t.leads.c.id.in_(ids))).scalars())
            locks = dict(
                conn.execute(
                    select(t.record_locks.c.record_id, t.record_locks.c.reason).where(
                        t.record_locks.c.record_id.in_(ids)
                    )
                ).all()
            )
            users = {
                r.id: r
                for r in conn.execute(
                    select(t.users).where(t.users.c.id.in_({a.owner_id for a in batch}))
                )
            }
            for a in batch:
                user = users.get(a.owner_id)
                if a.record_id not in known:
                    reason: str | None = "no lead with this id in the local CRM"
                elif a.record_id in locks:
                    reason = f"record locked: {locks[a.record_id]}"
                elif user is None or not user.active:
                    reason = f"no active user {a.owner_id} in the local CRM"
                else:
                    reason = None
                if reason is not None:
                    result.failed.append(RecordError(a.record_id, reason))
                    continue
                assert user is not None
                # conditional: a rep who took the lead since it was read keeps it
                written = conn.execute(
                    update(t.leads)
                    .where(
                        t.leads.c.id == a.record_id,
                        or_(t.leads.c.owner_id.is_(None), t.leads.c.owner_id == a.owner_id),
                    )
                    .values(owner_id=a.owner_id, owner=user.name)
                ).rowcount
                if written:
                    result.written.append(a.record_id)
                    continue
                now = conn.execute(
                    select(t.leads.c.owner_id).where(t.leads.c.id == a.record_id)
                ).scalar_one()
                result.failed.append(
                    RecordError(
                        a.record_id, f"owned by {now} in the CRM: left as it is", taken_by=now
                    )
                )
        return result

    def iter_closed_deals(self, *, since: datetime | None = None) -> Iterator[DealRecord]:
        for row in self._pages(t.deals, "modified_at", since):
            yield DealRecord(
                id=row.id,
                won=bool(row.won),
                closed_at=row.closed_at,
                modified_at=row.modified_at,
                attributes=dict(row.attributes or {}),
            )

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        for row in self._pages(t.activities, "occurred_at", since):
            yield Activity(
                id=row.id,
                kind=row.kind,
                occurred_at=row.occurred_at,
                lead_id=row.lead_id,
                account_id=row.account_id,
                detail=row.detail,
                rep_id=row.rep_id,
            )

    def missing_fields(self) -> list[str]:
        have = self._call(lambda: self.crm.score_field_names())
        return [
            score_field_name(n, STYLE)
            for n in SCORE_FIELDS
            if score_field_name(n, STYLE) not in have
        ]

    def ensure_fields(self) -> list[str]:
        created = self._call(lambda: self.crm.add_score_fields(list(SCORE_FIELDS)))
        if created:
            log.info("score_fields_created", connector=self.name, fields=created)
        return created

    def available_fields(self) -> dict[str, set[str]]:
        """The attribute names the local CRM's leads and deals carry, per mapped object."""
        columns = {"leads": t.leads, "deals": t.deals, "contacts": t.leads}

        def fetch(table: Any) -> set[str]:
            with self.crm.engine.connect() as conn:
                rows = conn.execute(select(table.c.attributes).limit(1000))
                return {k for (attrs,) in rows for k in (attrs or {})}

        out: dict[str, set[str]] = {}
        if self.mapping is None:
            return out
        for key, section in self.mapping.sections():
            table = columns.get(key.split("[", 1)[0])
            out[section.object] = (
                self._call(partial(fetch, table))
                if table is not None
                else set(t.activities.c.keys())
            )
        return out

    def mapping_problems(self) -> list[str]:
        """A mapping given with ``--mapping`` is checked against the attributes the local CRM's
        records carry; without one there is nothing to check."""
        if self.mapping is None:
            return []
        problems: list[str] = self.mapping.check(self.available_fields())
        return problems

    def write_scores(
        self, updates: Sequence[ScoreUpdate], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        result = WriteResult()
        unique = unique_updates(updates)
        for batch in batched(unique, self.page_size):
            report_batch(result, self._call(partial(self._write_batch, batch)), on_batch)
        log.info(
            "scores_written",
            connector=self.name,
            written=len(result.written),
            failed=len(result.failed),
        )
        return result

    # -- helpers -------------------------------------------------------------------------------
    def _scores_of(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        def fetch() -> list[Any]:
            with self.crm.engine.connect() as conn:
                return list(
                    conn.execute(select(t.lead_scores).where(_among(t.lead_scores.c.lead_id, ids)))
                )

        out: dict[str, dict[str, Any]] = {}
        for row in self._call(fetch):
            logical = _LOGICAL_BY_NAME.get(row.field)
            if logical is not None:
                out.setdefault(row.lead_id, {})[logical] = row.value
        return out

    def _write_batch(self, batch: Sequence[ScoreUpdate]) -> WriteResult:
        result = WriteResult()
        ids = [u.record_id for u in batch]
        with self.crm.engine.begin() as conn:
            known = set(
                conn.execute(select(t.leads.c.id).where(_among(t.leads.c.id, ids))).scalars()
            )
            locks = dict(
                conn.execute(
                    select(t.record_locks.c.record_id, t.record_locks.c.reason).where(
                        _among(t.record_locks.c.record_id, ids)
                    )
                ).all()
            )
            fields = set(conn.execute(select(t.score_fields.c.name)).scalars())
            every = all(n in fields for n in _NAME_OF.values())
            rows: list[tuple[str, str, str]] = []
            whole: list[tuple[str, ...]] = []  # updates that set every score field
            encode = _Encoder()
            for u in batch:
                reason = self._refusal(u, known, locks, fields, every)
                if reason is not None:
                    result.failed.append(RecordError(u.record_id, reason))
                    continue
                values = u.values
                if every and len(values) == len(_FIELDS) and values.keys() == _FIELD_SET:
                    whole.append((u.record_id, *[encode(values[k]) for k in _FIELDS]))
                else:
                    rows.extend((u.record_id, _NAME_OF[k], encode(v)) for k, v in values.items())
                result.written.append(u.record_id)
            # one prepared statement for every row, plain tuples to the driver (SQLAlchemy's
            # per-row processing was most of a million-lead pass); JSON as Core stores it
            if whole:  # one execution per lead, not one per field
                conn.exec_driver_sql(_WHOLE_SQL, whole)
            if rows:
                conn.exec_driver_sql(_UPSERT_SQL, rows)
            if result.written:
                conn.execute(
                    update(t.leads)
                    .where(_among(t.leads.c.id, result.written))
                    .values(score_writes=t.leads.c.score_writes + 1)
                )
        return result

    @staticmethod
    def _refusal(
        u: ScoreUpdate,
        known: set[str],
        locks: dict[str, str],
        fields: set[str],
        every: bool = False,
    ) -> str | None:
        """Why the CRM refuses ``u`` (None when it takes it); ``every``: all score fields exist."""
        if u.record_id not in known:
            return "no lead with this id in the local CRM"
        if u.record_id in locks:
            return f"record locked: {locks[u.record_id]}"
        for logical, value in u.values.items():
            accepted = _ACCEPTED.get(logical)
            if accepted is None:
                return (
                    f"unknown score field {logical!r}; score fields are {', '.join(SCORE_FIELDS)}"
                )
            if not every and _NAME_OF[logical] not in fields:
                name = _NAME_OF[logical]
                return f"field {name} does not exist; create it with `leadscore crm setup`"
            if type(value) in accepted or (type(value) is str and value in _CHOICES[logical]):
                continue  # a number for a number field, text for a text field, a known choice
            problem = check_value(logical, value)
            if problem:
                return problem
        return None


#: the lead columns a record is made of, in the order ``_records`` reads them
_LEAD_COLUMNS = ("id", "account_id", "owner", "attributes", "modified_at", "owner_id")
#: the CRM name of each score field
_NAME_OF = {n: score_field_name(n, STYLE) for n in SCORE_FIELDS}
#: value types a field takes without a closer look (a picklist takes None, or one of its choices)
_ACCEPTED: dict[str, frozenset[type]] = {
    n: frozenset({int, float, type(None)})
    if kind == "number"
    else frozenset({type(None)})
    if kind.startswith("picklist:")
    else frozenset({str, type(None)})
    for n, kind in SCORE_FIELDS.items()
}
#: the choices of each picklist field (empty for the others)
_CHOICES: dict[str, frozenset[str]] = {
    n: frozenset(kind.split(":", 1)[1].split(",")) if kind.startswith("picklist:") else frozenset()
    for n, kind in SCORE_FIELDS.items()
}
_FIELDS = tuple(SCORE_FIELDS)
_FIELD_SET = frozenset(_FIELDS)
_UPSERT_SQL = (
    "INSERT INTO lead_scores (lead_id, field, value) VALUES (?, ?, ?) "
    "ON CONFLICT (lead_id, field) DO UPDATE SET value = excluded.value"
)
#: every score field of one lead in one execution (parameter 1 is the lead id)
_WHOLE_SQL = (
    "INSERT INTO lead_scores (lead_id, field, value) VALUES "
    + ", ".join(f"(?1, '{_NAME_OF[k]}', ?{i + 2})" for i, k in enumerate(_FIELDS))
    + " ON CONFLICT (lead_id, field) DO UPDATE SET value = excluded.value"
)


def _among(column: Any, ids: Sequence[str]) -> Any:
    """``column IN ids`` with one parameter (a JSON array read by ``json_each``): an expanding
    ``IN`` of thousands of ids costs more to compile than the query costs to run."""
    each: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(list(ids)), type_=String))
    )
    return column.in_(each)


class _Encoder:
    """A score value as the JSON text the ``value`` column stores (what SQLAlchemy's JSON type
    writes for ``plain(value)``), with the repeated texts (tiers, versions) encoded once."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, value: Any) -> str:
        kind = type(value)
        if kind is int:
            return str(value)
        if kind is float and value == value and value not in (_INF, -_INF):
            return repr(value)
        if kind is str or kind is datetime:
            text = self.seen.get(value)
            if text is None:
                text = self.seen[value] = json.dumps(plain(value))
            return text
        return json.dumps(plain(value))


_INF = float("inf")
