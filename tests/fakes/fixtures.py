"""The fake CRM servers as fixtures for every test (registered in ``tests/conftest.py``): one
server per test module, started on 127.0.0.1 on first use, emptied for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.salesforce import FakeSalesforce


@pytest.fixture(scope="module")
def salesforce_server() -> Iterator[FakeSalesforce]:
    fake = FakeSalesforce().start()
    yield fake  # type: ignore[misc]
    fake.stop()


@pytest.fixture
def salesforce(salesforce_server: FakeSalesforce) -> FakeSalesforce:
    """The module's fake Salesforce, emptied: no records, requests or queued failures."""
    salesforce_server.reset()
    return salesforce_server


@pytest.fixture(scope="module")
def hubspot_server() -> Iterator[FakeHubSpot]:
    fake = FakeHubSpot().start()
    yield fake
    fake.stop()


@pytest.fixture
def hubspot(hubspot_server: FakeHubSpot) -> FakeHubSpot:
    """The module's fake HubSpot, emptied, with HubSpot's search cap of 10,000 results."""
    hubspot_server.reset()
    hubspot_server.search_cap = 10_000
    return hubspot_server
