"""CRM records as the frames ``build`` and ``score`` read (the columns of ``crm pull``'s CSV files)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from connectors.base import Activity, DealRecord, LeadRecord


def deals_frame(records: Sequence[DealRecord]) -> pd.DataFrame:
    """One row per closed deal: ``deal_id``, its attributes, ``outcome`` (won/lost), ``closed_at``."""
    rows = [
        {
            "deal_id": d.id,
            **d.attributes,
            "outcome": "won" if d.won else "lost",
            "closed_at": d.closed_at.date().isoformat() if d.closed_at else None,
        }
        for d in records
    ]
    return pd.DataFrame(rows, columns=None if rows else ["deal_id", "outcome", "closed_at"])


def leads_frame(records: Sequence[LeadRecord]) -> pd.DataFrame:
    """One row per lead: ``lead_id``, ``object_type``, ``owner``, its attributes, ``modified_at``."""
    rows = [
        {
            "lead_id": r.id,
            "object_type": r.object_type,
            "owner": r.owner,
            **r.attributes,
            "modified_at": r.modified_at.isoformat() if r.modified_at else None,
        }
        for r in records
    ]
    return pd.DataFrame(rows, columns=None if rows else ["lead_id", "object_type", "owner"])


def activities_frame(records: Sequence[Activity]) -> pd.DataFrame:
    """One row per activity, in the columns of the sample data's ``activities.csv``."""
    columns = ["activity_id", "lead_id", "account", "kind", "page", "occurred_at"]
    rows = [
        [a.id, a.lead_id, a.account_id, a.kind, a.detail, a.occurred_at.isoformat()]
        for a in records
    ]
    return pd.DataFrame(rows, columns=columns)
