"""``leadscore score --from-sql URL --table T [--to-table T2]``: a nightly job needs no CSV."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from service.scoring.batch import LEAD_SCORE_COLUMNS
from tests.scoring.cli_support import EXAMPLE_RULES, LEADS_CSV, run_cli
from tests.scoring.sql_engines import PG_URL, pg_schema


def _scored_file(tmp_path: Path, capsys, monkeypatch) -> pd.DataFrame:
    leads = tmp_path / "leads.csv"
    leads.write_text(LEADS_CSV, encoding="utf-8")
    out = tmp_path / "scored.csv"
    run = run_cli(
        ["score", str(leads), "-m", str(EXAMPLE_RULES), "-o", str(out)], capsys, monkeypatch
    )
    assert run.code == 0, run.err
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(LEAD_SCORE_COLUMNS)].astype(str).reset_index(drop=True)


class TestFromDuckDB:
    """A DuckDB file, typed by DuckDB itself, scores as the CSV does."""

    def test_reads_scores_and_writes_back(self, tmp_path, capsys, monkeypatch):
        expected = _scored_file(tmp_path, capsys, monkeypatch)
        db = tmp_path / "crm.duckdb"
        con = duckdb.connect(str(db))
        con.execute(
            "CREATE TABLE leads AS SELECT * FROM read_csv(?)", [str(tmp_path / "leads.csv")]
        )
        con.close()
        url = f"duckdb:///{db}"
        run = run_cli(
            ["score", "--from-sql", url, "--table", "leads", "--to-table", "lead_scores",
             "-m", str(EXAMPLE_RULES)],
            capsys, monkeypatch,
        )  # fmt: skip
        assert run.code == 0, run.err
        assert "Scored leads written to table: lead_scores" in run.out
        con = duckdb.connect(str(db))
        written = con.execute("SELECT * FROM lead_scores ORDER BY lead_id").df()
        con.close()
        assert list(written.columns)[-len(LEAD_SCORE_COLUMNS) :] == list(LEAD_SCORE_COLUMNS)
        assert _as_text(written).equals(_as_text(expected))

    def test_missing_table_names_the_tables(self, tmp_path, capsys, monkeypatch):
        db = tmp_path / "crm.duckdb"
        duckdb.connect(str(db)).execute("CREATE TABLE deals (id INT)").close()
        run = run_cli(
            ["score", "--from-sql", f"duckdb:///{db}", "--table", "leads", "-m", str(EXAMPLE_RULES)],
            capsys, monkeypatch,
        )  # fmt: skip
        assert run.code == 2
        assert "--table 'leads': no such table" in run.err and "deals" in run.err

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--table", "leads"], "--table reads from a database: add --from-sql URL"),
            (["--from-sql", "duckdb:///x.duckdb"], "--from-sql needs --table T"),
            (["--to-table", "x", "leads.csv"], "--to-table writes to the database of --from-sql"),
            ([], "give either a leads file or --from-sql URL --table T"),
        ],
    )
    def test_option_mistakes(self, args, message, tmp_path, capsys, monkeypatch):
        monkeypatch.chdir(tmp_path)
        run = run_cli(["score", *args, "-m", str(EXAMPLE_RULES)], capsys, monkeypatch)
        assert run.code == 2 and message in run.err

    def test_password_is_never_shown(self, capsys, monkeypatch):
        url = "postgresql+psycopg://nobody:s3cret-pw@127.0.0.1:1/none"
        run = run_cli(
            ["score", "--from-sql", url, "--table", "leads", "-m", str(EXAMPLE_RULES)],
            capsys, monkeypatch,
        )  # fmt: skip
        assert run.code == 2
        assert "s3cret-pw" not in run.err + run.out and "nobody:***@" in run.err


@pytest.mark.postgres
def test_postgres_round_trip(tmp_path, capsys, monkeypatch):
    """A PostgreSQL table in its own schema: read, score, write the scores to another table."""
    expected = _scored_file(tmp_path, capsys, monkeypatch)
    raw = pd.read_csv(tmp_path / "leads.csv", dtype=str, keep_default_na=False)
    with pg_schema() as (engine, schema):
        with engine.begin() as conn:
            raw.to_sql("leads", conn, schema=schema, index=False)
        run = run_cli(
            ["score", "--from-sql", PG_URL, "--table", f"{schema}.leads",
             "--to-table", f"{schema}.lead_scores", "-m", str(EXAMPLE_RULES)],
            capsys, monkeypatch,
        )  # fmt: skip
        assert run.code == 0, run.err
        with engine.connect() as conn:
            written = pd.read_sql(
                sa.text(f'SELECT * FROM "{schema}".lead_scores ORDER BY lead_id'), conn
            )
    assert written["lead_id"].tolist() == ["007", "008", "009", "010"]  # text kept as text
    assert _as_text(written).equals(_as_text(expected))
