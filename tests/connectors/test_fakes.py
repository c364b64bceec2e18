"""The fake CRMs behave like the real APIs where it matters to what gets written (raw HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from tests.fakes.hubspot import TOKEN as HS_TOKEN
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.salesforce import TOKEN, VERSION, FakeSalesforce


@pytest.fixture(scope="module")
def sf_server() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce().start()
    yield fake  # type: ignore[misc]
    fake.stop()


@pytest.fixture
def sf(sf_server: FakeSalesforce) -> FakeSalesforce:
    sf_server.reset()
    return sf_server


@pytest.fixture(scope="module")
def hs_server() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    yield fake
    fake.stop()


@pytest.fixture
def hs(hs_server: FakeHubSpot) -> FakeHubSpot:
    hs_server.reset()
    return hs_server


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def collections(sf: FakeSalesforce, records: list[dict]) -> requests.Response:
    return session().patch(
        f"{sf.url}/services/data/v{VERSION}/composite/sobjects",
        json={"allOrNone": False, "records": records},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def lead(rid: str, **values: object) -> dict:
    return {"attributes": {"type": "Lead"}, "id": rid, **values}


class TestFakeSalesforce:
    def test_a_duplicate_id_or_unknown_field_refuses_the_whole_request(
        self, sf: FakeSalesforce
    ) -> None:
        """Collections: an id twice or a field the object lacks is a 400 for all; nothing applied."""
        ids = sf.add_leads(2)
        twice = collections(sf, [lead(ids[0], Lead_Score_Total__c=1)] * 2)
        unknown = collections(sf, [lead(ids[0], Lead_Score_Bogus__c=1), lead(ids[1])])
        too_many = collections(sf, [lead(ids[0])] * 201)
        assert [twice.status_code, unknown.status_code, too_many.status_code] == [400, 400, 400]
        assert sf.writes_of(ids[0]) == 0

    def test_a_converted_lead_refuses_writes(self, sf: FakeSalesforce) -> None:
        """A converted lead answers CANNOT_UPDATE_CONVERTED_LEAD, per record."""
        ids = sf.add_leads(1)
        sf.convert(ids[0], datetime(2024, 7, 2, tzinfo=UTC))
        (answer,) = collections(sf, [lead(ids[0], Lead_Score_Total__c=5)]).json()
        assert answer["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"

    def test_expired_sessions_and_failing_logins(self, sf: FakeSalesforce) -> None:
        """Sessions can expire (401); a refused SOAP login answers a fault with its code."""
        sf.expire_sessions()
        assert collections(sf, []).status_code == 401
        sf.login_error = ("INVALID_LOGIN", "Invalid username, password, security token")
        answer = session().post(f"{sf.url}/services/Soap/u/{VERSION}", data="<login/>")
        assert answer.status_code == 500 and b"INVALID_LOGIN" in answer.content

    def test_a_fault_after_apply_applies_then_drops_the_connection(
        self, sf: FakeSalesforce
    ) -> None:
        """fail_after_apply: the server applies the write, then the client sees a reset."""
        ids = sf.add_leads(1)
        sf.fail_after_apply(1, path_contains="composite/sobjects")
        with pytest.raises(requests.ConnectionError):
            collections(sf, [lead(ids[0], Lead_Score_Total__c=7)])
        assert sf.writes_of(ids[0]) == 1 and sf.score_of(ids[0], "Total") == 7

    def test_a_bulk_job_reports_in_progress_before_it_completes(self, sf: FakeSalesforce) -> None:
        """A closed job is InProgress at the first poll (stays so when stuck)."""
        base = f"{sf.url}/services/data/v{VERSION}/jobs/ingest"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        s = session()
        sf.bulk_mode = "stuck"
        job = s.post(base, json={"object": "Lead", "operation": "update"}, headers=auth).json()
        s.put(f"{base}/{job['id']}/batches", data="Id\n", headers=auth)
        s.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}, headers=auth)
        states = [s.get(f"{base}/{job['id']}", headers=auth).json()["state"] for _ in range(3)]
        assert states == ["InProgress"] * 3


class TestFakeHubSpot:
    def update(self, hs: FakeHubSpot, inputs: list[dict]) -> requests.Response:
        return session().post(
            f"{hs.url}/crm/v3/objects/contacts/batch/update",
            json={"inputs": inputs},
            headers={"Authorization": f"Bearer {HS_TOKEN}"},
        )

    def test_one_bad_record_refuses_the_whole_batch(self, hs: FakeHubSpot) -> None:
        """An invalid option or an id twice is a 400 for the batch; nothing is applied."""
        ids = hs.add_leads(2)
        bad = self.update(
            hs,
            [
                {"id": ids[0], "properties": {"lead_score_tier": "Hot"}},
                {"id": ids[1], "properties": {"lead_score_tier": "Lukewarm"}},
            ],
        )
        twice = self.update(hs, [{"id": ids[0], "properties": {"lead_score_tier": "Hot"}}] * 2)
        too_many = self.update(hs, [{"id": ids[0], "properties": {}}] * 101)
        assert [bad.status_code, twice.status_code, too_many.status_code] == [400, 400, 400]
        assert hs.writes_of(ids[0]) == 0

    def test_the_portal_limit_answers_429(self, hs: FakeHubSpot) -> None:
        """Past the portal's requests per 10 s, HubSpot answers 429 with its interval header."""
        hs.portal_limit = 2
        now = [0.0]
        hs.portal_clock = lambda: now[0]
        answers = [self.update(hs, []) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        now[0] = 10.5
        assert self.update(hs, []).status_code == 200

    def test_search_pages_are_at_most_200(self, hs: FakeHubSpot) -> None:
        """A search asking for more than 200 results a page is refused, as HubSpot does."""
        answer = session().post(
            f"{hs.url}/crm/v3/objects/contacts/search",
            json={"limit": 201},
            headers={"Authorization": f"Bearer {HS_TOKEN}"},
        )
        assert answer.status_code == 400
