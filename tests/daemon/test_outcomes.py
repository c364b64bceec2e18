"""Closed deals recorded with their score for the dashboard, and tier changes kept per lead."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from connectors.base import DealRecord
from connectors.local import tables as t
from service.daemon.jobs import OUTCOMES_JOB, outcomes_job
from service.daemon.outcomes import cycle_days
from service.state.leads import LeadState, Scored
from service.state.tables import deal_outcomes, tier_changes
from tests.daemon.conftest import COLD, HOT, WARM, Clock, local_connector, make_daemon
from tests.fakes.local import LocalFake


def _deal(fake: LocalFake, deal_id: str, won: bool, at: Any, **attributes: Any) -> None:
    with fake.crm.engine.begin() as conn:
        conn.execute(
            insert(t.deals).values(
                id=deal_id, account_id="A", won=won, closed_at=at, attributes=attributes,
                modified_at=at,
            )
        )  # fmt: skip


def _rows(d: Any) -> dict[str, Any]:
    with d.store.engine.connect() as conn:
        return {r.record_id: r for r in conn.execute(select(deal_outcomes))}


class TestRecordOutcomes:
    def test_each_deal_is_scored_by_the_rules_in_force_once(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """A deal is recorded with its tier under the live rules; a later pass refreshes its
        outcome but keeps the score it had when first seen closed."""
        _deal(local, "D1", True, clock(), **HOT, sales_cycle_days=40, owner="Ana")
        _deal(local, "D2", False, clock(), **COLD)
        d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
        assert outcomes_job(d) is None
        rows = _rows(d)
        assert (rows["D1"].tier, rows["D1"].total, rows["D1"].won) == ("Hot", 70, True)
        assert (rows["D1"].cycle_days, rows["D1"].owner, rows["D1"].backfill) == (40, "Ana", True)
        assert (rows["D2"].tier, rows["D2"].won, rows["D2"].cycle_days) == ("Cold", False, None)
        assert d.leads.last_runs()[OUTCOMES_JOB]["detail"] == {"deals_seen": 2, "deals_new": 2}

        later = clock.advance(hours=2)
        with local.crm.engine.begin() as conn:  # D1 re-opened and lost, with other attributes
            conn.execute(
                t.deals.update()
                .where(t.deals.c.id == "D1")
                .values(won=False, attributes=dict(COLD), modified_at=later)
            )
        _deal(local, "D3", True, later, **WARM)
        assert outcomes_job(d) is None
        rows = _rows(d)
        assert (rows["D1"].won, rows["D1"].tier, rows["D1"].total) == (False, "Hot", 70)
        assert (rows["D3"].tier, rows["D3"].backfill) == ("Warm", False)
        detail = d.leads.last_runs()[OUTCOMES_JOB]["detail"]
        # the connectors' cursors are inclusive: a deal stamped at the cursor is seen again,
        # and recorded once
        assert detail["deals_new"] == 1 and detail["deals_seen"] >= 2 and len(rows) == 3

    def test_cycle_days_from_a_length_or_from_the_creation_date(self, clock: Clock) -> None:
        """Days to close come from a cycle-length attribute, else close minus creation date;
        a negative or unreadable value is unknown, not zero."""
        close = clock()

        def deal(**attributes: Any) -> DealRecord:
            return DealRecord("D", True, close, close, attributes)

        assert cycle_days(deal(sales_cycle_days=12)) == 12
        assert cycle_days(deal(CreatedDate=(close - timedelta(days=30)).isoformat())) == 30
        assert cycle_days(deal(created_at="not a date")) is None
        assert cycle_days(deal(sales_cycle_days=-3)) is None
        assert cycle_days(deal()) is None


class TestTierChanges:
    def test_only_changes_of_tier_are_kept(
        self, tmp_path: Path, rules_file: Path, clock: Clock
    ) -> None:
        """The first score and every change of tier is a row; a re-score in the same tier is not."""
        d = make_daemon(tmp_path, rules_file, clock, None)
        state = LeadState(d.store)
        state.record_scored(
            "local", [Scored("L1", "Warm", 40), Scored("L2", "Cold", 0)], "t1", clock()
        )
        state.record_scored("local", [Scored("L1", "Warm", 45)], "t1", clock.advance(days=1))
        state.record_scored("local", [Scored("L1", "Hot", 70)], "t1", clock.advance(days=1))
        with d.store.engine.connect() as conn:
            rows = conn.execute(
                select(
                    tier_changes.c.record_id, tier_changes.c.from_tier, tier_changes.c.to_tier
                ).order_by(tier_changes.c.id)
            ).all()
        assert [tuple(r) for r in rows] == [
            ("L1", None, "Warm"),
            ("L2", None, "Cold"),
            ("L1", "Warm", "Hot"),
        ]
