"""``leadscore crm ...``: check the CRM connection, create the score fields, pull deals, leads and
activities as CSV, and push a scored file's scores back (only what changed since the last push).

Other modules add commands to ``crm_app`` (``crm_local.py`` adds ``load-sample``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from connectors import open_connector
from connectors.base import SCORE_FIELDS, CRMConnector, RecordError, ScoreUpdate, WriteResult
from connectors.frames import activities_frame, deals_frame, leads_frame
from service.commands.common import console, plain
from service.commands.push_file import read_push_file
from service.data.atomic import write_with
from service.data.csv_out import write_csv
from service.errors import ConfigError, ConnectorError
from service.settings import get_settings

if TYPE_CHECKING:
    from service.state.store import StateStore

crm_app = typer.Typer(
    help="Talk to the CRM: check the connection, create score fields, pull data, push scores.",
    no_args_is_help=True,
)
ConnectorOpt = typer.Option(
    None,
    "--connector",
    help="local, salesforce or hubspot (default: LEADSCORE_CONNECTOR or local).",
)
MappingOpt = typer.Option(
    None, "--mapping", help="Field mapping YAML (default: the connector's own mapping)."
)


@dataclass(frozen=True)
class PushOutcome:
    """How many updates had changed, and what the CRM did with them."""

    changed: int
    result: WriteResult


@crm_app.command()
def check(connector: str | None = ConnectorOpt, mapping: Path | None = MappingOpt) -> None:
    """Check authentication, reachability, the field mapping, the score fields and API usage.

    Exit code 0 when everything is ready, 1 when something needs fixing (each problem is listed).
    """
    problems: list[str] = []
    with open_connector(get_settings(), name=connector, mapping_path=mapping) as crm:
        crm.check()
        console.print(f"[green]ok[/] {crm.name}: authenticated and reachable")
        mapping_problems = crm.mapping_problems()
        problems += mapping_problems
        if not mapping_problems:
            console.print("[green]ok[/] field mapping: every mapped field exists")
        setup_hint = "leadscore crm setup" + (f" --connector {crm.name}" if connector else "")
        missing = crm.missing_fields()
        invisible = crm.invisible_fields()
        for name in missing:
            problems.append(f"score field {name} is missing; create it with: {setup_hint}")
        for name in invisible:
            problems.append(
                f"score field {name} exists but is not visible to the integration user: "
                "assign the permission set (deploy/salesforce/README.md)"
            )
        if not missing and not invisible:
            console.print(f"[green]ok[/] score fields: all {len(SCORE_FIELDS)} present")
        try:
            usage = crm.api_usage()
        except ConnectorError as exc:  # a missing scope must not hide the other results
            usage = None
            console.print(f"[yellow]API usage: not available[/] ({plain(exc)})", highlight=False)
        if usage:
            used, limit = usage
            console.print(
                f"API usage: {used:,} of {limit:,} daily requests used, {limit - used:,} left"
            )
    for problem in problems:
        console.print(f"[red]problem[/] {plain(problem)}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


@crm_app.command()
def setup(connector: str | None = ConnectorOpt, mapping: Path | None = MappingOpt) -> None:
    """Create the score fields (Lead_Score_* / lead_score_*) the CRM is missing."""
    with open_connector(get_settings(), name=connector, mapping_path=mapping) as crm:
        created = crm.ensure_fields()
        invisible = crm.invisible_fields()
        for field in created:
            console.print(f"created {plain(field)}", highlight=False)
        for field in invisible:
            console.print(
                f"{plain(field)} exists but is not visible to the integration user: assign the "
                "permission set (deploy/salesforce/README.md)",
                highlight=False,
            )
        if not created and not invisible:
            console.print("nothing to do: every score field exists")
        elif created and crm.name == "salesforce":
            console.print(
                "Grant the integration user edit access to the new fields: deploy and assign the "
                "permission set in deploy/salesforce/ (see its README)."
            )
        if invisible:
            raise typer.Exit(1)


@crm_app.command()
def pull(
    out: Path = typer.Option(..., "--out", help="Folder for deals.csv, leads.csv, activities.csv."),
    connector: str | None = ConnectorOpt,
    mapping: Path | None = MappingOpt,
    raw: bool = typer.Option(
        False,
        "--raw",
        help="Write CRM values exactly as read: no ' before text a spreadsheet would run as a formula (=, +, -, @).",
    ),
) -> None:
    """Export closed deals, open leads and activities as the CSV files build and score read.

    CRM text that a spreadsheet would run as a formula is written with a leading ``'`` (the
    ids are restored when ``crm push`` reads them back); ``--raw`` writes it untouched."""
    out.mkdir(parents=True, exist_ok=True)
    with open_connector(get_settings(), name=connector, mapping_path=mapping) as crm:
        frames = {
            "deals.csv": deals_frame(list(crm.iter_closed_deals(since=None))),
            "leads.csv": leads_frame(list(crm.iter_leads(since=None))),
            "activities.csv": activities_frame(list(crm.iter_activities(since=None))),
        }
    for name, frame in frames.items():
        write_with(out / name, partial(write_csv, frame, raw=raw))
        console.print(f"wrote {plain(out / name)} ({len(frame):,} rows)", highlight=False)


def push_updates(crm: CRMConnector, store: StateStore, updates: list[ScoreUpdate]) -> PushOutcome:
    """Write the updates whose values changed since the last push, recording each batch in the
    state store as soon as the CRM confirmed it: a push that fails (or is killed) half-way keeps
    what it wrote, and the next push sends only the rest."""
    changed = store.changed_updates(crm.name, updates)
    by_id = {u.record_id: u for u in changed}

    def record(batch: WriteResult) -> None:
        store.record_pushed(
            crm.name, [by_id[i] for i in batch.written if i in by_id], batch.written
        )
        store.record_failures(crm.name, [e for e in batch.failed if not e.gone])

    result = crm.write_scores(changed, on_batch=record) if changed else WriteResult()
    return PushOutcome(changed=len(changed), result=result)


@crm_app.command()
def push(
    scored: Path = typer.Argument(..., help="A scored CSV (leadscore score --out)."),
    connector: str | None = ConnectorOpt,
    mapping: Path | None = MappingOpt,
    object_type: str | None = typer.Option(
        None,
        "--object",
        help="CRM object of rows without an object_type column (default: the connector's "
        "first score object: Lead for Salesforce, contacts for HubSpot).",
    ),
    clear_missing: bool = typer.Option(
        False,
        "--clear-missing",
        help="Clear the CRM's score fields for rows whose score cells are empty (N/A, -, "
        "null). Without it such rows are refused and the CRM keeps its scores.",
    ),
) -> None:
    """Write the scores back, only for records whose values changed since the last push.

    Every row is checked before the first CRM call; rows that cannot be sent (no score, an
    id on two rows, a value that does not fit its field, an unknown object type) are listed
    with the reason and not sent. Records the CRM refuses are listed with id and reason and
    kept for the next push. Exit code 0 when every changed record was written, 1 when any row
    was refused (by the check or the CRM) or deferred.
    """
    from service.state.store import StateStore

    settings = get_settings()
    store = StateStore(settings.state_url)
    try:
        with open_connector(get_settings(), name=connector, mapping_path=mapping) as crm:
            objects = crm.score_objects
            if object_type is not None and object_type not in objects:
                raise ConfigError(
                    f"--object {object_type}: {crm.name} scores are written to "
                    f"{', '.join(objects)}; pass one of those."
                )
            parsed = read_push_file(
                scored,
                objects=objects,
                default_object=object_type or objects[0],
                now=datetime.now(UTC),
                clear_missing=clear_missing,
            )
            outcome = push_updates(crm, store, parsed.updates)
    finally:
        store.close()
    result = outcome.result
    refused = f"{len(parsed.refused):,} refused (not sent); " if parsed.refused else ""
    console.print(
        f"{parsed.rows:,} records in {plain(scored)}; {refused}{outcome.changed:,} changed; "
        f"{len(result.written):,} written",
        highlight=False,
    )
    if parsed.refused:
        console.print(f"[red]{len(parsed.refused):,} rows refused (not sent):[/]")
        for bad in parsed.refused:
            console.print(
                f"  row {bad.row} ({plain(bad.record_id or 'no id')}): {plain(bad.reason)}",
                highlight=False,
                soft_wrap=True,
            )
    _list_failed(
        [e for e in result.failed if not e.gone],
        "[red]{n:,} refused by the CRM:[/]",
        "They are kept and tried again on the next push.",
    )
    _list_failed(
        [e for e in result.failed if e.gone],
        "[yellow]{n:,} no longer leads (converted, deleted or merged):[/]",
        "Remove them from the file; they are not retried.",
    )
    if result.deferred:
        console.print(
            f"{len(result.deferred):,} not attempted (API budget reached); "
            "they go out on the next push."
        )
    if parsed.refused or result.failed or result.deferred:
        raise typer.Exit(1)


def _list_failed(errors: list[RecordError], heading: str, then: str) -> None:
    """The records the CRM did not take, under ``heading`` (``{n}``: how many), then ``then``."""
    if not errors:
        return
    console.print(heading.format(n=len(errors)))
    for err in errors:
        console.print(
            f"  {plain(err.record_id)}: {plain(err.reason)}", highlight=False, soft_wrap=True
        )
    console.print(then)


def register(app: typer.Typer) -> None:
    """Add the ``crm`` command group to ``leadscore``."""
    app.add_typer(crm_app, name="crm")
