"""Salesforce specifics of Section 5's capabilities: users by SOQL, owners through Bulk, rep of
an Event, and re-reading by id in queries that stay under the REST URI limit."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError

from connectors.base import OwnerAssignment
from connectors.salesforce import SalesforceConnector
from service.settings import RetrySettings, SalesforceSettings
from tests.connectors.conftest import salesforce_connector
from tests.fakes.salesforce import FakeSalesforce

AT = datetime(2024, 6, 1, tzinfo=UTC)


def make(salesforce: FakeSalesforce, **overrides: object) -> SalesforceConnector:
    return salesforce_connector(salesforce, **overrides)


def uri_lengths(salesforce: FakeSalesforce, path: str) -> list[int]:
    with salesforce.lock:
        return [
            len(r.path) + 1 + len(urlencode(r.query, doseq=True))
            for r in salesforce.requests
            if r.path.endswith(path)
        ]


class TestGetLeads:
    def test_many_ids_are_read_in_queries_under_the_uri_limit(
        self, salesforce: FakeSalesforce
    ) -> None:
        """1,500 ids come back in the order asked, read by several queries, each URI within
        ``max_query_url``; one query naming them all is what Salesforce refuses (414)."""
        ids = salesforce.add_leads(1500, modified_at=AT)
        connector = make(salesforce)
        asked = ids[::-1]
        assert [r.id for r in connector.get_leads(asked)] == asked
        lengths = uri_lengths(salesforce, "/query/")
        assert len(lengths) >= 3 and max(lengths) <= 12_000
        tight = make(salesforce, max_query_url=3_000)
        before = len(uri_lengths(salesforce, "/query/"))
        assert [r.id for r in tight.get_leads(asked)] == asked
        after = uri_lengths(salesforce, "/query/")[before:]
        assert len(after) > len(lengths) and max(after) <= 3_000
        quoted = ", ".join(f"'{i}'" for i in ids)
        with pytest.raises(SalesforceGeneralError) as info:
            connector.sf.query(f"SELECT Id FROM Lead WHERE Id IN ({quoted})")
        assert info.value.status == 414  # the fake refuses what Salesforce refuses

    def test_converted_leads_and_customer_contacts_are_left_out(
        self, salesforce: FakeSalesforce
    ) -> None:
        """A converted Lead, a Contact whose account won a deal and an id of another object
        are not leads; a Contact of an account without a won deal is, mapped as a Contact."""
        lead, converted = salesforce.add_leads(2, modified_at=AT)
        salesforce.convert(converted, AT)
        (prospect,) = salesforce.add_contacts(1, modified_at=AT)
        (customer,) = salesforce.add_contacts(1, modified_at=AT)
        salesforce.won_account(customer, AT)
        (deal,) = salesforce.add_deals(1, 0, modified_at=AT)
        got = make(salesforce).get_leads([customer, deal, prospect, converted, lead])
        assert [(r.id, r.object_type) for r in got] == [(prospect, "Contact"), (lead, "Lead")]
        assert got[0].owner_id == salesforce.owner_id and got[0].owner == "Dana Owner"


class TestUsersAndReps:
    def test_only_standard_users_are_listed(self, salesforce: FakeSalesforce) -> None:
        """Users who can own leads, active or not, and never the automated process user."""
        boss = salesforce.add_user("Ana Lead", "ana@example.com")
        left = salesforce.add_user("Cy Former", None, manager_id=boss, active=False)
        users = {u.id: u for u in make(salesforce).iter_users()}
        assert set(users) == {salesforce.owner_id, boss, left}
        assert (users[left].manager_id, users[left].active, users[left].email) == (
            boss,
            False,
            None,
        )

    def test_an_event_names_the_rep_who_booked_it(self, salesforce: FakeSalesforce) -> None:
        """A meeting's ``OwnerId`` is its rep, like a Task's."""
        (lead,) = salesforce.add_leads(1)
        rep = salesforce.add_user("Ben Rep", "ben@example.com")
        event = salesforce.add_event(lead, rep, AT)
        (got,) = [a for a in make(salesforce).iter_activities() if a.id == event]
        assert (got.lead_id, got.rep_id, got.occurred_at) == (lead, rep, AT)


class TestOwnerWrites:
    def test_owners_above_the_bulk_threshold_go_through_one_bulk_job(
        self, salesforce: FakeSalesforce
    ) -> None:
        """Like scores, many owners are one Bulk 2.0 job; an inactive owner fails its record
        only, and the record is not taken for gone; a lead a rep took before the job is left
        out of it and keeps the rep."""
        ids = salesforce.add_leads(12, owner_id=salesforce.queue_id)
        rep = salesforce.add_user("Ben Rep", "ben@example.com")
        left = salesforce.add_user("Cy Former", "cy@example.com", active=False)
        cara = salesforce.add_user("Cara Diaz", "cara@example.com")
        salesforce.set_owner(ids[7], cara)
        owners = {i: left if n == 5 else rep for n, i in enumerate(ids)}
        result = make(salesforce, bulk_threshold=10).assign_owners(
            [OwnerAssignment(i, "Lead", o) for i, o in owners.items()]
        )
        assert salesforce.count("POST", path_contains="jobs/ingest") == 1
        assert salesforce.count(path_contains="composite/sobjects") == 0
        assert sorted(result.written) == sorted(set(ids) - {ids[5], ids[7]})
        taken, failure = result.failed
        assert (taken.record_id, taken.taken_by, salesforce.owner_of(ids[7])) == (
            ids[7],
            cara,
            cara,
        )
        assert salesforce.owner_writes_of(ids[7]) == 0
        assert failure.record_id == ids[5] and "INACTIVE_OWNER_OR_USER" in failure.reason
        assert not failure.gone and not failure.retryable
        assert (
            salesforce.owner_of(ids[5]) == salesforce.queue_id
            and salesforce.owner_of(ids[0]) == rep
        )

    def test_an_unknown_owner_is_refused_without_retiring_the_lead(
        self, salesforce: FakeSalesforce
    ) -> None:
        """INVALID_CROSS_REFERENCE_KEY on an owner write names the owner, not the lead: the
        lead is not reported gone."""
        (lead,) = salesforce.add_leads(1, owner_id=salesforce.queue_id)
        result = make(salesforce).assign_owners(
            [OwnerAssignment(lead, "Lead", "005000000000000999")]
        )
        (failure,) = result.failed
        assert "INVALID_CROSS_REFERENCE_KEY" in failure.reason and not failure.gone
        assert salesforce.writes_of(lead) == 0


def test_an_owner_write_renews_an_expired_session_and_writes_once(
    salesforce: FakeSalesforce,
) -> None:
    """The session expires before an owner write: the connector logs in again and writes
    every owner exactly once."""
    settings = SalesforceSettings(
        login_url=salesforce.url, username="u@example.com", password="pw", security_token="tok"
    )
    connector = SalesforceConnector(settings, retry=RetrySettings(attempts=2), sleep=lambda _s: 0)
    ids = salesforce.add_leads(3, owner_id=salesforce.queue_id)
    rep = salesforce.add_user("Ben Rep", "ben@example.com")
    connector.check()
    salesforce.expire_sessions()
    result = connector.assign_owners([OwnerAssignment(i, "Lead", rep) for i in ids])
    assert sorted(result.written) == sorted(ids)
    assert salesforce.logins == 2
    assert [salesforce.owner_of(i) for i in ids] == [rep] * 3
    assert [salesforce.writes_of(i) for i in ids] == [1, 1, 1]


def test_a_lead_in_a_queue_has_no_owner_until_assigned(salesforce: FakeSalesforce) -> None:
    """A Lead owned by a queue (a Group) reads with no ``owner_id`` (it awaits a rep, so routing
    may assign it) and the queue's name as ``owner``; once assigned it reads with the rep."""
    (lead,) = salesforce.add_leads(1, owner_id=salesforce.queue_id)
    connector = make(salesforce)
    (record,) = connector.get_leads([lead])
    assert (record.owner_id, record.owner) == (None, "Marketing")
    rep = salesforce.add_user("Ben Rep", "ben@example.com")
    assert connector.assign_owners([OwnerAssignment(lead, "Lead", rep)]).written == [lead]
    (record,) = connector.get_leads([lead])
    assert (record.owner_id, record.owner) == (rep, "Ben Rep")


def test_the_permission_set_lets_the_integration_user_assign_owners() -> None:
    """Changing the owner of a lead or contact one does not own takes Transfer Leads and
    Transfer Record, and edit access on both objects: the shipped permission set grants them."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "deploy" / "salesforce" / "force-app/main/default"
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    perms = ET.parse(root / "permissionsets" / "LeadScore_Integration.permissionset-meta.xml")
    enabled = {
        p.findtext("m:name", namespaces=ns)
        for p in perms.getroot().findall("m:userPermissions", ns)
        if p.findtext("m:enabled", namespaces=ns) == "true"
    }
    assert {"ApiEnabled", "TransferAnyLead", "TransferAnyEntity"} <= enabled
    editable = {
        p.findtext("m:object", namespaces=ns)
        for p in perms.getroot().findall("m:objectPermissions", ns)
        if p.findtext("m:allowEdit", namespaces=ns) == "true"
    }
    assert {"Lead", "Contact"} <= editable
