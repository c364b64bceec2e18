"""``leadscore crm ...``: check the CRM connection, create the score fields, pull deals, leads and
activities as CSV, and push a scored file's scores back (only what changed since the last push).

Other modules add commands to ``crm_app`` (``crm_local.py`` adds ``load-sample``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from connectors import get_connector_class
from connectors.base import SCORE_FIELDS, ScoreUpdate, score_field_name
from connectors.mapping import load_mapping
from service.commands.common import console
from service.data.io import read_table
from service.errors import ConfigError, ConnectorError, DataFileError
from service.settings import get_settings

ORDER = 60
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
ID_COLUMNS = ("lead_id", "record_id", "Id", "id", "contact_id")


@contextmanager
def open_connector(name: str | None, mapping_path: Path | None) -> Iterator[Any]:
    """The configured connector (closed afterwards when it holds resources)."""
    settings = get_settings()
    if name:
        settings = settings.model_copy(update={"connector": name})
    try:
        cls = get_connector_class(settings.connector)
    except LookupError as exc:
        raise ConfigError(f"--connector: {exc}") from None
    path = mapping_path or settings.field_mapping_path
    mapping = load_mapping(path) if path else None
    connector = cls.from_settings(settings, mapping)
    try:
        yield connector
    finally:
        if hasattr(connector, "close"):
            connector.close()


@crm_app.command()
def check(connector: str | None = ConnectorOpt, mapping: Path | None = MappingOpt) -> None:
    """Check authentication, reachability, the field mapping, the score fields and API usage.

    Exit code 0 when everything is ready, 1 when something needs fixing (each problem is listed).
    """
    problems: list[str] = []
    with open_connector(connector, mapping) as crm:
        crm.check()
        console.print(f"[green]ok[/] {crm.name}: authenticated and reachable")
        if hasattr(crm, "mapping_problems"):
            mapping_problems = crm.mapping_problems()
            problems += mapping_problems
            if not mapping_problems:
                console.print("[green]ok[/] field mapping: every mapped field exists")
        missing = crm.missing_fields()
        for field in missing:
            problems.append(
                f"score field {field} is missing; create it with: leadscore crm setup"
                + (f" --connector {crm.name}" if connector else "")
            )
        if not missing:
            console.print(f"[green]ok[/] score fields: all {len(SCORE_FIELDS)} present")
        try:
            usage = crm.api_usage() if hasattr(crm, "api_usage") else None
        except ConnectorError as exc:  # a missing scope must not hide the other results
            usage = None
            console.print(f"[yellow]API usage: not available[/] ({exc})", highlight=False)
        if usage:
            used, limit = usage
            console.print(
                f"API usage: {used:,} of {limit:,} daily requests used, {limit - used:,} left"
            )
    for problem in problems:
        console.print(f"[red]problem[/] {problem}", highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


@crm_app.command()
def setup(connector: str | None = ConnectorOpt, mapping: Path | None = MappingOpt) -> None:
    """Create the score fields (Lead_Score_* / lead_score_*) the CRM is missing."""
    with open_connector(connector, mapping) as crm:
        created = crm.ensure_fields()
        for field in created:
            console.print(f"created {field}")
        if not created:
            console.print("nothing to do: every score field exists")
        elif crm.name == "salesforce":
            console.print(
                "Grant the integration user edit access to the new fields: deploy and assign the "
                "permission set in deploy/salesforce/ (see its README)."
            )


def _deals_frame(records: list[Any]) -> pd.DataFrame:
    rows = [
        {
            "deal_id": d.id,
            **d.attributes,
            "outcome": "won" if d.won else "lost",
            "closed_at": d.closed_at.date().isoformat() if d.closed_at else None,
        }
        for d in records
    ]
    return pd.DataFrame(rows, columns=None if rows else ["deal_id", "outcome", "closed_at"])


def _leads_frame(records: list[Any]) -> pd.DataFrame:
    rows = [
        {
            "lead_id": r.id,
            "object_type": r.object_type,
            "owner": r.owner,
            **r.attributes,
            "modified_at": r.modified_at.isoformat() if r.modified_at else None,
        }
        for r in records
    ]
    return pd.DataFrame(rows, columns=None if rows else ["lead_id", "object_type", "owner"])


def _activities_frame(records: list[Any]) -> pd.DataFrame:
    columns = ["activity_id", "lead_id", "account", "kind", "page", "occurred_at"]
    rows = [
        [a.id, a.lead_id, a.account_id, a.kind, a.detail, a.occurred_at.isoformat()]
        for a in records
    ]
    return pd.DataFrame(rows, columns=columns)


@crm_app.command()
def pull(
    out: Path = typer.Option(..., "--out", help="Folder for deals.csv, leads.csv, activities.csv."),
    connector: str | None = ConnectorOpt,
    mapping: Path | None = MappingOpt,
) -> None:
    """Export closed deals, open leads and activities as the CSV files build and score read."""
    out.mkdir(parents=True, exist_ok=True)
    with open_connector(connector, mapping) as crm:
        frames = {
            "deals.csv": _deals_frame(list(crm.iter_closed_deals(since=None))),
            "leads.csv": _leads_frame(list(crm.iter_leads(since=None))),
            "activities.csv": _activities_frame(list(crm.iter_activities(since=None))),
        }
    for name, frame in frames.items():
        frame.to_csv(out / name, index=False)
        console.print(f"wrote {out / name} ({len(frame):,} rows)")


def read_updates(path: Path, object_type: str, now: datetime) -> list[ScoreUpdate]:
    """Score updates from a scored CSV (``Lead_Score_*`` columns, an id column)."""
    frame = read_table(path).frame
    id_col = next((c for c in ID_COLUMNS if c in frame.columns), None)
    if id_col is None:
        raise DataFileError(
            f"{path}: no record id column; add one named {' or '.join(ID_COLUMNS[:2])} holding "
            "the CRM id of each lead (leadscore crm pull writes lead_id)."
        )
    columns = {k: score_field_name(k, "local") for k in SCORE_FIELDS}
    present = {k: c for k, c in columns.items() if c in frame.columns}
    if "Total" not in present:
        raise DataFileError(
            f"{path}: no Lead_Score_Total column; push a file written by leadscore score."
        )
    updates = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        record_id = row[id_col]
        if record_id is None or pd.isna(record_id):
            raise DataFileError(f"{path}: row {i}: {id_col} is empty; every row needs a CRM id.")
        values = {k: (None if pd.isna(row[c]) else row[c]) for k, c in present.items()}
        values.setdefault("Last_Calculated", now)
        kind = row.get("object_type") if "object_type" in frame.columns else None
        updates.append(ScoreUpdate(str(record_id), str(kind or object_type), values))
    return updates


@crm_app.command()
def push(
    scored: Path = typer.Argument(..., help="A scored CSV (leadscore score --out)."),
    connector: str | None = ConnectorOpt,
    mapping: Path | None = MappingOpt,
    object_type: str = typer.Option(
        "Lead", "--object", help="CRM object of rows without an object_type column."
    ),
) -> None:
    """Write the scores back, only for records whose values changed since the last push.

    Records the CRM refuses are listed with id and reason and kept for the next push.
    Exit code 0 when every changed record was written, 1 when any was refused or deferred.
    """
    from service.state.store import StateStore

    settings = get_settings()
    updates = read_updates(scored, object_type, datetime.now(UTC))
    store = StateStore(settings.state_url)
    try:
        with open_connector(connector, mapping) as crm:
            changed = store.changed_updates(crm.name, updates)
            result = crm.write_scores(changed) if changed else None
            if result is not None:
                store.record_pushed(crm.name, changed, result.written)
                store.record_failures(crm.name, result.failed)
    finally:
        store.close()
    written = len(result.written) if result else 0
    console.print(
        f"{len(updates):,} records in {scored}; {len(changed):,} changed; {written:,} written"
    )
    if result and result.failed:
        console.print(f"[red]{len(result.failed):,} refused by the CRM:[/]")
        for err in result.failed:
            console.print(f"  {err.record_id}: {err.reason}", highlight=False, soft_wrap=True)
        console.print("They are kept and tried again on the next push.")
    if result and result.deferred:
        console.print(
            f"{len(result.deferred):,} not attempted (API budget reached); "
            "they go out on the next push."
        )
    if result and (result.failed or result.deferred):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``crm`` command group to ``leadscore``."""
    app.add_typer(crm_app, name="crm")
