"""From pulled leads to the ``ScoreUpdate`` written back, and from a written score to an alert.

The score columns come from ``service.scoring.batch.scored_output``, the same mapping
``leadscore score`` writes to ``scored.csv`` and ``leadscore crm push`` reads back, so a lead scored
by the daemon and by the batch command gets the same field values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from connectors.base import SCORE_FIELDS, ScoreUpdate, plain_values, score_field_name
from service.alerts.slack import HotLeadAlert
from service.daemon.cadence import trend
from service.data.io import read_values
from service.scoring.batch import scored_output
from service.scoring.engine import ScoredFrame
from service.scoring.rules import Rules
from service.state.leads import CachedLead

DIMENSION_FIELDS = ("Firmographic", "Behavioral", "Engagement", "Intent")
_NAME_KEYS = ("contact_name", "name", "full_name")
_COMPANY_KEYS = ("company", "company_name", "account_name", "account")


def leads_frame(leads: Sequence[CachedLead], fields: Collection[str] | None = None) -> pd.DataFrame:
    """One row per lead (index: record id), attributes as columns, read as ``read_table`` reads
    a file of these leads (placeholders missing, a column of numbers numbers: ``read_values``).
    ``fields``: only these attributes (the ones the rules read; each column is read on its own,
    so the others change nothing for scoring)."""
    records = [lead.attributes for lead in leads]
    if fields is not None:
        records = [{k: v for k, v in a.items() if k in fields} for a in records]
    frame = pd.DataFrame.from_records(records, index=pd.Index([lead.record_id for lead in leads]))
    read_values(frame)
    return frame


def score_updates(
    leads: Sequence[CachedLead],
    scored: ScoredFrame,
    rules: Rules,
    now: datetime,
    references: Mapping[str, float],
) -> list[ScoreUpdate]:
    """Every score field for every lead: the scores, ``Trend`` against ``references`` (the total
    about two weeks ago), ``Last_Calculated`` = ``now`` and ``Version`` = the rules' version."""
    columns = scored_output(pd.DataFrame(index=scored.scores.index), scored, rules)
    wanted = {score_field_name(k, "local"): k for k in SCORE_FIELDS}
    names = [c for c in columns.columns if c in wanted]
    keys = [wanted[c] for c in names]
    rows = zip(*[columns[c].tolist() for c in names], strict=True)  # column by column, not per cell
    updates = []
    for lead, row in zip(leads, rows, strict=True):
        values: dict[str, Any] = plain_values(dict(zip(keys, row, strict=True)))
        values["Trend"] = trend(values["Total"], references.get(lead.record_id))
        values["Last_Calculated"] = now
        updates.append(ScoreUpdate(lead.record_id, lead.object_type, values))
    return updates


def _first(attributes: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = attributes.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def hot_alert(lead: CachedLead, values: Mapping[str, Any], rules: Rules) -> HotLeadAlert:
    """The Slack alert for a lead that turned Hot, from its pulled copy and its written scores."""
    attrs = lead.attributes
    name = _first(attrs, _NAME_KEYS)
    if name is None:
        parts = [attrs.get("firstname"), attrs.get("lastname")]
        name = " ".join(str(p) for p in parts if p) or _first(attrs, ("email",)) or lead.record_id
    company = _first(attrs, _COMPANY_KEYS) or lead.account_id or "(company unknown)"
    factors = [f for f in str(values.get("Top_Factors") or "").split("; ") if f]
    return HotLeadAlert(
        lead_id=lead.record_id,
        lead_name=name,
        company=company,
        total=float(values.get("Total") or 0),
        breakdown={d: float(values.get(d) or 0) for d in DIMENSION_FIELDS},
        top_factors=factors,
        action=rules.tiers["Hot"].action,
        tier=str(values.get("Tier") or "Hot"),
    )
