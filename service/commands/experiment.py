"""``leadscore experiment report``: Section 6.5's A/B test, from the daemon's state and the CRM.

The groups come from ``LEADSCORE_EXPERIMENT__*`` (the daemon assigns them by a stable hash of
each lead id while the experiment runs); outcomes from the state store and the CRM's closed
deals (``service.experiment.data``). Exit 2 when no lead is in the experiment yet.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from service.commands.common import console, plain
from service.errors import ConfigError

ORDER = 75
experiment_app = typer.Typer(
    help="Section 6.5's A/B test: control leads (no scores shown) against treatment leads.",
    no_args_is_help=True,
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


@experiment_app.command()
def report(
    alpha: float = typer.Option(0.05, "--alpha", help="Significance level of the tests."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the figures as JSON."),
    crm: bool = typer.Option(
        True, "--crm/--no-crm", help="Read closed deals from the CRM for win rate and revenue."
    ),
) -> None:
    """Compare control and treatment on conversion, time to first contact, win rate and revenue
    per lead, with 95% intervals and a test of each difference."""
    from service.commands.crm import open_connector
    from service.experiment.data import experiment_frame
    from service.experiment.report import compare
    from service.settings import get_settings
    from service.state.store import StateStore

    if not 0 < alpha < 0.5:
        raise ConfigError(f"--alpha must be in (0, 0.5); got {alpha}.")
    settings = get_settings()
    store = StateStore(settings.state_url)
    try:
        deals = []
        if crm:
            with open_connector(settings.connector, settings.field_mapping_path) as conn:
                deals = list(conn.iter_closed_deals())
        frame = experiment_frame(store, settings.connector, deals)
    finally:
        store.close()
    if frame.empty:
        raise ConfigError(
            "no lead is in the experiment yet: set LEADSCORE_EXPERIMENT__START (and __END) and "
            "let the daemon score leads while it runs."
        )
    result = compare(frame, alpha=alpha)
    table = Table(
        title=f"Experiment: {result.n_control:,} control, {result.n_treatment:,} treatment leads"
    )
    for col in (
        "Metric",
        "Control",
        "Treatment",
        "Difference",
        "95% interval",
        "p",
        "p (Holm)",
        "Verdict",
    ):
        table.add_column(col)
    for m in result.metrics:
        table.add_row(
            m.name,
            _fmt(m.control),
            _fmt(m.treatment),
            _fmt(m.diff),
            "-" if m.low is None else f"{m.low:.3g} to {m.high:.3g}",
            _fmt(m.p_value, 2),
            _fmt(m.p_adjusted, 2),
            m.verdict(alpha) + (f" ({m.note})" if m.note else ""),
        )
    console.print(table)
    console.print(plain(result.summary()), highlight=False, soft_wrap=True)
    if json_out is not None:
        json_out.write_text(
            json.dumps(
                {
                    "n_control": result.n_control,
                    "n_treatment": result.n_treatment,
                    "alpha": alpha,
                    "treatment_did_better": result.treatment_did_better,
                    "meets_criterion": result.meets_criterion,
                    "metrics": [
                        {**m.__dict__, "verdict": m.verdict(alpha)} for m in result.metrics
                    ],
                },
                indent=2,
            ),
            encoding="utf-8",
        )


def register(app: typer.Typer) -> None:
    """Add the ``experiment`` command group to ``leadscore``."""
    app.add_typer(experiment_app, name="experiment")
