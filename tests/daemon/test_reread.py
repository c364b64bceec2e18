"""Issue 9 point 6: a lead with new activity is read again from the CRM before it is scored,
against the fake Salesforce and the fake HubSpot through their client libraries.

The activity is news because of what came with it: marketing automation counts the open on the
lead (``email_opens``) as the rep logs the call. When that happens after the pass pulled its
leads, the copy the pass holds predates it; scoring that copy changes nothing (``changed=0``)
and the lead waits a whole pass for its new score.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.base import Activity, LeadRecord
from connectors.hubspot import HubSpotConnector
from connectors.mapping import parse_mapping
from connectors.salesforce import SalesforceConnector
from service.daemon.cycle import run_cycle
from service.settings import RetrySettings, SalesforceSettings
from tests.daemon.conftest import Clock, make_daemon
from tests.fakes import hubspot as hs
from tests.fakes import salesforce as sfake

T0 = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
SF_MAPPING = """\
leads:
  object: Lead
  fields: {industry: Industry, employee_count: NumberOfEmployees, email_opens: Email_Opens__c}
activities:
  - {object: Task, fields: {kind: TaskSubtype, detail: Subject}}
"""
HS_MAPPING = """\
leads:
  object: contacts
  fields: {industry: industry, employee_count: numemployees, email_opens: email_opens}
activities:
  - {object: calls, fields: {}}
"""


class Crm:
    """One fake CRM behind its connector, with the few controls these tests need."""

    def __init__(self, kind: str, fake: Any, connector: Any) -> None:
        self.kind, self.fake, self.connector = kind, fake, connector

    def add_lead(self, opens: int, at: datetime) -> str:
        if self.kind == "salesforce":
            (lead,) = self.fake.add_leads(1, modified_at=at)
            self.fake.touch(lead, at, Email_Opens__c=opens)
            return str(lead)
        (lead,) = self.fake.add_leads(1, modified_at=at, attributes={"email_opens": opens})
        return str(lead)

    def opened_and_called(self, lead: str, opens: int, at: datetime) -> None:
        """The counter moves and a rep's call is logged on the lead, both at ``at``."""
        rep = self.fake.add_user("Ben Rep", "ben@example.com")
        if self.kind == "salesforce":
            self.fake.touch(lead, at, Email_Opens__c=opens)
            self.fake.add_activities(lead, 1, occurred_at=at, rep_id=rep)
        else:
            self.fake.touch(lead, at, email_opens=opens)
            self.fake.add_activities(lead, 1, occurred_at=at, object_type="calls", rep_id=rep)

    def total(self, lead: str) -> float:
        return float(self.fake.score_of(lead, "Total"))


@pytest.fixture(scope="module")
def _servers() -> Iterator[dict[str, Any]]:
    servers = {"salesforce": sfake.FakeSalesforce().start(), "hubspot": hs.FakeHubSpot().start()}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(params=["salesforce", "hubspot"])
def crm(request: pytest.FixtureRequest, _servers: dict[str, Any]) -> Crm:
    fake = _servers[request.param]
    fake.reset()
    retry = RetrySettings(attempts=2)
    if request.param == "salesforce":
        fake.fields["Lead"].add("Email_Opens__c")
        fake.now = T0
        settings = SalesforceSettings(instance_url=fake.url, session_id=sfake.TOKEN)
        mapping = parse_mapping(yaml.safe_load(SF_MAPPING), "salesforce")
        return Crm("salesforce", fake, SalesforceConnector(settings, mapping=mapping, retry=retry))
    fake.properties["contacts"]["email_opens"] = {"name": "email_opens", "type": "number"}
    fake.clock = lambda: T0
    connector = HubSpotConnector(
        hs.TOKEN,
        host=fake.url,
        mapping=parse_mapping(yaml.safe_load(HS_MAPPING), "hubspot"),
        retry=retry,
    )
    return Crm("hubspot", fake, connector)


class WhilePassing:
    """The connector, with the CRM changing between the pass's lead pull and its activity
    pull (``during``), and optionally without ``get_leads`` (a connector that cannot re-read)."""

    def __init__(self, inner: Any, during: Any, *, rereads: bool = True) -> None:
        self.inner, self.during, self.rereads = inner, during, rereads
        self.name = inner.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        if self.during is not None:
            self.during()
            self.during = None
        return self.inner.iter_activities(since=since)

    def get_leads(self, ids: list[str]) -> list[LeadRecord]:
        return self.inner.get_leads(ids) if self.rereads else []


def test_a_counter_that_moved_with_the_activity_changes_the_score(
    tmp_path: Path, rules_file: Path, crm: Crm
) -> None:
    """A call logged with an open counted after the pass pulled its leads: the lead is read
    again, scored on the new counter (30 -> 40) and written in the same pass."""
    lead = crm.add_lead(opens=1, at=T0 - timedelta(hours=2))
    clock = Clock(T0)
    d = make_daemon(tmp_path, rules_file, clock, crm.connector)
    assert run_cycle(d).written == 1
    assert crm.total(lead) == 30  # Software 20 + 200+ employees 10; 1 open is not 5
    clock.advance(hours=1)
    during = WhilePassing(
        crm.connector, lambda: crm.opened_and_called(lead, 6, T0 + timedelta(minutes=50))
    )
    d.connect = lambda: _context(during)
    report = run_cycle(d)
    assert (report.activities, report.reread, report.changed, report.written) == (1, 1, 1, 1)
    assert crm.total(lead) == 40
    assert crm.fake.writes_of(lead) == 2


def test_without_a_fresh_copy_the_cached_one_is_scored(
    tmp_path: Path, rules_file: Path, crm: Crm
) -> None:
    """When the connector returns nothing for the lead, its cached copy is scored as before:
    the activity still makes it due, nothing fails, and nothing changes."""
    lead = crm.add_lead(opens=1, at=T0 - timedelta(hours=2))
    clock = Clock(T0)
    d = make_daemon(tmp_path, rules_file, clock, crm.connector)
    run_cycle(d)
    clock.advance(hours=1)
    during = WhilePassing(
        crm.connector,
        lambda: crm.opened_and_called(lead, 6, T0 + timedelta(minutes=50)),
        rereads=False,
    )
    d.connect = lambda: _context(during)
    report = run_cycle(d)
    assert (report.activities, report.reread, report.scored, report.changed) == (1, 0, 1, 0)
    assert report.failed == 0
    assert crm.total(lead) == 30


def _context(connector: Any) -> Any:
    from contextlib import nullcontext

    return nullcontext(connector)
