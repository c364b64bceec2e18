"""Salesforce specifics: SOQL building, payload mapping, Bulk API 2.0, the API budget, logins."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from connectors.base import ScoreUpdate
from connectors.mapping import ObjectMapping
from connectors.salesforce import SalesforceConnector
from connectors.salesforce.records import activity_from_payload, lead_from_payload, parse_datetime
from connectors.salesforce.soql import ObjectInfo, literal, select
from service.errors import AuthError, ConfigError, MissingFieldError, RetryableConnectorError
from service.settings import RetrySettings, SalesforceSettings
from tests.connectors.conftest import salesforce_connector
from tests.fakes.salesforce import FakeSalesforce

LEAD = ObjectInfo("Lead", frozenset({"Id", "Industry", "OwnerId"}), {"Owner": "User"})
USER = ObjectInfo("User", frozenset({"Id", "Name"}))


def make(
    salesforce: FakeSalesforce, sleeps: list[float], **overrides: object
) -> SalesforceConnector:
    return salesforce_connector(salesforce, attempts=4, sleep=sleeps.append, **overrides)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("O'Brien", r"'O\'Brien'"),
        ("a\\b", r"'a\\b'"),
        ("x' OR Id != null OR Name = '", r"'x\' OR Id != null OR Name = \''"),
        ("line\nbreak", r"'line\nbreak'"),
        (True, "true"),
        (None, "null"),
        (12.5, "12.5"),
        (datetime(2024, 3, 1, 12, tzinfo=UTC), "2024-03-01T12:00:00Z"),
    ],
)
def test_literal_escapes_values(value: object, expected: str) -> None:
    """Quotes, backslashes and newlines are escaped; an injection stays one string literal."""
    assert literal(value) == expected


def test_literal_refuses_naive_datetimes() -> None:
    """A datetime without a time zone cannot be put in a query (it would be ambiguous)."""
    with pytest.raises(ValueError, match="no time zone"):
        literal(datetime(2024, 1, 1))


def test_select_builds_a_checked_query() -> None:
    """Known fields, one relationship, escaped values, in a fixed order."""
    query = select(
        LEAD,
        ["Id", "Industry", "Owner.Name", "Id"],
        related={"Owner": USER},
        where=[("Industry", "=", "Soft'ware")],
        order_by=["Id"],
    )
    assert query == (
        "SELECT Id, Industry, Owner.Name FROM Lead WHERE Industry = 'Soft\\'ware' ORDER BY Id"
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("Industy", "Lead has no field 'Industy'"),
        ("Id, (SELECT Id FROM Contacts)", "is not a Salesforce field name"),
        ("Account.Industry", "Lead has no relationship 'Account'"),
        ("Owner.Email", "User (via Lead.Owner) has no field 'Email'"),
    ],
)
def test_select_rejects_unknown_or_unsafe_fields(field: str, message: str) -> None:
    """A name describe does not list, or anything that is not a name, never reaches the query."""
    with pytest.raises(MissingFieldError, match=message.replace("(", r"\(").replace(")", r"\)")):
        select(LEAD, [field], related={"Owner": USER})


def test_select_rejects_unknown_operators() -> None:
    """Only the fixed comparison operators are allowed."""
    with pytest.raises(ValueError, match="operator"):
        select(LEAD, ["Id"], where=[("Industry", "LIKE", "%")])


def test_lead_payload_maps_to_record() -> None:
    """A recorded Lead payload maps to attributes, owner name, scores and an aware timestamp."""
    payload = {
        "attributes": {"type": "Lead", "url": "/services/data/v59.0/sobjects/Lead/00Q1"},
        "Id": "00Q1",
        "OwnerId": "0051",
        "Owner": {"attributes": {"type": "User"}, "Name": "Dana"},
        "SystemModstamp": "2024-07-01T09:30:00.000+0000",
        "Industry": "Software",
        "NumberOfEmployees": 250,
        "Lead_Score_Total__c": 61.0,
        "Lead_Score_Tier__c": "Warm",
    }
    mapping = ObjectMapping(
        object="Lead", fields={"industry": "Industry", "size": "NumberOfEmployees"}
    )
    record = lead_from_payload(payload, mapping, "Lead")
    assert record.attributes == {"industry": "Software", "size": 250}
    assert record.owner == "Dana"
    assert record.current_scores == {"Total": 61.0, "Tier": "Warm"}
    assert record.modified_at == datetime(2024, 7, 1, 9, 30, tzinfo=UTC)


def test_contact_with_null_account_maps_attributes_to_none() -> None:
    """A null lookup (no Account) gives None for the fields reached through it."""
    payload = {"Id": "0031", "Account": None, "AccountId": None, "SystemModstamp": None}
    mapping = ObjectMapping(object="Contact", fields={"industry": "Account.Industry"})
    record = lead_from_payload(payload, mapping, "Contact")
    assert record.attributes == {"industry": None} and record.modified_at is None


def test_event_payload_uses_activity_datetime() -> None:
    """An Event's time is its ActivityDateTime; kind comes from the mapped field, lower-cased."""
    payload = {
        "Id": "00U1",
        "WhoId": "00Q1",
        "ActivityDateTime": "2024-05-02T15:00:00.000+0000",
        "CreatedDate": "2024-04-01T00:00:00.000+0000",
        "Type": "Meeting",
        "Subject": "Demo",
    }
    mapping = ObjectMapping(object="Event", fields={"kind": "Type", "detail": "Subject"})
    activity = activity_from_payload(payload, mapping, "Event")
    assert (activity.kind, activity.detail, activity.lead_id) == ("meeting", "Demo", "00Q1")
    assert activity.occurred_at == datetime(2024, 5, 2, 15, tzinfo=UTC)


def test_parse_datetime_reads_dates_and_datetimes() -> None:
    """Both Salesforce date and datetime strings become aware UTC datetimes."""
    assert parse_datetime("2024-05-01") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_datetime("2024-05-01T10:00:00.000+0200") == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert parse_datetime(None) is None


def test_bulk_job_writes_above_the_threshold(
    salesforce: FakeSalesforce, sleeps: list[float]
) -> None:
    """Above bulk_threshold one Bulk 2.0 job writes every record, with per-record failures."""
    ids = salesforce.add_leads(30)
    salesforce.reject_records([ids[3]], "FIELD_INTEGRITY_EXCEPTION: bad value")
    connector = make(salesforce, sleeps, bulk_threshold=10)
    updates = [
        ScoreUpdate(i, "Lead", {"Total": n, "Tier": "Cool", "Trend": None})
        for n, i in enumerate(ids)
    ]
    result = connector.write_scores(updates)
    assert sorted(result.written) == sorted(set(ids) - {ids[3]})
    assert [(e.record_id, e.reason) for e in result.failed] == [
        (ids[3], "FIELD_INTEGRITY_EXCEPTION: bad value")
    ]
    assert salesforce.count(path_contains="composite/sobjects") == 0
    assert salesforce.count("POST", path_contains="jobs/ingest") == 1
    assert (
        salesforce.score_of(ids[7], "Total") == 7.0 and salesforce.score_of(ids[7], "Trend") is None
    )
    assert all(salesforce.writes_of(i) == 1 for i in ids if i != ids[3])


def test_writes_stop_at_the_api_budget(salesforce: FakeSalesforce, sleeps: list[float]) -> None:
    """Once the reported usage reaches max_api_share, the rest is deferred with a log event."""
    ids = salesforce.add_leads(450)
    connector = make(salesforce, sleeps, max_api_share=0.5)
    connector.check()  # learns the usage: 101 of 100,000
    salesforce.api_used = 49_999  # the next answer reports 50,000 / 100,000
    updates = [ScoreUpdate(i, "Lead", {"Total": 1}) for i in ids]
    with capture_logs() as logs:
        result = connector.write_scores(updates)
    assert len(result.written) == 200 and len(result.deferred) == 250
    assert salesforce.count(path_contains="composite/sobjects") == 1
    (event,) = [e for e in logs if e["event"] == "api_budget_reached"]
    assert (event["used"], event["limit"], event["max_api_share"]) == (50_000, 100_000, 0.5)


def test_writes_do_not_start_when_the_budget_is_spent(
    salesforce: FakeSalesforce, sleeps: list[float]
) -> None:
    """With the budget already spent, nothing is sent and everything is deferred."""
    ids = salesforce.add_leads(3)
    connector = make(salesforce, sleeps, max_api_share=0.001)
    connector.check()
    result = connector.write_scores([ScoreUpdate(i, "Lead", {"Total": 1}) for i in ids])
    assert result.deferred == ids and result.written == []
    assert salesforce.count(path_contains="composite") == 0


def test_read_resumes_at_the_failed_page(salesforce: FakeSalesforce, sleeps: list[float]) -> None:
    """A 503 on page 3 retries page 3 only: every lead once, no page fetched twice."""
    ids = salesforce.add_leads(1000)
    connector = make(salesforce, sleeps, page_size=200)
    connector.describe("Lead")
    salesforce.fail_next(1, 503, path_contains="query/01g")  # the first nextRecordsUrl page
    got = [r.id for r in connector.iter_leads()]
    assert sorted(got) == sorted(ids)
    assert (
        salesforce.count("GET", path_contains="/query/") == 5 + 1 + 1
    )  # 5 pages, 1 retry, contacts


@pytest.mark.parametrize(
    "overrides",
    [
        {"username": "int@acme.test", "password": "pw-secret-1", "security_token": "tok-secret-2"},
        {"consumer_key": "ck", "consumer_secret": "cs-secret-3", "domain": "acme"},
        {
            "username": "int@acme.test",
            "password": "pw-secret-1",
            "consumer_key": "ck",
            "consumer_secret": "cs-secret-3",
        },
    ],
    ids=["password+token", "client-credentials", "oauth-password"],
)
def test_logins_against_a_login_url(
    salesforce: FakeSalesforce, sleeps: list[float], overrides: dict[str, str]
) -> None:
    """Password/token (SOAP) and OAuth logins work against a configured plain-http login URL."""
    settings = SalesforceSettings(login_url=salesforce.url, timeout_seconds=2, **overrides)
    connector = SalesforceConnector(settings, retry=RetrySettings(attempts=2), sleep=sleeps.append)
    connector.check()
    assert salesforce.count("POST", path_contains="/services/") >= 1
    assert "secret" not in repr(connector)


def test_missing_credentials_name_the_settings() -> None:
    """No usable credentials: a ConfigError naming the environment variables to set."""
    connector = SalesforceConnector(SalesforceSettings())
    with pytest.raises(ConfigError, match="LEADSCORE_SALESFORCE__SESSION_ID"):
        connector.check()


def test_daily_limit_403_is_fatal_and_says_so(
    salesforce: FakeSalesforce, sleeps: list[float]
) -> None:
    """403 REQUEST_LIMIT_EXCEEDED is not an auth problem: the message names the daily limit."""
    salesforce.fail_next(1, 403)
    salesforce.error_response = lambda status, headers: salesforce._error(  # type: ignore[method-assign]
        403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."
    )
    try:
        with pytest.raises(Exception) as info:
            make(salesforce, sleeps).check()
    finally:
        del salesforce.error_response
    assert not isinstance(info.value, AuthError)
    assert "daily API limit" in str(info.value) and sleeps == []


def test_deploy_metadata_matches_the_score_fields() -> None:
    """deploy/salesforce holds one field file per score field on Lead and Contact, with the
    type the Tooling API creates, and the permission set lets the integration user edit each."""
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from connectors.base import SCORE_FIELDS, score_field_name
    from connectors.salesforce.fields import field_metadata

    root = Path(__file__).resolve().parents[2] / "deploy" / "salesforce" / "force-app/main/default"
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    perms = ET.parse(root / "permissionsets" / "LeadScore_Integration.permissionset-meta.xml")
    editable = {
        p.findtext("m:field", namespaces=ns)
        for p in perms.getroot().findall("m:fieldPermissions", ns)
        if p.findtext("m:editable", namespaces=ns) == "true"
    }
    for obj in ("Lead", "Contact"):
        files = sorted(p.name for p in (root / "objects" / obj / "fields").iterdir())
        names = [score_field_name(k, "salesforce") for k in SCORE_FIELDS]
        assert files == sorted(f"{n}.field-meta.xml" for n in names)
        for logical in SCORE_FIELDS:
            name = score_field_name(logical, "salesforce")
            tree = ET.parse(root / "objects" / obj / "fields" / f"{name}.field-meta.xml")
            assert (
                tree.getroot().findtext("m:type", namespaces=ns) == field_metadata(logical)["type"]
            )
            assert f"{obj}.{name}" in editable


def test_an_unreachable_login_is_tried_attempts_times_not_attempts_squared(
    sleeps: list[float],
) -> None:
    """Login retries are not nested inside the request's own retries (4 attempts, 3 waits)."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on: connection refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = SalesforceSettings(
        login_url=f"http://127.0.0.1:{port}",
        username="int@acme.test",
        password="pw-secret-1",
        security_token="tok-secret-2",
        timeout_seconds=2,
    )
    connector = SalesforceConnector(settings, retry=RetrySettings(attempts=4), sleep=sleeps.append)
    with pytest.raises(RetryableConnectorError, match="could not be reached") as info:
        connector.check()
    assert len(sleeps) == 3
    assert "check LEADSCORE_SALESFORCE__INSTANCE_URL" in str(info.value)
    assert "secret" not in str(info.value)
