"""Section 5.2's rules 2 to 5 and the 6.5 experiment over a simulated 60 days on the local CRM,
every message counted at the fake Slack."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from service.daemon.cycle import run_cycle
from service.daemon.routing import RoutingWatcher
from service.experiment.groups import CONTROL, group_of
from service.settings import ExperimentSettings
from service.state.sla import Section5Log
from tests.daemon.conftest import (
    COLD,
    COOL,
    HOT,
    WARM,
    Clock,
    alerter_for,
    local_connector,
    make_daemon,
)
from tests.fakes.local import LocalFake
from tests.fakes.slack import FakeSlack

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROUTING = """\
reps:
  - {id: U1, name: Ana Lima, territories: [EMEA], industries: [Healthcare], capacity: 500,
     manager: M1}
  - {id: U2, name: Ben Okafor, territories: [North America], industries: [Software],
     capacity: 500, manager: mia@example.com}
match: {territory_field: region, industry_field: industry}
"""


def kinds(slack: FakeSlack, **payload: Any) -> Counter[str]:
    return Counter(
        ((m.get("metadata") or {}).get("event_payload") or {}).get("kind", "")
        for m in slack.posts(**payload)
    )


@pytest.fixture
def world(
    tmp_path: Path, sla_rules_file: Path, local: LocalFake, slack: FakeSlack
) -> dict[str, Any]:
    local.add_user("M1", "Mia Stone", "mia@example.com")
    local.add_user("U1", "Ana Lima", "ana@example.com", manager_id="M1")
    local.add_user("U2", "Ben Okafor", "ben@example.com", manager_id="M1")
    local.add_user("U3", "Cara Diaz", "cara@example.com")  # owns leads, not in the routing file
    slack.add_member("ana@example.com", "UANA0001")
    slack.add_member("mia@example.com", "UMIA0001")  # Ben has no Slack account
    routing = tmp_path / "routing.yaml"
    routing.write_text(ROUTING, encoding="utf-8")
    clock = Clock(START)
    d = make_daemon(
        tmp_path, sla_rules_file, clock, local_connector(local), alerter=alerter_for(slack)
    )
    d.routing = RoutingWatcher(routing)
    d.settings.experiment = ExperimentSettings(start=START.date(), control_share=0.3)
    return {"d": d, "clock": clock, "routing": routing}


def lead(local: LocalFake, at: datetime, attrs: dict[str, Any], **kw: Any) -> str:
    return local.add_leads(1, modified_at=at, attributes=attrs, **kw)[0]


def treatment_lead(local: LocalFake, at: datetime, attrs: dict[str, Any], **kw: Any) -> str:
    """A lead the experiment puts in treatment (ids are drawn until one is)."""
    settings = ExperimentSettings(start=START.date(), control_share=0.3)
    while True:
        rid = lead(local, at, attrs, **kw)
        if group_of(rid, settings) != CONTROL:
            return rid
        local.reject_records([rid], "unused: a control lead drawn while looking for treatment")


class TestSixtyDays:
    def test_rules_2_to_5_and_the_experiment(
        self, world: dict[str, Any], local: LocalFake, slack: FakeSlack
    ) -> None:
        """Each Hot turn is alerted once to the channel and once to its owner, each breach is
        escalated once, tier changes reach each owner as one message per pass, unowned Hot and
        Warm leads are routed and owned ones never touched, stale leads lapse and come back with
        activity, tiers are re-scored at their cadence and control leads are never written or
        alerted."""
        d, clock = world["d"], world["clock"]
        lead(local, START - timedelta(days=1), COLD, owner=None)  # the CRM before the daemon
        run_cycle(d)  # the first pass (backfill)
        t = clock.advance(hours=1)
        na = {"region": "North America"}
        a = treatment_lead(local, t, {**HOT, "region": "EMEA"}, owner=None, owner_id="U1")
        b = treatment_lead(local, t, {**HOT, **na}, owner=None, owner_id="U2")
        c = treatment_lead(local, t, {**HOT, **na}, owner=None)
        w = treatment_lead(local, t, {**WARM, "region": "EMEA"}, owner=None)
        e = treatment_lead(local, t, {**COLD, **na}, owner=None)
        quiet = {
            tier: treatment_lead(local, t, {**attrs, **na}, owner=None, owner_id="U2")
            for tier, attrs in (("Warm", WARM), ("Cool", COOL), ("Cold", COLD))
        }
        settings = ExperimentSettings(start=START.date(), control_share=0.3)
        others = local.add_leads(40, modified_at=t, attributes={**HOT, **na}, owner_id="U3")
        unowned = local.add_leads(12, modified_at=t, attributes={**HOT, **na}, owner=None)
        control = [i for i in [*others, *unowned] if group_of(i, settings) == CONTROL]
        assert 8 <= len(control) <= 30
        run_cycle(d)

        # Rule 4: routed by the file, the explanation recorded; owned and Cold leads untouched
        assert local.owner_of(a) == "U1" and local.owner_of(b) == "U2"
        assert local.owner_of(c) == "U2"  # North America + Software
        assert local.owner_of(w) == "U1"  # EMEA beats Software
        assert local.owner_of(e) is None
        assert all(local.owner_of(i) == "U3" for i in control if i in others)
        # Rule 2: each Hot turn once in the channel, once to an owner Slack knows
        hot = [m for m in slack.channel_posts() if m["metadata"]["event_payload"]["kind"] == "hot"]
        alerted = Counter(m["metadata"]["event_payload"]["lead_id"] for m in hot)
        assert alerted[a] == alerted[b] == alerted[c] == 1
        ben_alert = next(m for m in hot if m["metadata"]["event_payload"]["lead_id"] == b)
        assert "Ben Okafor (no Slack account" in ben_alert["text"]
        assert "SLA: first contact by 2026-03-02 11:00 UTC" in ben_alert["text"]
        ana = [
            m for m in slack.dms("UANA0001") if m["metadata"]["event_payload"]["lead_id"] in (a, w)
        ]
        assert Counter(m["metadata"]["event_payload"]["kind"] for m in ana) == {
            "owner_hot": 1,
            "assignment": 1,
        }
        assert "First contact due by 2026-03-02 11:00 UTC" in ana[0]["text"] + ana[1]["text"]
        assert all(local.owner_of(i) is None for i in control if i in unowned)
        assert all(local.owner_of(i) is not None for i in unowned if i not in control)

        # Ana calls her lead in time; nobody calls b or c: each breach is escalated once
        for step in range(8):
            clock.advance(minutes=20)
            if step == 1:  # logged at 10:40, made at 10:30
                local.add_activities(
                    a, 1, occurred_at=t + timedelta(minutes=30), kind="call", rep_id="U1"
                )
            run_cycle(d)
        escalations = Counter(
            m["metadata"]["event_payload"]["lead_id"]
            for m in slack.channel_posts()
            if m["metadata"]["event_payload"]["kind"] == "escalation"
        )
        assert (escalations[a], escalations[b], escalations[c]) == (0, 1, 1)
        mia = Counter(m["metadata"]["event_payload"]["lead_id"] for m in slack.dms("UMIA0001"))
        assert (mia[b], mia[c]) == (1, 1)  # Ben's manager, named by the routing file
        clocks = Section5Log(d.store)
        assert clocks.clock("local", a, 1).stopped_by == "U1"  # type: ignore[union-attr]
        by_owner = {r.owner: r for r in clocks.compliance("local")}
        assert by_owner["Ana Lima"].met == 1
        assert by_owner["Ben Okafor"].breached >= 2 and by_owner["Ben Okafor"].met == 0

        # Rule 3: two changes on Ana's leads in one pass are one message to her
        clock.advance(days=1)
        local_set(local, a, {**WARM, "region": "EMEA"}, clock.now)
        local_set(local, w, {**HOT, "region": "EMEA"}, clock.now)
        before = len(slack.dms("UANA0001"))
        run_cycle(d)
        new = slack.dms("UANA0001")[before:]
        notices = [m for m in new if m["metadata"]["event_payload"]["kind"] == "tier_notice"]
        assert len(notices) == 1
        assert "Hot -> Warm" in notices[0]["text"] and "Warm -> Hot" in notices[0]["text"]
        assert "stopped firing: Requested a demo (-40)" in notices[0]["text"]

        # sixty days, four passes a day
        rescored: dict[str, set[datetime | None]] = {tier: set() for tier in quiet}
        for step in range(4 * 58):
            clock.advance(hours=6)
            if step == 4 * 45:  # new activity on the stale lead w: its points come back
                local.add_activities(w, 1, occurred_at=clock.now)
            run_cycle(d)
            if step < 4 * 21:  # when each was last scored, over 21 days
                for tier, i in quiet.items():
                    rescored[tier].add(d.leads.scored_at("local", i))
        # cadences: the day-1 score, then Warm every 3 days (7), Cool weekly (3), Cold monthly (0)
        assert [len(rescored[t]) for t in ("Warm", "Cool", "Cold")] == [8, 4, 1]
        # Rule 5: w (Hot since day 1, no activity) lapsed to Warm after 30 days, then came back
        w_turns = Counter(
            m["metadata"]["event_payload"].get("hot_turn")
            for m in slack.channel_posts()
            if m["metadata"]["event_payload"].get("lead_id") == w
            and m["metadata"]["event_payload"]["kind"] == "hot"
        )
        assert w_turns == {1: 1, 2: 1}
        stale_notes = [
            m
            for m in slack.dms("UANA0001")
            if m["metadata"]["event_payload"]["kind"] == "tier_notice"
            and "points lapsed after no activity: behavioral, engagement" in m["text"]
        ]
        assert stale_notes
        # each owner gets at most one notice message per pass
        per_pass = Counter(
            (m["channel_id"], m["metadata"]["event_payload"]["key"].rsplit(":", 2)[1])
            for m in slack.messages
            if m["metadata"]["event_payload"]["kind"] == "tier_notice"
        )
        assert max(per_pass.values()) == 1
        # no message was ever sent twice
        keys = Counter(m["metadata"]["event_payload"]["key"] for m in slack.messages)
        assert max(keys.values()) == 1
        # control leads: scored and recorded, never written, alerted or assigned
        assert all(local.writes_of(i) == 0 for i in control)
        assert not any(slack.posts(lead_id=i) for i in control)
        assert all(d.leads.hot_turn_of("local", i) == ("Warm", 1) for i in control)  # stale by now


def local_set(local: LocalFake, lead_id: str, attrs: dict[str, Any], at: datetime) -> None:
    from tests.daemon.conftest import set_lead

    set_lead(local, lead_id, at, attrs)
