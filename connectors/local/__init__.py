"""The embedded SQLite CRM: the default connector for the demo and the tests (no credentials)."""

from connectors.local.connector import LocalConnector
from connectors.local.crm import LocalCRM

__all__ = ["LocalCRM", "LocalConnector"]
