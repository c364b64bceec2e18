"""``leadscore rules sql``: one expression tree per rules file, generated for six dialects.

Snowflake and BigQuery cannot run here: their output is parsed back with sqlglot and compared to a
committed statement (``tests/scoring/expected_sql/``; after an intended change regenerate with
``LEADSCORE_WRITE_EXPECTED_SQL=1 pytest tests/scoring/test_sql_compile.py``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlglot
import yaml

from service.data.io import PLACEHOLDERS
from service.data.numbers import NUMBER_PATTERN
from service.scoring.engine import score_frame
from service.scoring.rules import parse_rules
from service.scoring.sql import DIALECTS, SqlOptions, compile_rules
from service.scoring.sql import compile_rules as compile_sql
from service.scoring.sql_values import WHITESPACE
from tests.scoring.cli_support import run_cli
from tests.scoring.sql_cases import edge_rows, edge_rules_data
from tests.scoring.sql_engines import run_duckdb

EXPECTED = Path(__file__).parent / "expected_sql"


def _edge_rules_file(tmp_path: Path, data: dict | None = None) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data or edge_rules_data(), sort_keys=False), encoding="utf-8")
    return path


class TestDialects:
    """Every dialect gets a statement that parses back to the same tree."""

    @pytest.mark.parametrize("dialect", DIALECTS)
    def test_cli_output_parses_back(self, dialect, tmp_path, capsys, monkeypatch):
        """The printed SQL parses with the dialect's own grammar and regenerates identically."""
        run = run_cli(
            ["rules", "sql", str(_edge_rules_file(tmp_path)), "--dialect", dialect],
            capsys,
            monkeypatch,
        )
        assert run.code == 0, run.err
        text = run.out.rstrip().removesuffix(";")
        tree = sqlglot.parse_one(text, read=dialect)
        assert tree.sql(dialect=dialect, identify=True, pretty=True) == text
        assert "Lead_Score_Missing" in text
        assert ("LATERAL" in text) == (dialect in ("postgres", "spark"))

    @pytest.mark.parametrize("dialect", ["snowflake", "bigquery"])
    def test_matches_committed_statement(self, dialect):
        """The warehouse statements equal the committed ones, compared as parsed trees."""
        text = compile_rules(parse_rules(edge_rules_data()), dialect)
        path = EXPECTED / f"edge_{dialect}.sql"
        if os.environ.get("LEADSCORE_WRITE_EXPECTED_SQL"):
            path.write_text(text + "\n", encoding="utf-8")
        expected = sqlglot.parse_one(path.read_text(encoding="utf-8"), read=dialect)
        assert sqlglot.parse_one(text, read=dialect) == expected

    def test_helpers_are_dropped_per_dialect(self):
        """Where the dialect can, helper columns are dropped with * EXCLUDE / * EXCEPT; PostgreSQL
        and Spark compute them in LATERAL subqueries instead."""
        rules = parse_rules(edge_rules_data())

        def compile_rules(rules, dialect):  # the statement on one line
            return " ".join(compile_sql(rules, dialect).split())

        assert '"p".* EXCLUDE ("_ls_f_0"' in compile_rules(rules, "duckdb")
        assert '"p".* EXCLUDE ("_ls_f_0"' in compile_rules(rules, "snowflake")
        assert "`p`.* EXCEPT (`_ls_f_0`" in compile_rules(rules, "bigquery")
        assert "`p`.* EXCEPT (`_ls_f_0`" in compile_rules(rules, "databricks")
        assert compile_rules(rules, "postgres").count("CROSS JOIN LATERAL") == 6

    def test_names_and_values_are_quoted_not_pasted(self):
        """A field, table or label with quotes stays an identifier or a literal."""
        data = edge_rules_data()
        data["signals"][0]["when"][0]["field"] = 'emp"; DROP TABLE leads; --'
        data["signals"][0]["label"] = "it's'; DROP TABLE leads; --"
        rules = parse_rules(data)
        for dialect in DIALECTS:
            text = compile_rules(rules, dialect, SqlOptions(table='odd"name.le`ads'))
            tree = sqlglot.parse_one(text, read=dialect)
            assert not list(tree.find_all(sqlglot.exp.Drop))
            columns = {c.name for c in tree.find_all(sqlglot.exp.Column)}
            assert 'emp"; DROP TABLE leads; --' in columns
            literals = {lit.this for lit in tree.find_all(sqlglot.exp.Literal)}
            assert any("it's'; DROP TABLE leads; --" in str(v) for v in literals)
            table = next(tree.find_all(sqlglot.exp.Table))
            assert (table.db, table.name) == ('odd"name', "le`ads")

    def test_view_and_id_column(self):
        """--view wraps the SELECT in CREATE OR REPLACE VIEW; --id-column narrows the columns."""
        rules = parse_rules(edge_rules_data())
        text = compile_rules(
            rules, "postgres", SqlOptions(table="crm.leads", view="crm.lead_scores", id_column="id")
        )
        assert text.startswith('CREATE OR REPLACE VIEW "crm"."lead_scores" AS\nWITH ')
        assert '\nSELECT\n  "t"."id",\n  "o"."Lead_Score_Total",' in text
        assert 'FROM "crm"."leads" AS "t"' in text
        assert '"t".*' not in text

    def test_unknown_dialect_is_an_input_error(self, tmp_path, capsys, monkeypatch):
        run = run_cli(
            ["rules", "sql", str(_edge_rules_file(tmp_path)), "--dialect", "oracle"],
            capsys,
            monkeypatch,
        )
        assert run.code == 2
        assert "--dialect 'oracle': choose one of duckdb, postgres, spark" in run.err


class TestReadsValuesAsPandas:
    """The SQL's text rules are the ones pandas applies in service.data.io."""

    def test_whitespace_is_what_str_strip_removes(self):
        every = "".join(map(chr, range(0x3001)))
        assert every.strip(WHITESPACE) == every.strip()
        stripped = pd.Series(pd.array([f"{c}x{c}" for c in WHITESPACE], dtype="string")).str.strip()
        assert set(stripped) == {"x"}

    def test_number_pattern_is_what_to_numeric_reads(self):
        """Without commas the pattern is pandas' numbers; with them, digits grouped in threes."""
        texts = [
            "1", "+1", "-1", ".5", "5.", "1e5", "1E5", "1e+5", "-.5e-3", "+.5", "inf", "-inf",
            "Infinity", "INF", "+inf", "iNfInItY", "1_000", "0x10", "١٢", "1.2.3", "e5",
            "1e", "1d5", "½", "²", "abc", "--1", "1-", ".", "+", "infinit", "5e1.0",
        ]  # fmt: skip
        parsed = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
        by_pandas = {t for t, v in zip(texts, parsed, strict=True) if pd.notna(v)}
        by_pattern = {t for t in texts if re.fullmatch(NUMBER_PATTERN.strip("^$"), t)}
        assert by_pattern == by_pandas
        commas = ["1,5", "12,34", "1,234", "-1,234,567.5", "1,2345", ",100", "1,000e3", "+1,000."]
        by_pattern = {t for t in commas if re.fullmatch(NUMBER_PATTERN.strip("^$"), t)}
        assert by_pattern == {"1,234", "-1,234,567.5", "+1,000."}

    def test_placeholders_in_sql_are_the_io_list(self):
        text = compile_rules(parse_rules(edge_rules_data()), "duckdb")
        listed = re.search(r"IN \(('', '#n/a'[^)]*)\)", text)
        assert listed is not None
        assert {v.strip("'") for v in listed.group(1).split(", ")} == set(PLACEHOLDERS)


class TestOpsEdits:
    """A rules file edited by ops changes the SQL, and the SQL still equals the engine."""

    def test_new_signal_points_and_thresholds(self):
        original = edge_rules_data()
        edited = edge_rules_data()
        edited["signals"].append(
            {
                "name": "web",
                "label": "Came from the web",
                "dimension": "engagement",
                "points": 4,
                "when": [{"kind": "field_in", "field": "source", "values": ["web"]}],
            }
        )
        demo = next(s for s in edited["signals"] if s["name"] == "demo")
        demo["points"] = 21
        edited["thresholds"] = {"hot": 45, "warm": 30, "cool": 15}
        before, after = parse_rules(original), parse_rules(edited)
        old_sql, new_sql = (" ".join(compile_rules(r, "duckdb").split()) for r in (before, after))
        assert "Came from the web (+4)" in new_sql and "Came from the web" not in old_sql
        assert "Requested a demo (+21)" in new_sql and "Requested a demo (+18)" not in new_sql
        assert ">= 45 THEN 'Hot'" in new_sql and ">= 51 THEN 'Hot'" in old_sql

        raw = pd.DataFrame(edge_rows())
        from service.data.io import table_from_frame

        frame = table_from_frame(raw, "edge", clean=set(raw.columns) - {"lead_id"}).frame
        old_rows = run_duckdb(raw, before).set_index("lead_id").loc[raw["lead_id"]]
        new_rows = run_duckdb(raw, after).set_index("lead_id").loc[raw["lead_id"]]
        engine = score_frame(after, frame).scores
        assert new_rows["Lead_Score_Total"].tolist() == engine["total"].tolist()
        assert new_rows["Lead_Score_Tier"].tolist() == engine["tier"].tolist()
        web = raw["source"].str.strip().str.lower().eq("web").to_numpy()
        gained = (new_rows["Lead_Score_Engagement"] - old_rows["Lead_Score_Engagement"]).to_numpy()
        assert (gained[web] > 0).any() and (gained[~web] == 0).all()
        assert (new_rows["Lead_Score_Tier"] != old_rows["Lead_Score_Tier"]).any()


class TestCheckErrorsAreShared:
    """``rules sql`` refuses a file with exactly the problems ``rules check`` reports."""

    @pytest.mark.parametrize(
        "edit",
        [
            {"thresholds": {"hot": 500, "warm": 20, "cool": 5}},  # semantic: unreachable Hot
            {"negative_max_points": 0},  # semantic: negatives never subtract
            {"thresholds": {"hot": 5, "warm": 20, "cool": 30}},  # schema: order
            {"versoin": "2"},  # schema: unknown key
        ],
    )
    def test_same_errors(self, edit, tmp_path, capsys, monkeypatch):
        data = {**edge_rules_data(), **edit}
        path = _edge_rules_file(tmp_path, data)
        check = run_cli(["rules", "check", str(path)], capsys, monkeypatch)
        assert check.code == 2 and str(path) in check.err
        for dialect in DIALECTS:
            compiled = run_cli(
                ["rules", "sql", str(path), "--dialect", dialect], capsys, monkeypatch
            )
            assert (compiled.code, compiled.err, compiled.out) == (2, check.err, "")


class TestUnscoreableBoundary:
    """A lead missing exactly the Unscoreable share of signal points is Unscoreable in both."""

    @pytest.mark.parametrize("share", [0.6, 0.35, 0.7])
    def test_boundary(self, share):
        signals = [
            {
                "name": f"s{i}",
                "dimension": "firmographic",
                "points": pts,
                "when": [{"kind": "range", "field": f"f{i}", "min": 1}],
            }
            for i, pts in enumerate([1, 2, 3, 4])
        ]
        rules = parse_rules(
            {
                "version": "b",
                "dimensions": {"firmographic": {"max_points": 10}},
                "signals": signals,
                "thresholds": {"hot": 9, "warm": 5, "cool": 2},
                "unscoreable_missing_share": share,
            }
        )
        # every subset of missing fields: missing weights 0..10, each boundary hit
        rows = [
            {"lead_id": str(m), **{f"f{i}": "" if m >> i & 1 else "1" for i in range(4)}}
            for m in range(16)
        ]
        raw = pd.DataFrame(rows)
        frame = pd.DataFrame({c: pd.to_numeric(raw[c].replace("", None)) for c in raw})
        engine = score_frame(rules, frame).scores
        got = run_duckdb(raw, rules).set_index("lead_id").loc[raw["lead_id"]]
        assert got["Lead_Score_Tier"].tolist() == engine["tier"].tolist()
        assert got["Lead_Score_Missing"].str.len().gt(0).sum() == 15
        missing_weight = [
            sum(p for i, p in enumerate([1, 2, 3, 4]) if m >> i & 1) for m in range(16)
        ]
        boundary = [w for w in missing_weight if w / 10 >= share]
        assert min(boundary) / 10 == pytest.approx(share, abs=0.051)  # the boundary is in the data
        assert (engine["tier"] == "Unscoreable").sum() == len(boundary)


def test_a_new_condition_kind_fails_loudly():
    """A condition kind the compiler does not know is an error, never read as another kind."""
    from pydantic import BaseModel

    class Pooled(BaseModel):
        kind: str = "pooled"
        field: str = "industry"

    rules = parse_rules(edge_rules_data())
    signal = rules.signals[0].model_copy(update={"when": [Pooled()]})
    with pytest.raises(TypeError, match="no SQL for condition kind Pooled"):
        compile_rules(rules.model_copy(update={"signals": [signal]}), "duckdb")
