"""``leadscore crm load-sample``: fill the embedded local CRM with generated sample data.

Adds its command to the ``crm`` sub-app of ``service/commands/crm.py`` at import time.
"""

from __future__ import annotations

from pathlib import Path

import typer

from service.commands.common import console
from service.commands.crm import crm_app
from service.commands.sample_data import parse_as_of
from service.errors import ConfigError
from service.sample import generate
from service.settings import get_settings


@crm_app.command("load-sample")
def load_sample(
    deals: int = typer.Option(180, "--deals", help="Closed deals to generate."),
    leads: int = typer.Option(340, "--leads", help="Open leads to generate."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed, same CRM."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date the data ends (YYYY-MM-DD)."),
    path: Path | None = typer.Option(
        None, "--path", help="The local CRM file (default: LEADSCORE_LOCAL__PATH)."
    ),
) -> None:
    """Fill the local CRM (a SQLite file) with sample deals, leads and activities."""
    if deals < 1 or leads < 0:
        raise ConfigError(
            f"--deals must be at least 1 and --leads at least 0; got {deals}, {leads}."
        )
    target = path or get_settings().local.path
    data = generate(deals=deals, leads=leads, seed=seed, as_of=parse_as_of(as_of))
    from connectors.local import LocalCRM  # SQLAlchemy tables: load only when filling the CRM

    crm = LocalCRM(target)
    try:
        counts = crm.load_frames(
            deals=data.deals, leads=data.leads, activities=data.activities, source="sample"
        )
    finally:
        crm.close()
    console.print(
        f"local CRM {target}: {counts['deals']} deals, {counts['leads']} leads, "
        f"{counts['activities']} activities loaded"
    )


def register(app: typer.Typer) -> None:
    """Nothing to add to the root app: ``load-sample`` joined ``crm`` when this module loaded."""
