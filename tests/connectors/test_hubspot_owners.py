"""HubSpot specifics of Section 5's capabilities: the owners API, ``hubspot_owner_id`` writes,
and re-reading contacts by batch read."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.base import OwnerAssignment
from connectors.hubspot import HubSpotConnector
from tests.connectors.conftest import hubspot_connector
from tests.fakes.hubspot import FakeHubSpot

AT = datetime(2024, 6, 1, tzinfo=UTC)


def make(hubspot: FakeHubSpot) -> HubSpotConnector:
    return hubspot_connector(hubspot)


class TestOwners:
    def test_owners_are_paged_and_archived_ones_are_inactive(self, hubspot: FakeHubSpot) -> None:
        """150 active owners (two pages of at most 100) and 3 archived ones (a third read)
        come back once each, by owner id, never by ``userId``."""
        active = [hubspot.add_user(f"Rep {i}", f"rep{i}@example.com") for i in range(150)]
        archived = [hubspot.add_user(f"Gone {i}", None, active=False) for i in range(3)]
        users = list(make(hubspot).iter_users())
        assert [u.id for u in users] == active + archived
        assert [u.active for u in users] == [True] * 150 + [False] * 3
        assert users[0].name == "Rep 0" and users[0].email == "rep0@example.com"
        assert hubspot.count("GET", "/crm/v3/owners") == 3
        user_ids = {str(o["userId"]) for o in hubspot.owners.values()}
        assert not user_ids & {u.id for u in users}

    def test_a_user_id_is_not_an_owner_id(self, hubspot: FakeHubSpot) -> None:
        """Writing a ``userId`` where an owner id belongs fails that record alone (HubSpot
        refuses the whole batch; the writer halves it down to the record at fault)."""
        rep = hubspot.add_user("Ben Rep", "ben@example.com")
        ids = hubspot.add_leads(4)
        wrong = str(hubspot.owners[rep]["userId"])
        result = make(hubspot).assign_owners(
            [OwnerAssignment(i, "contacts", wrong if n == 2 else rep) for n, i in enumerate(ids)]
        )
        assert [e.record_id for e in result.failed] == [ids[2]]
        assert "not one of the allowed options" in result.failed[0].reason
        assert sorted(result.written) == sorted(set(ids) - {ids[2]})
        assert [hubspot.owner_of(i) for i in ids] == [rep, rep, None, rep]


class TestGetLeads:
    def test_batch_reads_of_100_skip_missing_and_customers(self, hubspot: FakeHubSpot) -> None:
        """250 ids take three batch reads; an archived contact (answered in a 207's errors) and
        a customer are left out; the rest come back in the order asked, with their owner."""
        rep = hubspot.add_user("Ben Rep", "ben@example.com")
        ids = hubspot.add_leads(250, modified_at=AT, attributes={"hubspot_owner_id": rep})
        hubspot.archive(ids[10], AT)
        hubspot.touch(ids[20], AT, lifecyclestage="customer")
        before = hubspot.count("POST", "/batch/read")
        got = make(hubspot).get_leads(ids)
        assert [r.id for r in got] == [i for i in ids if i not in (ids[10], ids[20])]
        assert {r.owner_id for r in got} == {rep}
        assert hubspot.count("POST", "/batch/read") - before == 3
