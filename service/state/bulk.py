"""Bulk writes to the state store: one prepared statement run for many rows (``executemany``).

SQLAlchemy's per-row parameter processing costs ~12 µs a row, which at a million leads and a few
rows per lead is most of a pass. ``upsert`` builds ``INSERT ... ON CONFLICT (key) DO UPDATE`` once
(the same text on SQLite and PostgreSQL), converts each column with the dialect's own bind
processor (so ``UTCDateTime`` and booleans are stored exactly as through Core), and hands plain
tuples to the driver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.types import TypeDecorator

_Processor = Callable[[Any], Any] | None


def _processors(conn: Connection, table: Table, columns: Sequence[str]) -> list[_Processor]:
    dialect = conn.dialect
    out: list[_Processor] = []
    for name in columns:
        kind = table.c[name].type
        if isinstance(kind, TypeDecorator):  # its own conversion, then its impl's
            out.append(kind.bind_processor(dialect))
        else:
            out.append(kind.dialect_impl(dialect).bind_processor(dialect))
    return out


def _qualified(conn: Connection, table: Table) -> str:
    prep = conn.dialect.identifier_preparer
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    name = prep.quote(table.name)
    return f"{prep.quote_schema(schema)}.{name}" if schema else name


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    *,
    update: bool = True,
) -> int:
    """Insert ``rows`` (dicts with the same keys), replacing the row with the same ``key`` (or,
    with ``update=False``, a plain insert). Returns the rows sent."""
    if not rows:
        return 0
    columns = list(rows[0])
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(c) for c in columns)
    sql = f"INSERT INTO {_qualified(conn, table)} ({names}) VALUES ({', '.join([mark] * len(columns))})"
    if update:
        keys = ", ".join(prep.quote(k) for k in key)
        changes = [c for c in columns if c not in key]
        sets = ", ".join(f"{prep.quote(c)} = excluded.{prep.quote(c)}" for c in changes)
        sql += (
            f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
            if sets
            else f" ON CONFLICT ({keys}) DO NOTHING"
        )
    procs = _processors(conn, table, columns)
    if all(p is None for p in procs):
        params = [tuple(r[c] for c in columns) for r in rows]
    else:
        pairs = list(zip(columns, procs, strict=True))
        params = [tuple(p(r[c]) if p is not None else r[c] for c, p in pairs) for r in rows]
    conn.exec_driver_sql(sql, params)
    return len(rows)
