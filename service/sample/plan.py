"""What the sample data plants: the effects behind the outcome, the nulls, the interaction.

The outcome of a sample deal comes from a latent logistic model: ``u = x·β + logistic noise``,
and the ``n_won`` deals with the highest ``u`` are won. Choosing the top ``n_won`` gives exact
counts and is the same as a logistic model whose intercept is set by the win share. Every
planted effect is one row of ``EFFECTS`` / ``NEGATIVE_EFFECTS`` / ``INTERACTION`` below, named
the way ``analysis.json`` names attributes (``field`` with ``value`` or ``range`` [low, high)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: The dimension each pre-outcome field belongs to (what a builder may default to).
FIELD_DIMENSIONS: dict[str, str] = {
    "industry": "firmographic",
    "employee_count": "firmographic",
    "annual_revenue": "firmographic",
    "country": "firmographic",
    "region": "firmographic",
    "deal_size": "firmographic",
    "tech_stack": "firmographic",
    "recent_funding": "firmographic",
    "hiring_hr_roles": "firmographic",
    "lead_source": "behavioral",
    "initial_engagement": "behavioral",
    "demo_requested": "behavioral",
    "pricing_page_visits": "behavioral",
    "content_downloads": "behavioral",
    "webinar_attended": "behavioral",
    "newsletter_signup": "behavioral",
    "careers_page_only": "behavioral",
    "email_opens": "engagement",
    "email_clicks": "engagement",
    "website_visits": "engagement",
    "touches": "engagement",
    "stakeholders": "engagement",
    "intent_topic_surge": "intent",
    "competitor_research": "intent",
    "review_site_activity": "intent",
}

#: Fields known only once a deal has closed.
LEAKAGE_FIELDS: tuple[str, ...] = ("loss_reason", "sales_cycle_days")


@dataclass(frozen=True)
class Attribute:
    """One attribute: ``field`` equal to ``value``, or numeric ``field`` in ``[low, high)``."""

    field: str
    value: Any = None
    range: tuple[float | None, float | None] | None = None

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        """True where the attribute holds (missing values never hold)."""
        series = frame[self.field]
        if self.range is None:
            return series.eq(self.value).fillna(False).to_numpy(bool)
        values = pd.to_numeric(series, errors="coerce").to_numpy("float64", na_value=np.nan)
        low, high = self.range
        with np.errstate(invalid="ignore"):
            hit = ~np.isnan(values)
            if low is not None:
                hit &= values >= low
            if high is not None:
                hit &= values < high
        return hit

    def as_dict(self) -> dict[str, Any]:
        if self.range is None:
            return {"field": self.field, "value": self.value}
        return {"field": self.field, "range": list(self.range)}


@dataclass(frozen=True)
class Effect:
    """A planted effect: the attribute, its log-odds in the latent model, its dimension."""

    attribute: Attribute
    log_odds: float
    dimension: str

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.attribute.as_dict(),
            "dimension": self.dimension,
            "direction": "positive" if self.log_odds > 0 else "negative",
            "log_odds": self.log_odds,
        }


EFFECTS: tuple[Effect, ...] = (
    Effect(Attribute("industry", "Healthcare"), 1.6, "firmographic"),
    Effect(Attribute("employee_count", range=(200, 1000)), 0.8, "firmographic"),
    Effect(Attribute("demo_requested", True), 1.6, "behavioral"),
    Effect(Attribute("pricing_page_visits", range=(3, None)), 1.3, "behavioral"),
    Effect(Attribute("stakeholders", range=(3, None)), 1.3, "engagement"),
    Effect(Attribute("email_clicks", range=(4, None)), 1.3, "engagement"),
    Effect(Attribute("intent_topic_surge", True), 1.4, "intent"),
    Effect(Attribute("competitor_research", True), 1.2, "intent"),
)

#: Small companies are the other side of the mid-market sweet spot. Their log-odds was tuned on
#: 400,000 simulated deals so that ``employee_count >= 1000`` has no marginal effect (a null):
#: large companies win at the base rate, between the small ones and the sweet spot.
NEGATIVE_EFFECTS: tuple[Effect, ...] = (
    Effect(Attribute("careers_page_only", True), -1.8, "behavioral"),
    Effect(Attribute("tech_stack", "Spreadsheets"), -1.4, "firmographic"),
    Effect(Attribute("employee_count", range=(None, 200)), -1.75, "firmographic"),
)

#: Each part alone adds little; together they add ``INTERACTION_LOG_ODDS``.
INTERACTION = (Attribute("lead_source", "Inbound"), Attribute("hiring_hr_roles", True))
INTERACTION_MAIN_LOG_ODDS = 0.35
INTERACTION_LOG_ODDS = 2.0
INTERACTION_NOTE = (
    "Inbound leads from companies that are hiring HR staff convert far better than inbound "
    "leads or hiring companies alone: a growing HR team that came looking."
)

#: Attributes people assume matter that have no marginal effect on winning.
NULLS: tuple[Attribute, ...] = (
    Attribute("employee_count", range=(1000, None)),
    Attribute("newsletter_signup", True),
    Attribute("webinar_attended", True),
    Attribute("region", "EMEA"),
    Attribute("review_site_activity", True),
    Attribute("recent_funding", True),
)


def linear_predictor(frame: pd.DataFrame) -> np.ndarray:
    """``x·β`` of the latent model for every row (the outcome is drawn from it)."""
    u = np.zeros(len(frame))
    for effect in (*EFFECTS, *NEGATIVE_EFFECTS):
        u += effect.log_odds * effect.attribute.mask(frame)
    a, b = (attr.mask(frame) for attr in INTERACTION)
    u += INTERACTION_MAIN_LOG_ODDS * (a.astype(float) + b) + INTERACTION_LOG_ODDS * (a & b)
    return u


def planted_truth() -> dict[str, Any]:
    """The effect part of ``truth.json``."""
    a, b = INTERACTION
    return {
        "effects": [e.as_dict() for e in EFFECTS],
        "negative_effects": [e.as_dict() for e in NEGATIVE_EFFECTS],
        "interactions": [
            {
                "a": a.as_dict(),
                "b": b.as_dict(),
                "log_odds": INTERACTION_LOG_ODDS,
                "note": INTERACTION_NOTE,
            }
        ],
        "nulls": [n.as_dict() for n in NULLS],
        "leakage": list(LEAKAGE_FIELDS),
    }
