"""Closed deals for the dashboard: pull those closed or changed since the ``deals`` cursor, score
each with the rules in force, and remember outcome and score (``service.state.outcomes``).

Runs after each scoring pass. The first run takes every closed deal the CRM has (marked
``backfill``: they closed before the daemon watched, and are scored with today's rules); later runs
see each deal within one poll of its close, so its score is the one it had when it converted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import structlog

from connectors.base import DealRecord, batched
from service.daemon.context import Daemon
from service.data.io import read_values
from service.scoring.engine import score_frame
from service.state.outcomes import DealOutcomes, Outcome

log = structlog.get_logger(__name__)
DEALS = "deals"
#: attribute names that hold a deal's length in days, or its creation date, or its owner
CYCLE_KEYS = ("sales_cycle_days", "cycle_days", "days_to_close")
CREATED_KEYS = ("created_at", "CreatedDate", "createdate", "created_date")
OWNER_KEYS = ("owner", "owner_name", "OwnerId", "hubspot_owner_id")


def _first(attributes: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = attributes.get(key)
        if value is not None and value == value and str(value).strip() != "":
            return value
    return None


def cycle_days(deal: DealRecord) -> float | None:
    """Days from creation to close: a cycle-length attribute, else close minus creation date."""
    value = _first(deal.attributes, CYCLE_KEYS)
    if value is not None:
        try:
            days = float(value)
        except (TypeError, ValueError):
            days = -1.0
        return days if days >= 0 else None
    created = _first(deal.attributes, CREATED_KEYS)
    if created is None or deal.closed_at is None:
        return None
    start = pd.to_datetime(created, utc=True, errors="coerce")
    if pd.isna(start):
        return None
    days = (pd.Timestamp(deal.closed_at) - start).total_seconds() / 86400
    return round(days, 2) if days >= 0 else None


def record_outcomes(d: Daemon) -> dict[str, int]:
    """Pull closed deals since the cursor, score and record them; move the cursor last."""
    rules = d.rules.current
    now = d.clock()
    store = DealOutcomes(d.store)
    seen = new = 0
    with d.connect() as crm:
        cursor = d.store.get_cursor(crm.name, DEALS)
        mark = cursor
        for batch in batched(crm.iter_closed_deals(since=cursor), d.settings.daemon.batch_size):
            frame = pd.DataFrame.from_records(
                [deal.attributes for deal in batch], index=pd.Index([x.id for x in batch])
            )
            read_values(frame)  # as the leads are read (updates.leads_frame)
            scores = score_frame(rules, frame).scores
            outcomes = [
                Outcome(
                    record_id=deal.id,
                    won=deal.won,
                    closed_at=deal.closed_at,
                    cycle_days=cycle_days(deal),
                    owner=None if (o := _first(deal.attributes, OWNER_KEYS)) is None else str(o),
                    total=float(scores["total"].iloc[i]),
                    tier=str(scores["tier"].iloc[i]),
                )
                for i, deal in enumerate(batch)
            ]
            new += store.record(crm.name, outcomes, rules.version, now, backfill=cursor is None)
            seen += len(batch)
            for deal in batch:
                stamp: datetime | None = deal.modified_at
                if stamp is not None and (mark is None or stamp > mark):
                    mark = stamp
        if mark is not None:
            d.store.set_cursor(crm.name, DEALS, mark)
    log.info("deal_outcomes_recorded", seen=seen, new=new)
    return {"deals_seen": seen, "deals_new": new}
