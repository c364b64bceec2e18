"""The fake CRMs behave like the real APIs where it matters to what gets written (raw HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from tests.fakes.hubspot import TOKEN as HS_TOKEN
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.salesforce import TOKEN, VERSION, FakeSalesforce


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    return s


def collections(salesforce: FakeSalesforce, records: list[dict]) -> requests.Response:
    return session().patch(
        f"{salesforce.url}/services/data/v{VERSION}/composite/sobjects",
        json={"allOrNone": False, "records": records},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )


def lead(rid: str, **values: object) -> dict:
    return {"attributes": {"type": "Lead"}, "id": rid, **values}


class TestFakeSalesforce:
    def test_a_duplicate_id_or_unknown_field_refuses_the_whole_request(
        self, salesforce: FakeSalesforce
    ) -> None:
        """Collections: an id twice or a field the object lacks is a 400 for all; nothing applied."""
        ids = salesforce.add_leads(2)
        twice = collections(salesforce, [lead(ids[0], Lead_Score_Total__c=1)] * 2)
        unknown = collections(salesforce, [lead(ids[0], Lead_Score_Bogus__c=1), lead(ids[1])])
        too_many = collections(salesforce, [lead(ids[0])] * 201)
        assert [twice.status_code, unknown.status_code, too_many.status_code] == [400, 400, 400]
        assert salesforce.writes_of(ids[0]) == 0

    def test_a_converted_lead_refuses_writes(self, salesforce: FakeSalesforce) -> None:
        """A converted lead answers CANNOT_UPDATE_CONVERTED_LEAD, per record."""
        ids = salesforce.add_leads(1)
        salesforce.convert(ids[0], datetime(2024, 7, 2, tzinfo=UTC))
        (answer,) = collections(salesforce, [lead(ids[0], Lead_Score_Total__c=5)]).json()
        assert answer["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"

    def test_expired_sessions_and_failing_logins(self, salesforce: FakeSalesforce) -> None:
        """Sessions can expire (401); a refused SOAP login answers a fault with its code."""
        salesforce.expire_sessions()
        assert collections(salesforce, []).status_code == 401
        salesforce.login_error = ("INVALID_LOGIN", "Invalid username, password, security token")
        answer = session().post(f"{salesforce.url}/services/Soap/u/{VERSION}", data="<login/>")
        assert answer.status_code == 500 and b"INVALID_LOGIN" in answer.content

    def test_a_fault_after_apply_applies_then_drops_the_connection(
        self, salesforce: FakeSalesforce
    ) -> None:
        """fail_after_apply: the server applies the write, then the client sees a reset."""
        ids = salesforce.add_leads(1)
        salesforce.fail_after_apply(1, path_contains="composite/sobjects")
        with pytest.raises(requests.ConnectionError):
            collections(salesforce, [lead(ids[0], Lead_Score_Total__c=7)])
        assert salesforce.writes_of(ids[0]) == 1 and salesforce.score_of(ids[0], "Total") == 7

    def test_a_bulk_job_reports_in_progress_before_it_completes(
        self, salesforce: FakeSalesforce
    ) -> None:
        """A closed job is InProgress at the first poll (stays so when stuck)."""
        base = f"{salesforce.url}/services/data/v{VERSION}/jobs/ingest"
        auth = {"Authorization": f"Bearer {TOKEN}"}
        s = session()
        salesforce.bulk_mode = "stuck"
        job = s.post(base, json={"object": "Lead", "operation": "update"}, headers=auth).json()
        s.put(f"{base}/{job['id']}/batches", data="Id\n", headers=auth)
        s.patch(f"{base}/{job['id']}", json={"state": "UploadComplete"}, headers=auth)
        states = [s.get(f"{base}/{job['id']}", headers=auth).json()["state"] for _ in range(3)]
        assert states == ["InProgress"] * 3


class TestFakeHubSpot:
    def update(self, hubspot: FakeHubSpot, inputs: list[dict]) -> requests.Response:
        return session().post(
            f"{hubspot.url}/crm/v3/objects/contacts/batch/update",
            json={"inputs": inputs},
            headers={"Authorization": f"Bearer {HS_TOKEN}"},
        )

    def test_one_bad_record_refuses_the_whole_batch(self, hubspot: FakeHubSpot) -> None:
        """An invalid option or an id twice is a 400 for the batch; nothing is applied."""
        ids = hubspot.add_leads(2)
        bad = self.update(
            hubspot,
            [
                {"id": ids[0], "properties": {"lead_score_tier": "Hot"}},
                {"id": ids[1], "properties": {"lead_score_tier": "Lukewarm"}},
            ],
        )
        twice = self.update(hubspot, [{"id": ids[0], "properties": {"lead_score_tier": "Hot"}}] * 2)
        too_many = self.update(hubspot, [{"id": ids[0], "properties": {}}] * 101)
        assert [bad.status_code, twice.status_code, too_many.status_code] == [400, 400, 400]
        assert hubspot.writes_of(ids[0]) == 0

    def test_the_portal_limit_answers_429(self, hubspot: FakeHubSpot) -> None:
        """Past the portal's requests per 10 s, HubSpot answers 429 with its interval header."""
        hubspot.portal_limit = 2
        now = [0.0]
        hubspot.portal_clock = lambda: now[0]
        answers = [self.update(hubspot, []) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[2].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        now[0] = 10.5
        assert self.update(hubspot, []).status_code == 200

    def test_search_pages_are_at_most_200(self, hubspot: FakeHubSpot) -> None:
        """A search asking for more than 200 results a page is refused, as HubSpot does."""
        answer = session().post(
            f"{hubspot.url}/crm/v3/objects/contacts/search",
            json={"limit": 201},
            headers={"Authorization": f"Bearer {HS_TOKEN}"},
        )
        assert answer.status_code == 400
