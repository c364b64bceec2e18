"""Section 5.3's rep productivity: the Hot/Warm against Cool/Cold share of each rep's activity,
kept by the daemon per activity (``leadscore_rep_activity``) and read by the rep page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

from service.dashboard import queries as q
from service.state.section5 import LeadFacts
from service.state.store import StateStore
from service.state.tables import lead_facts, rep_activity
from tests.dashboard.conftest import client_for

AT = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _facts(store: StateStore) -> None:
    rows = [
        ("L1", "U1", "Ana Rep", "Hot"),
        ("L2", "U1", "Ana Rep", "Cold"),
        ("L3", "U2", "Ben Rep", "Warm"),
        ("L4", None, None, None),
    ]
    with store.engine.begin() as conn:
        conn.execute(
            insert(lead_facts),
            [
                {"connector": "local", "record_id": r, "owner_id": o, "owner_name": n, "tier": t}
                for r, o, n, t in rows
            ],
        )


def test_each_activity_is_kept_once_with_the_tier_its_lead_had(store: StateStore) -> None:
    """Activities are kept with the lead's tier when read; reading them again adds nothing,
    and a lead not scored yet has no tier."""
    _facts(store)
    facts = LeadFacts(store)
    acts = [
        ("A1", "U1", "L1", AT),
        ("A2", "U1", "L1", AT),
        ("A3", "U1", "L2", AT),
        ("A4", "U2", "L3", AT),
        ("A5", "U2", "L4", AT),
    ]
    assert facts.note_rep_activity("local", acts) == 5
    assert facts.note_rep_activity("local", [*acts, ("A1", "U1", "L1", AT)]) == 0
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(rep_activity)).scalar() == 5
        by_rep = dict(q.rep_activity_tiers(conn, "local"))
    assert by_rep == {
        "Ana Rep": {"Hot": 2, "Cold": 1},
        "Ben Rep": {"Warm": 1, "not scored": 1},
    }


def test_the_rep_page_shows_each_reps_activity_share(store: StateStore, rules_path: Path) -> None:
    """With rep activity kept the page draws the chart with each rep's Hot/Warm share; without,
    it says why nothing is drawn."""
    client = client_for(store, rules_path)
    empty = client.get("/reps").text
    assert "no activity by a rep recorded yet" in empty
    _facts(store)
    LeadFacts(store).note_rep_activity(
        "local", [("A1", "U1", "L1", AT), ("A2", "U1", "L2", AT), ("A3", "U2", "L3", AT)]
    )
    page = client_for(store, rules_path).get("/reps").text  # a new app: nothing cached
    assert "rep-activity" in page
    assert "Ana Rep: 2 activities, 50% on Hot/Warm" in page
    assert "Ben Rep: 1 activities, 100% on Hot/Warm" in page
