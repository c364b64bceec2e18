"""The test control (``FakeControl``) over an embedded local CRM file.

There is no server: the "requests" counted are the SQL statements the connector's engine runs
against the file (``count(path_contains="INSERT INTO lead_scores")`` counts score writes), and an
injected 429/5xx makes the next matching statement fail as SQLite does under contention
(``database is locked``), which the connector treats as transient. Authentication and timeouts do
not exist locally; those controls raise ``NotImplementedError``.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, event, select, update

from connectors.base import SCORE_FIELDS, score_field_name
from connectors.local import tables as t
from connectors.local.crm import STYLE, LocalCRM

DEFAULT_ATTRIBUTES = {
    "industry": "Software",
    "employee_count": 250,
    "annual_revenue": 25_000_000,
    "country": "US",
    "region": "North America",
    "lead_source": "Inbound",
}


@dataclass
class _Failure:
    remaining: int
    path_contains: str | None


class LocalFake:
    """Drives a local CRM file the way the HTTP fakes drive their servers."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.crm = LocalCRM(self.path)
        self._lock = threading.Lock()
        self.statements: list[str] = []
        self._failures: list[_Failure] = []
        self._seq = itertools.count(1)
        event.listen(Engine, "before_cursor_execute", self._observe)

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._observe)
        self.crm.close()

    def _observe(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        engine = conn.engine
        if engine is self.crm.engine or engine.url.database != str(self.path):
            return
        with self._lock:
            self.statements.append(statement)
            failure = next(
                (
                    f
                    for f in self._failures
                    if f.path_contains is None or f.path_contains in statement
                ),
                None,
            )
            if failure is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
        if failure is not None:
            raise sqlite3.OperationalError("database is locked")

    # -- FakeControl ---------------------------------------------------------------------------
    def reset(self) -> None:
        with self.crm.engine.begin() as conn:
            for table in reversed(t.metadata.sorted_tables):
                conn.execute(delete(table))
        self.crm.add_score_fields(list(SCORE_FIELDS))
        with self._lock:
            self.statements.clear()
            self._failures.clear()

    def _ids(self, prefix: str, n: int) -> list[str]:
        return [f"{prefix}{next(self._seq):07d}" for _ in range(n)]

    def add_leads(
        self,
        n: int,
        *,
        modified_at: datetime | None = None,
        attributes: dict | None = None,
        owner: str | None = "Dana Rep",
        owner_id: str | None = None,
    ) -> list[str]:
        """Insert ``n`` leads; ``owner_id`` names a user (``add_user``), whose name is then
        the owner; ``owner=None`` with no ``owner_id`` leaves them unowned."""
        ids = self._ids("L", n)
        attrs = {**DEFAULT_ATTRIBUTES, **(attributes or {})}
        rows = [
            {
                "id": i,
                "account_id": "ACC1",
                "owner": owner,
                "owner_id": owner_id,
                "attributes": attrs,
                "modified_at": modified_at or datetime.now(UTC),
                "score_writes": 0,
            }
            for i in ids
        ]
        if rows:
            with self.crm.engine.begin() as conn:
                conn.execute(t.leads.insert(), rows)
        return ids

    def add_deals(
        self, n_won: int, n_lost: int, *, modified_at: datetime | None = None
    ) -> list[str]:
        ids = self._ids("D", n_won + n_lost)
        at = modified_at or datetime.now(UTC)
        rows = [
            {
                "id": i,
                "account_id": "ACC1",
                "won": k < n_won,
                "closed_at": at,
                "attributes": dict(DEFAULT_ATTRIBUTES),
                "modified_at": at,
            }
            for k, i in enumerate(ids)
        ]
        if rows:
            with self.crm.engine.begin() as conn:
                conn.execute(t.deals.insert(), rows)
        return ids

    def add_user(
        self,
        user_id: str,
        name: str,
        email: str | None = None,
        *,
        manager_id: str | None = None,
        active: bool = True,
    ) -> str:
        """A CRM user (a rep or a manager) who can own leads."""
        self.crm.upsert_users(
            [
                {
                    "id": user_id,
                    "name": name,
                    "email": email,
                    "manager_id": manager_id,
                    "active": active,
                }
            ]
        )
        return user_id

    def owner_of(self, record_id: str) -> str | None:
        """The lead's owner id as the CRM holds it now."""
        with self.crm.engine.connect() as conn:
            return conn.execute(
                select(t.leads.c.owner_id).where(t.leads.c.id == record_id)
            ).scalar_one_or_none()

    def set_owner(self, record_id: str, owner_id: str | None) -> None:
        """A person gives the lead to ``owner_id`` (``None``: no owner)."""
        with self.crm.engine.begin() as conn:
            name = conn.execute(
                select(t.users.c.name).where(t.users.c.id == owner_id)
            ).scalar_one_or_none()
            conn.execute(
                update(t.leads)
                .where(t.leads.c.id == record_id)
                .values(owner_id=owner_id, owner=name)
            )

    def add_activities(
        self,
        lead_id: str,
        n: int,
        *,
        occurred_at: datetime | None = None,
        kind: str = "email_open",
        rep_id: str | None = None,
    ) -> list[str]:
        """``n`` activities on the lead; ``rep_id`` names the rep who logged them (a call)."""
        ids = self._ids("A", n)
        rows = [
            {
                "id": i,
                "lead_id": lead_id,
                "account_id": "ACC1",
                "kind": kind,
                "occurred_at": occurred_at or datetime.now(UTC),
                "detail": None,
                "rep_id": rep_id,
            }
            for i in ids
        ]
        if rows:
            with self.crm.engine.begin() as conn:
                conn.execute(t.activities.insert(), rows)
        return ids

    def fail_next(
        self,
        n: int,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        path_contains: str | None = None,
    ) -> None:
        if status != 429 and status < 500:
            raise NotImplementedError(f"the local CRM has no HTTP layer to answer {status}")
        with self._lock:
            self._failures.append(_Failure(n, path_contains))

    def hang_next(self, n: int, seconds: float) -> None:
        raise NotImplementedError("the local CRM has no network to time out")

    def reject_records(self, ids: Iterable[str], reason: str) -> None:
        with self.crm.engine.begin() as conn:
            conn.execute(t.record_locks.insert(), [{"record_id": i, "reason": reason} for i in ids])

    def remove_field(self, logical: str) -> None:
        self.crm.drop_score_field(logical)

    def score_of(self, record_id: str, logical: str) -> Any:
        with self.crm.engine.connect() as conn:
            return conn.execute(
                select(t.lead_scores.c.value).where(
                    t.lead_scores.c.lead_id == record_id,
                    t.lead_scores.c.field == score_field_name(logical, STYLE),
                )
            ).scalar_one_or_none()

    def writes_of(self, record_id: str) -> int:
        with self.crm.engine.connect() as conn:
            n = conn.execute(
                select(t.leads.c.score_writes).where(t.leads.c.id == record_id)
            ).scalar_one_or_none()
        return int(n or 0)

    def count(self, method: str | None = None, path_contains: str | None = None) -> int:
        """Statements the connector ran; ``method`` is the SQL verb (SELECT, INSERT, UPDATE)."""
        with self._lock:
            return sum(
                1
                for s in self.statements
                if (method is None or s.lstrip().upper().startswith(method.upper()))
                and (path_contains is None or path_contains in s)
            )
