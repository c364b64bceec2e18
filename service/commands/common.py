"""Options and helpers the commands share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from service import redact
from service.data.atomic import write_text_atomic

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


def print_or_write(text: str, out: Path | None) -> None:
    """A generated file (a JSON schema): to standard output, or written atomically to ``out``."""
    if out is None:
        typer.echo(text, nl=False)
        return
    write_text_atomic(out, text)
    console.print(f"wrote {out}", highlight=False)
