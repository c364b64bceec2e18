"""The ``leadscore`` command: thin; each command lives in ``service/commands/``."""

from __future__ import annotations

import sys

import structlog
import typer
from rich.console import Console
from rich.markup import escape

from service import __version__, redact
from service.errors import LeadScoreError
from service.logging import configure_logging

app = typer.Typer(
    name="leadscore",
    help="Lead scoring built from your own win/loss history: audit, build, score, sync with your CRM.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leadscore {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    log_level: str = typer.Option("WARNING", "--log-level", help="DEBUG, INFO, WARNING or ERROR."),
) -> None:
    """Lead scoring built from your own win/loss history."""
    configure_logging(log_level)


def _register_commands() -> None:
    """Every command, in the order ``leadscore --help`` lists them. A new command module adds
    its ``register`` here."""
    from service.commands import (
        audit,
        build,
        crm,
        crm_local,
        daemon,
        dashboard,
        experiment,
        model,
        rules,
        sample_data,
        score,
    )

    for module in (
        sample_data,
        audit,
        build,
        score,
        rules,
        model,
        crm,
        crm_local,
        daemon,
        dashboard,
        experiment,
    ):
        module.register(app)


_register_commands()


def main() -> None:
    """Entry point: exit 0 on success, 2 on bad input or usage, 1 on an internal failure."""
    try:
        app()  # standalone: usage errors print their message and exit 2
    except LeadScoreError as exc:
        # escaped: a path or column such as ``deals[2024].csv`` is text, not Rich markup
        _err.print(
            f"[bold red]error:[/] {escape(redact.scrub(str(exc)))}",
            highlight=False,
            markup=True,
            soft_wrap=True,
        )
        sys.exit(exc.exit_code)
    except (SystemExit, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: say so plainly, without a traceback
        _err.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {escape(redact.scrub(str(exc)))}\n"
            "This is a bug in leadscore; run again with --log-level DEBUG and report it.",
            highlight=False,
            markup=True,
        )
        structlog.get_logger().debug("internal_error", exc_info=True)
        sys.exit(1)
