"""Bad input to the ``leadscore`` command: exit code 2 and one clear message, never a traceback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.ci import unavailable
from tests.cli import invoke


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch) -> tuple[int, str, str]:
    """Run ``leadscore ARGS`` in-process; return (exit code, stdout, stderr) with spaces folded."""
    result = invoke(*args)
    fold = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731
    return result.code, fold(result.stdout), fold(result.stderr)


def deals_csv(path: Path, n: int = 80, outcome: tuple[str, str] = ("won", "lost")) -> Path:
    """A small valid deals file with n rows."""
    rng = np.random.default_rng(0)
    lines = ["deal_id,industry,employee_count,outcome"]
    for i in range(n):
        result = outcome[0] if rng.random() < 0.4 else outcome[1]
        lines.append(f"D{i},{rng.choice(['Software', 'Retail'])},{rng.integers(10, 900)},{result}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def assert_one_clear_error(code: int, err: str, *needles: str) -> None:
    """Exit 2, exactly one 'error:' line, no traceback, and the message names what is wrong."""
    assert code == 2, err
    assert err.count("error:") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def test_missing_file(tmp_path: Path, capsys, monkeypatch) -> None:
    """A deals path that does not exist is named."""
    path = tmp_path / "nope.csv"
    code, _, err = run(["audit", str(path)], capsys, monkeypatch)
    assert_one_clear_error(code, err, str(path), "no such file")


def test_empty_file(tmp_path: Path, capsys, monkeypatch) -> None:
    """An empty deals file is named and the fix (export with a header row) given."""
    path = tmp_path / "empty.csv"
    path.write_text("")
    code, _, err = run(["audit", str(path)], capsys, monkeypatch)
    assert_one_clear_error(code, err, str(path), "empty", "header row")


def test_unknown_delimiter(tmp_path: Path, capsys, monkeypatch) -> None:
    """A file split by spaces gets the delimiter message."""
    path = tmp_path / "spaces.csv"
    path.write_text("deal outcome\nD1 won\nD2 lost\n")
    code, _, err = run(["audit", str(path)], capsys, monkeypatch)
    assert_one_clear_error(code, err, str(path), "cannot detect the delimiter")


def test_no_outcome_column(tmp_path: Path, capsys, monkeypatch) -> None:
    """Without a recognisable outcome column the message lists the columns and the flag."""
    path = tmp_path / "deals.csv"
    path.write_text("deal_id,industry,stage_reached\nD1,Retail,won\nD2,Health,lost\n")
    code, _, err = run(["audit", str(path)], capsys, monkeypatch)
    assert_one_clear_error(code, err, "no outcome column", "--outcome-column", "industry")


def test_outcome_column_not_in_file(tmp_path: Path, capsys, monkeypatch) -> None:
    """--outcome-column naming a column that is not there names it."""
    path = deals_csv(tmp_path / "deals.csv")
    code, _, err = run(["audit", str(path), "--outcome-column", "Stage"], capsys, monkeypatch)
    assert_one_clear_error(code, err, "'Stage'", "not in the file")


def test_outcome_values_match_nothing(tmp_path: Path, capsys, monkeypatch) -> None:
    """--won with a value nobody used lists the values found and how to fix it."""
    path = deals_csv(tmp_path / "deals.csv")
    code, _, err = run(["audit", str(path), "--won", "Closed Won"], capsys, monkeypatch)
    assert_one_clear_error(code, err, "means won", "'won'", "--won VALUE")


def test_unknown_config_key(tmp_path: Path, capsys, monkeypatch) -> None:
    """A misspelled configuration key is named with its file."""
    path = deals_csv(tmp_path / "deals.csv")
    config = tmp_path / "build.yaml"
    config.write_text("outcome: {column: outcome}\nexlude: [industry]\n")
    code, _, err = run(["audit", str(path), "--config", str(config)], capsys, monkeypatch)
    assert_one_clear_error(code, err, f"{config}: exlude: unknown key")


def test_config_names_a_missing_column(tmp_path: Path, capsys, monkeypatch) -> None:
    """--exclude naming a column that is not in the file is reported."""
    path = deals_csv(tmp_path / "deals.csv")
    code, _, err = run(["audit", str(path), "--exclude", "Owner"], capsys, monkeypatch)
    assert_one_clear_error(code, err, "'Owner'", "not a column")


def test_unwritable_json_path(tmp_path: Path, capsys, monkeypatch) -> None:
    """--json pointing at a folder is reported as a file problem, not a crash."""
    path = deals_csv(tmp_path / "deals.csv")
    code, _, err = run(["audit", str(path), "--json", str(tmp_path)], capsys, monkeypatch)
    assert_one_clear_error(code, err, "cannot write the audit JSON")


def test_missing_argument_is_a_usage_error(capsys, monkeypatch) -> None:
    """`leadscore audit` without a file is a usage error with exit code 2."""
    code, _, err = run(["audit"], capsys, monkeypatch)
    assert code == 2 and "Missing argument" in err and "Traceback" not in err


def test_audit_succeeds_and_writes_json(tmp_path: Path, capsys, monkeypatch) -> None:
    """A valid file exits 0, prints the report and writes the JSON."""
    path = deals_csv(tmp_path / "deals.csv", n=80)
    out_json = tmp_path / "out" / "audit.json"
    code, out, _ = run(["audit", str(path), "--json", str(out_json)], capsys, monkeypatch)
    assert code == 0
    assert "Field inventory" in out and "Sample adequacy: LOW" in out
    data = json.loads(out_json.read_text())
    assert data["closed_deals"] == 80 and data["won"] + data["lost"] == 80


def test_too_few_deals_still_exits_0_but_says_so(tmp_path: Path, capsys, monkeypatch) -> None:
    """Thirty deals: the audit succeeds (exit 0) and says prominently that no model can be built."""
    path = deals_csv(tmp_path / "deals.csv", n=30)
    code, out, _ = run(["audit", str(path)], capsys, monkeypatch)
    assert code == 0
    assert "Sample adequacy: INSUFFICIENT" in out
    assert "No model can be built" in out and "come back in 90 days" in out


def test_real_process_exit_code_and_no_traceback(tmp_path: Path) -> None:
    """The installed command, run as a process, exits 2 with one line on stderr for bad input."""
    exe = Path(sys.executable).with_name("leadscore")
    if not exe.exists():
        unavailable("the leadscore console script is not installed next to this Python")
    path = tmp_path / "empty.csv"
    path.write_text("")
    proc = subprocess.run(
        [str(exe), "audit", str(path)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("error:") == 1 and str(path) in re.sub(r"\s+", "", proc.stderr)


def test_brackets_in_a_path_are_printed_as_written(tmp_path: Path, capsys, monkeypatch) -> None:
    """A path with square brackets is named exactly, not eaten as Rich markup or crashing it."""
    folder = tmp_path / "export[old]"
    folder.mkdir()
    path = folder / "deals[2024].csv"
    path.write_text("deal_id,outcome\n", encoding="utf-8")
    code, _, err = run(["audit", str(path)], capsys, monkeypatch)
    assert_one_clear_error(code, err, "export[old]", "deals[2024].csv", "no rows")


def test_a_closing_bracket_tag_in_a_message_does_not_crash(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """A column name like ``Stage [/old]`` in a message is printed, not parsed as a closing tag."""
    path = deals_csv(tmp_path / "deals.csv")
    code, _, err = run(
        ["audit", str(path), "--outcome-column", "Stage [/old]"], capsys, monkeypatch
    )
    assert_one_clear_error(code, err, "Stage [/old]")


def test_column_names_with_square_brackets_audit_cleanly(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """Columns named ``Revenue [EUR]`` and ``Industry [/old]`` are listed as written; exit 0."""
    rng = np.random.default_rng(1)
    lines = ["deal_id,Industry [/old],Revenue [EUR],outcome"]
    for i in range(80):
        industry = rng.choice(["Software", "Retail"])
        lines.append(f"D{i},{industry},{rng.integers(1, 900) * 1000},{rng.choice(['won', 'lost'])}")
    path = tmp_path / "deals.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(["audit", str(path)], capsys, monkeypatch)
    assert code == 0, err
    assert "Industry [/old]" in out and "Revenue [EUR]" in out
