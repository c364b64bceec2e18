"""Section 5's flow against the fake Salesforce and the fake HubSpot, through their client
libraries, with a 429 and a 500 injected at the CRM and at Slack: no alert, notice or
assignment lost or doubled.

Each flow is run twice on fresh fakes, once with failures and once without; every message is
counted at the fake Slack and every owner write at the fake CRM, and the two runs must match
message for message (what was sent, about which lead, to whom) and owner for owner.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.hubspot import HubSpotConnector
from connectors.mapping import parse_mapping
from connectors.salesforce import SalesforceConnector
from service.daemon.cycle import run_cycle
from service.daemon.routing import RoutingWatcher
from service.settings import RetrySettings, SalesforceSettings
from tests.daemon.conftest import COLD, HOT, WARM, Clock, alerter_for, make_daemon
from tests.fakes import hubspot as hs
from tests.fakes import salesforce as sfake
from tests.fakes.slack import FakeSlack

START = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
SF_MAPPING = """\
leads:
  object: Lead
  fields: {industry: Industry, employee_count: NumberOfEmployees, region: State,
           demo_requested: Demo_Requested__c, email_opens: Email_Opens__c}
activities:
  - {object: Task, fields: {kind: TaskSubtype, detail: Subject}}
"""
HS_MAPPING = """\
leads:
  object: contacts
  fields: {industry: industry, employee_count: numemployees, region: state,
           demo_requested: demo_requested, email_opens: email_opens}
activities:
  - {object: calls, fields: {}}
"""
SF_FIELDS = {
    "industry": "Industry",
    "employee_count": "NumberOfEmployees",
    "region": "State",
    "demo_requested": "Demo_Requested__c",
    "email_opens": "Email_Opens__c",
}
HS_FIELDS = {
    "industry": "industry",
    "employee_count": "numemployees",
    "region": "state",
    "demo_requested": "demo_requested",
    "email_opens": "email_opens",
}


class World:
    """One fake CRM, its connector and the CRM's users, with the flow's few controls."""

    def __init__(self, kind: str, fake: Any) -> None:
        self.kind, self.fake = kind, fake
        retry = RetrySettings(attempts=3, max_wait_seconds=60)
        fake.reset()
        if kind == "salesforce":
            fake.fields["Lead"] |= {"Demo_Requested__c", "Email_Opens__c"}
            fake.now = START
            settings = SalesforceSettings(instance_url=fake.url, session_id=sfake.TOKEN)
            mapping = parse_mapping(yaml.safe_load(SF_MAPPING), "salesforce")
            self.connector: Any = SalesforceConnector(
                settings, mapping=mapping, retry=retry, sleep=lambda _s: None
            )
        else:
            for name, kind_ in (("demo_requested", "bool"), ("email_opens", "number")):
                fake.properties["contacts"][name] = {"name": name, "type": kind_}
            fake.clock = lambda: START
            self.connector = HubSpotConnector(
                hs.TOKEN,
                host=fake.url,
                mapping=parse_mapping(yaml.safe_load(HS_MAPPING), "hubspot"),
                retry=retry,
                sleep=lambda _s: None,
                rate_sleep=lambda _s: None,
            )
        mia = fake.add_user("Mia Stone", "mia@example.com")
        self.users = {
            "mia": mia,
            "ana": fake.add_user("Ana Lima", "ana@example.com", manager_id=mia),
            "ben": fake.add_user("Ben Okafor", "ben@example.com", manager_id=mia),
            "cara": fake.add_user("Cara Diaz", "cara@example.com"),
        }
        self.leads: dict[str, str] = {}

    @property
    def write_path(self) -> str:
        return "composite/sobjects" if self.kind == "salesforce" else "/batch/update"

    @property
    def owner_field(self) -> str:
        return "OwnerId" if self.kind == "salesforce" else "hubspot_owner_id"

    def lead(self, name: str, attrs: dict[str, Any], owner: str | None, at: datetime) -> str:
        owner_id = self.users[owner] if owner else None
        if self.kind == "salesforce":
            (rid,) = self.fake.add_leads(1, modified_at=at, owner_id=owner_id or self.fake.queue_id)
            self.fake.touch(rid, at, **{SF_FIELDS[k]: v for k, v in attrs.items()})
        else:
            props = {
                HS_FIELDS[k]: (str(v).lower() if isinstance(v, bool) else v)
                for k, v in attrs.items()
            }
            if owner_id:
                props["hubspot_owner_id"] = owner_id
            (rid,) = self.fake.add_leads(1, modified_at=at, attributes=props)
        self.leads[name] = str(rid)
        return str(rid)

    def change(self, name: str, attrs: dict[str, Any], at: datetime) -> None:
        fields = SF_FIELDS if self.kind == "salesforce" else HS_FIELDS
        values = {
            fields[k]: (str(v).lower() if isinstance(v, bool) and self.kind == "hubspot" else v)
            for k, v in attrs.items()
        }
        self.fake.touch(self.leads[name], at, **values)

    def call(self, name: str, rep: str, at: datetime) -> None:
        kw: dict[str, Any] = {"occurred_at": at, "rep_id": self.users[rep]}
        if self.kind == "hubspot":
            kw["object_type"] = "calls"
        self.fake.add_activities(self.leads[name], 1, **kw)

    def name_of(self, record_id: str | None) -> str | None:
        return next((n for n, i in self.leads.items() if i == record_id), record_id)

    def owners(self) -> dict[str, tuple[str | None, int]]:
        users = {v: k for k, v in self.users.items()}
        out = {}
        for name, rid in self.leads.items():
            owner = self.fake.owner_of(rid)
            out[name] = (
                users.get(owner or "", None if owner in (None, self._queue()) else owner),
                self.fake.owner_writes_of(rid),
            )
        return out

    def _queue(self) -> str | None:
        return self.fake.queue_id if self.kind == "salesforce" else None


ROUTING = """\
reps:
  - {{id: "{ana}", name: Ana Lima, territories: [EMEA], industries: [Healthcare], capacity: 50}}
  - {{id: "{ben}", name: Ben Okafor, territories: [North America], industries: [Software],
     capacity: 50, manager: "{mia}"}}
match: {{territory_field: region, industry_field: industry}}
"""
EMEA, NA = {"region": "EMEA"}, {"region": "North America"}


@pytest.fixture(scope="module")
def _servers() -> Iterator[dict[str, Any]]:
    servers = {
        "salesforce": sfake.FakeSalesforce().start(),
        "hubspot": hs.FakeHubSpot().start(),
        "slack": FakeSlack().start(),
    }
    yield servers
    for server in servers.values():
        server.stop()


def flow(kind: str, servers: dict[str, Any], tmp: Path, rules: Path, failures: bool) -> dict:
    """Route, alert, escalate and notice over one simulated day; returns what Slack received
    and what the CRM holds, by lead name."""
    tmp.mkdir(parents=True)
    world = World(kind, servers[kind])
    slack: FakeSlack = servers["slack"]
    slack.reset()
    slack.add_member("ana@example.com", "UANA0001")
    slack.add_member("mia@example.com", "UMIA0001")  # Ben has no Slack account
    routing = tmp / "routing.yaml"
    routing.write_text(ROUTING.format(**world.users), encoding="utf-8")
    clock = Clock(START)
    d = make_daemon(tmp, rules, clock, world.connector, alerter=alerter_for(slack))
    d.routing = RoutingWatcher(routing)

    def run(crm: bool = False, chat: bool = False, owners: bool = False) -> None:
        if kind == "salesforce":
            world.fake.now = clock.now
        else:
            world.fake.clock = lambda: clock.now
        path = world.write_path
        if crm and failures:  # a 429 (Retry-After honoured) on the writes
            world.fake.fail_next(1, 429, headers={"Retry-After": "1"}, path_contains=path)
        if crm and failures and owners:  # the owners applied, then a 500: the answer is lost
            world.fake.fail_after_apply(1, 500, path_contains=path, body_contains=world.owner_field)
        elif crm and failures:  # a 500 before anything is applied
            world.fake.fail_next(1, 500, path_contains=path)
        if chat and failures:  # the same at Slack: a 500 may have posted, so no blind retry
            slack.fail_next(1, 429, headers={"Retry-After": "1"}, path_contains="postMessage")
            slack.fail_next(1, 500, path_contains="postMessage")
        run_cycle(d)

    world.lead("old", COLD, None, START - timedelta(days=1))
    run()  # the first pass (backfill)
    t = clock.advance(hours=1)
    world.lead("a", {**HOT, **EMEA}, None, t)  # unowned Hot: Ana (EMEA)
    world.lead("c", {**HOT, **NA}, None, t)  # unowned Hot: Ben (North America, Software)
    world.lead("b", {**HOT, **NA}, "ben", t)  # Ben's already
    world.lead("w", {**WARM, **EMEA}, None, t)  # unowned Warm: Ana
    world.lead("o", {**WARM, **NA}, "cara", t)  # Cara's, who is not in the routing file
    world.lead("e", {**COLD, **NA}, None, t)  # unowned Cold: not routed
    run(crm=True, owners=True)  # scores and owners written, Hot alerts and owner messages posted
    for step in range(8):  # Ana calls a in time; nobody calls b or c
        clock.advance(minutes=20)
        if step == 1:
            world.call("a", "ana", t + timedelta(minutes=30))
        run(chat=step == 2)  # the breaches are escalated in the next pass
    clock.advance(days=1)  # a cools to Warm, w heats to Hot: one notice to Ana
    world.change("a", {"demo_requested": False}, clock.now)
    world.change("w", {"demo_requested": True}, clock.now)
    run(crm=True, chat=True)
    for _ in range(3):  # quiet passes: a post held back by a failure goes out now
        clock.advance(hours=1)
        run()
    users = {v: k for k, v in slack.ims.items()}
    messages = Counter(
        (
            m["metadata"]["event_payload"]["kind"],
            world.name_of(m["metadata"]["event_payload"].get("lead_id")),
            users.get(m["channel_id"], "channel"),
        )
        for m in slack.messages
    )
    keys = Counter(m["metadata"]["event_payload"]["key"] for m in slack.messages)
    return {
        "messages": messages,
        "repeated": [k for k, n in keys.items() if n > 1],
        "owners": world.owners(),
        "write_requests": world.fake.count(path_contains=world.write_path),
        "posts": slack.count("POST", "chat.postMessage"),
    }


@pytest.mark.parametrize("kind", ["salesforce", "hubspot"])
def test_no_alert_notice_or_assignment_is_lost_or_doubled(
    tmp_path: Path, sla_rules_file: Path, _servers: dict[str, Any], kind: str
) -> None:
    """The same flow with a 429 and a 500 injected at the CRM's writes and at Slack's posts,
    three times over, ends with exactly what the flow without failures ends with: each Hot
    turn alerted once to the channel and once to an owner Slack knows, each breach escalated
    once, each tier change noticed once, each unowned Hot and Warm lead given its owner by one
    write, owned and Cold leads never written an owner."""
    clean = flow(kind, _servers, tmp_path / "clean", sla_rules_file, failures=False)
    failed = flow(kind, _servers, tmp_path / "failed", sla_rules_file, failures=True)
    assert failed["repeated"] == clean["repeated"] == []
    assert failed["messages"] == clean["messages"]
    assert failed["owners"] == clean["owners"]
    # every injected failure was hit: one more request for each, but for the owner batch the
    # CRM applied without an answer, which is read back instead of written again
    assert failed["write_requests"] == clean["write_requests"] + 3
    assert failed["posts"] == clean["posts"] + 4
    owners = clean["owners"]
    assert owners["a"] == ("ana", 1) and owners["w"] == ("ana", 1) and owners["c"] == ("ben", 1)
    assert owners["b"] == ("ben", 0) and owners["o"] == ("cara", 0) and owners["e"] == (None, 0)
    m = clean["messages"]
    assert [m["hot", lead, "channel"] for lead in "abc"] == [1, 1, 1]
    assert m["owner_hot", "a", "UANA0001"] == 1 and m["assignment", "w", "UANA0001"] == 1
    assert [m["escalation", lead, "channel"] for lead in "abc"] == [0, 1, 1]
    assert m["hot", "w", "channel"] == 1  # w turned Hot on the last day
