"""A generated experiment with known effects, written where the daemon would write it (for the
tests of ``leadscore experiment report`` and for trying the report)."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from connectors.base import DealRecord
from service.experiment.groups import CONTROL, group_of
from service.settings import ExperimentSettings
from service.state.store import StateStore
from service.state.tables import lead_facts


def plant(
    store: StateStore,
    connector: str,
    *,
    leads: int,
    start: datetime,
    base_rate: float = 0.20,
    uplift: float = 0.0,
    win_rate: float = 0.3,
    deal_value: float = 30_000.0,
    seed: int = 0,
    settings: ExperimentSettings | None = None,
) -> list[DealRecord]:
    """Write ``leads`` experiment leads into the state store; treatment converts at
    ``base_rate + uplift`` and control at ``base_rate``; contact comes after a few hours.
    Returns the closed deals of the converted leads (one per lead's account)."""
    settings = settings or ExperimentSettings(start=start.date())
    rng = np.random.default_rng(seed)
    rows, deals = [], []
    for i in range(leads):
        rid = f"X{i:06d}"
        group = group_of(rid, settings)
        rate = base_rate + (0.0 if group == CONTROL else uplift)
        seen = start + timedelta(hours=float(rng.uniform(0, 24 * 30)))
        converted = bool(rng.random() < rate)
        contact = seen + timedelta(hours=float(rng.exponential(6.0)))
        rows.append(
            {
                "connector": connector,
                "record_id": rid,
                "account_id": f"ACC{i:06d}",
                "first_seen_at": seen,
                "first_contact_at": contact,
                "converted_at": seen + timedelta(days=10) if converted else None,
                "experiment_group": group,
                "stale_level": 0,
            }
        )
        if converted:
            won = bool(rng.random() < win_rate)
            deals.append(
                DealRecord(
                    f"D{i:06d}",
                    won,
                    seen + timedelta(days=40),
                    seen + timedelta(days=40),
                    {"account_id": f"ACC{i:06d}", "amount": deal_value},
                )
            )
    with store.engine.begin() as conn:
        conn.execute(lead_facts.insert(), rows)
    return deals
