"""HubSpot connector (hubspot-api-client): contacts, closed deals, activities, score properties."""

from connectors.base import CRMConnector
from connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnector"]

#: mypy proves here that the class has the CRMConnector shape (a misspelt method fails the check)
_conforms: type[CRMConnector] = HubSpotConnector
