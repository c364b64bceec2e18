"""Rule 4 never overwrites a rep's choice: a lead a rep takes in the CRM after the pass pulled
it unowned, and before the pass writes its owner, keeps the rep; the other unowned Hot and Warm
leads are still given their owner by exactly one write. Run on the local CRM and, through their
client libraries, on the fake Salesforce and the fake HubSpot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from service.daemon.cycle import run_cycle
from service.daemon.routing import RoutingWatcher
from service.state.tables import assignments
from tests.daemon.conftest import (
    COLD,
    HOT,
    WARM,
    Clock,
    alerter_for,
    local_connector,
    make_daemon,
)
from tests.daemon.test_section5_crms import EMEA, NA, ROUTING, START, World
from tests.fakes import hubspot as hs
from tests.fakes import salesforce as sfake
from tests.fakes.local import LocalFake
from tests.fakes.slack import FakeSlack


class LocalWorld:
    """``World``'s controls on the local CRM: the same reps, leads and owner reads."""

    def __init__(self, fake: LocalFake) -> None:
        self.fake = fake
        self.connector = local_connector(fake)
        fake.add_user("M1", "Mia Stone", "mia@example.com")
        fake.add_user("U1", "Ana Lima", "ana@example.com", manager_id="M1")
        fake.add_user("U2", "Ben Okafor", "ben@example.com", manager_id="M1")
        fake.add_user("U3", "Cara Diaz", "cara@example.com")
        self.users = {"mia": "M1", "ana": "U1", "ben": "U2", "cara": "U3"}
        self.leads: dict[str, str] = {}

    def lead(self, name: str, attrs: dict[str, Any], owner: str | None, at: Any) -> str:
        owner_id = self.users[owner] if owner else None
        (rid,) = self.fake.add_leads(1, modified_at=at, attributes=attrs, owner=None,
                                     owner_id=owner_id)  # fmt: skip
        self.leads[name] = rid
        return rid


@pytest.fixture(scope="module")
def _crms() -> Iterator[dict[str, Any]]:
    servers = {"salesforce": sfake.FakeSalesforce().start(), "hubspot": hs.FakeHubSpot().start()}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(params=["local", "salesforce", "hubspot"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    if request.param == "local":
        fake = LocalFake(tmp_path / "crm.db")
        yield LocalWorld(fake)
        fake.close()
        return
    w = World(request.param, request.getfixturevalue("_crms")[request.param])
    if request.param == "salesforce":
        w.fake.now = START + timedelta(hours=1)
    else:
        w.fake.clock = lambda: START + timedelta(hours=1)
    yield w


def test_an_owner_set_after_the_pull_is_never_overwritten(
    world: Any, tmp_path: Path, rules_file: Path, slack: FakeSlack
) -> None:
    """Cara takes lead c in the CRM between the pull and the owner write: c stays hers (no owner
    write on it, its assignment recorded as skipped and why, not counted as assigned, not tried
    again) and she is the one told it is Hot, while a and w still go to Ana by one write each."""
    routing = tmp_path / "routing.yaml"
    routing.write_text(ROUTING.format(**world.users), encoding="utf-8")
    slack.add_member("ana@example.com", "UANA0001")
    slack.add_member("cara@example.com", "UCARA001")
    clock = Clock(START)
    d = make_daemon(tmp_path, rules_file, clock, world.connector, alerter=alerter_for(slack))
    d.routing = RoutingWatcher(routing)
    world.lead("old", COLD, None, START - timedelta(days=1))
    run_cycle(d)
    t = clock.advance(hours=1)
    a = world.lead("a", {**HOT, **EMEA}, None, t)
    c = world.lead("c", {**HOT, **NA}, None, t)
    w = world.lead("w", {**WARM, **EMEA}, None, t)
    cara = world.users["cara"]
    assign = world.connector.assign_owners
    calls: list[list[str]] = []

    def rep_takes_c_first(assignments_: Any, **kw: Any) -> Any:
        calls.append(sorted(x.record_id for x in assignments_))
        world.fake.set_owner(c, cara)  # after the pull, before the write
        return assign(assignments_, **kw)

    world.connector.assign_owners = rep_takes_c_first
    with capture_logs() as logs:
        report = run_cycle(d)
    assert calls == [sorted([a, c, w])]  # the pass did choose an owner for c
    assert world.fake.owner_of(c) == cara
    assert world.fake.owner_of(a) == world.fake.owner_of(w) == world.users["ana"]
    assert report.rules5["assigned"] == 2 and report.rules5["assign_skipped"] == 1
    (event,) = [e for e in logs if e["event"] == "assignment_skipped_owned"]
    assert (event["lead_id"], event["owner_id"]) == (c, cara)
    with d.store.engine.connect() as conn:
        rows = {r.record_id: r for r in conn.execute(select(assignments))}
    assert {i: rows[i].status for i in (a, c, w)} == {a: "written", c: "skipped", w: "written"}
    assert "Cara Diaz" in rows[c].reason
    if not isinstance(world, LocalWorld):
        assert [world.fake.owner_writes_of(i) for i in (a, c, w)] == [1, 0, 1]
    told = sorted(
        (m["metadata"]["event_payload"]["kind"], m["metadata"]["event_payload"]["lead_id"],
         m["channel_id"])
        for m in slack.messages
        if m["channel_id"] in slack.ims.values()
    )  # fmt: skip
    ims = {v: k for k, v in slack.ims.items()}
    ana_, cara_ = "UANA0001", "UCARA001"
    assert sorted((k, lead, ims[ch]) for k, lead, ch in told) == sorted(
        [
            ("assignment", a, ana_),
            ("assignment", w, ana_),
            ("owner_hot", a, ana_),
            ("owner_hot", c, cara_),  # and no assignment message for c: Cara took it herself
        ]
    )
    calls.clear()
    clock.advance(days=1)
    report = run_cycle(d)  # nothing left to assign: c is Cara's, a and w are Ana's
    assert calls == [] and report.rules5.get("assigned", 0) == 0
    assert world.fake.owner_of(c) == cara
    if not isinstance(world, LocalWorld):
        assert [world.fake.owner_writes_of(i) for i in (a, c, w)] == [1, 0, 1]
