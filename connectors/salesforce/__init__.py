"""Salesforce: closed Opportunities, Leads and Contacts, Tasks and Events (simple-salesforce)."""

from connectors.salesforce.connector import SalesforceConnector

__all__ = ["SalesforceConnector"]
