"""The command line: help everywhere, exit codes, connector lookup."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import structlog
import typer

import connectors
from service import __version__
from service.cli import app
from tests.cli import CliResult


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


def test_version(cli: Callable[..., CliResult]) -> None:
    """--version prints the package version."""
    result = cli("--version")
    assert result.code == 0
    assert result.stdout == f"leadscore {__version__}\n"


def test_unknown_command_is_a_usage_error(cli: Callable[..., CliResult]) -> None:
    """A command that does not exist exits 2 without a traceback."""
    result = cli("no-such-command")
    assert result.code == 2
    assert "No such command" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_connector_name() -> None:
    """Looking up a connector that is not installed names it and lists what is."""
    with pytest.raises(LookupError, match="No connector named 'nosuch'"):
        connectors.get_connector_class("nosuch")
    assert {"local", "salesforce", "hubspot"} <= set(connectors.available())
