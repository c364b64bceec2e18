"""``leadscore score``: score a file of current leads with a model's rules."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from service.commands.common import console, progress
from service.data.sql_table import read_sql_table, write_sql_table
from service.errors import DataFileError, InputError
from service.report.batch import TIERS, render_section7
from service.report.escape import write_markdown
from service.scoring.batch import (
    BatchResult,
    score_frame_leads,
    score_leads,
    scored_output,
    tier_counts,
    write_scored,
)
from service.scoring.rules import Rules, load_rules

BIG_FILE_BYTES = 20 * 2**20


def _check_column(batch: BatchResult, option: str, column: str | None) -> None:
    if column is not None and column not in batch.leads.columns:
        raise DataFileError(
            f"{batch.table.path}: {option} {column!r} is not a column of the file; "
            f"columns are: {', '.join(map(str, batch.leads.columns))}."
        )


def _check_overlap(batch: BatchResult, rules: Rules) -> None:
    """No field the model reads is in the file: every lead would be Unscoreable. Almost always
    the wrong file (or the wrong model), so say so rather than write 100% Unscoreable."""
    wanted = list(dict.fromkeys(f for s in rules.signals for f in s.fields))
    if wanted and len(batch.unmapped_fields()) == len(wanted):
        shown = ", ".join(wanted[:10]) + (
            f" and {len(wanted) - 10} more" if len(wanted) > 10 else ""
        )
        columns = [str(c) for c in batch.leads.columns]
        raise DataFileError(
            f"{batch.table.path}: none of the {len(wanted)} fields the model reads ({shown}) is a "
            f"column of this file (its columns: {', '.join(columns[:15])}"
            f"{' ...' if len(columns) > 15 else ''}). Check that this is the leads file for this "
            "model, or rename its columns to the model's field names."
        )


def _guess(batch: BatchResult, given: str | None, candidates: tuple[str, ...]) -> str | None:
    if given is not None:
        return given
    by_lower = {str(c).lower(): str(c) for c in batch.leads.columns}
    return next((by_lower[c] for c in candidates if c in by_lower), None)


def _summary(batch: BatchResult, rules: Rules) -> None:
    res = batch.result
    n = len(res.scores)
    counts = tier_counts(res)
    table = RichTable(title=f"{n:,} leads scored with model {rules.version}")
    for tier in TIERS:
        table.add_column(tier, justify="right")
    table.add_row(*(f"{counts[t]:,} ({counts[t] / n:.0%})" if n else "0" for t in TIERS))
    console.print(table)
    if res.unmapped_signals:
        fields = ", ".join(batch.unmapped_fields())
        console.print(
            f"[yellow]warning:[/] {len(res.unmapped_signals)} signal(s) have no column in the leads "
            f"file and count as missing for every lead: {escape(', '.join(res.unmapped_signals))} "
            f"(fields: {escape(fields)}).",
            highlight=False,
            soft_wrap=True,
        )


def _read(leads: Path | None, from_sql: str | None, table: str | None, rules: Rules) -> BatchResult:
    """The leads from a file, or from a database table with ``--from-sql URL --table T``."""
    if table is not None and from_sql is None:
        raise InputError("--table reads from a database: add --from-sql URL.")
    if (leads is None) == (from_sql is None):
        raise InputError(
            "give either a leads file or --from-sql URL --table T (the leads in a database), "
            "not both and not neither."
        )
    if from_sql is None:
        assert leads is not None
        return score_leads(leads, rules)
    if table is None:
        raise InputError("--from-sql needs --table T: the table that holds the leads.")
    return score_frame_leads(read_sql_table(from_sql, table), rules, source=table)


def score(
    leads: Path | None = typer.Argument(
        None, help="The leads file (CSV or Parquet); or use --from-sql and --table."
    ),
    model: Path = typer.Option(
        ..., "--model", "-m", help="The rules YAML (model.yaml or rules/live.yaml)."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the scored leads here (CSV)."),
    report: Path | None = typer.Option(None, "--report", help="Write Section 7 (markdown) here."),
    id_column: str | None = typer.Option(None, "--id-column", help="Column with the lead id."),
    name_column: str | None = typer.Option(
        None, "--name-column", help="Column with the company name."
    ),
    contact_column: str | None = typer.Option(
        None, "--contact-column", help="Column with the contact's name."
    ),
    from_sql: str | None = typer.Option(
        None,
        "--from-sql",
        help="Read the leads from a database (SQLAlchemy URL: duckdb:///file.duckdb or "
        "postgresql+psycopg://user@host/db).",
    ),
    table: str | None = typer.Option(
        None, "--table", help="With --from-sql: the table of leads (schema.table allowed)."
    ),
    to_table: str | None = typer.Option(
        None,
        "--to-table",
        help="With --from-sql: write the scored leads to this table of the same database "
        "(replaced in one transaction).",
    ),
    update_report: bool = typer.Option(
        True,
        "--update-report/--no-update-report",
        help="When analysis.json sits next to the model, rewrite its lead-scoring-model.md with Section 7 filled.",
    ),
    raw: bool = typer.Option(
        False,
        "--raw",
        help="Write values exactly as read: no ' before text a spreadsheet would run as a formula (=, +, -, @). For machine pipelines.",
    ),
) -> None:
    """Score current leads: dimension subtotals, total, tier, top factors and missing data."""
    rules = load_rules(model)
    if to_table is not None and from_sql is None:
        raise InputError("--to-table writes to the database of --from-sql: add --from-sql URL.")
    show_bar = from_sql is not None or (
        leads is not None and leads.exists() and leads.stat().st_size > BIG_FILE_BYTES
    )
    with progress(disable=None if show_bar else True) as bar:
        task = bar.add_task("reading and scoring leads", total=3)
        batch = _read(leads, from_sql, table, rules)
        for option, column in (
            ("--id-column", id_column),
            ("--name-column", name_column),
            ("--contact-column", contact_column),
        ):
            _check_column(batch, option, column)
        _check_overlap(batch, rules)
        bar.update(task, advance=1, description="writing the scored file")
        if out is not None:
            write_scored(batch, out, raw=raw)
        if to_table is not None and from_sql is not None:
            write_sql_table(scored_output(batch.raw, batch.result, rules), from_sql, to_table)
        bar.update(task, advance=1, description="writing Section 7")
        analysis_path = model.parent / "analysis.json"
        full_report = update_report and analysis_path.exists()
        if report is not None or full_report:
            text = render_section7(
                batch.leads,
                batch.result,
                rules,
                id_col=_guess(batch, id_column, ("lead_id", "id")),
                name_col=_guess(batch, name_column, ("company", "company_name", "account")),
                contact_col=_guess(batch, contact_column, ("contact_name", "contact", "name")),
                source=leads.name if leads is not None else str(table),
            )
        if report is not None:
            try:
                write_markdown(report, text)
            except OSError as exc:
                raise DataFileError(f"{report}: cannot write the report ({exc.strerror}).") from exc
        if full_report:
            written = _update_full_report(analysis_path, text, tier_counts(batch.result))
        bar.update(task, advance=1)
    _summary(batch, rules)
    if out is not None:
        console.print(f"Scored leads: {out}", highlight=False)
    if to_table is not None:
        console.print(f"Scored leads written to table: {to_table}", highlight=False)
    if report is not None:
        console.print(f"Section 7 report: {report}", highlight=False)
    if full_report:
        console.print(f"Model report with Section 7: {written}", highlight=False)


def _update_full_report(analysis_path: Path, section7: str, counts: dict[str, int]) -> Path:
    """Re-render ``lead-scoring-model.md`` beside the model with this batch as Section 7."""
    from service.data.json_file import JsonFileProblem, read_json
    from service.model.analysis_schema import parse_analysis
    from service.report.writer import write_report

    try:
        analysis = read_json(analysis_path)
    except JsonFileProblem as exc:
        raise DataFileError(
            f"{analysis_path}: cannot read it to update the report ({exc}); "
            "pass --no-update-report or rebuild the model."
        ) from exc
    try:
        typed = parse_analysis(analysis, source=str(analysis_path))
    except DataFileError as exc:
        raise DataFileError(
            f"{exc}\nPass --no-update-report or rebuild the model with this version."
        ) from None
    try:
        files = write_report(
            typed, analysis_path.parent, batch_section=section7, batch_counts=counts
        )
    except OSError as exc:
        raise DataFileError(
            f"{analysis_path.parent}: cannot write the report ({exc.strerror})."
        ) from exc
    return files["report"]


def register(app: typer.Typer) -> None:
    app.command("score")(score)
