"""``leadscore sample-data``: write a realistic CRM history with planted effects to try things on."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import structlog
import typer
from rich.table import Table

from service.commands.common import console
from service.errors import InputError
from service.sample import SampleData, generate

log = structlog.get_logger(__name__)


def parse_as_of(text: str | None) -> date | None:
    """``YYYY-MM-DD`` to a date; ``None`` means today."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--as-of {text!r} is not a date; write it as YYYY-MM-DD, for example 2026-11-28."
        ) from None


def sample_data(
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the five files into."),
    deals: int = typer.Option(180, "--deals", help="Closed deals (62 of 180 won, scaled)."),
    leads: int = typer.Option(340, "--leads", help="Open leads to score."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed and as-of, same files."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date the history ends, YYYY-MM-DD (default: today)."
    ),
) -> None:
    """Write sample CRM data for an HR-software vendor: deals, leads, activities, ICP, truth."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file, not a folder. Pass --out a folder to write into.")
    data = generate(deals=deals, leads=leads, seed=seed, as_of=parse_as_of(as_of))
    paths = data.write(out)
    log.info(
        "sample_data_written",
        out=str(out),
        deals=deals,
        rows=len(data.deals),
        leads=len(data.leads),
        activities=len(data.activities),
        seed=seed,
    )
    console.print(summary(data, paths))
    console.print(f"Wrote {len(paths)} files to [bold]{out}[/]", highlight=False)


def summary(data: SampleData, paths: dict[str, Path]) -> Table:
    """A table of what was written, one line per file."""
    truth = data.truth
    problems = truth["problems"]
    table = Table(
        title=f"Sample data (seed {truth['seed']}, as of {truth['as_of']})", title_justify="left"
    )
    table.add_column("file")
    table.add_column("rows", justify="right")
    table.add_column("what")
    table.add_row(
        paths["deals.csv"].name,
        str(len(data.deals)),
        f"{truth['deals']} closed deals ({truth['won']} won, {truth['lost']} lost) plus "
        f"{len(problems['duplicates'])} duplicates and {len(problems['outcome_typos'])} "
        "outcome typos planted for the audit",
    )
    unscoreable = len(truth["leads"]["unscoreable"])
    table.add_row(
        paths["leads.csv"].name,
        str(len(data.leads)),
        f"open leads ({unscoreable} missing most fields)",
    )
    table.add_row(
        paths["activities.csv"].name, str(len(data.activities)), "lead activities, last 90 days"
    )
    table.add_row(paths["icp.yaml"].name, "", "the vendor's stated ideal customer profile")
    table.add_row(
        paths["truth.json"].name,
        "",
        f"what was planted: {len(truth['effects'])} effects, "
        f"{len(truth['negative_effects'])} negative signals, "
        f"{len(truth['interactions'])} interaction, {len(truth['nulls'])} nulls, "
        f"{len(truth['leakage'])} leakage fields",
    )
    return table


def register(app: typer.Typer) -> None:
    app.command("sample-data")(sample_data)
