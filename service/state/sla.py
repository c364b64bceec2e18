"""Rule 2's SLA clocks, Rule 3's tier-change notices and Rule 4's assignments in the state store.

Each message a row leads to is added to the outbox in the same transaction as the fact it
announces (a breach and its escalation, a batch of notices and the owner's message), so a crash
can neither lose nor repeat one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, insert, select, update
from sqlalchemy.sql.elements import ColumnElement

from service.state.outbox import HOT, SKIPPED, SUMMARISED, Outbox
from service.state.store import StateStore
from service.state.tables import assignments, outbox, sla_clocks, tier_notices


@dataclass(frozen=True)
class Clock:
    record_id: str
    hot_turn: int
    owner_id: str | None
    owner_name: str | None
    started_at: datetime
    deadline: datetime
    owner_email: str | None = None
    stopped_at: datetime | None = None
    stopped_by: str | None = None
    breached: bool = False


def _clock(r: Any) -> Clock:
    return Clock(
        r.record_id,
        r.hot_turn,
        r.owner_id,
        r.owner_name,
        r.started_at,
        r.deadline,
        r.owner_email,
        r.stopped_at,
        r.stopped_by,
        bool(r.breached),
    )


@dataclass(frozen=True)
class Compliance:
    """One rep's SLA record: clocks met, breached, and still running."""

    owner: str
    met: int
    breached: int
    running: int

    @property
    def rate(self) -> float | None:
        done = self.met + self.breached
        return self.met / done if done else None


def compliance(conn: Connection, connector: str) -> list[Compliance]:
    """Per owner (name, else id), from ``leadscore_sla_clocks``: clocks met (stopped before the
    deadline), breached and running (the dashboard's Rep Productivity reads this too)."""
    k = sla_clocks.c
    owner = func.coalesce(k.owner_name, k.owner_id, "(no owner)")
    met = func.sum(case((and_(k.stopped_at.is_not(None), k.breached.is_(False)), 1), else_=0))
    breached = func.sum(case((k.breached.is_(True), 1), else_=0))
    running = func.sum(case((and_(k.stopped_at.is_(None), k.breached.is_(False)), 1), else_=0))
    query = (
        select(owner.label("owner"), met, breached, running)
        .where(k.connector == connector)
        .group_by(owner)
        .order_by(owner)
    )
    return [
        Compliance(str(r[0]), int(r[1] or 0), int(r[2] or 0), int(r[3] or 0))
        for r in conn.execute(query)
    ]


class Section5Log:
    """SLA clocks, tier-change notices and assignments."""

    def __init__(self, store: StateStore) -> None:
        self.engine = store.engine

    # -- SLA clocks ----------------------------------------------------------------------------
    def unclocked_turns(self, connector: str, since: datetime) -> list[tuple[str, int, datetime]]:
        """Turns into Hot since ``since`` that were alerted (or are being) but have no clock
        yet (older turns, from before the clock existed, are left alone: no mass escalation)."""
        o, k = outbox.c, sla_clocks.c
        query = (
            select(o.record_id, o.hot_turn, o.created_at)
            .select_from(
                outbox.outerjoin(
                    sla_clocks,
                    and_(
                        k.connector == o.connector,
                        k.record_id == o.record_id,
                        k.hot_turn == o.hot_turn,
                    ),
                )
            )
            .where(
                o.connector == connector,
                o.kind == HOT,
                o.created_at >= since,
                o.status.not_in((SKIPPED, SUMMARISED, "awaiting_summary")),
                k.record_id.is_(None),
            )
            .order_by(o.created_at, o.key)
        )
        with self.engine.connect() as conn:
            return [(r.record_id, int(r.hot_turn), r.created_at) for r in conn.execute(query)]

    def start_clocks(
        self, connector: str, clocks: Sequence[Clock], messages: Sequence[Mapping[str, Any]]
    ) -> None:
        """Start ``clocks`` and add the owners' messages, in one transaction."""
        if not clocks:
            return
        with self.engine.begin() as conn:
            conn.execute(
                insert(sla_clocks),
                [
                    {
                        "connector": connector,
                        "record_id": c.record_id,
                        "hot_turn": c.hot_turn,
                        "owner_id": c.owner_id,
                        "owner_name": c.owner_name,
                        "owner_email": c.owner_email,
                        "started_at": c.started_at,
                        "deadline": c.deadline,
                        "stopped_at": None,
                        "stopped_by": None,
                        "breached": False,
                        "escalated_at": None,
                    }
                    for c in clocks
                ],
            )
            Outbox.add(conn, messages)

    def stop_clocks(self, connector: str, touches: Sequence[tuple[str, str, datetime]]) -> int:
        """Stop the running clocks of leads a rep touched: ``(lead_id, rep_id, at)``, a touch
        counting only at or after the clock's start. Returns the clocks stopped."""
        k = sla_clocks.c
        stopped = 0
        with self.engine.begin() as conn:
            for lead_id, rep_id, at in sorted(touches, key=lambda t: t[2]):
                stopped += conn.execute(
                    update(sla_clocks)
                    .where(
                        k.connector == connector,
                        k.record_id == lead_id,
                        k.stopped_at.is_(None),
                        k.started_at <= at,
                    )
                    .values(stopped_at=at, stopped_by=rep_id)
                ).rowcount
        return stopped

    def ownerless(self, connector: str) -> list[Clock]:
        """Running clocks of leads that had no owner when their clock started."""
        k = sla_clocks.c
        query = select(sla_clocks).where(
            k.connector == connector,
            k.owner_id.is_(None),
            k.stopped_at.is_(None),
            k.breached.is_(False),
        )
        with self.engine.connect() as conn:
            return [_clock(r) for r in conn.execute(query)]

    def adopt(self, connector: str, clock: Clock, messages: Sequence[Mapping[str, Any]]) -> bool:
        """The lead got an owner (``clock.owner_*``) while its clock runs: record them on the
        clock and add their message, once."""
        owner = {
            "owner_id": clock.owner_id,
            "owner_name": clock.owner_name,
            "owner_email": clock.owner_email,
        }
        return self._change(connector, clock, (sla_clocks.c.owner_id.is_(None),), owner, messages)

    def overdue(self, connector: str, now: datetime) -> list[Clock]:
        """Running clocks past their deadline and not yet escalated."""
        k = sla_clocks.c
        query = select(sla_clocks).where(
            k.connector == connector,
            k.stopped_at.is_(None),
            k.breached.is_(False),
            k.deadline <= now,
        )
        with self.engine.connect() as conn:
            return [_clock(r) for r in conn.execute(query)]

    def clock(self, connector: str, record_id: str, hot_turn: int) -> Clock | None:
        k = sla_clocks.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(sla_clocks).where(
                    k.connector == connector, k.record_id == record_id, k.hot_turn == hot_turn
                )
            ).one_or_none()
        return None if row is None else _clock(row)

    def breach(
        self, connector: str, clock: Clock, now: datetime, messages: Sequence[Mapping[str, Any]]
    ) -> bool:
        """Mark the clock breached and add its escalations, once (False: already done)."""
        k = sla_clocks.c
        where = (k.breached.is_(False), k.stopped_at.is_(None))
        return self._change(
            connector, clock, where, {"breached": True, "escalated_at": now}, messages
        )

    def _change(
        self,
        connector: str,
        clock: Clock,
        where: tuple[ColumnElement[bool], ...],
        values: Mapping[str, Any],
        messages: Sequence[Mapping[str, Any]],
    ) -> bool:
        """Set ``values`` on the clock while it still meets ``where``, and add ``messages`` in
        the same transaction: True once; False when it no longer meets them (done before)."""
        k = sla_clocks.c
        with self.engine.begin() as conn:
            n = conn.execute(
                update(sla_clocks)
                .where(
                    k.connector == connector,
                    k.record_id == clock.record_id,
                    k.hot_turn == clock.hot_turn,
                    *where,
                )
                .values(**values)
            ).rowcount
            if n:
                Outbox.add(conn, messages)
        return bool(n)

    def compliance(self, connector: str) -> list[Compliance]:
        """Per owner (name, else id): clocks met (stopped before the deadline), breached, running."""
        with self.engine.connect() as conn:
            return compliance(conn, connector)

    # -- Rule 3 --------------------------------------------------------------------------------
    def add_notices(self, connector: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record tier changes to tell owners about (``record_id``, ``from_tier``, ``to_tier``,
        ``owner_id``, ``causes``, ``at``)."""
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(
                insert(tier_notices),
                [
                    {
                        "connector": connector,
                        "record_id": r["record_id"],
                        "from_tier": r["from_tier"],
                        "to_tier": r["to_tier"],
                        "owner_id": r["owner_id"],
                        "causes_json": json.dumps(r["causes"], sort_keys=True),
                        "at": r["at"],
                        "outbox_key": None,
                    }
                    for r in rows
                ],
            )

    def open_notices(self, connector: str) -> list[dict[str, Any]]:
        """Notices not yet in an owner's message, oldest first."""
        n = tier_notices.c
        query = (
            select(tier_notices)
            .where(n.connector == connector, n.outbox_key.is_(None))
            .order_by(n.at, n.id)
        )
        with self.engine.connect() as conn:
            return [
                {**dict(r._mapping), "causes": json.loads(r.causes_json)}
                for r in conn.execute(query)
            ]

    def batch_notices(
        self, batches: Mapping[str, Sequence[int]], messages: Sequence[Mapping[str, Any]]
    ) -> None:
        """Mark each batch's notices (outbox key -> notice ids) and add the messages, at once."""
        n = tier_notices.c
        with self.engine.begin() as conn:
            for key, ids in batches.items():
                conn.execute(update(tier_notices).where(n.id.in_(list(ids))).values(outbox_key=key))
            Outbox.add(conn, messages)

    # -- Rule 4 --------------------------------------------------------------------------------
    def assigned(self, connector: str, ids: Sequence[str]) -> dict[str, str]:
        """Leads this service has assigned (or is assigning): id -> status."""
        a = assignments.c
        with self.engine.connect() as conn:
            return {
                r.record_id: r.status
                for r in conn.execute(
                    select(a.record_id, a.status).where(
                        a.connector == connector, a.record_id.in_(list(ids))
                    )
                )
            }

    def record_assignments(self, connector: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Record chosen owners (status pending) before the CRM is asked to write them."""
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.execute(insert(assignments), [{"connector": connector, **r} for r in rows])

    def settle_assignment(
        self,
        connector: str,
        record_id: str,
        status: str,
        reason: str | None,
        messages: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """The CRM wrote (or refused) the owner; the owner's notice goes out with it."""
        a = assignments.c
        with self.engine.begin() as conn:
            n = conn.execute(
                update(assignments)
                .where(a.connector == connector, a.record_id == record_id, a.status == "pending")
                .values(status=status, reason=reason)
            ).rowcount
            if n:
                Outbox.add(conn, messages)

    def pending_assignments(self, connector: str) -> list[dict[str, Any]]:
        a = assignments.c
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(assignments).where(a.connector == connector, a.status == "pending")
                )
            ]

    def load(self, connector: str) -> dict[str, int]:
        """Open Hot and Warm leads per owner id (the routing load), from the facts table."""
        from service.state.tables import lead_facts

        f = lead_facts.c
        query = (
            select(f.owner_id, func.count())
            .where(
                f.connector == connector,
                f.owner_id.is_not(None),
                f.tier.in_(("Hot", "Warm")),
                f.converted_at.is_(None),
            )
            .group_by(f.owner_id)
        )
        with self.engine.connect() as conn:
            return {str(o): int(n) for o, n in conn.execute(query)}
