"""The experiment's leads and outcomes, from the state store the daemon keeps and the CRM.

Each lead the daemon scored while the experiment ran has its group in
``leadscore_lead_facts.experiment_group``, with ``first_seen_at``, the first rep contact
(``first_contact_at``: the first activity a rep logged) and ``converted_at`` (the CRM retired it
as converted). Deals come from the CRM (``iter_closed_deals``): a lead's deal is a deal of its
account closed after the lead was first seen; ``won`` is its outcome and its value the first of
``amount``, ``deal_value``, ``annual_contract_value``, ``acv``, ``revenue`` it carries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from connectors.base import DealRecord
from service.state.store import StateStore
from service.state.tables import lead_facts

VALUE_KEYS = ("amount", "deal_value", "annual_contract_value", "acv", "revenue")


def _value(attributes: dict[str, Any]) -> float | None:
    for key in VALUE_KEYS:
        value = attributes.get(key)
        try:
            if value not in (None, ""):
                return float(value)
        except (TypeError, ValueError):
            continue
    return None


def experiment_frame(
    store: StateStore, connector: str, deals: Iterable[DealRecord] = ()
) -> pd.DataFrame:
    """One row per experiment lead: group, converted, contact_hours, won, revenue."""
    f = lead_facts.c
    query = select(
        f.record_id,
        f.experiment_group,
        f.account_id,
        f.first_seen_at,
        f.first_contact_at,
        f.converted_at,
    ).where(f.connector == connector, f.experiment_group.is_not(None))
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
    frame = pd.DataFrame(
        rows,
        columns=[
            "record_id",
            "experiment_group",
            "account_id",
            "first_seen_at",
            "first_contact_at",
            "converted_at",
        ],
    )
    by_account: dict[str, list[DealRecord]] = {}
    for deal in deals:
        account = deal.attributes.get("account_id") or deal.attributes.get("AccountId")
        if account:
            by_account.setdefault(str(account), []).append(deal)
    won, revenue = [], []
    for r in frame.itertuples():
        mine = [
            d
            for d in by_account.get(str(r.account_id), [])
            if d.closed_at is None or r.first_seen_at is None or d.closed_at >= r.first_seen_at
        ]
        if r.converted_at is None or not mine:
            won.append(np.nan)
            revenue.append(0.0 if not mine else np.nan)
            continue
        deal = max(mine, key=lambda d: d.closed_at or r.first_seen_at)
        won.append(float(deal.won))
        value = _value(deal.attributes)
        revenue.append((value or 0.0) if deal.won else 0.0)
    hours = (
        pd.to_datetime(frame["first_contact_at"], utc=True)
        - pd.to_datetime(frame["first_seen_at"], utc=True)
    ).dt.total_seconds() / 3600
    return pd.DataFrame(
        {
            "group": frame["experiment_group"].to_numpy(),
            "converted": frame["converted_at"].notna().to_numpy(),
            "contact_hours": hours.clip(lower=0).to_numpy(),
            "won": won,
            "revenue": revenue if any(v for v in revenue if v == v) else [np.nan] * len(frame),
        },
        index=pd.Index(frame["record_id"]),
    )
