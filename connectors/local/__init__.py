"""The embedded SQLite CRM: the default connector for the demo and the tests (no credentials)."""

from connectors.base import CRMConnector
from connectors.local.connector import LocalConnector
from connectors.local.crm import LocalCRM

__all__ = ["LocalCRM", "LocalConnector"]

#: mypy proves here that the class has the CRMConnector shape (a misspelt method fails the check)
_conforms: type[CRMConnector] = LocalConnector
