"""What the daemon remembers per lead: the pulled copy, the last tier, Hot turns and alerts, runs.

``LeadState(store)`` works on the engine of a ``StateStore`` (same database, same tables module),
so the daemon's state lives beside the pushed scores, cursors and score history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, not_, or_, select, update
from sqlalchemy.exc import IntegrityError

from connectors.base import LeadRecord
from service import redact
from service.state.store import StateStore, _chunks, _plain
from service.state.tables import (
    hot_alerts,
    job_runs,
    lead_cache,
    lead_state,
    push_failures,
    pushed_scores,
    score_history,
    tier_changes,
)

HOT = "Hot"


@dataclass(frozen=True)
class CachedLead:
    """A lead as last pulled from the CRM."""

    record_id: str
    object_type: str
    owner: str | None
    account_id: str | None
    attributes: dict[str, Any]
    modified_at: datetime | None


@dataclass(frozen=True)
class Scored:
    """One lead's new score, to remember once it is written (or found unchanged)."""

    record_id: str
    tier: str
    total: float


class LeadState:
    """The daemon's per-lead state in the state database."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.engine = store.engine

    # -- the pulled copy -----------------------------------------------------------------------
    def upsert_leads(self, connector: str, records: Sequence[LeadRecord], at: datetime) -> int:
        """Keep the pulled copy of ``records`` (replacing older copies of the same ids)."""
        rows = [
            {
                "connector": connector,
                "record_id": r.id,
                "object_type": r.object_type,
                "owner": r.owner,
                "account_id": r.account_id,
                "attributes_json": json.dumps(
                    {k: _plain(v) for k, v in r.attributes.items()}, sort_keys=True
                ),
                "modified_at": r.modified_at,
                "pulled_at": at,
            }
            for r in {r.id: r for r in records}.values()
        ]
        with self.engine.begin() as conn:
            for chunk in _chunks(rows):
                ids = [r["record_id"] for r in chunk]
                conn.execute(
                    delete(lead_cache).where(
                        lead_cache.c.connector == connector, lead_cache.c.record_id.in_(ids)
                    )
                )
                conn.execute(insert(lead_cache), list(chunk))
        return len(rows)

    def cached(self, connector: str, ids: Iterable[str] | None = None) -> dict[str, CachedLead]:
        """The pulled copies of ``ids`` that exist (of every lead when ``ids`` is None), by id."""
        c = lead_cache.c
        queries = (
            [select(lead_cache).where(c.connector == connector).order_by(c.record_id)]
            if ids is None
            else [
                select(lead_cache).where(c.connector == connector, c.record_id.in_(chunk))
                for chunk in _chunks(list(ids))
            ]
        )
        out: dict[str, CachedLead] = {}
        with self.engine.connect() as conn:
            for query in queries:
                for r in conn.execute(query):
                    out[r.record_id] = CachedLead(
                        r.record_id,
                        r.object_type,
                        r.owner,
                        r.account_id,
                        json.loads(r.attributes_json),
                        r.modified_at,
                    )
        return out

    def unchanged(self, connector: str, records: Sequence[LeadRecord]) -> set[str]:
        """Ids of ``records`` whose attributes, owner, account and object are as last pulled:
        read again without a change that matters to scoring (score fields are not attributes)."""
        cached = self.cached(connector, [r.id for r in records])
        out = set()
        for r in records:
            old = cached.get(r.id)
            if (
                old is not None
                and old.attributes == {k: _plain(v) for k, v in r.attributes.items()}
                and (old.owner, old.account_id, old.object_type)
                == (r.owner, r.account_id, r.object_type)
            ):
                out.add(r.id)
        return out

    def retire(self, connector: str, ids: Iterable[str]) -> int:
        """Forget leads that left the funnel (converted, deleted, merged, customers): their
        copy, tier, pending alerts, pending failures and last push; their tier history ends with a
        change to no tier. Returns how many were known."""
        ids = list(dict.fromkeys(ids))
        known = 0
        with self.engine.begin() as conn:
            for chunk in _chunks(ids):
                known += len(
                    conn.execute(
                        select(lead_cache.c.record_id).where(
                            lead_cache.c.connector == connector, lead_cache.c.record_id.in_(chunk)
                        )
                    ).all()
                )
                left = conn.execute(
                    select(lead_state.c.record_id, lead_state.c.tier).where(
                        lead_state.c.connector == connector, lead_state.c.record_id.in_(chunk)
                    )
                ).all()
                if left:  # the tier history ends: "left the funnel" (to_tier NULL)
                    conn.execute(
                        insert(tier_changes),
                        [
                            {
                                "connector": connector,
                                "record_id": r.record_id,
                                "from_tier": r.tier,
                                "to_tier": None,
                                "at": self.store.now(),
                            }
                            for r in left
                        ],
                    )
                for table in (lead_cache, lead_state, hot_alerts, push_failures, pushed_scores):
                    conn.execute(
                        delete(table).where(
                            table.c.connector == connector, table.c.record_id.in_(chunk)
                        )
                    )
        return known

    # -- cadences ------------------------------------------------------------------------------
    def due_ids(
        self, connector: str, now: datetime, every_days: Mapping[str, float], version: str
    ) -> list[str]:
        """Pulled leads never scored, scored with other rules, or whose tier's cadence is due.

        ``every_days`` maps Hot/Warm/Cool/Cold to days; any other tier (Unscoreable) uses Cold's.
        """
        s = lead_state.c
        named = [t for t in every_days if t != "Cold"]
        due = [
            and_(s.tier == tier, s.scored_at <= now - timedelta(days=days))
            for tier, days in every_days.items()
            if tier != "Cold"
        ]
        cold = timedelta(days=every_days.get("Cold", 30))
        due.append(and_(or_(s.tier.is_(None), not_(s.tier.in_(named))), s.scored_at <= now - cold))
        query = (
            select(lead_cache.c.record_id)
            .select_from(
                lead_cache.outerjoin(
                    lead_state,
                    and_(
                        s.connector == lead_cache.c.connector,
                        s.record_id == lead_cache.c.record_id,
                    ),
                )
            )
            .where(
                lead_cache.c.connector == connector,
                or_(s.record_id.is_(None), s.model_version != version, *due),
            )
            .order_by(lead_cache.c.record_id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # -- scores and Hot turns ------------------------------------------------------------------
    def record_scored(
        self, connector: str, scored: Sequence[Scored], version: str, at: datetime
    ) -> list[tuple[str, int]]:
        """Remember the new tiers (and each change of tier, in ``tier_changes``); return
        ``(id, turn)`` of the leads that turned Hot now (from any other tier or from never scored).
        Each turn has its own number: alerted once."""
        turned: list[tuple[str, int]] = []
        s = lead_state.c
        with self.engine.begin() as conn:
            for chunk in _chunks(list(scored)):
                ids = [x.record_id for x in chunk]
                before = {
                    r.record_id: (r.tier, r.hot_turns)
                    for r in conn.execute(
                        select(s.record_id, s.tier, s.hot_turns).where(
                            s.connector == connector, s.record_id.in_(ids)
                        )
                    )
                }
                new_rows = []
                changes = []
                for x in chunk:
                    old_tier, turns = before.get(x.record_id, (None, 0))
                    if x.record_id not in before or old_tier != x.tier:
                        changes.append(
                            {
                                "connector": connector,
                                "record_id": x.record_id,
                                "from_tier": old_tier,
                                "to_tier": x.tier,
                                "at": at,
                            }
                        )
                    if x.tier == HOT and old_tier != HOT:
                        turns += 1
                        turned.append((x.record_id, turns))
                    values = {
                        "tier": x.tier,
                        "total": float(x.total),
                        "model_version": version,
                        "scored_at": at,
                        "hot_turns": turns,
                    }
                    if x.record_id in before:
                        conn.execute(
                            update(lead_state)
                            .where(s.connector == connector, s.record_id == x.record_id)
                            .values(**values)
                        )
                    else:
                        new_rows.append(
                            {"connector": connector, "record_id": x.record_id, **values}
                        )
                if new_rows:
                    conn.execute(insert(lead_state), new_rows)
                if changes:
                    conn.execute(insert(tier_changes), changes)
        return turned

    def scored_at(self, connector: str, record_id: str) -> datetime | None:
        """When the lead was last scored (None when never)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(lead_state.c.scored_at).where(
                    lead_state.c.connector == connector, lead_state.c.record_id == record_id
                )
            ).scalar_one_or_none()

    def tier_counts(self, connector: str) -> dict[str, int]:
        """Leads per tier as last scored."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(lead_state.c.tier, func.count())
                .where(lead_state.c.connector == connector)
                .group_by(lead_state.c.tier)
            )
            return {str(tier): int(n) for tier, n in rows}

    def pending_alerts(self, connector: str) -> list[tuple[str, int]]:
        """``(record_id, hot_turn)`` of Hot leads whose current turn has no alert yet."""
        s, a = lead_state.c, hot_alerts.c
        query = (
            select(s.record_id, s.hot_turns)
            .select_from(
                lead_state.outerjoin(
                    hot_alerts,
                    and_(
                        a.connector == s.connector,
                        a.record_id == s.record_id,
                        a.hot_turn == s.hot_turns,
                    ),
                )
            )
            .where(s.connector == connector, s.tier == HOT, s.hot_turns > 0, a.record_id.is_(None))
            .order_by(s.scored_at, s.record_id)
        )
        with self.engine.connect() as conn:
            return [(r.record_id, int(r.hot_turns)) for r in conn.execute(query)]

    def record_alert(
        self, connector: str, record_id: str, hot_turn: int, at: datetime, message_ts: str | None
    ) -> bool:
        """Remember that this turn was alerted; False when it already was."""
        row = {
            "connector": connector,
            "record_id": record_id,
            "hot_turn": hot_turn,
            "sent_at": at,
            "message_ts": message_ts,
        }
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(hot_alerts).values(**row))
        except IntegrityError:
            return False
        return True

    def alerts_sent(self, connector: str) -> int:
        """Hot turns alerted (or deliberately skipped) so far."""
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(hot_alerts.c.connector == connector)
                ).scalar_one()
            )

    # -- trend reference -----------------------------------------------------------------------
    def reference_totals(
        self, ids: Sequence[str], version: str, cutoff: datetime
    ) -> dict[str, float]:
        """Per lead, the total to measure the trend from, among scores by the rules ``version``:
        the last one at or before ``cutoff``, else the first one after it."""
        h = score_history.c
        out: dict[str, float] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(ids)):
                for pick, side in ((func.min, h.at > cutoff), (func.max, h.at <= cutoff)):
                    marks = (
                        select(h.record_id, pick(h.at).label("mark"))
                        .where(h.record_id.in_(chunk), h.model_version == version, side)
                        .group_by(h.record_id)
                        .subquery()
                    )
                    rows = conn.execute(
                        select(h.record_id, h.total)
                        .join(
                            marks,
                            and_(marks.c.record_id == h.record_id, marks.c.mark == h.at),
                        )
                        .where(h.model_version == version)
                    )
                    # the second pass (at or before the cutoff) overrides the first
                    out.update({r.record_id: r.total for r in rows if r.total is not None})
        return out

    # -- job runs ------------------------------------------------------------------------------
    def record_run(
        self, job: str, started: datetime, finished: datetime, ok: bool, detail: Mapping[str, Any]
    ) -> None:
        """Append one job run with its summary (or error) as JSON."""
        # scrubbed: an error's text may repeat what a server echoed, credentials included
        text = redact.scrub(json.dumps(dict(detail), default=_plain, sort_keys=True))
        with self.engine.begin() as conn:
            conn.execute(
                insert(job_runs).values(
                    job=job, started_at=started, finished_at=finished, ok=ok, detail=text
                )
            )

    def last_runs(self) -> dict[str, dict[str, Any]]:
        """Per job: its last run, and when it last succeeded."""
        r = job_runs.c
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for job in conn.execute(select(r.job).distinct().order_by(r.job)).scalars():
                row = conn.execute(
                    select(job_runs)
                    .where(r.job == job)
                    .order_by(r.started_at.desc(), r.id.desc())
                    .limit(1)
                ).one()
                success = conn.execute(
                    select(func.max(r.finished_at)).where(r.job == job, r.ok.is_(True))
                ).scalar_one_or_none()
                out[job] = {
                    "started_at": row.started_at,
                    "finished_at": row.finished_at,
                    "ok": bool(row.ok),
                    "detail": json.loads(row.detail),
                    "last_success": success,
                }
        return out
