"""The HubSpot connector against the fake HubSpot server: the contract and HubSpot specifics."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from connectors import get_connector_class
from connectors.base import CRMConnector, ScoreUpdate
from connectors.hubspot import HubSpotConnector
from connectors.hubspot.ratelimit import RateLimiter
from connectors.mapping import parse_mapping
from service.errors import AuthError, ConfigError, RetryableConnectorError
from service.settings import RetrySettings, Settings
from tests.connectors.conftest import VirtualClock, hubspot_connector
from tests.connectors.contract import T1, ConnectorContract, scores
from tests.fakes.hubspot import TOKEN, FakeHubSpot


@pytest.fixture
def fake(hubspot: FakeHubSpot) -> FakeHubSpot:
    """The contract's name for the CRM under test."""
    return hubspot


def make(fake: FakeHubSpot, sleeps: list[float], **kw: Any) -> HubSpotConnector:
    """The contract's connector: retry waits go to ``sleeps``, the rate limiter's to a clock."""
    contract = TestHubSpotContract
    return hubspot_connector(
        fake,
        attempts=contract.retry_attempts,
        sleep=sleeps.append,
        timeout=0.4,
        page_size=contract.page_size,
        write_batch=contract.write_batch,
        **kw,
    )


@pytest.fixture
def connector(fake: FakeHubSpot, sleeps: list[float]) -> HubSpotConnector:
    return make(fake, sleeps)


class TestHubSpotContract(ConnectorContract):
    field_style = "hubspot"
    page_size = 10
    write_batch = 10
    write_path = "/batch/update"
    secret = TOKEN
    owners = True
    records_managers = False
    reads_by_id = True


def test_keyset_paging_gets_past_the_search_cap(fake: FakeHubSpot, sleeps: list[float]) -> None:
    """With a search cap of 50, 137 contacts are still all read, at one search per page."""
    fake.search_cap = 50
    ids = fake.add_leads(137, modified_at=T1)
    conn = make(fake, sleeps)
    got = [r.id for r in conn.iter_leads(since=datetime(2024, 1, 1, tzinfo=UTC))]
    assert got == ids  # ascending hs_object_id, each once
    assert fake.count("POST", "/contacts/search") == 14  # ceil(137 / 10)


def test_the_search_cap_is_real_in_the_fake(fake: FakeHubSpot) -> None:
    """The fake answers 400 past the cap, so the paging test above can fail."""
    fake.search_cap = 50
    fake.add_leads(60)
    import requests

    answer = requests.post(
        f"{fake.url}/crm/v3/objects/contacts/search",
        json={"limit": 10, "after": "50"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert answer.status_code == 400


def test_207_is_read_record_by_record(connector: HubSpotConnector, fake: FakeHubSpot) -> None:
    """A 207 marks only the rejected ids failed, with HubSpot's category and message."""
    ids = fake.add_leads(4)
    fake.reject_records([ids[2]], "Email address is invalid")
    result = connector.write_scores([ScoreUpdate(i, "contacts", scores(1)) for i in ids])
    assert result.written == [ids[0], ids[1], ids[3]]
    assert [(e.record_id, e.reason) for e in result.failed] == [
        (ids[2], "VALIDATION_ERROR: Email address is invalid")
    ]


def test_unconfirmed_records_are_never_taken_as_written() -> None:
    """An id HubSpot neither confirmed nor rejected is a retryable failure, not a success."""
    from connectors.hubspot.connector import read_batch_response

    result = read_batch_response({"status": "COMPLETE", "results": [{"id": "1"}]}, ["1", "2"])
    assert result.written == ["1"]
    assert result.failed[0].record_id == "2" and result.failed[0].retryable


def test_values_are_sent_as_hubspot_strings(connector: HubSpotConnector, fake: FakeHubSpot) -> None:
    """Numbers, picklists and datetimes arrive as HubSpot's string forms and read back typed."""
    (lead_id,) = fake.add_leads(1)
    values = {"Total": 72.0, "Tier": "Hot", "Last_Calculated": datetime(2024, 7, 1, tzinfo=UTC)}
    assert connector.write_scores([ScoreUpdate(lead_id, "contacts", values)]).written == [lead_id]
    assert fake.score_of(lead_id, "Total") == "72"
    assert fake.score_of(lead_id, "Last_Calculated") == "1719792000000"
    (lead,) = connector.iter_leads()
    assert lead.current_scores == {
        "Total": 72,
        "Tier": "Hot",
        "Last_Calculated": datetime(2024, 7, 1, tzinfo=UTC),
    }
    assert lead.attributes["employee_count"] == 250 and lead.attributes["industry"] == "Software"


def test_deals_carry_their_company_firmographics(
    connector: HubSpotConnector, fake: FakeHubSpot
) -> None:
    """A closed deal's attributes come from its associated company; open deals are left out."""
    company = fake.add_company(name="Acme", industry="COMPUTER_SOFTWARE", numberofemployees=800)
    (won,) = fake.add_deals(1, 0, modified_at=T1, company_id=company)
    fake.add_open_deal()
    (deal,) = connector.iter_closed_deals()
    assert deal.id == won and deal.won and deal.closed_at == T1
    assert deal.attributes["industry"] == "COMPUTER_SOFTWARE"
    assert deal.attributes["employee_count"] == 800
    assert deal.attributes["deal_size"] == 12000


def test_activities_are_linked_to_their_contact(
    connector: HubSpotConnector, fake: FakeHubSpot
) -> None:
    """Meetings and emails come back with their kind, time and associated contact."""
    (lead_id,) = fake.add_leads(1)
    fake.add_activities(lead_id, 2, occurred_at=T1)
    fake.add_activities(lead_id, 1, occurred_at=T1, object_type="meetings")
    got = sorted((a.kind, a.lead_id, a.occurred_at) for a in connector.iter_activities())
    assert got == [("email", lead_id, T1)] * 2 + [("meeting", lead_id, T1)]


def test_ensure_fields_creates_the_group_and_typed_properties(
    connector: HubSpotConnector, fake: FakeHubSpot
) -> None:
    """Without the group, ``ensure_fields`` creates it and then the picklist with its options."""
    fake.groups["contacts"].discard("leadscore")
    fake.remove_field("Tier")
    fake.remove_field("Total")
    assert connector.ensure_fields() == ["lead_score_total", "lead_score_tier"]
    assert "leadscore" in fake.groups["contacts"]
    tier = fake.properties["contacts"]["lead_score_tier"]
    assert tier["type"] == "enumeration"
    assert [o["value"] for o in tier["options"]] == ["Hot", "Warm", "Cool", "Cold", "Unscoreable"]
    assert fake.properties["contacts"]["lead_score_total"]["type"] == "number"


def test_mapping_check_names_unknown_properties(fake: FakeHubSpot, sleeps: list[float]) -> None:
    """A misspelt contact property and company property are each named with the object."""
    mapping = parse_mapping(
        {
            "leads": {"object": "contacts", "fields": {"industry": "industy"}},
            "deals": {"object": "deals", "fields": {"size": "company.numemployes"}},
        },
        "mapping.yaml",
    )
    problems = make(fake, sleeps, mapping=mapping).mapping_problems()
    assert len(problems) == 2
    deals, leads = problems
    assert "leads.fields.industry: contacts has no field 'industy'" in leads
    assert "did you mean 'industry'" in leads
    assert "deals.fields.size: deals.company has no field 'numemployes'" in deals


def test_default_mapping_matches_the_fake_crm(connector: HubSpotConnector) -> None:
    """The shipped default mapping names only properties HubSpot has."""
    assert connector.mapping_problems() == []


def test_rate_limiter_keeps_under_both_windows() -> None:
    """12 searches at 5/s and 100 per 10 s wait 2 s; 150 requests wait for the 10 s window."""
    clock = VirtualClock()
    limiter = RateLimiter(100, 5, clock=clock, sleep=clock.sleep)
    for _ in range(12):
        limiter.acquire(search=True)
    assert clock.now == pytest.approx(2.0)
    clock.now = 100.0
    for _ in range(150):
        limiter.acquire()
    assert clock.now == pytest.approx(110.0)
    assert limiter.waited == pytest.approx(12.0)


def test_rate_limiter_throttles_the_connector(fake: FakeHubSpot, sleeps: list[float]) -> None:
    """Reading 30 pages at 5 searches a second takes at least 5 s of (virtual) waiting."""
    fake.add_leads(300)
    conn = make(fake, sleeps)
    assert len(list(conn.iter_leads())) == 300
    assert conn.limiter.waited >= 5.0
    assert sleeps == []  # the retry policy never slept: no 429 was provoked


def test_missing_token_is_a_config_error() -> None:
    """No access token is a ConfigError naming the setting."""
    with pytest.raises(ConfigError, match="LEADSCORE_HUBSPOT__ACCESS_TOKEN"):
        HubSpotConnector(None)


def test_entry_point_and_settings(fake: FakeHubSpot) -> None:
    """The ``hubspot`` entry point builds the connector from settings, token kept secret."""
    cls = get_connector_class("hubspot")
    assert cls is HubSpotConnector
    settings = Settings(hubspot={"access_token": TOKEN, "host": fake.url})
    conn = cls.from_settings(settings)
    assert isinstance(conn, CRMConnector)
    conn.check()
    assert TOKEN not in repr(conn)


def test_wrong_token_says_what_to_check(fake: FakeHubSpot, sleeps: list[float]) -> None:
    """A wrong token gives AuthError after one request, without the token in the message."""
    conn = HubSpotConnector("pat-wrong", host=fake.url, sleep=sleeps.append)
    with pytest.raises(AuthError, match="credentials") as info:
        conn.check()
    assert "pat-wrong" not in str(info.value)
    assert fake.count() == 1


def test_an_unreachable_host_names_the_setting_to_check(sleeps: list[float]) -> None:
    """Nothing listening at the host: a retryable error naming LEADSCORE_HUBSPOT__HOST and the
    host, never the token."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        host = f"http://127.0.0.1:{probe.getsockname()[1]}"
    conn = HubSpotConnector(
        "pat-secret-1", host=host, retry=RetrySettings(attempts=2), sleep=sleeps.append
    )
    with pytest.raises(RetryableConnectorError, match="could not be reached") as info:
        conn.check()
    assert f"check LEADSCORE_HUBSPOT__HOST ({host})" in str(info.value)
    assert "pat-secret-1" not in str(info.value)


def test_api_usage_reports_todays_calls_and_the_daily_limit(
    connector: HubSpotConnector, fake: FakeHubSpot
) -> None:
    """api_usage reads HubSpot's daily usage endpoint: calls made so far against the limit."""
    fake.daily_limit = 190_000
    connector.check()
    used, limit = connector.api_usage() or (None, None)
    assert limit == 190_000
    assert used == fake.count()  # every call so far, the usage request included
    assert fake.count(path_contains="api-usage") == 1


def test_api_usage_without_the_scope_is_an_auth_error(
    connector: HubSpotConnector, fake: FakeHubSpot
) -> None:
    """A 403 on the usage endpoint is reported as an AuthError, not swallowed as 'no usage'."""
    fake.fail_next(1, 403, path_contains="api-usage")
    with pytest.raises(AuthError):
        connector.api_usage()


def test_parse_usage_ignores_payloads_without_a_limit() -> None:
    """A payload with no daily limit gives None rather than a made-up figure."""
    from connectors.hubspot.usage import parse_usage

    assert parse_usage({"results": [{"name": "x"}]}) is None
    assert parse_usage({"results": [{"usageLimit": 10, "currentUsage": 3}]}) == (3, 10)
