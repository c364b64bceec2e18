"""Read leads from a database table and write scores back, through SQLAlchemy.

``leadscore score --from-sql URL --table T [--to-table T2]``: a DuckDB file
(``duckdb:///leads.duckdb``, via duckdb-engine) or PostgreSQL
(``postgresql+psycopg://user@host/db``). Table names may carry a schema (``analytics.leads``).
Messages show the URL with its password hidden; they never print a secret.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from service.errors import DataFileError
from service.redact import safe_url

WRITE_CHUNK = 10_000


def _engine(url: str, option: str) -> sa.Engine:
    try:
        return sa.create_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise DataFileError(
            f"{option} {safe_url(url)}: not a database URL SQLAlchemy can open ({type(exc).__name__}); "
            "use duckdb:///path/to/file.duckdb or postgresql+psycopg://user@host:5432/db."
        ) from None


def _split(name: str) -> tuple[str | None, str]:
    schema, _, table = name.rpartition(".")
    return (schema or None), table


def read_sql_table(url: str, name: str) -> pd.DataFrame:
    """Every row and column of ``name``; ``DataFileError`` naming the table when it is missing."""
    engine = _engine(url, "--from-sql")
    schema, table = _split(name)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            if not inspector.has_table(table, schema=schema):
                names = inspector.get_table_names(schema=schema)
                raise DataFileError(
                    f"--table {name!r}: no such table in {safe_url(url)}; "
                    f"its tables are: {', '.join(names) or '(none)'}."
                )
            # the name as a quoted identifier, never pasted into SQL text
            query = sa.select(sa.text("*")).select_from(sa.table(table, schema=schema))
            result = conn.execute(query)
            frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    except SQLAlchemyError as exc:
        raise DataFileError(
            f"--from-sql {safe_url(url)}: cannot read table {name!r} ({type(exc).__name__}: "
            f"{str(getattr(exc, 'orig', None) or exc).splitlines()[0]})."
        ) from None
    finally:
        engine.dispose()
    if frame.empty:
        raise DataFileError(f"--table {name!r}: the table has no rows.")
    return frame


def write_sql_table(frame: pd.DataFrame, url: str, name: str) -> None:
    """Replace table ``name`` with ``frame`` in one transaction (a failed write keeps the old
    table and its scores)."""
    engine = _engine(url, "--from-sql")
    schema, table = _split(name)
    try:
        with engine.begin() as conn:
            frame.to_sql(
                table, conn, schema=schema, if_exists="replace", index=False, chunksize=WRITE_CHUNK
            )
    except SQLAlchemyError as exc:
        raise DataFileError(
            f"--to-table {name!r}: cannot write the scores to {safe_url(url)} "
            f"({type(exc).__name__})."
        ) from None
    finally:
        engine.dispose()
