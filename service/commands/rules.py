"""``leadscore rules check`` and ``leadscore rules schema``: for the people who edit the rules."""

from __future__ import annotations

from pathlib import Path

import typer

from service.commands.common import console
from service.errors import RulesError
from service.scoring.rules import load_rules
from service.scoring.rules_check import check_rules, schema_text, summary_lines

ORDER = 45

rules_app = typer.Typer(help="Check a rules file an ops person edited; regenerate its JSON schema.")


@rules_app.command("check")
def check(file: Path = typer.Argument(..., help="The rules YAML to check.")) -> None:
    """Validate a rules file: one line per problem with its key path; exit 2 on any problem."""
    rules = load_rules(file)
    result = check_rules(rules)
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {file}: {warning}", highlight=False, soft_wrap=True)
    if result.problems:
        raise RulesError(str(file), result.problems)
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
    text = schema_text()
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")
