"""Bulk reads and writes to the state store: set-based, one statement (or one COPY) per batch.

SQLAlchemy's per-row parameter processing costs ~12 µs a row, and an expanding ``IN (...)`` of a
few thousand ids costs ~20 µs an id to compile, which at a million leads and a few rows per lead
is most of a pass. So:

- ``upsert`` builds ``INSERT ... ON CONFLICT (key) DO UPDATE`` once, converts each column with the
  dialect's own bind processor (so ``UTCDateTime`` and booleans are stored exactly as through
  Core) and hands plain tuples to the driver: one ``executemany`` on SQLite (one prepared
  statement); on PostgreSQL one ``COPY`` into a temporary table and one ``INSERT ... SELECT``
  from it (a plain insert is copied straight into the table).
- ``among(dialect, column, ids)`` is a filter on many ids with ONE parameter: a JSON array read
  by ``json_each`` on SQLite, and on PostgreSQL by ``jsonb_array_elements_text`` into
  ``= ANY(ARRAY(...))`` (the driver dumps a Python list as an array at ~1 µs an element in
  Python, a JSON text in C; and the planner probes the primary key whatever its statistics say).
- ``update_rows`` updates many rows by key the same way (``executemany`` of one ``UPDATE`` on
  SQLite; ``COPY`` and one ``UPDATE ... FROM`` on PostgreSQL), and ``select_among`` reads the
  rows of many keys with one parameter, converting each column once per distinct value.
"""

from __future__ import annotations

import contextlib
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    Table,
    any_,
    bindparam,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeDecorator

_Processor = Callable[[Any], Any] | None
#: PostgreSQL: the id list of ``among``/``select_among`` as one JSON text, expanded server-side
_PG_AMONG = "ARRAY(SELECT jsonb_array_elements_text(CAST({} AS jsonb)))"


def among(dialect: str, column: Any, ids: Iterable[str]) -> ColumnElement[bool]:
    """``column IN ids`` with one bound parameter, whatever the number of ids."""
    values = list(ids)
    if dialect == "postgresql":
        listed = select(
            func.jsonb_array_elements_text(cast(bindparam(None, json.dumps(values)), JSONB))
        ).scalar_subquery()
        return column == any_(func.array(listed))
    each: Select[Any] = select(literal_column("value")).select_from(
        func.json_each(bindparam(None, json.dumps(values), type_=String))
    )
    return column.in_(each)


def _processors(conn: Connection, table: Table, columns: Sequence[str]) -> list[_Processor]:
    # the dialect's own type (for a TypeDecorator: its conversion, then the dialect's processor
    # of its impl; the generic impl has none, and SQLite's driver would then store a datetime
    # in another text form than Core does, which breaks comparisons with Core's parameters)
    dialect = conn.dialect
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _qualified(conn: Connection, table: Table) -> str:
    prep = conn.dialect.identifier_preparer
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    name = prep.quote(table.name)
    return f"{prep.quote_schema(schema)}.{name}" if schema else name


def _memo(proc: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``proc`` computed once per distinct value: a batch's rows mostly share one timestamp."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = proc(value)
            return out

    return convert


def _params(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """The rows as tuples for the driver, converted column by column (``map`` and ``zip`` run
    in C; a generator per row was a third of the cost of a write)."""
    procs = _processors(conn, table, columns)
    values: list[Iterable[Any]] = []
    for name, proc in zip(columns, procs, strict=True):
        column = [r[name] for r in rows]
        if proc is None:
            values.append(column)
        else:
            memo = isinstance(table.c[name].type, TypeDecorator)
            values.append(map(_memo(proc) if memo else proc, column))
    return list(zip(*values, strict=True))


def _last_per_key(rows: Sequence[Mapping[str, Any]], key: Sequence[str]) -> list[Any]:
    """One statement may not touch a row twice on PostgreSQL: the last row of each key wins, as
    it does with one statement per row."""
    of = operator.itemgetter(*key)
    return list({of(r): r for r in rows}.values())


def _stage_name(target: str) -> str:
    """The temporary staging table of ``target`` (dropped after each use, within the caller's
    transaction: one name per table keeps the server's statement statistics readable)."""
    return "leadscore_stage_" + target.rsplit(".", 1)[-1].strip('"').removeprefix("leadscore_")


def _conflict(
    conn: Connection,
    columns: Sequence[str],
    key: Sequence[str],
    update: bool,
    only: Sequence[str] | None = None,
) -> str:
    if not update:
        return ""
    prep = conn.dialect.identifier_preparer
    keys = ", ".join(prep.quote(k) for k in key)
    changes = [c for c in columns if c not in key and (only is None or c in only)]
    sets = ", ".join(f"{prep.quote(c)} = excluded.{prep.quote(c)}" for c in changes)
    if not sets:
        return f" ON CONFLICT ({keys}) DO NOTHING"
    return f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    *,
    update: bool = True,
    update_columns: Sequence[str] | None = None,
) -> int:
    """Insert ``rows`` (dicts with the same keys), replacing the row with the same ``key`` (or,
    with ``update=False``, a plain insert; with ``update_columns``, an existing row gets only
    those columns). Returns the rows sent."""
    if not rows:
        return 0
    columns = list(rows[0])
    if update and conn.dialect.name == "postgresql":
        rows = _last_per_key(rows, key)
    params = _params(conn, table, columns, rows)
    prep = conn.dialect.identifier_preparer
    names = ", ".join(prep.quote(c) for c in columns)
    target = _qualified(conn, table)
    if conn.dialect.name == "postgresql":
        _copy_upsert(
            conn, target, names, params, _conflict(conn, columns, key, update, update_columns)
        )
        return len(rows)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {target} ({names}) VALUES ({', '.join([mark] * len(columns))})"
    conn.exec_driver_sql(sql + _conflict(conn, columns, key, update, update_columns), params)
    return len(rows)


@contextlib.contextmanager
def _driver_errors(conn: Connection, statement: str) -> Iterator[None]:
    """The driver's own errors on the raw ``COPY`` path raised as SQLAlchemy raises them
    (``OperationalError`` for a dropped connection, which is then invalidated), so the state
    store's outage handling (``is_outage``) sees a database outage, not a bug."""
    try:
        yield
    except Exception as exc:
        dbapi = conn.dialect.loaded_dbapi
        if not isinstance(exc, dbapi.Error):
            raise
        gone = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if gone:
            conn.invalidate(exc)
        raise DBAPIError.instance(
            statement, None, exc, dbapi.Error, connection_invalidated=gone, dialect=conn.dialect
        ) from exc


def _copy_upsert(
    conn: Connection, target: str, names: str, params: Sequence[tuple[Any, ...]], conflict: str
) -> None:
    """PostgreSQL: ``COPY`` the rows (into the table, or into a temporary copy of its columns
    that is then inserted with ``conflict``), inside the caller's transaction."""
    raw = conn.connection.driver_connection
    assert raw is not None
    with _driver_errors(conn, f"COPY {target}"), raw.cursor() as cur:
        into = target
        if conflict:
            into = _stage_name(target)
            cur.execute(
                f"CREATE TEMPORARY TABLE {into} ON COMMIT DROP AS "
                f"SELECT {names} FROM {target} WITH NO DATA"
            )
        with cur.copy(f"COPY {into} ({names}) FROM STDIN") as copy:
            for row in params:
                copy.write_row(row)
        if conflict:
            cur.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {into}{conflict}")
            cur.execute(f"DROP TABLE {into}")


def update_rows(
    conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str]
) -> int:
    """Set the other columns of each of ``rows`` (dicts with the same keys) on the row with the
    same ``key``; a row with no match is left out (nothing is inserted). Returns the rows sent."""
    if not rows:
        return 0
    columns = list(rows[0])
    changes = [c for c in columns if c not in key]
    if conn.dialect.name == "postgresql":
        rows = _last_per_key(rows, key)
    prep = conn.dialect.identifier_preparer
    target = _qualified(conn, table)
    if conn.dialect.name == "postgresql":
        params = _params(conn, table, columns, rows)
        names = ", ".join(prep.quote(c) for c in columns)
        raw = conn.connection.driver_connection
        assert raw is not None
        stage = _stage_name(target)
        sets = ", ".join(f"{prep.quote(c)} = s.{prep.quote(c)}" for c in changes)
        match = " AND ".join(f"t.{prep.quote(k)} = s.{prep.quote(k)}" for k in key)
        with _driver_errors(conn, f"COPY {target}"), raw.cursor() as cur:
            cur.execute(
                f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "
                f"SELECT {names} FROM {target} WITH NO DATA"
            )
            with cur.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
                for row in params:
                    copy.write_row(row)
            cur.execute(f"UPDATE {target} AS t SET {sets} FROM {stage} AS s WHERE {match}")
            cur.execute(f"DROP TABLE {stage}")
        return len(rows)
    order = [*changes, *key]
    params = _params(conn, table, order, rows)
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sets = ", ".join(f"{prep.quote(c)} = {mark}" for c in changes)
    match = " AND ".join(f"{prep.quote(k)} = {mark}" for k in key)
    conn.exec_driver_sql(f"UPDATE {target} SET {sets} WHERE {match}", params)
    return len(rows)


def select_among(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    where: Mapping[str, Any],
    column: str,
    ids: Iterable[str],
) -> list[tuple[Any, ...]]:
    """``columns`` of the rows of ``table`` whose ``column`` is one of ``ids`` and whose other
    columns equal ``where``, as plain tuples, each value converted as Core would (a timestamp
    text parsed once per distinct value, not once per row)."""
    values = list(ids)
    if not values:
        return []
    prep = conn.dialect.identifier_preparer
    postgres = conn.dialect.name == "postgresql"
    mark = "%s" if postgres else "?"
    tests = [f"{prep.quote(k)} = {mark}" for k in where]
    if postgres:
        tests.append(f"{prep.quote(column)} = ANY({_PG_AMONG.format(mark)})")
        last: Any = json.dumps(values)
    else:
        tests.append(f"{prep.quote(column)} IN (SELECT value FROM json_each({mark}))")
        last = json.dumps(values)
    names = ", ".join(prep.quote(c) for c in columns)
    sql = f"SELECT {names} FROM {_qualified(conn, table)} WHERE {' AND '.join(tests)}"
    result = conn.exec_driver_sql(sql, (*where.values(), last))
    codes = [d[1] for d in result.cursor.description]
    rows = result.fetchall()
    dialect = conn.dialect
    converters: list[Callable[[Any], Any] | None] = []
    for name, code in zip(columns, codes, strict=True):
        proc = table.c[name].type.dialect_impl(dialect).result_processor(dialect, code)
        converters.append(None if proc is None else _memo(proc))
    if all(c is None for c in converters):
        return [tuple(r) for r in rows]
    out = []
    for r in rows:
        out.append(tuple(v if c is None else c(v) for v, c in zip(r, converters, strict=True)))
    return out
