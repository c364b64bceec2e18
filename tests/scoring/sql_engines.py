"""Load text leads into DuckDB, PostgreSQL or Spark, run the compiled SQL, and read the result.

Every engine gets the leads as text columns, as a CSV holds them; empty cells become SQL NULL on
every other row, so both "no value" spellings are exercised.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import sqlalchemy as sa

from service.scoring.rules import Rules
from service.scoring.sql import SqlOptions, compile_rules
from tests import ci
from tests.ci import PG_URL

Loader = Callable[[pd.DataFrame, Rules], pd.DataFrame]


def as_cells(raw: pd.DataFrame) -> list[list[str | None]]:
    """The rows as text, empty text as NULL on odd rows."""
    out: list[list[str | None]] = []
    for i, row in enumerate(raw.astype(object).itertuples(index=False)):
        out.append([None if (v == "" and i % 2) else v for v in row])
    return out


def run_duckdb(raw: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    import duckdb

    con = duckdb.connect()
    cols = ", ".join(f'"{c.replace(chr(34), chr(34) * 2)}" VARCHAR' for c in raw.columns)
    con.execute(f"CREATE TABLE leads ({cols})")
    params = ", ".join("?" for _ in raw.columns)
    con.executemany(f"INSERT INTO leads VALUES ({params})", as_cells(raw))
    return con.execute(compile_rules(rules, "duckdb")).df()


@contextmanager
def pg_schema() -> Iterator[tuple[sa.Engine, str]]:
    """A fresh schema on the test server, dropped afterwards."""
    with ci.pg_schema("leadscore_sql") as schema:
        engine = sa.create_engine(PG_URL)
        try:
            yield engine, schema
        finally:
            engine.dispose()


def run_postgres(raw: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    with pg_schema() as (engine, schema):
        meta = sa.MetaData()
        table = sa.Table(
            "leads", meta, *(sa.Column(c, sa.Text) for c in raw.columns), schema=schema
        )
        with engine.begin() as conn:
            meta.create_all(conn)
            conn.execute(
                table.insert(), [dict(zip(raw.columns, r, strict=True)) for r in as_cells(raw)]
            )
            sql = compile_rules(rules, "postgres", SqlOptions(table=f"{schema}.leads"))
            result = conn.execute(sa.text(sql))
            return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def run_spark(spark: Any, raw: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    from pyspark.sql.types import StringType, StructField, StructType

    schema = StructType([StructField(c, StringType(), True) for c in raw.columns])
    name = f"leads_{uuid.uuid4().hex[:8]}"
    spark.createDataFrame(as_cells(raw), schema).createOrReplaceTempView(name)
    try:
        frame = spark.sql(compile_rules(rules, "spark", SqlOptions(table=name)))
        rows = frame.collect()
    finally:
        spark.catalog.dropTempView(name)
    return pd.DataFrame([r.asDict() for r in rows], columns=frame.columns)
