"""``leadscore rules check`` and ``leadscore rules schema``: for the people who edit the rules."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from service.commands.common import console, print_or_write
from service.data.atomic import write_text_atomic
from service.errors import DataFileError, RulesError
from service.scoring.rules import Rules, load_rules
from service.scoring.rules_check import check_rules, schema_text, summary_lines
from service.scoring.sql import DIALECTS, SqlOptions, compile_rules

rules_app = typer.Typer(
    help="Check a rules file an ops person edited; regenerate its JSON schema; compile it to SQL."
)
_stderr = Console(stderr=True)


def checked_rules(file: Path, warnings_to: Console = console) -> Rules:
    """Load and check a rules file; the same problems (exit 2) whatever is asked of it next."""
    rules = load_rules(file)
    result = check_rules(rules)
    for warning in result.warnings:
        warnings_to.print(f"[yellow]warning:[/] {file}: {warning}", highlight=False, soft_wrap=True)
    if result.problems:
        raise RulesError(str(file), result.problems)
    return rules


@rules_app.command("check")
def check(file: Path = typer.Argument(..., help="The rules YAML to check.")) -> None:
    """Validate a rules file: one line per problem with its key path; exit 2 on any problem."""
    rules = checked_rules(file)
    for line in summary_lines(rules):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
    console.print(f"[green]OK[/]: {file} is valid.", highlight=False)


@rules_app.command("schema")
def schema(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write here (e.g. rules/schema.json)."
    ),
) -> None:
    """Print or write the JSON schema of the rules file, generated from the pydantic models."""
    print_or_write(schema_text(), out)


@rules_app.command("sql")
def sql(
    file: Path = typer.Argument(..., help="The rules YAML to compile."),
    dialect: str = typer.Option(
        ..., "--dialect", "-d", help=f"The SQL dialect: {', '.join(DIALECTS)}."
    ),
    table: str = typer.Option(
        "leads", "--table", "-t", help="The leads table (schema.table or catalog.schema.table)."
    ),
    view: str | None = typer.Option(
        None, "--view", help="Write CREATE OR REPLACE VIEW with this name instead of a SELECT."
    ),
    id_column: str | None = typer.Option(
        None,
        "--id-column",
        help="Return only this column and the Lead_Score_* columns (default: every column).",
    ),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the SQL here (default: print)."
    ),
) -> None:
    """Compile the rules to one SQL statement that scores the table where it lives, as
    `leadscore score` would: every column plus Lead_Score_Total ... Lead_Score_Missing."""
    rules = checked_rules(file, warnings_to=_stderr)
    text = (
        compile_rules(rules, dialect, SqlOptions(table=table, view=view, id_column=id_column))
        + ";\n"
    )
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        write_text_atomic(out, text)
    except OSError as exc:
        raise DataFileError(f"{out}: cannot write the SQL ({exc.strerror}).") from exc
    _stderr.print(f"wrote {out} ({dialect})", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
