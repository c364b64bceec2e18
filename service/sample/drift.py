"""A later batch of sample deals and leads, with or without a simulated market shift.

``later_batch`` draws closed deals dated in ``(since, as_of]`` and open leads from the same
profiles as ``generate`` (fresh random streams from ``seed``, no planted data problems). With a
``Drift``:

- the planted effect of one flag field (``demo_requested`` by default) is removed from the
  latent model: the signal still fires but no longer predicts winning;
- a new lead source (``Marketplace``) takes ``new_source_share`` of the deals and leads, and its
  leads have the flag set ``new_source_fires`` of the time (a self-serve channel whose sign-ups
  all "request a demo"), so the flag's dimension shifts in the score distribution too.

Without a drift, the batch is the same market as the one ``generate`` plants: a health check on it
should find nothing to flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from service.errors import InputError
from service.sample.deals import add_outcome_fields, won_count
from service.sample.leads import make_leads
from service.sample.plan import EFFECTS, linear_predictor
from service.sample.profiles import add_legal_suffix, draw_profiles


@dataclass(frozen=True)
class Drift:
    """What changed in the market (see the module docstring)."""

    effect: str = "demo_requested"
    new_source: str = "Marketplace"
    new_source_share: float = 0.40
    new_source_fires: float = 1.0


@dataclass
class LaterBatch:
    deals: pd.DataFrame
    leads: pd.DataFrame


def _effect_log_odds(field: str) -> float:
    for e in EFFECTS:
        if e.attribute.field == field and e.attribute.value is True:
            return e.log_odds
    flags = [e.attribute.field for e in EFFECTS if e.attribute.value is True]
    raise InputError(
        f"drift effect must be one of the planted flag effects {flags}; got {field!r}."
    )


def _shift(rng: np.random.Generator, frame: pd.DataFrame, drift: Drift) -> pd.DataFrame:
    frame = frame.copy()
    new = rng.random(len(frame)) < drift.new_source_share
    frame.loc[new, "lead_source"] = drift.new_source
    frame.loc[new, "initial_engagement"] = "Marketplace sign-up"
    fires = new & (rng.random(len(frame)) < drift.new_source_fires)
    frame.loc[fires, drift.effect] = True
    frame.loc[fires, "careers_page_only"] = False
    return frame


def later_batch(
    *,
    deals: int,
    leads: int,
    seed: int,
    since: date,
    as_of: date,
    drift: Drift | None = None,
) -> LaterBatch:
    """Deals closed in ``(since, as_of]`` and open leads as of ``as_of``; see the module docstring."""
    if as_of <= since:
        raise InputError(f"as_of ({as_of}) must be after since ({since}).")
    rng_deals, rng_leads, rng_shift = (
        np.random.default_rng(s) for s in np.random.SeedSequence([seed, 15]).spawn(3)
    )
    names: set[str] = set()
    profiles = draw_profiles(rng_deals, deals, names)
    lead_profiles = draw_profiles(rng_leads, leads, names)
    u = linear_predictor(profiles)
    if drift is not None:
        log_odds = _effect_log_odds(drift.effect)
        profiles = _shift(rng_shift, profiles, drift)
        lead_profiles = _shift(rng_shift, lead_profiles, drift)
        u = linear_predictor(profiles) - log_odds * profiles[drift.effect].to_numpy(bool)
    latent = u + rng_deals.logistic(size=deals)
    won = np.zeros(deals, dtype=bool)
    won[np.argsort(-latent, kind="stable")[: won_count(deals)]] = True
    outcome = np.where(won, "won", "lost").astype(object)
    frame = add_outcome_fields(rng_deals, add_legal_suffix(profiles), outcome, as_of)
    days = (as_of - since).days
    offsets = rng_deals.integers(0, days, len(frame))
    frame["closed_at"] = [(as_of - timedelta(days=int(d))).isoformat() for d in offsets]
    frame = frame.sort_values("closed_at", kind="stable").reset_index(drop=True)
    frame["deal_id"] = [f"N-{i + 1:05d}" for i in range(len(frame))]
    lead_rows, _unscoreable = make_leads(rng_leads, add_legal_suffix(lead_profiles), as_of)
    lead_rows["lead_id"] = "N" + lead_rows["lead_id"].astype(str)
    return LaterBatch(deals=frame, leads=lead_rows)
