"""``get_connector_class``: entry points looked up by name, checked, cached."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import Any

import pytest

import connectors
from connectors import GROUP, get_connector_class
from connectors.local import LocalConnector


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> list[EntryPoint]:
    """Replace the installed entry points with this list; the lookup cache starts empty."""
    found: list[EntryPoint] = []
    loads: list[str] = []

    def entry_points(*, group: str) -> list[Any]:
        assert group == GROUP
        loads.append(group)
        return found

    monkeypatch.setattr(connectors, "entry_points", entry_points)
    get_connector_class.cache_clear()
    yield found
    get_connector_class.cache_clear()


class TestGetConnectorClass:
    """Looking up a connector class by name."""

    def test_returns_the_registered_crm_connector_and_caches_it(
        self, plugins: list[EntryPoint]
    ) -> None:
        """The class comes back; a second lookup does not read the entry points again."""
        plugins.append(EntryPoint("local", "connectors.local:LocalConnector", GROUP))
        assert get_connector_class("local") is LocalConnector
        plugins.clear()  # gone from the metadata: the cached class is still returned
        assert get_connector_class("local") is LocalConnector

    def test_an_entry_point_that_is_not_a_connector_is_refused(
        self, plugins: list[EntryPoint]
    ) -> None:
        """A plugin that loads something else is named with what it loaded."""
        plugins.append(EntryPoint("broken", "collections:OrderedDict", GROUP))
        with pytest.raises(
            TypeError, match="'broken' \\(collections:OrderedDict\\) is not a CRMConnector"
        ):
            get_connector_class("broken")

    def test_an_unknown_name_lists_the_installed_ones(self, plugins: list[EntryPoint]) -> None:
        """``LookupError`` names the connector asked for and the ones there are."""
        plugins.append(EntryPoint("local", "connectors.local:LocalConnector", GROUP))
        with pytest.raises(
            LookupError, match="No connector named 'pipedrive'; installed connectors: local"
        ):
            get_connector_class("pipedrive")
