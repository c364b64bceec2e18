"""deploy/warehouse/: the dbt model is the generated statement, and the Spark job runs it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from service.scoring.rules import load_rules
from service.scoring.sql import SqlOptions, compile_rules
from tests.scoring.cli_support import EXAMPLE_RULES, REPO

WAREHOUSE = REPO / "deploy" / "warehouse"


def test_dbt_model_is_the_generated_statement():
    """The committed dbt model equals ``rules sql rules/example.yaml --dialect snowflake``
    (regenerate with deploy/warehouse/dbt/make-model.sh rules/example.yaml snowflake)."""
    text = (WAREHOUSE / "dbt" / "models" / "lead_scores.sql").read_text(encoding="utf-8")
    lines = text.split("\n")  # not splitlines(): the whitespace literal holds \x1c..\x1e, \x85
    assert lines[1] == "{{ config(materialized='table') }}"
    body = "\n".join(lines[2:]).replace("{{ ref('stg_leads') }}", '"stg_leads_placeholder"')
    expected = compile_rules(
        load_rules(EXAMPLE_RULES), "snowflake", SqlOptions(table="stg_leads_placeholder")
    )
    assert body.strip() == expected.strip()


@pytest.mark.slow
def test_spark_job_scores_a_table(spark: Any, tmp_path: Path, monkeypatch):
    """score_leads.py runs the generated statement and overwrites the target table."""
    from pyspark.sql.types import StringType, StructField, StructType

    spec = importlib.util.spec_from_file_location(
        "score_leads", WAREHOUSE / "spark" / "score_leads.py"
    )
    assert spec is not None and spec.loader is not None
    job = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(job)
    rules = load_rules(EXAMPLE_RULES)
    fields = sorted({f for s in rules.signals for f in s.fields})
    schema = StructType([StructField(c, StringType(), True) for c in ["lead_id", *fields]])
    rows = [
        ["1", *["yes" if "requested" in f else "5" for f in fields]],
        ["2", *[None] * len(fields)],
    ]
    spark.createDataFrame(rows, schema).createOrReplaceTempView("job_leads")
    statement = tmp_path / "lead_scores.sql"
    statement.write_text(compile_rules(rules, "spark", SqlOptions(table="job_leads")) + ";\n")
    monkeypatch.setattr(job.SparkSession.builder, "getOrCreate", lambda: spark)
    monkeypatch.setattr(spark, "stop", lambda: None)
    monkeypatch.setattr(job, "_write", lambda frame, target: frame.createOrReplaceTempView(target))
    assert job.main([str(statement), "job_scores"]) == 0
    scored = {r["lead_id"]: r for r in spark.table("job_scores").collect()}
    assert scored["2"]["Lead_Score_Tier"] == "Unscoreable"
    assert scored["1"]["Lead_Score_Total"] > 0
