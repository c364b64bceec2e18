"""The Salesforce connector passes the connector contract against the fake Salesforce."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.salesforce import SalesforceConnector
from service.settings import RetrySettings, SalesforceSettings
from tests.connectors.contract import ConnectorContract
from tests.fakes.salesforce import TOKEN, FakeSalesforce


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def fake(server: FakeSalesforce) -> FakeSalesforce:
    server.reset()
    return server


@pytest.fixture
def connector(fake: FakeSalesforce, sleeps: list[float]) -> SalesforceConnector:
    settings = SalesforceSettings(
        instance_url=fake.url, session_id=TOKEN, page_size=200, timeout_seconds=1.0
    )
    return SalesforceConnector(settings, retry=RetrySettings(attempts=3), sleep=sleeps.append)


class TestSalesforceContract(ConnectorContract):
    field_style = "salesforce"
    page_size = 200
    write_batch = 200
    write_path = "composite/sobjects"
    retry_attempts = 3
    hang_seconds = 2.0
    secret = TOKEN
    owners = True
    reads_by_id = True
