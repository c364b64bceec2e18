"""CRM connectors, looked up by name through the ``leadscore.connectors`` entry points.

``get_connector_class`` loads a connector class lazily, checks that it is a ``CRMConnector``
(as APScheduler checks its plugins) and caches it; ``open_connector`` builds the configured one
from the settings and closes it afterwards. Callers type against ``CRMConnector`` only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.base import CRMConnector

if TYPE_CHECKING:
    from service.settings import Settings

GROUP = "leadscore.connectors"


def available() -> list[str]:
    """Names of the installed connectors."""
    return sorted(ep.name for ep in entry_points(group=GROUP))


@cache
def get_connector_class(name: str) -> type[CRMConnector]:
    """The connector class registered under ``name``, loaded on first use and cached.

    ``LookupError`` when no connector has that name; ``TypeError`` when the entry point loads
    something that is not a ``CRMConnector`` subclass (a broken plugin is named, not called)."""
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            loaded = ep.load()
            # by its bases, not its shape: a subclass has the base's defaults for what it omits
            if not (isinstance(loaded, type) and CRMConnector in loaded.__mro__):
                raise TypeError(
                    f"The {GROUP} entry point {name!r} ({ep.value}) is not a CRMConnector "
                    f"subclass; got {loaded!r}."
                )
            return loaded
    raise LookupError(
        f"No connector named {name!r}; installed connectors: {', '.join(available()) or 'none'}."
    )


@contextmanager
def open_connector(
    settings: Settings, *, name: str | None = None, mapping_path: Path | None = None
) -> Iterator[CRMConnector]:
    """The connector ``name`` (default: ``settings.connector``) with the mapping at
    ``mapping_path`` (default: ``settings.field_mapping_path``, else the connector's own),
    closed afterwards. An unknown name is a ``ConfigError`` listing the installed ones."""
    from connectors.mapping import load_mapping
    from service.errors import ConfigError

    if name:
        settings = settings.model_copy(update={"connector": name})
    try:
        cls = get_connector_class(settings.connector)
    except LookupError as exc:
        raise ConfigError(f"--connector: {exc}") from None
    path = mapping_path or settings.field_mapping_path
    connector = cls.from_settings(settings, load_mapping(path) if path else None)
    try:
        yield connector
    finally:
        connector.close()
