"""Closed deals the daemon has seen, each with the score the rules in force gave it then.

``DealOutcomes(store)`` works on the engine of a ``StateStore``. A deal is recorded once, the first
time a pass sees it closed; a later modification updates its outcome and close date but keeps the
score it had then (the score "at conversion" or "at disqualification").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import insert, select, update

from service.state.store import StateStore, chunks
from service.state.tables import deal_outcomes


@dataclass(frozen=True)
class Outcome:
    """One closed deal and its score when first seen closed."""

    record_id: str
    won: bool
    closed_at: datetime | None
    cycle_days: float | None
    owner: str | None
    total: float | None
    tier: str | None


class DealOutcomes:
    """The ``leadscore_deal_outcomes`` table."""

    def __init__(self, store: StateStore) -> None:
        self.engine = store.engine

    def record(
        self,
        connector: str,
        outcomes: Sequence[Outcome],
        version: str,
        at: datetime,
        *,
        backfill: bool,
    ) -> int:
        """Insert deals not seen before; for known ones refresh only outcome, close date, cycle and
        owner. Returns how many were new."""
        d = deal_outcomes.c
        new = 0
        unique = list({o.record_id: o for o in outcomes}.values())
        with self.engine.begin() as conn:
            for chunk in chunks(unique):
                ids = [o.record_id for o in chunk]
                known = set(
                    conn.execute(
                        select(d.record_id).where(d.connector == connector, d.record_id.in_(ids))
                    ).scalars()
                )
                rows = []
                for o in chunk:
                    if o.record_id in known:
                        conn.execute(
                            update(deal_outcomes)
                            .where(d.connector == connector, d.record_id == o.record_id)
                            .values(
                                won=o.won,
                                closed_at=o.closed_at,
                                cycle_days=o.cycle_days,
                                owner=o.owner,
                            )
                        )
                    else:
                        rows.append(
                            {
                                "connector": connector,
                                **asdict(o),
                                "model_version": version,
                                "scored_at": at,
                                "backfill": backfill,
                            }
                        )
                if rows:
                    conn.execute(insert(deal_outcomes), rows)
                    new += len(rows)
        return new
