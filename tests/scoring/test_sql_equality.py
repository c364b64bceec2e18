"""The compiled SQL scores every lead as ``leadscore score`` does, on DuckDB, PostgreSQL and Spark.

Reference: the ``scored.csv`` that ``leadscore score`` writes. Compared row for row by lead id:
total, the four dimensions, tier, version, top factors and missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from service.data.io import read_values
from service.scoring.batch import LEAD_SCORE_COLUMNS
from service.scoring.engine import score_frame
from service.scoring.rules import Rules, load_rules
from tests.cli import invoke
from tests.conftest import SHARED_PROCESS_FIXTURES
from tests.scoring.sql_cases import edge_rows, edge_rules_data, write_csv
from tests.scoring.sql_engines import run_duckdb, run_postgres, run_spark


def _cli(*args: str) -> None:
    result = invoke(*args)
    assert result.code == 0, result.output


@dataclass
class Case:
    """Leads as text, the rules, and what ``leadscore score`` wrote for them."""

    raw: pd.DataFrame
    rules: Rules
    expected: pd.DataFrame


def _case(leads: Path, model: Path, out: Path) -> Case:
    _cli("score", str(leads), "--model", str(model), "--out", str(out), "--no-update-report")
    raw = pd.read_csv(leads, dtype=str, keep_default_na=False)
    expected = pd.read_csv(out, dtype=str, keep_default_na=False)
    return Case(raw=raw, rules=load_rules(model), expected=expected)


@pytest.fixture(scope="session")
def sample_case(sample_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Case:
    """The sample leads and the model built from the sample deals, as the demo does."""
    root = tmp_path_factory.mktemp("sql_sample")
    data, model = sample_model / "data", sample_model / "model"
    return _case(data / "leads.csv", model / "model.yaml", root / "scored.csv")


@pytest.fixture(scope="session")
def edge_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    root = tmp_path_factory.mktemp("sql_edge")
    model = root / "edge.yaml"
    model.write_text(yaml.safe_dump(edge_rules_data(), sort_keys=False), encoding="utf-8")
    leads = write_csv(edge_rows(), root / "leads.csv")
    return _case(leads, model, root / "scored.csv")


def assert_same_scores(got: pd.DataFrame, case: Case) -> None:
    """Every ``Lead_Score_*`` value equal, row for row by lead id, with the input columns kept."""
    assert list(got.columns) == [*case.raw.columns, *LEAD_SCORE_COLUMNS]
    assert sorted(got["lead_id"]) == sorted(case.expected["lead_id"])
    got = got.set_index("lead_id").loc[case.expected["lead_id"]].reset_index()
    for column in LEAD_SCORE_COLUMNS:
        want = case.expected[column].tolist()
        have = [str(v) for v in got[column]]
        diff = [
            (lead, w, h)
            for lead, w, h in zip(case.expected["lead_id"], want, have, strict=True)
            if w != h
        ]
        assert not diff, f"{column}: {len(diff)} rows differ, first: {diff[:3]}"


def test_edge_case_rows_exercise_every_rule(edge_case: Case) -> None:
    """The edge cases are not trivially equal: every tier, the caps, the floor and ties occur."""
    scored = edge_case.expected
    assert set(scored["Lead_Score_Tier"]) == {"Hot", "Warm", "Cool", "Cold", "Unscoreable"}
    assert (scored["Lead_Score_Firmographic"] == "30").any()  # 20 + 15 capped at 30
    assert (scored["Lead_Score_Intent"] == "25").any()  # demo 18 + pair 12 capped at 25
    assert scored["Lead_Score_Total"].astype(int).min() < 0
    factors = scored["Lead_Score_Top_Factors"]
    assert factors.str.count(r"\((?:\+|−)\d+\)").max() == 3  # three factors where more fired
    totals = scored["Lead_Score_Total"].astype(int)
    for boundary in (51, 34, 24):  # a total on each threshold (hot 50.5 is reached by 51)
        assert (totals == boundary).any()
    assert factors.str.contains("Demo and pricing 3+", regex=False).any()
    quoted = 'Rep\'s "pick"; referral – über'  # quotes, the separator and non-ASCII in a label
    assert scored["Lead_Score_Missing"].str.contains(quoted, regex=False).any()
    assert scored["Lead_Score_Missing"].str.contains("up to +", regex=False).any()


def test_edge_case_numbers_with_separators_and_numeric_flags_fire(edge_case: Case) -> None:
    """In the leads the equality tests score, ``1,250,000`` reads as a number (the range and the
    number list fire on it, as on ``-1,000`` for "under 10"), ``12,34`` does not, and a flag is
    set on the text ``3`` or ``1,000`` in a text column, not on ``0,5``."""
    frame = edge_case.raw.copy()
    read_values(frame)
    assert pd.api.types.is_numeric_dtype(frame["deal_size"])
    fires = score_frame(edge_case.rules, frame).fires.set_axis(frame["lead_id"])
    raw = edge_case.raw.set_index("lead_id")
    assert (
        fires["big_deal"].to_dict() == (raw["deal_size"].isin(["1,250,000", "1,000,000"])).to_dict()
    )
    assert fires["deal_5000"].to_dict() == raw["deal_size"].isin(["5,000", "800"]).to_dict()
    employees = raw["employees"].str.strip()
    assert fires.loc[employees.eq("1,000").to_numpy(), "size_xl"].all()
    assert fires.loc[employees.eq("-1,000").to_numpy(), "size_small"].all()
    assert (
        not fires.loc[employees.isin(["12,34", "1,2345", "0,123"]).to_numpy()]
        .filter(like="size")
        .any()
        .any()
    )
    demo = raw["demo"].str.strip()
    assert fires.loc[demo.isin(["3", "1,000", "2", "0.5"]).to_numpy(), "demo"].all()
    assert not fires.loc[demo.isin(["0,5", "-2", "0"]).to_numpy(), "demo"].any()


#: the sample case reads the session's sample model (``getfixturevalue``, which the grouping by
#: fixture cannot see): its tests run where that model is built
CASES = [
    pytest.param("sample", marks=pytest.mark.xdist_group(SHARED_PROCESS_FIXTURES["sample_model"])),
    "edge",
]


@pytest.mark.parametrize("which", CASES)
class TestEquality:
    """The SQL's scores equal the engine's, row for row, on each engine."""

    @staticmethod
    def _case(which: str, request: pytest.FixtureRequest) -> Case:
        return request.getfixturevalue(f"{which}_case")

    def test_duckdb(self, which: str, request: pytest.FixtureRequest) -> None:
        case = self._case(which, request)
        assert_same_scores(run_duckdb(case.raw, case.rules), case)

    @pytest.mark.postgres
    def test_postgres(self, which: str, request: pytest.FixtureRequest) -> None:
        case = self._case(which, request)
        assert_same_scores(run_postgres(case.raw, case.rules), case)

    @pytest.mark.slow
    def test_spark(self, which: str, request: pytest.FixtureRequest, spark: Any) -> None:
        case = self._case(which, request)
        assert_same_scores(run_spark(spark, case.raw, case.rules), case)


def test_duckdb_typed_columns_score_the_same(sample_case: Case, tmp_path: Path) -> None:
    """A table DuckDB typed itself (integers, booleans) scores as the text file does."""
    import duckdb

    from service.scoring.sql import compile_rules

    path = tmp_path / "leads.csv"
    sample_case.raw.to_csv(path, index=False)
    con = duckdb.connect()
    con.execute("CREATE TABLE leads AS SELECT * FROM read_csv(?, header = true)", [str(path)])
    types = {row[0]: row[1] for row in con.execute("DESCRIBE leads").fetchall()}
    assert "BOOLEAN" in types.values() and "BIGINT" in types.values()
    got = con.execute(compile_rules(sample_case.rules, "duckdb")).df()
    got["lead_id"] = got["lead_id"].astype(str)
    got = got[[*sample_case.raw.columns, *LEAD_SCORE_COLUMNS]]
    assert_same_scores(got, sample_case)


@pytest.mark.postgres
def test_pooled_other_values_score_the_same(tmp_path: Path) -> None:
    """``field_not_in`` (the pooled "other" values of a many-valued field) compiles to SQL that
    equals the engine on DuckDB and PostgreSQL: known and none of the named values, case and
    padding ignored, a missing value never counted as "other"."""
    data = edge_rules_data()
    data["signals"] += [
        {
            "name": "other_industry", "label": "Industry: other (pooled values)",
            "dimension": "negative", "points": -4,
            "when": [{"kind": "field_not_in", "field": "industry", "values": ["SaaS", "fin tech"]}],
        },
        {
            "name": "other_code", "label": "Code: other", "dimension": "behavioral", "points": 1,
            "when": [{"kind": "field_not_in", "field": "code", "values": ["007", 5]}],
        },
    ]  # fmt: skip
    model = tmp_path / "pooled.yaml"
    model.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    leads = write_csv(edge_rows(), tmp_path / "leads.csv")
    case = _case(leads, model, tmp_path / "scored.csv")
    plain = tmp_path / "plain.yaml"
    plain.write_text(yaml.safe_dump(edge_rules_data(), sort_keys=False), encoding="utf-8")
    before = _case(leads, plain, tmp_path / "plain.csv").expected["Lead_Score_Total"]
    moved = case.expected["Lead_Score_Total"] != before
    assert moved.any() and not moved.all()  # the pooled signals fire on some rows, not all
    assert_same_scores(run_duckdb(case.raw, case.rules), case)
    assert_same_scores(run_postgres(case.raw, case.rules), case)
