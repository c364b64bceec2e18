"""The Salesforce connector passes the connector contract against the fake Salesforce."""

from __future__ import annotations

import pytest

from connectors.salesforce import SalesforceConnector
from tests.connectors.conftest import salesforce_connector
from tests.connectors.contract import ConnectorContract
from tests.fakes.salesforce import TOKEN, FakeSalesforce


@pytest.fixture
def fake(salesforce: FakeSalesforce) -> FakeSalesforce:
    """The contract's name for the CRM under test."""
    return salesforce


@pytest.fixture
def connector(fake: FakeSalesforce, sleeps: list[float]) -> SalesforceConnector:
    return salesforce_connector(
        fake, attempts=3, sleep=sleeps.append, page_size=200, timeout_seconds=1.0
    )


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
