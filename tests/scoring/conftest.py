"""A tiny hand-written rules set whose scores are easy to compute by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from service.scoring.rules import Rules, parse_rules


def tiny_rules_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": "1.0",
        "dimensions": {
            "firmographic": {"max_points": 20},
            "behavioral": {"max_points": 30},
            "engagement": {"max_points": 10},
            "intent": {"max_points": 40},
        },
        "negative_max_points": 10,
        "signals": [
            {
                "name": "healthcare",
                "label": "Healthcare industry",
                "dimension": "firmographic",
                "points": 9,
                "when": [{"kind": "field_in", "field": "industry", "values": ["Healthcare"]}],
            },
            {
                "name": "large",
                "label": "200+ employees",
                "dimension": "firmographic",
                "points": 15,
                "when": [{"kind": "range", "field": "employees", "min": 200}],
            },
            {
                "name": "pricing",
                "label": "Viewed pricing 3+ times",
                "dimension": "behavioral",
                "points": 12,
                "when": [{"kind": "range", "field": "pricing_views", "min": 3}],
            },
            {
                "name": "webinar",
                "label": "Attended a webinar",
                "dimension": "engagement",
                "points": 6,
                "when": [{"kind": "flag", "field": "webinar"}],
            },
            {
                "name": "demo",
                "label": "Requested a demo",
                "dimension": "intent",
                "points": 18,
                "when": [{"kind": "flag", "field": "demo"}],
            },
            {
                "name": "careers",
                "label": "Careers page only",
                "dimension": "negative",
                "points": -6,
                "when": [{"kind": "flag", "field": "careers_only"}],
            },
            {
                "name": "student",
                "label": "Student email",
                "dimension": "negative",
                "points": -8,
                "when": [{"kind": "flag", "field": "student"}],
            },
        ],
        "thresholds": {"hot": 40, "warm": 25, "cool": 10},
        "unscoreable_missing_share": 0.5,
    }
    data.update(overrides)
    return data


@pytest.fixture
def tiny_rules() -> Rules:
    return parse_rules(tiny_rules_data())


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One local Spark session for every Spark SQL test (starting one takes seconds)."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .appName("leadscore-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.driver.memory", "1g")
        # small test tables: compiling Java for each query costs more than it saves, and so
        # does the JVM's optimising compiler (C1 only, serial GC: the JVM's CPU time halves)
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .config("spark.sql.adaptive.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
