"""``leadscore crm load-sample``: fill the embedded local CRM with generated sample data.

Adds its command to the ``crm`` sub-app of ``service/commands/crm.py`` at import time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import typer

from service.commands.common import console
from service.commands.crm import crm_app
from service.commands.sample_data import parse_as_of
from service.errors import ConfigError
from service.sample import generate
from service.sample.leads import OWNERS
from service.settings import get_settings

ORDER = 61


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

    leads_frame = unassign_some(data.leads, seed)
    crm = LocalCRM(target)
    try:
        counts = crm.load_frames(
            deals=data.deals, leads=leads_frame, activities=data.activities, source="sample"
        )
        crm.upsert_users(SAMPLE_USERS)
        linked = crm.link_owners()
    finally:
        crm.close()
    console.print(
        f"local CRM {target}: {counts['deals']} deals, {counts['leads']} leads "
        f"({linked} owned by {len(SAMPLE_USERS) - 1} reps, the rest unassigned: see "
        f"rules/routing.example.yaml), {counts['activities']} activities loaded"
    )


#: the sample CRM's users: the five sample owners (U001..U005) and their manager (U000)
SAMPLE_USERS = [
    {"id": "U000", "name": "Sam Carter", "email": "sam.carter@crewline.example"},
    *(
        {
            "id": f"U{i:03d}",
            "name": name,
            "email": name.lower().replace(" ", ".") + "@crewline.example",
            "manager_id": "U000",
        }
        for i, name in enumerate(OWNERS, start=1)
    ),
]


def unassign_some(leads: pd.DataFrame, seed: int, share: float = 0.25) -> pd.DataFrame:
    """A copy of ``leads`` with ``share`` of them (chosen by ``seed``) owned by nobody, so Rule 4
    has leads to route."""
    out = leads.copy()
    if "owner" in out.columns and len(out):
        rng = np.random.default_rng(seed + 14)
        out.loc[rng.random(len(out)) < share, "owner"] = None
    return out


def register(app: typer.Typer) -> None:
    """Nothing to add to the root app: ``load-sample`` joined ``crm`` when this module loaded."""
