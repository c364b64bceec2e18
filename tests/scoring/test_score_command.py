"""``leadscore score``: the scored file, missing columns, and bad input without tracebacks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml
from structlog.testing import capture_logs

from service.scoring.batch import LEAD_SCORE_COLUMNS, score_leads
from service.scoring.rules import load_rules
from tests.scoring.cli_support import EXAMPLE_RULES, LEADS_CSV, run_cli
from tests.scoring.conftest import tiny_rules_data


def _leads(tmp_path: Path, text: str = LEADS_CSV) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_scored_file_keeps_input_columns_order_and_values(tmp_path, capsys, monkeypatch):
    """scored.csv has every input column in order with values as in the file, then the scores."""
    leads, out = _leads(tmp_path), tmp_path / "scored.csv"
    run = run_cli(
        ["score", str(leads), "--model", str(EXAMPLE_RULES), "--out", str(out)], capsys, monkeypatch
    )
    assert run.code == 0, run.err
    original = pd.read_csv(leads, dtype=str, keep_default_na=False)
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(scored.columns) == [*original.columns, *LEAD_SCORE_COLUMNS]
    pd.testing.assert_frame_equal(scored[original.columns], original)
    assert scored["lead_id"].tolist() == ["007", "008", "009", "010"]
    assert scored["notes"].tolist() == ["keeps, commas", "N/A", "", "x"]
    # Acme: firmographic 9 + 12 (cap 20), behavioral 18 + 10 (cap 25), engagement 8 + 7, intent 14 + 9 (cap 20)
    acme = scored.iloc[0]
    assert acme[list(LEAD_SCORE_COLUMNS[:6])].tolist() == ["80", "20", "25", "15", "20", "Hot"]
    assert acme["Lead_Score_Version"] == "1.0"
    assert acme["Lead_Score_Top_Factors"].startswith(
        "Requested a demo (+18); Researching the topic"
    )
    # Beta: careers page only (-10), nothing else
    assert scored.iloc[1][["Lead_Score_Total", "Lead_Score_Tier"]].tolist() == ["-10", "Cold"]


def test_example_rules_caps_are_reflected(tmp_path, capsys, monkeypatch):
    """A dimension whose signals sum above its cap is reported at the cap (28 > 25 behavioral)."""
    text = Path(EXAMPLE_RULES).read_text(encoding="utf-8")
    assert "behavioral: {max_points: 25}" in text
    out = tmp_path / "scored.csv"
    run = run_cli(
        ["score", str(_leads(tmp_path)), "-m", str(EXAMPLE_RULES), "-o", str(out)],
        capsys,
        monkeypatch,
    )
    assert run.code == 0
    scored = pd.read_csv(out)
    assert scored.loc[0, "Lead_Score_Behavioral"] == 25


def test_missing_columns_score_and_are_named(tmp_path, capsys, monkeypatch):
    """A leads file without some fields still scores; the output names the signals left unmapped."""
    frame = pd.read_csv(_leads(tmp_path), dtype=str, keep_default_na=False)
    short = tmp_path / "short.csv"
    frame.drop(columns=["intent_topic_surge", "stakeholders"]).to_csv(short, index=False)
    out, report = tmp_path / "scored.csv", tmp_path / "batch.md"
    run = run_cli(
        [
            "score",
            str(short),
            "--model",
            str(EXAMPLE_RULES),
            "--out",
            str(out),
            "--report",
            str(report),
        ],
        capsys,
        monkeypatch,
    )
    assert run.code == 0, run.err
    assert "stakeholders, intent_surge" in run.out
    assert "fields: stakeholders, intent_topic_surge" in run.out
    scored = pd.read_csv(out, keep_default_na=False)
    assert scored["Lead_Score_Missing"].str.contains("3+ people engaged", regex=False).all()
    assert scored["Lead_Score_Missing"].str.contains("Researching the topic", regex=False).all()
    text = report.read_text(encoding="utf-8")
    assert "needs `stakeholders`" in text and "needs `intent_topic_surge`" in text


def test_scoring_logs_counts(tmp_path):
    """Scoring logs one ``leads_scored`` event with the row count, tiers and unmapped signals."""
    frame = pd.read_csv(_leads(tmp_path), dtype=str, keep_default_na=False)
    short = tmp_path / "short.csv"
    frame.drop(columns=["stakeholders"]).to_csv(short, index=False)
    with capture_logs() as logs:
        batch = score_leads(short, load_rules(EXAMPLE_RULES))
    events = [e for e in logs if e["event"] == "leads_scored"]
    assert len(events) == 1
    assert events[0]["rows"] == 4 and events[0]["unmapped_signals"] == 1
    assert events[0]["hot"] == int((batch.result.scores["tier"] == "Hot").sum()) == 1


def test_missing_data_lists_signals_and_potential(tmp_path, capsys, monkeypatch):
    """A lead with empty fields lists the signals it could not be scored on and what they could add."""
    out = tmp_path / "scored.csv"
    run_cli(
        ["score", str(_leads(tmp_path)), "-m", str(EXAMPLE_RULES), "-o", str(out)],
        capsys,
        monkeypatch,
    )
    gamma = pd.read_csv(out, dtype=str, keep_default_na=False).iloc[2]
    # employee_count, email_clicks, stakeholders, intent, reviews unknown: 12 + 8 + 7 + 14 + 9 = 50,
    # with caps: firmographic 0 + 12 (<= 20), engagement 15, intent 20 -> 47; share 50 / 105 < 60%
    assert gamma["Lead_Score_Missing"] == (
        "200 to 2,000 employees; Clicked 2+ emails; 3+ people engaged; "
        "Researching the topic (intent surge); Comparing vendors on review sites (up to +47 points)"
    )
    assert gamma["Lead_Score_Tier"] == "Cold"


def test_unknown_column_option_is_an_input_error(tmp_path, capsys, monkeypatch):
    """A --name-column that is not in the file exits 2 naming the column and the columns present."""
    run = run_cli(
        ["score", str(_leads(tmp_path)), "-m", str(EXAMPLE_RULES), "--name-column", "firm"],
        capsys,
        monkeypatch,
    )
    assert run.code == 2
    assert "'firm' is not a column" in run.err and "company" in run.err


def test_malformed_rules_fail_with_key_path(tmp_path, capsys, monkeypatch):
    """A rules file with a bad value fails with its key path, exit 2, one line per problem."""
    bad = tmp_path / "model.yaml"
    text = Path(EXAMPLE_RULES).read_text(encoding="utf-8")
    text = text.replace("points: 12", "points: twelve").replace(
        "kind: flag, field: demo_requested", "kind: flagg, field: demo_requested"
    )
    bad.write_text(text, encoding="utf-8")
    run = run_cli(["score", str(_leads(tmp_path)), "--model", str(bad)], capsys, monkeypatch)
    assert run.code == 2
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert any(
        line.endswith(
            "signals[1].points: Input should be a valid integer, unable to parse string as an integer"
        )
        for line in lines
    )
    assert any(
        "signals[2].when[0]: kind must be one of field_in, field_not_in, range, flag, missing"
        in line
        for line in lines
    )
    assert "Traceback" not in run.err


def test_malformed_rules_exit_2_with_the_key_path_and_no_traceback(tmp_path, cli):
    """Run as the console script runs it, a broken rules file exits 2 with the key path and no
    traceback."""
    bad = tmp_path / "model.yaml"
    bad.write_text(
        "version: '1'\ndimensions: {}\nsignals: []\nthresholds: {hot: 1, warm: 2, cool: 0}\n"
    )
    result = cli("score", str(_leads(tmp_path)), "--model", str(bad))
    assert result.code == 2
    assert "thresholds: thresholds must satisfy hot > warm > cool" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_leads_file_is_an_input_error(tmp_path, capsys, monkeypatch):
    """A leads path that does not exist exits 2 naming the path."""
    run = run_cli(
        ["score", str(tmp_path / "nope.csv"), "-m", str(EXAMPLE_RULES)], capsys, monkeypatch
    )
    assert run.code == 2 and "nope.csv: no such file" in run.err


def test_scored_csv_writer_falls_back_for_mixed_columns(tmp_path):
    """A column Arrow cannot convert (mixed Python objects) is still written, by pandas."""
    from service.data.csv_out import write_csv

    frame = pd.DataFrame(
        {"mixed": pd.Series([1, "two", 3.5], dtype=object), "Lead_Score_Total": [1, 2, 3]}
    )
    out = tmp_path / "scored.csv"
    write_csv(frame, out)
    back = pd.read_csv(out, dtype=str)
    assert back["mixed"].tolist() == ["1", "two", "3.5"]
    assert back["Lead_Score_Total"].tolist() == ["1", "2", "3"]


def test_parquet_leads_with_typed_columns_score_like_the_csv(tmp_path, capsys, monkeypatch):
    """A Parquet export (nullable booleans and integers) gets the same scores as the CSV."""
    csv_path = _leads(tmp_path)
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    typed = frame.assign(
        employee_count=pd.to_numeric(frame["employee_count"]).astype("Int64"),
        demo_requested=frame["demo_requested"].map({"yes": True, "no": False}).astype("boolean"),
        intent_topic_surge=frame["intent_topic_surge"]
        .map({"yes": True, "no": False})
        .astype("boolean"),
    )
    parquet = tmp_path / "leads.parquet"
    typed.to_parquet(parquet)
    outs = {}
    for name, path in (("csv", csv_path), ("parquet", parquet)):
        outs[name] = tmp_path / f"{name}.csv"
        run = run_cli(
            ["score", str(path), "--model", str(EXAMPLE_RULES), "--out", str(outs[name])],
            capsys,
            monkeypatch,
        )
        assert run.code == 0, run.err
    cols = ["Lead_Score_Total", "Lead_Score_Tier", "Lead_Score_Top_Factors"]
    from_csv = pd.read_csv(outs["csv"], dtype=str, keep_default_na=False)[cols]
    from_parquet = pd.read_csv(outs["parquet"], dtype=str, keep_default_na=False)[cols]
    pd.testing.assert_frame_equal(from_parquet, from_csv)


def test_a_leads_file_sharing_no_field_with_the_model_is_refused(tmp_path, capsys, monkeypatch):
    """No column the model reads: exit 2 naming the fields and the file's columns; nothing written."""
    wrong = tmp_path / "contacts.csv"
    wrong.write_text("email,phone\na@x.test,123\nb@y.test,456\n", encoding="utf-8")
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    model = model_dir / "model.yaml"
    model.write_text(EXAMPLE_RULES.read_text(encoding="utf-8"), encoding="utf-8")
    report = model_dir / "lead-scoring-model.md"
    report.write_text("the report as built\n", encoding="utf-8")
    (model_dir / "analysis.json").write_text("{}", encoding="utf-8")
    out = tmp_path / "scored.csv"
    run = run_cli(["score", str(wrong), "-m", str(model), "--out", str(out)], capsys, monkeypatch)
    assert run.code == 2, run.err
    assert f"{wrong}: none of the" in run.err and "demo_requested" in run.err
    assert "its columns: email, phone" in run.err
    assert not out.exists()
    assert report.read_text(encoding="utf-8") == "the report as built\n"


def test_unmapped_field_names_with_brackets_print_as_written(tmp_path, capsys, monkeypatch):
    """A model field named ``Employees [/n]`` missing from the leads is named in the warning as
    written, without breaking the output."""
    data = tiny_rules_data()
    data["signals"][1]["when"][0]["field"] = "Employees [/n]"
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump(data), encoding="utf-8")
    leads = tmp_path / "leads.csv"
    leads.write_text("lead_id,industry\nL1,Healthcare\nL2,Retail\n", encoding="utf-8")
    run = run_cli(["score", str(leads), "-m", str(model)], capsys, monkeypatch)
    assert run.code == 0, run.err
    assert "fields: Employees [/n]" in " ".join(run.out.split())
