"""Alerts to people: a Slack message when a lead turns Hot."""

from service.alerts.slack import HotLeadAlert, SlackAlerter, escape_mrkdwn

__all__ = ["HotLeadAlert", "SlackAlerter", "escape_mrkdwn"]
