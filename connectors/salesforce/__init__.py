"""Salesforce: closed Opportunities, Leads and Contacts, Tasks and Events (simple-salesforce)."""

from connectors.base import CRMConnector
from connectors.salesforce.connector import SalesforceConnector

__all__ = ["SalesforceConnector"]

#: mypy proves here that the class has the CRMConnector shape (a misspelt method fails the check)
_conforms: type[CRMConnector] = SalesforceConnector
