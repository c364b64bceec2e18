"""The embedded CRM itself: a SQLite file, created on first use, filled from data frames.

``LocalCRM`` is shared by the connector, the ``leadscore crm load-sample`` command and the tests'
control object. Loading is tolerant of the sample-data and common CRM-export column names.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import structlog
from sqlalchemy import Engine, create_engine, delete, event, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.base import SCORE_FIELDS, score_field_name
from connectors.local import tables as t
from service.errors import DataFileError

log = structlog.get_logger(__name__)

STYLE = "local"
WON_VALUES = frozenset({"won", "closed won", "closed_won", "closedwon", "1", "true", "yes", "y"})

_ID = ("id", "record_id")
_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "deals": {"id": ("deal_id", "opportunity_id", *_ID), "outcome": ("outcome", "won", "stage")},
    "leads": {"id": ("lead_id", "contact_id", *_ID)},
    "activities": {
        "id": ("activity_id", *_ID),
        "kind": ("kind", "activity_type", "type"),
        "occurred_at": ("occurred_at", "timestamp", "at", "date"),
    },
}
_OPTIONAL = {
    "account": ("account_id", "company", "account"),
    "lead": ("lead_id", "contact_id"),
    "owner": ("owner", "owner_name"),
    "owner_id": ("owner_id",),
    "rep": ("rep_id", "logged_by"),
    "closed_at": ("closed_at", "close_date"),
    "modified_at": ("modified_at", "last_modified"),
    "detail": ("detail", "page", "subject", "channel"),
}


def plain(value: Any) -> Any:
    """A pandas/numpy cell as a JSON-able Python value (missing -> None)."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return value.isoformat()
    return value


def _find(frame: pd.DataFrame, names: Iterable[str]) -> str | None:
    lower = {str(c).lower(): str(c) for c in frame.columns}
    return next((lower[n] for n in names if n in lower), None)


def _times(frame: pd.DataFrame, column: str | None, default: datetime) -> list[datetime]:
    if column is None:
        return [default] * len(frame)
    parsed = pd.to_datetime(frame[column], utc=True, errors="coerce", format="mixed")
    return [default if pd.isna(ts) else ts.to_pydatetime() for ts in parsed]


class LocalCRM:
    """A SQLite CRM file. New files start with every score field present (``leadscore crm
    setup`` is then a no-op); ``with_score_fields=False`` starts without them."""

    def __init__(self, path: Path | str, *, with_score_fields: bool = True) -> None:
        self.path = Path(path)
        new = not self.path.exists()
        if new and not self.path.parent.exists():
            raise DataFileError(
                f"{self.path}: the folder {self.path.parent} does not exist; create it or set "
                "LEADSCORE_LOCAL__PATH to a file in an existing folder."
            )
        self.engine: Engine = create_engine(f"sqlite:///{self.path}", connect_args={"timeout": 10})
        event.listen(self.engine, "connect", _pragmas)
        t.metadata.create_all(self.engine)
        if not new:
            self._add_columns()
        if new and with_score_fields:
            self.add_score_fields(list(SCORE_FIELDS))

    def close(self) -> None:
        self.engine.dispose()

    def _add_columns(self) -> None:
        """Give a file made by an older release the columns added since (owner ids, reps)."""
        with self.engine.begin() as conn:
            for table, column, kind in t.ADDED_COLUMNS:
                have = {r[1] for r in conn.exec_driver_sql(f"PRAGMA table_info({table})")}
                if column not in have:
                    conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    # -- users and owners ----------------------------------------------------------------------
    def upsert_users(self, users: Iterable[dict[str, Any]]) -> int:
        """Insert or replace users (``id``, ``name``, ``email``, ``manager_id``, ``active``)."""
        rows = [
            {
                "id": str(u["id"]),
                "name": str(u["name"]),
                "email": u.get("email"),
                "manager_id": u.get("manager_id"),
                "active": bool(u.get("active", True)),
            }
            for u in users
        ]
        if rows:
            with self.engine.begin() as conn:
                stmt = sqlite_insert(t.users).values(rows)
                keep = {c: stmt.excluded[c] for c in rows[0] if c != "id"}
                conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=keep))
        return len(rows)

    def link_owners(self) -> int:
        """Set ``owner_id`` on leads whose owner name matches a user's name (loaded files name
        owners; the users table gives them ids). Returns the leads linked."""
        with self.engine.begin() as conn:
            by_name = {n: i for i, n in conn.execute(select(t.users.c.id, t.users.c.name))}
            n = 0
            for name, user_id in by_name.items():
                n += conn.execute(
                    update(t.leads)
                    .where(t.leads.c.owner == name, t.leads.c.owner_id.is_(None))
                    .values(owner_id=user_id)
                ).rowcount
        return n

    # -- the describe --------------------------------------------------------------------------
    def score_field_names(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(select(t.score_fields.c.name)).scalars())

    def add_score_fields(self, logical: Iterable[str]) -> list[str]:
        """Create score fields by logical name; return the CRM names created."""
        have = self.score_field_names()
        rows = [
            {"name": score_field_name(n, STYLE), "type": SCORE_FIELDS[n]}
            for n in logical
            if score_field_name(n, STYLE) not in have
        ]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(t.score_fields.insert(), rows)
        return [r["name"] for r in rows]

    def drop_score_field(self, logical: str) -> None:
        name = score_field_name(logical, STYLE)
        with self.engine.begin() as conn:
            conn.execute(delete(t.score_fields).where(t.score_fields.c.name == name))
            conn.execute(delete(t.lead_scores).where(t.lead_scores.c.field == name))

    # -- loading -------------------------------------------------------------------------------
    def load_frames(
        self,
        *,
        deals: pd.DataFrame | None = None,
        leads: pd.DataFrame | None = None,
        activities: pd.DataFrame | None = None,
        now: datetime | None = None,
        source: str = "data",
    ) -> dict[str, int]:
        """Insert or replace records from sample-data/CSV-layout frames; return counts per table."""
        now = now or datetime.now(UTC)
        counts: dict[str, int] = {}
        with self.engine.begin() as conn:
            for name, frame, build in (
                ("deals", deals, self._deal_rows),
                ("leads", leads, self._lead_rows),
                ("activities", activities, self._activity_rows),
            ):
                if frame is None:
                    continue
                rows = build(frame, now, f"{source}/{name}")
                table = getattr(t, name)
                accounts = {r["account_id"] for r in rows if r.get("account_id")}
                self._ensure_accounts(conn, accounts, now)
                for start in range(0, len(rows), 500):
                    stmt = sqlite_insert(table).values(rows[start : start + 500])
                    keep = {c: stmt.excluded[c] for c in rows[0] if c != "id"}
                    conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=keep))
                counts[name] = len({r["id"] for r in rows})  # duplicate ids collapse
        log.info("local_crm_loaded", path=str(self.path), **counts)
        return counts

    @staticmethod
    def _ensure_accounts(conn: Any, ids: set[str], now: datetime) -> None:
        if ids:
            stmt = sqlite_insert(t.accounts).values(
                [{"id": a, "name": a, "attributes": {}, "modified_at": now} for a in sorted(ids)]
            )
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))

    @staticmethod
    def _required(frame: pd.DataFrame, table: str, key: str, source: str) -> str:
        column = _find(frame, _COLUMNS[table][key])
        if column is None:
            raise DataFileError(
                f"{source}: no {key} column; name one of: {', '.join(_COLUMNS[table][key])}."
            )
        return column

    def _deal_rows(self, frame: pd.DataFrame, now: datetime, source: str) -> list[dict[str, Any]]:
        id_col = self._required(frame, "deals", "id", source)
        outcome = self._required(frame, "deals", "outcome", source)
        account = _find(frame, _OPTIONAL["account"])
        closed = _find(frame, _OPTIONAL["closed_at"])
        modified = _times(frame, _find(frame, _OPTIONAL["modified_at"]), now)
        closed_at = _times(frame, closed, now) if closed else [None] * len(frame)
        skip = {id_col, outcome, closed, _find(frame, _OPTIONAL["modified_at"])}
        attrs = [c for c in frame.columns if c not in skip]
        rows = []
        for i, rec in enumerate(frame.to_dict("records")):
            rows.append(
                {
                    "id": str(rec[id_col]),
                    "account_id": None if account is None else _str(rec[account]),
                    "won": str(rec[outcome]).strip().lower() in WON_VALUES,
                    "closed_at": closed_at[i],
                    "attributes": {c: plain(rec[c]) for c in attrs},
                    "modified_at": modified[i],
                }
            )
        return rows

    def _lead_rows(self, frame: pd.DataFrame, now: datetime, source: str) -> list[dict[str, Any]]:
        id_col = self._required(frame, "leads", "id", source)
        account = _find(frame, _OPTIONAL["account"])
        owner = _find(frame, _OPTIONAL["owner"])
        owner_id = _find(frame, _OPTIONAL["owner_id"])
        mod_col = _find(frame, _OPTIONAL["modified_at"])
        modified = _times(frame, mod_col, now)
        attrs = [c for c in frame.columns if c not in {id_col, mod_col, owner_id}]
        return [
            {
                "id": str(rec[id_col]),
                "account_id": None if account is None else _str(rec[account]),
                "owner": None if owner is None else _str(rec[owner]),
                "owner_id": None if owner_id is None else _str(rec[owner_id]),
                "attributes": {c: plain(rec[c]) for c in attrs},
                "modified_at": modified[i],
            }
            for i, rec in enumerate(frame.to_dict("records"))
        ]

    def _activity_rows(
        self, frame: pd.DataFrame, now: datetime, source: str
    ) -> list[dict[str, Any]]:
        id_col = _find(frame, _COLUMNS["activities"]["id"])
        kind = self._required(frame, "activities", "kind", source)
        at_col = self._required(frame, "activities", "occurred_at", source)
        lead = _find(frame, _OPTIONAL["lead"])
        account = _find(frame, _OPTIONAL["account"])
        detail = _find(frame, _OPTIONAL["detail"])
        rep = _find(frame, _OPTIONAL["rep"])
        occurred = _times(frame, at_col, now)
        return [
            {
                "id": str(rec[id_col]) if id_col else f"A{i + 1:07d}",
                "lead_id": None if lead is None else _str(rec[lead]),
                "account_id": None if account is None else _str(rec[account]),
                "kind": str(rec[kind]),
                "occurred_at": occurred[i],
                "detail": None if detail is None else _str(rec[detail]),
                "rep_id": None if rep is None else _str(rec[rep]),
            }
            for i, rec in enumerate(frame.to_dict("records"))
        ]


def _str(value: Any) -> str | None:
    value = plain(value)
    return None if value is None else str(value)


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
