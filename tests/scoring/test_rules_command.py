"""``leadscore rules check`` and ``rules schema``: key paths, semantic checks, a fresh schema."""

from __future__ import annotations

import json

import pytest

from service.errors import RulesError
from service.scoring.rules import parse_rules
from service.scoring.rules_check import check_rules, schema_text, score_bounds
from tests.scoring.cli_support import EXAMPLE_RULES, REPO, run_cli
from tests.scoring.conftest import tiny_rules_data


def test_schema_file_is_up_to_date():
    """rules/schema.json equals the schema generated from the pydantic models (regenerate with
    ``leadscore rules schema --out rules/schema.json``)."""
    committed = (REPO / "rules" / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), (
        "rules/schema.json is stale: run leadscore rules schema --out rules/schema.json"
    )


def test_schema_forbids_unknown_keys_and_lists_condition_kinds():
    """The schema rejects unknown keys and names every condition kind, as the models do."""
    schema = json.loads(schema_text())
    assert schema["additionalProperties"] is False
    kinds = {
        d["properties"]["kind"]["const"]
        for name, d in schema["$defs"].items()
        if "kind" in d.get("properties", {})
    }
    assert kinds == {"field_in", "field_not_in", "range", "flag", "missing"}


def test_schema_command_writes_the_same_text(tmp_path, capsys, monkeypatch):
    """``rules schema --out`` writes exactly the generated schema."""
    out = tmp_path / "schema.json"
    run = run_cli(["rules", "schema", "--out", str(out)], capsys, monkeypatch)
    assert run.code == 0
    assert out.read_text(encoding="utf-8") == schema_text()


def test_example_rules_pass_the_check(capsys, monkeypatch):
    """The shipped example is valid and the check prints a summary per dimension."""
    run = run_cli(["rules", "check", str(EXAMPLE_RULES)], capsys, monkeypatch)
    assert run.code == 0, run.err
    assert "2 signals (max 25): demo_requested +18, pricing_visits +10" in run.out
    assert "thresholds: Hot >= 60, Warm >= 40, Cool >= 20, else Cold" in run.out


def test_check_reports_every_schema_problem_with_its_path(tmp_path, capsys, monkeypatch):
    """Each schema problem is on its own line with the file and key path; exit 2."""
    text = EXAMPLE_RULES.read_text(encoding="utf-8")
    text = text.replace("points: 9\n", "points: 9\n    colour: red\n", 1)
    text = text.replace("points: -10", "points: 10").replace("hot: 60", "hot: lots")
    bad = tmp_path / "live.yaml"
    bad.write_text(text, encoding="utf-8")
    run = run_cli(["rules", "check", str(bad)], capsys, monkeypatch)
    assert run.code == 2
    err = run.err.replace("error: ", "")
    assert f"{bad}: signals[0].colour: unknown key (check its spelling; see rules/README.md)" in err
    assert f"{bad}: signals[8]: a negative signal must have points below 0" in err
    assert f"{bad}: thresholds.hot: Input should be a valid number" in err
    assert "Traceback" not in run.err


def test_check_reports_semantic_problems(tmp_path, capsys, monkeypatch):
    """A valid-looking file that cannot work as meant fails the check with the key paths."""
    text = EXAMPLE_RULES.read_text(encoding="utf-8")
    text = text.replace("hot: 60", "hot: 95").replace(
        "negative_max_points: 20", "negative_max_points: 0"
    )
    text = text.replace("engagement: {max_points: 15}", "engagement: {max_points: 5}")
    bad = tmp_path / "live.yaml"
    bad.write_text(text, encoding="utf-8")
    run = run_cli(["rules", "check", str(bad)], capsys, monkeypatch)
    assert run.code == 2
    assert "thresholds.hot: 95 is above the highest possible total (70)" in run.err
    assert (
        "dimensions.engagement.max_points: 5 is below signals[4] (email_clicks, 8 points)"
        in run.err
    )
    assert "negative_max_points: 0 with 2 negative signal(s)" in run.err


def test_unknown_tier_name_is_reported():
    """A tier name other than Hot, Warm, Cool, Cold is a key-path error; a missing one is a problem."""
    from service.errors import RulesError

    data = tiny_rules_data(tiers={"Hott": {"sla": "1h", "action": "Call", "rescore_every_days": 1}})
    try:
        parse_rules(data, "live.yaml")
    except RulesError as exc:
        assert any(p.startswith("tiers.Hott") for p in exc.problems), exc.problems
    else:
        raise AssertionError("an unknown tier name was accepted")
    only_hot = parse_rules(
        tiny_rules_data(tiers={"Hot": {"sla": "1h", "action": "Call", "rescore_every_days": 1}})
    )
    problems = check_rules(only_hot).problems
    assert [p.split(";")[0] for p in problems] == [
        "tiers: no entry for Warm",
        "tiers: no entry for Cool",
        "tiers: no entry for Cold",
    ]


def test_score_bounds_by_hand(tiny_rules):
    """The possible totals follow the caps and the floor: 20 + 12 + 6 + 18 and -10."""
    assert score_bounds(tiny_rules) == (-10, 56)
    assert check_rules(tiny_rules).problems == []


def test_files_an_editor_can_break_are_named_problems_not_crashes(tmp_path, capsys, monkeypatch):
    """A Latin-1 save, a folder, a syntax slip and an unquoted version each exit 2 with the fix."""
    text = EXAMPLE_RULES.read_text(encoding="utf-8")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(text.replace("version:", "# café\nversion:", 1).encode("latin-1"))
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("hot: 60", "hot: [60"), encoding="utf-8")
    unquoted = tmp_path / "unquoted.yaml"
    unquoted.write_text(text.replace("version:", "version: 1.10\nold_version:", 1), "utf-8")
    cases = [
        (latin1, "not UTF-8 text (byte 0xe9"),
        (tmp_path, "is a folder, not a file"),
        (broken, "not valid YAML at line"),
        (unquoted, 'version: must be text: put it in quotes (version: "1.1")'),
    ]
    for path, needle in cases:
        run = run_cli(["rules", "check", str(path)], capsys, monkeypatch)
        assert run.code == 2, (path, run.err)
        assert f"{path}: " in run.err and needle in run.err, run.err
        assert "internal error" not in run.err and "<unicode string>" not in run.err


def test_sign_problems_read_as_sentences():
    """A dimension signal with negative points gets 'an intent signal', without pydantic's prefix."""
    data = tiny_rules_data()
    data["signals"][0] = {**data["signals"][0], "dimension": "intent", "points": -5}
    data["dimensions"]["intent"] = {"max_points": 10}
    with pytest.raises(RulesError) as info:
        parse_rules(data, "live.yaml")
    text = str(info.value)
    assert "live.yaml: signals[0]: an intent signal must have points above 0" in text
    assert "Value error" not in text


def test_sla_hours_on_a_tier_other_than_hot_is_refused_by_key_path():
    """Only a turn into Hot starts an SLA clock (Rule 2): ``sla_hours`` on Warm or Cool is an
    error naming each key path, not a clock that silently never runs; on Hot it is taken."""
    from service.errors import RulesError

    playbook = {
        t: {"sla": "4 hours", "action": "Call", "rescore_every_days": 3}
        for t in ("Hot", "Warm", "Cool", "Cold")
    }
    timed = {**playbook, "Warm": {**playbook["Warm"], "sla_hours": 4}}
    timed["Cool"] = {**playbook["Cool"], "sla_hours": 24}
    try:
        parse_rules(tiny_rules_data(tiers=timed), "live.yaml")
    except RulesError as exc:
        (problem,) = exc.problems
        assert problem.startswith("tiers.Warm.sla_hours, tiers.Cool.sla_hours: only a turn into")
        assert "Warm and Cool would never be timed" in problem
    else:
        raise AssertionError("sla_hours on Warm was accepted")
    hot = {**playbook, "Hot": {**playbook["Hot"], "sla_hours": 2}}
    assert parse_rules(tiny_rules_data(tiers=hot)).tiers["Hot"].sla_hours == 2
