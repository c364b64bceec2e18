"""Closed deals: the outcome from the planted latent model, then the post-outcome fields.

``loss_reason`` (lost deals only) and ``sales_cycle_days`` (won deals close in about two months,
lost ones drag on for four to six) are known only after the outcome: the two leakage fields.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from service.sample.plan import linear_predictor

#: The classic request: 62 won out of 180 closed deals.
WON_SHARE = 62 / 180
LOSS_REASONS = ("Price", "Competitor", "No Decision / Status Quo", "Timing", "Missing Feature")
_LOSS_BASE = np.log([0.28, 0.22, 0.26, 0.14, 0.10])
#: Closed deals span the 23 months before the as-of date (the spec asks for 12 to 24).
CLOSE_WINDOW_DAYS = (5, 700)

DEAL_COLUMNS = (
    "deal_id", "company", "industry", "employee_count", "annual_revenue", "country", "region",
    "lead_source", "initial_engagement", "deal_size", "sales_cycle_days", "outcome",
    "loss_reason", "touches", "stakeholders", "closed_at", "email_opens", "email_clicks",
    "content_downloads", "webinar_attended", "website_visits", "pricing_page_visits",
    "demo_requested", "newsletter_signup", "careers_page_only", "tech_stack", "recent_funding",
    "hiring_hr_roles", "intent_topic_surge", "competitor_research", "review_site_activity",
)  # fmt: skip


def won_count(deals: int) -> int:
    """Won deals for ``deals`` closed deals: 62 of 180, scaled, at least one of each when possible."""
    won = int(np.floor(deals * WON_SHARE + 0.5))
    if deals >= 2:
        won = min(max(won, 1), deals - 1)
    return won


def draw_outcome(rng: np.random.Generator, profiles: pd.DataFrame, n_won: int) -> np.ndarray:
    """Exactly ``n_won`` wins: the rows with the highest latent ``x·β + logistic noise``."""
    latent = linear_predictor(profiles) + rng.logistic(size=len(profiles))
    won = np.zeros(len(profiles), dtype=bool)
    won[np.argsort(-latent, kind="stable")[:n_won]] = True
    return won


def _loss_reasons(rng: np.random.Generator, profiles: pd.DataFrame) -> np.ndarray:
    """Why each deal was lost, tilted by what the deal looked like (for the loss-reason table)."""
    logits = np.tile(_LOSS_BASE, (len(profiles), 1))
    logits[:, 0] += 0.9 * (profiles["employee_count"].to_numpy() < 200)  # Price
    logits[:, 1] += 1.0 * profiles["competitor_research"].to_numpy(bool)  # Competitor
    logits[:, 2] += 1.2 * profiles["tech_stack"].eq("Spreadsheets").to_numpy(bool)  # Status quo
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    picks = (rng.random((len(profiles), 1)) < p.cumsum(axis=1)).argmax(axis=1)
    return np.array(LOSS_REASONS, dtype=object)[picks]


def add_outcome_fields(
    rng: np.random.Generator, profiles: pd.DataFrame, outcome: np.ndarray, as_of: date
) -> pd.DataFrame:
    """Add deal_size, sales_cycle_days, outcome, loss_reason and closed_at to ``profiles``.

    ``outcome`` holds the text written to the file (``won``, ``lost``, or a planted typo);
    a typo that starts with ``w`` behaves like a won deal otherwise.
    """
    n = len(profiles)
    frame = profiles.copy()
    employees = frame["employee_count"].to_numpy()
    price = rng.uniform(60, 140, n)  # USD per employee per year
    frame["deal_size"] = np.maximum(np.round(employees * price / 500) * 500, 5_000).astype("int64")
    won = np.array([str(o).lower().startswith("w") for o in outcome])
    size_days = 8 * np.log10(np.maximum(employees, 10))
    cycle = np.where(
        won, 20 + rng.gamma(6.0, 6.0, n) + size_days, 95 + rng.gamma(4.0, 20.0, n) + size_days
    )
    frame["sales_cycle_days"] = np.round(cycle).astype("int64")
    frame["outcome"] = np.asarray(outcome, dtype=object)
    frame["loss_reason"] = pd.Series(_loss_reasons(rng, frame), dtype=object).where(~won, None)
    offsets = rng.integers(CLOSE_WINDOW_DAYS[0], CLOSE_WINDOW_DAYS[1] + 1, n)
    frame["closed_at"] = [(as_of - timedelta(days=int(d))).isoformat() for d in offsets]
    frame = frame.sort_values("closed_at", kind="stable").reset_index(drop=True)
    frame["deal_id"] = [f"D-{i + 1:05d}" for i in range(n)]
    return frame[list(DEAL_COLUMNS)]
