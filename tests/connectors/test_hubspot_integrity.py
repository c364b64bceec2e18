"""HubSpot writes as the real API behaves: a batch refused as a whole for one bad record, the same
id twice, customers among contacts, archived and merged contacts, portal rate limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from connectors.base import ScoreUpdate, WriteResult
from connectors.hubspot import HubSpotConnector
from service.errors import AuthError
from service.settings import RetrySettings
from tests.connectors.conftest import hubspot_connector
from tests.fakes.hubspot import TOKEN, FakeHubSpot

T0 = datetime(2024, 7, 1, tzinfo=UTC)


def make(hubspot: FakeHubSpot, **kw: Any) -> HubSpotConnector:
    return hubspot_connector(hubspot, attempts=3, **kw)


def warm(ids: list[str]) -> list[ScoreUpdate]:
    return [ScoreUpdate(i, "contacts", {"Total": 55, "Tier": "Warm"}) for i in ids]


class TestBatchIsolation:
    def test_one_invalid_value_fails_only_its_record(self, hubspot: FakeHubSpot) -> None:
        """HubSpot refuses the batch of 100 for one bad Tier; the other 99 are written."""
        ids = hubspot.add_leads(100)
        batch = warm(ids)
        batch[37] = ScoreUpdate(ids[37], "contacts", {"Total": 55, "Tier": "Lukewarm"})
        seen: list[WriteResult] = []
        result = make(hubspot).write_scores(batch, on_batch=seen.append)
        assert sorted(result.written) == sorted(i for i in ids if i != ids[37])
        (err,) = result.failed
        assert err.record_id == ids[37] and "Lukewarm" in err.reason and not err.retryable
        assert sum(len(b.written) for b in seen) == 99
        calls = hubspot.count("POST", path_contains="batch/update")
        assert calls <= 1 + 2 * 7  # the batch, then two halves per level down to one record
        assert all(hubspot.writes_of(i) == 1 for i in ids if i != ids[37])

    def test_the_same_id_twice_is_sent_once(self, hubspot: FakeHubSpot) -> None:
        """An id given twice is sent once with the last values, so HubSpot accepts the batch."""
        ids = hubspot.add_leads(3)
        batch = [*warm(ids), ScoreUpdate(ids[1], "contacts", {"Total": 90, "Tier": "Hot"})]
        result = make(hubspot).write_scores(batch)
        assert sorted(result.written) == sorted(ids)
        assert hubspot.score_of(ids[1], "Tier") == "Hot"
        assert hubspot.count("POST", path_contains="batch/update") == 1

    def test_a_property_that_does_not_exist_fails_the_batch_without_splitting(
        self, hubspot: FakeHubSpot
    ) -> None:
        """A missing score property fails every record alike: reported at once, not halved."""
        ids = hubspot.add_leads(10)
        hubspot.remove_field("Tier")
        result = make(hubspot).write_scores(warm(ids))
        assert len(result.failed) == 10 and "does not exist" in result.failed[0].reason
        assert hubspot.count("POST", path_contains="batch/update") == 1


class TestRetiring:
    def test_customers_are_not_leads_and_are_retired(self, hubspot: FakeHubSpot) -> None:
        """A contact whose lifecycle stage is customer is never pulled and is retired."""
        ids = hubspot.add_leads(3, modified_at=T0)
        hubspot.touch(ids[0], T0 + timedelta(hours=1), lifecyclestage="customer")
        connector = make(hubspot)
        assert ids[0] not in {r.id for r in connector.iter_leads()}
        retired = list(connector.iter_retired(since=T0))
        assert [(r.id, r.reason) for r in retired] == [(ids[0], "customer")]

    def test_customer_stages_is_a_setting(self, hubspot: FakeHubSpot) -> None:
        """With customer_stages empty, customers are scored like any contact."""
        ids = hubspot.add_leads(1, modified_at=T0)
        hubspot.touch(ids[0], T0, lifecyclestage="customer")
        assert ids[0] in {r.id for r in make(hubspot, customer_stages=[]).iter_leads()}

    def test_retiring_reads_only_what_left(self, hubspot: FakeHubSpot) -> None:
        """With 300 contacts changed and one became a customer, the retire search is one call."""
        ids = hubspot.add_leads(300, modified_at=T0)
        hubspot.touch(ids[5], T0, lifecyclestage="customer")
        before = hubspot.count("POST", path_contains="/search")
        retired = list(make(hubspot).iter_retired(since=T0))
        assert [r.id for r in retired] == [ids[5]]
        assert hubspot.count("POST", path_contains="/search") - before == 1

    def test_archived_and_merged_contacts_are_retired(self, hubspot: FakeHubSpot) -> None:
        """Archived (deleted) contacts and contacts merged into another are retired."""
        ids = hubspot.add_leads(4, modified_at=T0)
        hubspot.archive(ids[0], T0 + timedelta(hours=1))
        hubspot.merge(ids[1], ids[2], T0 + timedelta(hours=1))
        reasons = {r.id: r.reason for r in make(hubspot).iter_retired(since=T0)}
        assert reasons == {ids[0]: "deleted", ids[2]: f"merged into {ids[1]}"}

    def test_a_write_to_a_deleted_contact_is_marked_gone(self, hubspot: FakeHubSpot) -> None:
        """OBJECT_NOT_FOUND on write marks the record gone, so it is retired, not retried."""
        ids = hubspot.add_leads(2)
        hubspot.archive(ids[0], T0)
        result = make(hubspot).write_scores(warm(ids))
        (err,) = result.failed
        assert err.record_id == ids[0] and err.gone


class TestCursor:
    def test_the_since_filter_is_inclusive(self, hubspot: FakeHubSpot) -> None:
        """A contact stamped exactly at the cursor is read again (GTE), not lost (GT)."""
        ids = hubspot.add_leads(2, modified_at=T0)
        assert {r.id for r in make(hubspot).iter_leads(since=T0)} == set(ids)

    def test_a_write_moves_the_modification_time(self, hubspot: FakeHubSpot) -> None:
        """The fake moves lastmodifieddate on a score write, as HubSpot does."""
        ids = hubspot.add_leads(1, modified_at=T0)
        hubspot.clock = lambda: T0 + timedelta(days=1)
        make(hubspot).write_scores(warm(ids))
        (lead,) = make(hubspot).iter_leads()
        assert lead.modified_at == T0 + timedelta(days=1)


class TestPortalLimits:
    def test_a_429_storm_is_waited_out(self, hubspot: FakeHubSpot) -> None:
        """Portal 429s carry the interval header; the write waits and completes, nothing twice."""
        ids = hubspot.add_leads(300)
        hubspot.fail_next(4, 429, headers={"X-HubSpot-RateLimit-Interval-Milliseconds": "10000"})
        result = make(hubspot, retry=RetrySettings(attempts=6)).write_scores(warm(ids))
        assert sorted(result.written) == sorted(ids)
        assert all(hubspot.writes_of(i) == 1 for i in ids)

    def test_the_portal_limit_is_waited_out(self, hubspot: FakeHubSpot) -> None:
        """The portal answers 429 past 20 requests per 10 s; the writes wait and all succeed."""
        now = [0.0]

        def sleep(seconds: float) -> None:
            now[0] += seconds

        hubspot.portal_clock = lambda: now[0]
        hubspot.portal_limit = 20
        ids = hubspot.add_leads(5000)
        connector = HubSpotConnector(
            TOKEN,
            host=hubspot.url,
            retry=RetrySettings(attempts=6, max_wait_seconds=60),
            sleep=sleep,
            clock=lambda: now[0],
            rate_sleep=sleep,
            requests_per_10s=100,  # more than this portal allows: HubSpot says so with 429s
        )
        result = connector.write_scores(warm(ids))
        assert sorted(result.written) == sorted(ids)
        assert all(hubspot.writes_of(i) == 1 for i in ids)
        assert now[0] >= 10.0 * (50 // 20)  # 50 batches at 20 per 10 s

    def test_auth_advice_is_about_hubspot(self, hubspot: FakeHubSpot) -> None:
        """A refused token names the HubSpot setting and scopes, not Salesforce's permission set."""
        connector = HubSpotConnector(
            "wrong-token", host=hubspot.url, retry=RetrySettings(attempts=1)
        )
        with pytest.raises(AuthError) as info:
            connector.check()
        assert "LEADSCORE_HUBSPOT__ACCESS_TOKEN" in str(info.value)
        assert "salesforce" not in str(info.value).lower()
