"""CRM connectors, looked up by name through the ``leadscore.connectors`` entry points."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any


def available() -> list[str]:
    """Names of the installed connectors."""
    return sorted(ep.name for ep in entry_points(group="leadscore.connectors"))


def get_connector_class(name: str) -> Any:
    """Load the connector class registered under ``name`` (lazily, on first use)."""
    for ep in entry_points(group="leadscore.connectors"):
        if ep.name == name:
            return ep.load()
    raise LookupError(
        f"No connector named {name!r}; installed connectors: {', '.join(available()) or 'none'}."
    )
