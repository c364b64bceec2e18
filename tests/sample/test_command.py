"""`leadscore sample-data` on the command line: files, summary, exit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from service.commands.sample_data import parse_as_of, sample_data
from service.errors import InputError
from service.sample import FILES
from tests.cli import invoke


def _main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str):
    """Run ``leadscore sample-data ARGS`` in-process; return (exit code, stdout, stderr)."""
    result = invoke("sample-data", *args)
    return result.code, result.stdout, result.stderr


def test_command_writes_the_five_files_and_exits_0(tmp_path: Path, cli) -> None:
    """`leadscore sample-data` writes deals, leads, activities, ICP and truth, prints a summary
    and exits 0."""
    out = tmp_path / "data"
    result = cli(
        "sample-data", "--out", str(out), "--as-of", "2026-11-28", "--deals", "90", "--leads", "40"
    )
    assert result.code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    truth = json.loads((out / "truth.json").read_text())
    assert (truth["deals"], truth["won"], truth["lost"]) == (90, 31, 59)
    assert truth["as_of"] == "2026-11-28"
    assert "31 won, 59 lost" in result.stdout and "deals.csv" in result.stdout


def test_command_exits_2_on_a_bad_count(tmp_path: Path, cli) -> None:
    """`--deals 0` exits 2 with one line saying what to change, no traceback."""
    result = cli("sample-data", "--out", str(tmp_path), "--deals", "0")
    assert result.code == 2
    assert "--deals must be at least 1" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())


def test_default_as_of_is_today(tmp_path: Path, monkeypatch, capsys) -> None:
    """Without --as-of the history ends today."""
    code, _, err = _main(
        monkeypatch, capsys, "--out", str(tmp_path), "--deals", "10", "--leads", "0"
    )
    assert code == 0, err
    assert json.loads((tmp_path / "truth.json").read_text())["as_of"] == date.today().isoformat()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--deals", "-3"], "--deals must be at least 1"),
        (["--leads", "-5"], "--leads must be 0 or more"),
        (["--as-of", "28/11/2026"], "YYYY-MM-DD"),
        (["--deals", "many"], "Invalid value for '--deals'"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    tmp_path: Path, monkeypatch, capsys, args: list[str], message: str
) -> None:
    """Bad counts or dates exit 2 with a message saying what to change, no traceback."""
    code, _, err = _main(monkeypatch, capsys, "--out", str(tmp_path / "x"), *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_unwritable_folder_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    """An --out that is a file, or lies under one, exits 2 naming the path."""
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    for out in (blocker, blocker / "sub"):
        code, _, err = _main(monkeypatch, capsys, "--out", str(out), "--deals", "10")
        assert code == 2, err
        assert str(out) in err.replace("\n", "")
        assert "Traceback" not in err


def test_parse_as_of() -> None:
    """--as-of takes an ISO date; anything else is an InputError; nothing means today."""
    assert parse_as_of("2026-11-28").isoformat() == "2026-11-28"  # type: ignore[union-attr]
    assert parse_as_of(None) is None
    with pytest.raises(InputError, match="2026-13-01"):
        parse_as_of("2026-13-01")


def test_logs_what_it_wrote(tmp_path: Path) -> None:
    """The command logs one sample_data_written event with the counts."""
    with capture_logs() as logs:
        sample_data(out=tmp_path, deals=40, leads=5, seed=1, as_of="2026-11-28")
    events = [e for e in logs if e["event"] == "sample_data_written"]
    assert len(events) == 1
    assert events[0]["deals"] == 40 and events[0]["leads"] == 5 and events[0]["seed"] == 1
    assert events[0]["rows"] > 40
