"""Salesforce writes as the real API behaves: session expiry, Bulk jobs that hang or fail, uploads
over the limit, whole-request refusals, converted and deleted records, hidden fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from structlog.testing import capture_logs

from connectors.base import ScoreUpdate
from connectors.mapping import parse_mapping
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.writer import bulk_parts
from service.errors import AuthError
from service.settings import RetrySettings, SalesforceSettings
from tests.connectors.conftest import VirtualClock
from tests.fakes.salesforce import FakeSalesforce

T0 = datetime(2024, 7, 1, tzinfo=UTC)


def password_login(
    salesforce: FakeSalesforce, clock: VirtualClock, **overrides: Any
) -> SalesforceConnector:
    """A connector that logs in with username, password and token (its session can expire)."""
    settings = SalesforceSettings(
        login_url=salesforce.url,
        username="int@acme.test",
        password="pw",
        security_token="tok",
        timeout_seconds=2,
        **overrides,
    )
    return SalesforceConnector(
        settings, retry=RetrySettings(attempts=2), sleep=clock.sleep, clock=clock
    )


def updates(ids: list[str], obj: str = "Lead", total: int = 50) -> list[ScoreUpdate]:
    return [ScoreUpdate(i, obj, {"Total": total, "Tier": "Warm"}) for i in ids]


class TestSessionRenewal:
    def test_an_expired_session_is_renewed_once_and_the_write_goes_on(
        self, salesforce: FakeSalesforce
    ) -> None:
        """A 401 after the session expired logs in again and the same request succeeds."""
        ids = salesforce.add_leads(5)
        connector = password_login(salesforce, VirtualClock())
        connector.check()
        salesforce.expire_sessions()
        result = connector.write_scores(updates(ids))
        assert sorted(result.written) == sorted(ids)
        assert salesforce.logins == 2

    def test_an_expired_session_mid_bulk_job_does_not_leave_the_job_open(
        self, salesforce: FakeSalesforce
    ) -> None:
        """The session expires between create and upload: renewed, uploaded, job complete."""
        ids = salesforce.add_leads(6)
        connector = password_login(salesforce, VirtualClock(), bulk_threshold=1)
        connector.check()
        original = salesforce._bulk

        def expire_on_upload(request: Any, rest: str) -> Any:
            if rest.endswith("/batches") and salesforce.logins == 1:
                salesforce.expire_sessions()
                return salesforce._error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            return original(request, rest)

        salesforce._bulk = expire_on_upload  # type: ignore[method-assign]
        try:
            result = connector.write_scores(updates(ids))
        finally:
            del salesforce._bulk
        assert sorted(result.written) == sorted(ids)
        assert [j["state"] for j in salesforce.jobs.values()] == ["JobComplete"]

    def test_a_refused_login_gives_salesforces_reason(self, salesforce: FakeSalesforce) -> None:
        """A wrong password prints Salesforce's fault message, not a template placeholder."""
        salesforce.login_error = ("INVALID_LOGIN", "Invalid username, password, security token")
        with pytest.raises(AuthError) as info:
            password_login(salesforce, VirtualClock()).check()
        text = str(info.value)
        assert "INVALID_LOGIN" in text and "Invalid username, password" in text
        assert "{content}" not in text and "Response content" not in text


class TestBulk:
    def test_a_job_stuck_in_progress_is_aborted_at_the_deadline(
        self, salesforce: FakeSalesforce
    ) -> None:
        """Polling stops at bulk_timeout_seconds: the job is aborted, its records retryable."""
        ids = salesforce.add_leads(4)
        salesforce.bulk_mode = "stuck"
        clock = VirtualClock()
        connector = password_login(salesforce, clock, bulk_threshold=1, bulk_timeout_seconds=60)
        with capture_logs() as logs:
            result = connector.write_scores(updates(ids))
        assert result.written == []
        assert {e.record_id for e in result.failed} == set(ids)
        assert all(e.retryable and "aborted" in e.reason for e in result.failed)
        assert [j["state"] for j in salesforce.jobs.values()] == ["Aborted"]
        assert 60 <= clock.now <= 62
        assert any(e["event"] == "bulk_job_timed_out" for e in logs)

    def test_a_failed_job_reports_its_own_error(self, salesforce: FakeSalesforce) -> None:
        """A Failed job's errorMessage is every record's reason, not 'not processed'."""
        ids = salesforce.add_leads(3)
        salesforce.bulk_mode = "fail"
        connector = password_login(salesforce, VirtualClock(), bulk_threshold=1)
        result = connector.write_scores(updates(ids))
        assert len(result.failed) == 3
        assert all("Field name not found" in e.reason for e in result.failed)
        assert all("not processed" not in e.reason for e in result.failed)

    def test_an_upload_over_the_limit_is_split_into_several_jobs(
        self, salesforce: FakeSalesforce
    ) -> None:
        """Uploads stay under bulk_max_bytes: more data means more jobs, every record written once."""
        ids = salesforce.add_leads(300)
        salesforce.bulk_max_bytes = 4096
        connector = password_login(
            salesforce, VirtualClock(), bulk_threshold=1, bulk_max_bytes=4096
        )
        batches: list[int] = []
        result = connector.write_scores(
            updates(ids), on_batch=lambda b: batches.append(len(b.written))
        )
        assert sorted(result.written) == sorted(ids)
        assert (
            len(salesforce.jobs) > 1
            and sum(batches) == 300
            and len(batches) == len(salesforce.jobs)
        )
        assert all(salesforce.writes_of(i) == 1 for i in ids)

    def test_bulk_parts_respect_the_byte_limit(self) -> None:
        """Every part, header included, fits the limit; together they hold each record once."""
        ups = updates([f"00Q{i:015d}" for i in range(500)])
        parts = bulk_parts(ups, 2000)
        assert all(len(data.encode()) <= 2000 for _, data in parts)
        assert [u for part, _ in parts for u in part] == ups

    def test_an_upload_refused_aborts_the_open_job(self, salesforce: FakeSalesforce) -> None:
        """An upload the server refuses (too big) does not leave the job Open."""
        ids = salesforce.add_leads(50)
        salesforce.bulk_max_bytes = 100
        connector = password_login(salesforce, VirtualClock(), bulk_threshold=1)
        with pytest.raises(Exception, match="100 MB"):
            connector.write_scores(updates(ids))
        assert [j["state"] for j in salesforce.jobs.values()] == ["Aborted"]


class TestWholeRequestRefusals:
    def test_a_duplicate_id_is_sent_once(self, salesforce: FakeSalesforce) -> None:
        """The same record twice in one write is sent once (the last values), not refused."""
        ids = salesforce.add_leads(2)
        batch = [*updates(ids, total=10), ScoreUpdate(ids[0], "Lead", {"Total": 77})]
        result = password_login(salesforce, VirtualClock()).write_scores(batch)
        assert sorted(result.written) == sorted(ids)
        assert salesforce.score_of(ids[0], "Total") == 77 and salesforce.writes_of(ids[0]) == 1

    def test_a_refused_request_is_reported_and_the_next_batches_still_go(
        self, salesforce: FakeSalesforce
    ) -> None:
        """A 400 for one collection request fails its records with the reason; others are written."""
        ids = salesforce.add_leads(250)
        salesforce.fail_next(1, 400, path_contains="composite/sobjects")
        result = password_login(salesforce, VirtualClock()).write_scores(updates(ids))
        assert len(result.written) == 50 and len(result.failed) == 200
        assert all("400" in e.reason for e in result.failed)


class TestRetiring:
    def test_converted_leads_are_retired_and_their_writes_marked_gone(
        self, salesforce: FakeSalesforce
    ) -> None:
        """A converted lead leaves iter_leads, is listed by iter_retired, and a write says gone."""
        ids = salesforce.add_leads(3, modified_at=T0)
        salesforce.convert(ids[0], T0 + timedelta(hours=1))
        connector = password_login(salesforce, VirtualClock())
        assert ids[0] not in {r.id for r in connector.iter_leads()}
        retired = list(connector.iter_retired(since=T0))
        assert [(r.id, r.reason) for r in retired] == [(ids[0], "converted")]
        result = connector.write_scores(updates(ids))
        (err,) = result.failed
        assert err.record_id == ids[0] and err.gone and "CONVERTED" in err.reason

    def test_deleted_records_and_customers_are_retired(self, salesforce: FakeSalesforce) -> None:
        """Deleted leads (getDeleted) and contacts of an account that won a deal are retired;
        customers are not pulled as leads."""
        leads = salesforce.add_leads(2, modified_at=T0)
        contacts = salesforce.add_contacts(2, modified_at=T0)
        now = datetime.now(UTC)
        salesforce.delete(leads[1], now - timedelta(minutes=5))
        salesforce.won_account(contacts[0], now - timedelta(minutes=5))
        mapping = parse_mapping(
            {"leads": {"object": "Lead"}, "contacts": {"object": "Contact"}}, "m.yaml"
        )
        connector = password_login(salesforce, VirtualClock())
        connector.mapping = mapping
        reasons = {r.id: r.reason for r in connector.iter_retired(since=now - timedelta(hours=1))}
        assert reasons[leads[1]] == "deleted or merged"
        assert set(contacts) <= set(reasons)  # one account: both contacts are customers now
        assert not {r.id for r in connector.iter_leads()} & set(contacts)

    def test_contact_leads_all_keeps_customers(self, salesforce: FakeSalesforce) -> None:
        """With contact_leads=all, contacts of won accounts are still scored."""
        contacts = salesforce.add_contacts(1, modified_at=T0)
        salesforce.won_account(contacts[0], T0)
        connector = password_login(salesforce, VirtualClock(), contact_leads="all")
        connector.mapping = parse_mapping({"contacts": {"object": "Contact"}}, "m.yaml")
        assert contacts[0] in {r.id for r in connector.iter_leads()}


class TestCheckTruths:
    def test_a_hidden_field_is_invisible_not_missing(self, salesforce: FakeSalesforce) -> None:
        """A field without field-level access is reported invisible; setup creates nothing."""
        salesforce.hide_field("Tier")
        connector = password_login(salesforce, VirtualClock())
        assert connector.missing_fields() == []
        assert connector.invisible_fields() == [
            "Lead.Lead_Score_Tier__c",
            "Contact.Lead_Score_Tier__c",
        ]
        assert connector.ensure_fields() == [] and salesforce.created_fields == []

    def test_a_polymorphic_owner_field_is_found(self, salesforce: FakeSalesforce) -> None:
        """Owner.Title (Owner is a User or a Group) is a field the mapping may use."""
        connector = password_login(salesforce, VirtualClock())
        connector.mapping = parse_mapping(
            {"leads": {"object": "Lead", "fields": {"owner_title": "Owner.Title"}}}, "m.yaml"
        )
        assert connector.mapping_problems() == []
        salesforce.add_leads(1)
        assert "owner_title" in next(iter(connector.iter_leads())).attributes


def test_a_bulk_client_error_is_translated() -> None:
    """simple-salesforce's own Bulk 2.0 errors become a BadRequestError with the reason."""
    from simple_salesforce.exceptions import SalesforceBulkV2LoadError

    from connectors.salesforce.client import translate
    from service.errors import BadRequestError

    err = translate(SalesforceBulkV2LoadError("Data size 120000000 exceeds the max file size"), {})
    assert isinstance(err, BadRequestError) and "exceeds the max file size" in str(err)
