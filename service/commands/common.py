"""Options and helpers the commands share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from service import redact
from service.config import (
    BuildConfig,
    Outcome,
    apply_flags,
    load_build_config,
    resolve_columns,
    resolve_outcome,
)
from service.data.io import Table, read_table

console = Console()


def plain(value: object) -> str:
    """Text from data or a server made safe to print with Rich: its ``[...]`` is shown, not
    read as markup (an id like ``[/bold]`` would crash the print, ``[link=...]`` fake a link),
    and any secret value a server echoed is scrubbed."""
    return escape(redact.scrub(str(value)))


ConfigOpt = typer.Option(None, "--config", "-c", help="Build configuration YAML (column mapping).")
OutcomeColumnOpt = typer.Option(None, "--outcome-column", help="Column holding the deal outcome.")
WonOpt = typer.Option([], "--won", help="A value that means closed-won (repeat for several).")
LostOpt = typer.Option(
    [], "--lost", help="A value that means closed-lost (repeat; default: anything not won)."
)
ExcludeOpt = typer.Option([], "--exclude", help="A column never to use (repeatable).")


@dataclass
class Deals:
    """A deals file read and mapped: the table, the resolved configuration and the outcome."""

    table: Table
    config: BuildConfig
    outcome: Outcome


def load_deals(
    path: Path,
    config_path: Path | None,
    *,
    outcome_column: str | None = None,
    won: list[str] | None = None,
    lost: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Deals:
    """Read a deals file and resolve its columns; every problem is an ``InputError``."""
    config = apply_flags(
        load_build_config(config_path),
        outcome_column=outcome_column,
        won=won or [],
        lost=lost or [],
        exclude=exclude or [],
    )
    table = read_table(path)
    config = resolve_columns(table.frame, config, str(path))
    outcome = resolve_outcome(table.frame, config, str(path))
    config = config.model_copy(
        update={"outcome": config.outcome.model_copy(update={"column": outcome.column})}
    )
    return Deals(table=table, config=config, outcome=outcome)


@contextmanager
def progress(disable: bool | None = None) -> Iterator[Progress]:
    """A Rich progress bar on stderr (hidden when stderr is not a terminal)."""
    err = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=(not err.is_terminal) if disable is None else disable,
    ) as bar:
        yield bar
