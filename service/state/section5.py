"""What Section 5's rules remember per lead: owner, last activity, stale level, fired signals,
tier, experiment group and outcomes (``leadscore_lead_facts``), read and written in bulk.

The SLA clocks, tier-change notices and assignments have their own modules
(``service.state.sla``, ``service.state.notices``); all live in the state store's database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import and_, insert, or_, select, update

from connectors.base import LeadRecord, batched
from service.state.bulk import select_among, update_rows, upsert
from service.state.store import StateStore
from service.state.tables import lead_facts, rep_activity

CHUNK = 2000


class Facts(NamedTuple):
    """One lead's row of ``leadscore_lead_facts`` (a tuple: a batch makes thousands)."""

    record_id: str
    owner_id: str | None
    owner_name: str | None
    last_activity_at: datetime | None
    stale_level: int
    fired: tuple[str, ...] | None
    tier: str | None
    total: float | None
    group: str | None


class LeadFacts:
    """Reads and writes ``leadscore_lead_facts``."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.engine = store.engine

    def note_pulled(
        self, connector: str, records: Sequence[LeadRecord], at: datetime, since: datetime
    ) -> None:
        """Remember each pulled lead's owner and account; a lead seen for the first time gets
        ``first_seen_at`` = ``at`` and its stale clock starts at ``since`` (one bulk upsert: a
        known lead keeps its first sighting and stale clock)."""
        rows = [
            {
                "connector": connector,
                "record_id": r.id,
                "owner_id": r.owner_id,
                "owner_name": r.owner,
                "account_id": r.account_id,
                "first_seen_at": at,
                "last_activity_at": since,
                "stale_level": 0,
            }
            for r in {r.id: r for r in records}.values()
        ]
        with self.store.bulk() as conn:
            upsert(
                conn,
                lead_facts,
                rows,
                ("connector", "record_id"),
                update_columns=("owner_id", "owner_name", "account_id"),
            )

    def note_owner(self, connector: str, record_id: str, owner_id: str, name: str | None) -> None:
        """The CRM confirmed an assignment: the lead is owned now."""
        c = lead_facts.c
        with self.engine.begin() as conn:
            conn.execute(
                update(lead_facts)
                .where(c.connector == connector, c.record_id == record_id)
                .values(owner_id=owner_id, owner_name=name)
            )

    def note_activity(
        self, connector: str, latest: Mapping[str, datetime], first_contact: Mapping[str, datetime]
    ) -> None:
        """Move each lead's last activity forward to ``latest[id]``; set its first rep contact
        (the experiment's time to first contact) to ``first_contact[id]`` unless already set."""
        c = lead_facts.c
        with self.engine.begin() as conn:
            for record_id, at in latest.items():
                conn.execute(
                    update(lead_facts)
                    .where(
                        c.connector == connector,
                        c.record_id == record_id,
                        or_(c.last_activity_at.is_(None), c.last_activity_at < at),
                    )
                    .values(last_activity_at=at)
                )
            for record_id, at in first_contact.items():
                conn.execute(
                    update(lead_facts)
                    .where(
                        c.connector == connector,
                        c.record_id == record_id,
                        or_(c.first_contact_at.is_(None), c.first_contact_at > at),
                    )
                    .values(first_contact_at=at)
                )

    def note_rep_activity(
        self, connector: str, acts: Sequence[tuple[str, str, str, datetime]]
    ) -> int:
        """Keep each rep activity ``(activity_id, rep_id, lead_id, at)`` with the lead's tier as
        it stands now (before this pass scores it); an activity already kept is not added
        again. Returns the rows added."""
        if not acts:
            return 0
        c, r = lead_facts.c, rep_activity.c
        added = 0
        with self.engine.begin() as conn:
            for chunk in batched({a[0]: a for a in acts}.values(), CHUNK):
                leads = list({a[2] for a in chunk})
                tiers = dict(
                    conn.execute(
                        select(c.record_id, c.tier).where(
                            c.connector == connector, c.record_id.in_(leads)
                        )
                    ).all()
                )
                known = set(
                    conn.execute(
                        select(r.activity_id).where(
                            r.connector == connector, r.activity_id.in_([a[0] for a in chunk])
                        )
                    ).scalars()
                )
                rows = [
                    {
                        "connector": connector,
                        "activity_id": act,
                        "rep_id": rep,
                        "record_id": lead,
                        "tier": tiers.get(lead),
                        "at": at,
                    }
                    for act, rep, lead, at in chunk
                    if act not in known
                ]
                if rows:
                    conn.execute(insert(rep_activity), rows)
                    added += len(rows)
        return added

    def get(self, connector: str, ids: Iterable[str]) -> dict[str, Facts]:
        columns = (
            "record_id",
            "owner_id",
            "owner_name",
            "last_activity_at",
            "stale_level",
            "fired_json",
            "tier",
            "total",
            "experiment_group",
        )
        out: dict[str, Facts] = {}
        fired: dict[str, tuple[str, ...]] = {}  # a batch's leads share a few fired sets
        with self.engine.connect() as conn:
            for chunk in batched(list(ids), 10_000):
                for rid, owner, name, last, level, text, tier, total, group in select_among(
                    conn, lead_facts, columns, {"connector": connector}, "record_id", chunk
                ):
                    if text and text not in fired:
                        fired[text] = tuple(json.loads(text))
                    out[rid] = Facts(
                        rid,
                        owner,
                        name,
                        last,
                        int(level or 0),
                        fired[text] if text else None,
                        tier,
                        total,
                        group,
                    )
        return out

    def stale_due(self, connector: str, now: datetime, windows: Sequence[int]) -> list[str]:
        """Leads whose stale level at ``now`` is above the one their last score applied: a
        window (``windows``, shortest first) passed since their last activity."""
        c = lead_facts.c
        due = [
            and_(c.last_activity_at <= now - timedelta(days=days), c.stale_level < k + 1)
            for k, days in enumerate(windows)
        ]
        if not due:
            return []
        query = (
            select(c.record_id)
            .where(c.connector == connector, c.converted_at.is_(None), or_(*due))
            .order_by(c.record_id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    def record_scores(self, connector: str, rows: Sequence[Mapping[str, object]]) -> None:
        """Per lead (``record_id``): ``tier``, ``total``, ``fired_json``, ``stale_level``,
        ``experiment_group``, or the subset given (the same keys on every row); a lead without
        a row is left out."""
        if not rows:
            return
        with self.store.bulk() as conn:
            update_rows(
                conn,
                lead_facts,
                [{"connector": connector, **r} for r in rows],
                ("connector", "record_id"),
            )

    def mark_converted(self, connector: str, ids: Iterable[str], at: datetime) -> None:
        """The leads left the funnel as converted (the experiment's conversion)."""
        c = lead_facts.c
        with self.engine.begin() as conn:
            for chunk in batched(list(ids), CHUNK):
                conn.execute(
                    update(lead_facts)
                    .where(c.connector == connector, c.record_id.in_(chunk))
                    .values(converted_at=at)
                )


def stale_levels(
    last_activities: Sequence[datetime | None], now: datetime, windows: Sequence[int]
) -> list[int]:
    """How many of ``windows`` (days, shortest first) have passed since each of
    ``last_activities`` (None: none), the cut-off times computed once."""
    cuts = [now - timedelta(days=days) for days in windows]
    return [0 if at is None else sum(at <= cut for cut in cuts) for at in last_activities]
