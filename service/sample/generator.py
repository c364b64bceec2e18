"""``generate()``: a deterministic B2B CRM history for an HR-software vendor, and its files.

The same ``(seed, as_of)`` always gives the same files. Deals, leads and activities draw from
separate random streams, so changing ``leads`` does not change the deals.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from service.data.atomic import write_text_atomic, write_with
from service.errors import InputError
from service.sample.activities import make_activities
from service.sample.deals import add_outcome_fields, draw_outcome, won_count
from service.sample.icp import ICP_DIFFERENCES, stated_icp
from service.sample.leads import make_leads
from service.sample.plan import planted_truth
from service.sample.problems import OUTCOME_TYPOS, plant_problems, problem_counts
from service.sample.profiles import add_legal_suffix, balance_nulls, draw_profiles

FILES = ("deals.csv", "leads.csv", "activities.csv", "icp.yaml", "truth.json")


@dataclass
class SampleData:
    """The generated tables as written (problem rows included), the stated ICP and the truth."""

    deals: pd.DataFrame
    leads: pd.DataFrame
    activities: pd.DataFrame
    icp: dict[str, Any]
    truth: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: Path) -> dict[str, Path]:
        """Write the five files into ``out_dir`` (created if needed); return name -> path."""
        out_dir = Path(out_dir)
        paths = {name: out_dir / name for name in FILES}
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            write_with(paths["deals.csv"], partial(_write_csv, self.deals))
            write_with(paths["leads.csv"], partial(_write_csv, self.leads))
            write_with(paths["activities.csv"], partial(_write_csv, self.activities))
            write_text_atomic(
                paths["icp.yaml"], yaml.safe_dump(self.icp, sort_keys=False, allow_unicode=True)
            )
            write_text_atomic(paths["truth.json"], json.dumps(self.truth, indent=2) + "\n")
        except OSError as exc:
            raise InputError(
                f"{out_dir}: cannot write the sample data there ({exc.strerror or exc}). "
                "Pass --out a folder you can write to."
            ) from exc
        return paths


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """CSV with booleans as ``true``/``false`` and missing values as empty cells."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            text = (
                out[col].astype("boolean").map({True: "true", False: "false"}, na_action="ignore")
            )
            out[col] = text.astype(object).where(out[col].notna(), None)
    out.to_csv(path, index=False, lineterminator="\n", na_rep="")


def generate(
    deals: int = 180, leads: int = 340, seed: int = 0, as_of: date | None = None
) -> SampleData:
    """Generate ``deals`` valid closed deals (62/180 of them won), ``leads`` open leads and
    their activities, with the planted effects and data problems described in ``truth``."""
    if deals < 1:
        raise InputError(f"--deals must be at least 1; got {deals}.")
    if leads < 0:
        raise InputError(f"--leads must be 0 or more; got {leads}.")
    as_of = as_of or date.today()
    rng_deals, rng_problems, rng_leads, rng_activities = (
        np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)
    )
    names: set[str] = set()
    counts = problem_counts(rng_problems, deals)
    profiles = draw_profiles(rng_deals, deals + counts.typos, names)
    n_won = won_count(deals)
    won = draw_outcome(rng_deals, profiles.iloc[:deals], n_won)
    profiles = pd.concat(
        [balance_nulls(rng_deals, profiles.iloc[:deals], won), profiles.iloc[deals:]],
        ignore_index=True,
    )
    outcome = np.array(
        [*np.where(won, "won", "lost"), *OUTCOME_TYPOS[: counts.typos]], dtype=object
    )
    valid = add_outcome_fields(rng_deals, add_legal_suffix(profiles), outcome, as_of)
    deal_rows, problems = plant_problems(rng_problems, valid, counts)

    lead_profiles = add_legal_suffix(draw_profiles(rng_leads, leads, names))
    lead_rows, unscoreable = make_leads(rng_leads, lead_profiles, as_of)
    activity_rows = make_activities(rng_activities, lead_rows, as_of)

    truth: dict[str, Any] = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "deals": deals,
        "won": n_won,
        "lost": deals - n_won,
        "rows": len(deal_rows),
        "rows_note": (
            "deals/won/lost count the valid distinct deals; rows adds the duplicate copies and "
            "the outcome-typo rows written on top. Impossible values and unparseable dates sit "
            "in valid deals."
        ),
        **planted_truth(),
        "problems": problems,
        "icp_differences": ICP_DIFFERENCES,
        "leads": {"n": leads, "unscoreable": unscoreable},
    }
    return SampleData(
        deals=deal_rows, leads=lead_rows, activities=activity_rows, icp=stated_icp(), truth=truth
    )
