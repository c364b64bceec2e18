"""``leadscore model health|list|diff|promote|rollback``: the live model's health and lifecycle.

``health`` runs the Section 6.4 check on files (``--leads``, and ``--deals`` closed since the
model went live) or, without ``--leads``, as the daemon's weekly job does (the CRM and the state
store). ``list``, ``diff``, ``promote`` and ``rollback`` work on ``LEADSCORE_DAEMON__MODELS_DIR``
and the live rules file ``LEADSCORE_RULES_PATH``; promotions and rollbacks are recorded in
``history.json`` with who ran them (``--by``, else ``LEADSCORE_ACTOR``, else the login name).
Exit codes: 0 done (also when the check flags something); 2 bad input; 1 the CRM failed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from service.commands.common import ConfigOpt, console, print_or_write
from service.data.atomic import write_text_atomic
from service.settings import get_settings

model_app = typer.Typer(
    help="The live model's health (Section 6.4) and its versions: list, diff, promote, rollback.",
    no_args_is_help=True,
)
ByOpt = typer.Option(None, "--by", help="Who runs this, for the record (default: login name).")


def _registry():
    from service.health.registry import Registry

    settings = get_settings()
    return Registry(settings.daemon.models_dir, settings.rules_path)


def _fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


@model_app.command("list")
def list_models() -> None:
    """Every version in the models folder: status, built, went live, holdout AUC."""
    reg = _registry()
    entries = reg.list()
    if not entries:
        console.print(f"no models in {reg.dir} and no live rules at {reg.live_path}")
        return
    table = Table(title=f"Models in {reg.dir}")
    for col in ("Version", "Status", "Built", "Went live", "Holdout AUC"):
        table.add_column(col)
    for e in entries:
        table.add_row(
            escape(e.version), e.status, e.built_at or "-", e.promoted_at or "-", _fmt(e.auc)
        )
    console.print(table)
    for e in reg.events()[-5:]:
        who = f" by {e['by']}" if e.get("by") else ""
        console.print(
            f"{e['at']} {e['action']} {escape(e['version'])}{escape(who)}", highlight=False
        )


def _rules_for(name: str):
    from service.scoring.rules import load_rules

    reg = _registry()
    if name == "live":
        return load_rules(reg.live_path)
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return load_rules(path)
    return reg.rules_of(name)


@model_app.command()
def diff(
    a: str = typer.Argument(..., help="A version, 'live', or a rules file."),
    b: str = typer.Argument(..., help="A version, 'live', or a rules file."),
) -> None:
    """Signals added, removed and re-pointed, and thresholds, from A to B."""
    from service.health.diff import diff_rules

    for line in diff_rules(_rules_for(a), _rules_for(b)).lines():
        console.print(escape(line), highlight=False, soft_wrap=True)


@model_app.command()
def promote(
    version: str = typer.Argument(..., help="The version (folder name) to make live."),
    by: str | None = ByOpt,
) -> None:
    """Make VERSION the live rules (atomically; the daemon re-scores every lead with it)."""
    reg = _registry()
    event = reg.promote(version, datetime.now(UTC), by=by, reason="promoted by hand")
    console.print(
        f"{escape(version)} is live in {escape(str(reg.live_path))} (was {event.get('replaced_version')}); "
        f"recorded in {reg.dir / 'history.json'} by {escape(event['by'])} at {event['at']}",
        highlight=False,
        soft_wrap=True,
    )


@model_app.command()
def rollback(by: str | None = ByOpt) -> None:
    """Put back the live rules the last promotion replaced, byte for byte."""
    reg = _registry()
    event = reg.rollback(datetime.now(UTC), by=by)
    console.print(
        f"rolled back {event.get('from_version')} -> {escape(event['version'])} in "
        f"{escape(str(reg.live_path))}; recorded by {escape(event['by'])} at {event['at']}. The daemon "
        "re-scores every lead on its next pass.",
        highlight=False,
        soft_wrap=True,
    )


@model_app.command()
def health(
    leads: Path | None = typer.Option(
        None, "--leads", help="Open leads file (CSV/Parquet); without it the CRM is used."
    ),
    deals: Path | None = typer.Option(
        None, "--deals", help="Deals closed since the model went live (with their outcome)."
    ),
    model: Path | None = typer.Option(None, "--model", help="Rules file (default: the live one)."),
    analysis: Path | None = typer.Option(
        None, "--analysis", help="The model's analysis.json (default: from the registry)."
    ),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the report as JSON."),
    config: Path | None = ConfigOpt,
) -> None:
    """The Section 6.4 health check: tier win rates and shares, PSI, fire rates, new values,
    decayed signals and rebuild triggers."""
    from service.state.store import plain_value

    if leads is None:
        report = _health_from_daemon()
    else:
        report = _health_from_files(leads, deals, model, analysis, config)
    for line in report.summary(limit=50).splitlines():
        console.print(escape(line), highlight=False, soft_wrap=True)
    psi = ", ".join(f"{k} {v['psi']:.2f}" for k, v in report.psi.items() if v["psi"] is not None)
    if psi:
        console.print(f"PSI: {psi}", highlight=False, soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
    if json_out is not None:
        write_text_atomic(
            json_out, json.dumps(report.to_dict(), indent=2, default=plain_value, allow_nan=False)
        )


def _health_from_files(leads, deals, model, analysis, config):
    import numpy as np

    from service.data.deals import load_deals
    from service.data.io import read_table
    from service.health.check import check_health
    from service.model.analysis_schema import load_analysis
    from service.scoring.rules import load_rules

    reg = _registry()
    rules = load_rules(model or reg.live_path)
    if analysis is not None:
        if not analysis.exists():
            from service.errors import DataFileError

            raise DataFileError(f"{analysis}: no such file. Pass the model's analysis.json.")
        doc = load_analysis(analysis)
    else:
        beside = (model.parent / "analysis.json") if model else None
        doc = (
            load_analysis(beside) if beside and beside.exists() else reg.analysis_of(rules.version)
        )
    lead_frame = read_table(leads).frame
    deal_frame = y = None
    if deals is not None:
        loaded = load_deals(deals, config)
        known = loaded.outcome.y.notna().to_numpy()
        deal_frame = loaded.table.frame.loc[known]
        y = loaded.outcome.y.to_numpy()[known].astype(int)
    return check_health(
        rules,
        doc,
        lead_frame,
        deal_frame,
        None if y is None else np.asarray(y),
        now=datetime.now(UTC),
    )


def _health_from_daemon():
    from service.daemon.context import Daemon
    from service.daemon.jobs import health_job
    from service.state.health import HealthHistory

    d = Daemon.from_settings(get_settings())
    try:
        error = health_job(d)
        if error is not None:
            raise error
        latest = HealthHistory(d.store).latest()
    finally:
        d.close()
    return _report_from_dict(latest or {})


def _report_from_dict(data: dict):
    from service.health.report import Flag, HealthReport

    fields = {k: v for k, v in data.items() if k in HealthReport.__dataclass_fields__}
    fields["flags"] = [Flag(**f) for f in data.get("flags", [])]
    return HealthReport(**fields)


@model_app.command("schema")
def schema(
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write here (e.g. docs/analysis.schema.json)."
    ),
) -> None:
    """Print or write the JSON schema of analysis.json, generated from the pydantic models."""
    from service.model.analysis_schema import schema_text

    print_or_write(schema_text(), out)


def register(app: typer.Typer) -> None:
    """Add the ``model`` command group to ``leadscore``."""
    app.add_typer(model_app, name="model")
