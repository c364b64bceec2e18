"""HubSpot connector (hubspot-api-client): contacts, closed deals, activities, score properties."""

from connectors.hubspot.connector import HubSpotConnector

__all__ = ["HubSpotConnector"]
