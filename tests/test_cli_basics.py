"""The command line: help everywhere, exit codes, connector lookup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import structlog
import typer

import connectors
from service.cli import app

LEADSCORE = Path(sys.executable).parent / "leadscore"


def _all_commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    import typer.main

    click_group = typer.main.get_command(group)
    found: list[tuple[str, ...]] = []

    def walk(cmd, path: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
        found.append(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(click_group, prefix)
    return found


def test_every_command_has_help() -> None:
    """`--help` works on the root and on every command and says something."""
    from typer.testing import CliRunner

    commands = _all_commands(app)
    assert len(commands) > 5
    runner = CliRunner()
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output
        structlog.reset_defaults()


def test_version() -> None:
    """--version prints the package version."""
    result = subprocess.run([str(LEADSCORE), "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.startswith("leadscore ")


def test_unknown_command_is_a_usage_error() -> None:
    """A command that does not exist exits 2 without a traceback."""
    result = subprocess.run([str(LEADSCORE), "no-such-command"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_unknown_connector_name() -> None:
    """Looking up a connector that is not installed names it and lists what is."""
    with pytest.raises(LookupError, match="No connector named 'nosuch'"):
        connectors.get_connector_class("nosuch")
    assert {"local", "salesforce", "hubspot"} <= set(connectors.available())
