"""``leadscore dashboard`` and what ``make demo`` prints about it."""

from __future__ import annotations

import re
import shlex
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def test_dashboard_command_refuses_half_set_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``leadscore dashboard`` with a user but no password exits 2 naming both settings."""
    from service.cli import main

    monkeypatch.setenv("LEADSCORE_STATE_URL", f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setenv("LEADSCORE_DASHBOARD__USERNAME", "ops")
    monkeypatch.setattr("sys.argv", ["leadscore", "dashboard", "--port", str(free_port())])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 2


def test_dashboard_command_help_names_host_and_port() -> None:
    """``leadscore dashboard --help`` documents --host and --port."""
    out = CliRunner().invoke(app, ["dashboard", "--help"]).output
    assert "--host" in out and "--port" in out


def test_make_demo_ends_with_the_dashboard_command_and_url() -> None:
    """The demo's last lines print the command that serves its state store, and the URL."""
    recipe = (ROOT / "Makefile").read_text().split("\ndemo:")[1].split("\n\n")[0]
    echoes = [line.strip() for line in recipe.splitlines() if line.strip().startswith("@echo")]
    command = next(e for e in echoes[-3:] if "leadscore dashboard" in e)
    assert "LEADSCORE_STATE_URL=sqlite:///$(DEMO)/state.db" in command
    assert "LEADSCORE_RULES_PATH=$(DEMO)/model/model.yaml" in command
    assert re.search(r"http://127\.0\.0\.1:8080/", echoes[-1])
    assert shlex.split(command.removeprefix("@echo "))[0].endswith("/leadscore dashboard")


def test_templates_and_static_files_ship_in_the_package() -> None:
    """Every template and static file (Chart.js and its licence among them) matches the package
    data of ``service.dashboard``, so an installed wheel (the container) serves the same pages."""
    import tomllib
    from fnmatch import fnmatch

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["service.dashboard"]
    folder = ROOT / "service" / "dashboard"
    assert (folder / "__init__.py").exists()
    files = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc")
    ]
    assert "static/chart.umd.min.js" in files and "static/chart.js-LICENSE.md" in files
    assert [f for f in files if not any(fnmatch(f, pat) for pat in patterns)] == []
