"""``leadscore build DEALS``: Steps 2 to 5, from closed deals to a validated rules file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import structlog
import typer
from rich.markup import escape
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
from service.data.deals import load_deals
from service.data.io import read_table
from service.errors import DataFileError

if TYPE_CHECKING:
    from service.model.analysis_schema import Suspect
    from service.model.build import BuildResult

SHOWN_SIGNALS = 12
log = structlog.get_logger(__name__)


def build(
    deals: Path = typer.Argument(..., help="Closed deals: CSV (, ; or tab) or Parquet."),
    config: Path | None = ConfigOpt,
    icp: Path | None = typer.Option(
        None, "--icp", help="Your stated Ideal Customer Profile (YAML), compared with the data."
    ),
    outcome_column: str | None = OutcomeColumnOpt,
    won: list[str] = WonOpt,
    lost: list[str] = LostOpt,
    exclude: list[str] = ExcludeOpt,
    out: Path = typer.Option(Path("model"), "--out", "-o", help="Folder for the model files."),
    holdout: float = typer.Option(0.25, "--holdout", help="Share of deals held out, in (0, 0.5]."),
    seed: int = typer.Option(0, "--seed", help="Random seed for the split and cross-validation."),
    refit_all: bool = typer.Option(
        False, "--refit-all", help="After validation, refit on every deal (holdout figures kept)."
    ),
    leads: Path | None = typer.Option(
        None,
        "--leads",
        help="The current leads file: only fields it carries become signals (a signal no lead can have is not implementable).",
    ),
) -> None:
    """Build a scoring model from closed deals: patterns, points, tiers, holdout validation."""
    # imported here: scikit-learn and statsmodels take seconds to load, and every other
    # command (and --help) should not pay for them
    from service.model.build import STEPS, build_model, check_parameters
    from service.report.writer import write_build

    check_parameters(holdout, seed)
    loaded = load_deals(
        deals, config, outcome_column=outcome_column, won=won, lost=lost, exclude=exclude
    )
    lead_frame = read_table(leads).frame if leads is not None else None
    with progress() as bar:
        task = bar.add_task("Building", total=len(STEPS))

        def step(name: str) -> None:
            bar.update(task, description=name, completed=STEPS.index(name))

        result = build_model(
            loaded,
            holdout=holdout,
            seed=seed,
            refit_all=refit_all,
            icp=icp,
            progress=step,
            leads=lead_frame,
        )
        bar.update(task, completed=len(STEPS))
    try:
        paths = write_build(result, out)
    except OSError as exc:
        raise DataFileError(f"{out}: cannot write the model files ({exc.strerror}).") from exc
    summarise(result, paths)


def summarise(result: BuildResult, paths: dict[str, Path]) -> None:
    """Print signals, thresholds, validation and where the files are."""
    an = result.analysis
    val, conf, t = an.validation, an.confidence, an.thresholds
    console.print(
        f"[bold]{len(an.signals)} signals[/] from {an.train_n} training deals "
        f"({an.won} won, {an.lost} lost overall; base rate {_rate(an.base_rate)})."
    )
    shown = sorted(an.signals, key=lambda s: -abs(s.points))[:SHOWN_SIGNALS]
    left_out = len(an.signals) - len(shown)
    table = Table(
        title="Signals with points",
        caption=(
            f"the {len(shown)} with the most points; {left_out} more in model.yaml and the report"
            if left_out
            else None
        ),
        show_lines=False,
    )
    for col in ("Signal", "Dimension", "Points", "Lift"):
        table.add_column(col, justify="right" if col in ("Points", "Lift") else "left")
    for s in shown:
        # labels come from column names and values: text, never Rich markup
        table.add_row(escape(s.label), s.dimension, f"{s.points:+d}", _lift(s.lift))
    if an.signals:
        console.print(table)
    console.print(f"Tiers: Hot >= {t.hot:g}, Warm >= {t.warm:g}, Cool >= {t.cool:g}, Cold below.")
    auc = val.auc
    passed = sum(1 for x in val.targets if x.passed)
    console.print(
        f"Holdout ({val.holdout_n} deals): AUC {'n/a' if auc is None else f'{auc:.3f}'}, "
        f"{passed} of {len(val.targets)} targets passed. "
        f"Confidence: [bold]{conf.level}[/]."
    )
    if an.leakage_warning:
        console.print(f"[bold red]warning:[/] {escape(an.leakage_warning.message)}")
    print_suspects(an.suspected_leakage)
    for note in an.notes:
        console.print(f"[yellow]note:[/] {escape(note)}")
    if an.refit_all:
        console.print("Refit on every deal after validation; the holdout figures are kept.")
    console.print(
        "Files: " + ", ".join(f"[bold]{p}[/]" for p in paths.values()),
        soft_wrap=True,
    )
    log.info("build_summary_printed", out=str(paths["rules"].parent))


def _lift(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}x"


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def print_suspects(suspects: list[Suspect]) -> None:
    """One line per suspected-leakage field: what was done, the evidence, how to keep it."""
    for s in suspects:
        evidence = "; ".join(e.detail for e in s.evidence)
        how = f" To use it anyway, add {s.keep} to the config." if s.keep else ""
        console.print(
            f"[yellow]suspected leakage ({s.action}):[/] {escape(s.field)}: "
            f"{escape(evidence)}.{escape(how)}"
        )


def register(app: typer.Typer) -> None:
    app.command("build")(build)
