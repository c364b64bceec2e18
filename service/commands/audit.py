"""``leadscore audit DEALS``: Step 1, the data audit, printed as a report and written as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
import typer
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from service.commands.common import (
    ConfigOpt,
    ExcludeOpt,
    LostOpt,
    OutcomeColumnOpt,
    WonOpt,
    console,
    progress,
)
from service.data.atomic import write_text_atomic
from service.data.deals import load_deals
from service.data.io import read_table
from service.errors import DataFileError

if TYPE_CHECKING:
    from service.audit.run import AuditReport

log = structlog.get_logger(__name__)
_VERDICT_STYLE = {
    "insufficient": "bold white on red",
    "low": "bold yellow",
    "adequate": "bold green",
}


def audit(
    deals: Path = typer.Argument(..., help="Closed deals: CSV (, ; or tab) or Parquet."),
    config: Path | None = ConfigOpt,
    outcome_column: str | None = OutcomeColumnOpt,
    won: list[str] = WonOpt,
    lost: list[str] = LostOpt,
    exclude: list[str] = ExcludeOpt,
    json_out: Path | None = typer.Option(None, "--json", help="Write the audit as JSON here."),
    leads: Path | None = typer.Option(
        None,
        "--leads",
        help="The current open leads: fields they lack or fill differently are checked as "
        "filled in during the sales process (leakage).",
    ),
) -> None:
    """Audit closed deals before modelling: fields, data problems, leakage, sample adequacy."""
    with progress() as bar:
        task = bar.add_task(f"Reading {deals.name}", total=2)
        loaded = load_deals(
            deals, config, outcome_column=outcome_column, won=won, lost=lost, exclude=exclude
        )
        bar.update(task, advance=1, description="Auditing fields, quality and leakage")
        from service.audit.run import run_audit  # scikit-learn: load only when auditing

        report = run_audit(
            loaded.table.frame,
            loaded.outcome,
            loaded.config,
            source=str(deals),
            placeholders=loaded.table.placeholders,
            leads=read_table(leads).frame if leads is not None else None,
        )
        bar.advance(task)
    render(report, console)
    if json_out is not None:
        try:
            write_text_atomic(json_out, json.dumps(report.to_dict(), indent=2))
        except OSError as exc:
            raise DataFileError(
                f"{json_out}: cannot write the audit JSON ({exc.strerror})."
            ) from exc
        console.print(f"Audit JSON written to [bold]{json_out}[/]")
        log.info("audit_json_written", path=str(json_out))


def render(report: AuditReport, out: Console) -> None:
    """Print the audit as a readable report."""
    dr = report.date_range
    span = (
        f"{dr['start']} to {dr['end']} ({dr['months']} months; {dr['note']})"
        if dr and dr["start"]
        else "no close-date column found"
    )
    out.print(
        Panel(
            f"[bold]{escape(report.source)}[/]: {report.rows} rows, {report.closed_deals} valid closed deals "
            f"({report.won} won, {report.lost} lost), base conversion rate "
            f"[bold]{report.base_rate:.1%}[/]\nDate range: {span}",
            title="Data audit",
            expand=False,
        )
    )
    ad = report.adequacy
    out.print(
        Panel(
            escape(ad.message),
            title=f"Sample adequacy: {ad.level.upper()}",
            style=_VERDICT_STYLE[ad.level],
            expand=False,
        )
    )
    out.print(_inventory(report))
    if report.placeholders:
        totals: dict[str, int] = {}
        for counts in report.placeholders.values():
            for text, n in counts.items():
                totals[text] = totals.get(text, 0) + n
        shown = ", ".join(f"{t!r} x{n}" for t, n in sorted(totals.items(), key=lambda kv: -kv[1]))
        out.print(
            f"Placeholder values treated as missing: {escape(shown)} "
            f"(in {len(report.placeholders)} fields)"
        )
    out.print(_problems(report))
    out.print(_excluded(report))
    suspects = _suspects(report)
    if suspects is not None:
        out.print(suspects)
    out.print(Panel(escape(report.survivorship["note"]), title="Survivorship bias", expand=False))
    _inputs(report, out)


def _inventory(report: AuditReport) -> Table:
    table = Table(title="Field inventory", title_justify="left")
    for col in ("field", "kind", "complete", "distinct", "flags"):
        table.add_column(col, justify="right" if col in {"complete", "distinct"} else "left")
    for f in report.fields:
        table.add_row(
            escape(f.name), f.kind, f"{f.completeness:.0%}", str(f.distinct), ", ".join(f.flags)
        )
    return table


def _problems(report: AuditReport) -> Table | str:
    if not report.problems:
        return "Data quality: no duplicates, impossible values, bad dates or bad outcomes found."
    table = Table(
        title="Data quality problems (rows are data rows, header not counted)", title_justify="left"
    )
    for col in ("problem", "field", "rows", "detail"):
        table.add_column(col)
    for p in report.problems:
        table.add_row(p.kind, escape(p.field or "(all)"), str(len(p.rows)), escape(p.detail))
    return table


def _excluded(report: AuditReport) -> Table:
    table = Table(
        title="Excluded from the model (list a field under `keep:` to use it anyway)",
        title_justify="left",
    )
    for col in ("field", "reason", "why"):
        table.add_column(col)
    for e in report.excluded:
        table.add_row(escape(e.field), e.reason, escape(e.detail))
    return table


def _suspects(report: AuditReport) -> Table | None:
    entries = report.to_dict()["suspected_leakage"]
    if not entries:
        return None
    table = Table(
        title="Suspected leakage (excluded when two kinds of evidence agree, else flagged)",
        title_justify="left",
    )
    for col in ("field", "action", "evidence", "to use it anyway"):
        table.add_column(col)
    for s in entries:
        evidence = "\n".join(f"{e['kind']}: {e['detail']}" for e in s["evidence"])
        table.add_row(
            escape(s["field"]), s["action"], escape(evidence), escape(s.get("keep") or "-")
        )
    return table


def _inputs(report: AuditReport, out: Console) -> None:
    table = Table(title="Dimensions and recommended inputs", title_justify="left")
    for col in ("dimension", "scorable", "enough deals", "fields"):
        table.add_column(col)
    for name, entry in report.dimensions.items():
        fields = escape(", ".join(entry["fields"]) or "-")
        judged = f"{len(entry['fields_with_enough_deals'])} of {len(entry['fields'])} fields"
        table.add_row(name, "yes" if entry["scorable"] else "[red]no[/]", judged, fields)
    out.print(table)
    for m in report.missing_inputs:
        cost = (
            f"; cannot score: {', '.join(m.dimensions_affected)}" if m.dimensions_affected else ""
        )
        out.print(f"[yellow]Missing input[/] {m.input}: {escape(m.impact + cost)}")
    if not report.missing_inputs:
        out.print("All recommended inputs (engagement, enrichment, activity, intent) are present.")
    attrs = report.adequacy.attributes
    ok = sum(1 for a in attrs if a["sufficient"])
    out.print(f"Per attribute: {ok} of {len(attrs)} usable fields have enough deals to judge.")
    if report.limitations:
        out.print(
            Panel(
                escape("\n".join(f"- {item}" for item in report.limitations)),
                title="Data limitations",
                expand=False,
            )
        )


def register(app: typer.Typer) -> None:
    """Add ``audit`` to the ``leadscore`` command."""
    app.command("audit")(audit)
