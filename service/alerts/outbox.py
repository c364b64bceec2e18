"""Delivering the Slack outbox exactly once: claim, post with metadata, resolve in the history.

For each row not yet delivered (``service.state.outbox``), oldest first:

1. a row already *claimed* (an earlier post whose answer never came: a crash, a timeout, a
   database that dropped after the post) is looked up in the channel history by the ``key`` in
   its message metadata; found, it is confirmed and not posted again;
2. otherwise it is claimed (committed) and posted once, with metadata naming it;
3. Slack's answer confirms it. A definite refusal (429 after its waits, a bad token or channel)
   puts it back to pending. An answer that never came (timeout, dropped connection, 5xx) may
   have been posted: the history is checked once at once, and if the message is not there yet
   the claim stays for the next pass to resolve. Nothing is ever posted blindly a second time.

Slack stamps a message (its ``ts``) in real time, so a claim records the real time it was made
and the history is searched from there, whatever the daemon's clock says: under ``daemon once
--now`` a year ahead, a search from the daemon's time would miss the message Slack stored and
post it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from service.alerts.slack import EVENT_TYPE, SlackAlerter
from service.errors import (
    ConnectorError,
    FatalConnectorError,
    LeadScoreError,
    RateLimitedError,
)
from service.state.outbox import CLAIMED, Outbox, OutboxRow

log = structlog.get_logger(__name__)
#: how far back the history is searched for a claimed message (clock skew and slow passes)
LOOKBACK = timedelta(days=1)


def real_time() -> datetime:
    """The time Slack stamps messages in (the daemon's own clock may be set by ``--now``)."""
    return datetime.now(UTC)


#: the message for a row, or a string: the row is obsolete and skipped for that reason
Render = Callable[[OutboxRow], dict[str, Any] | str]


@dataclass
class Delivered:
    """What one delivery round did."""

    sent: int = 0
    found: int = 0
    skipped: int = 0
    unconfirmed: int = 0
    error: str | None = None


def metadata_for(row: OutboxRow) -> dict[str, Any]:
    """The Slack message metadata of a row: its key, and the lead and Hot turn it announces."""
    payload: dict[str, Any] = {"key": row.key, "kind": row.kind}
    if row.record_id is not None:
        payload["lead_id"] = row.record_id
    if row.hot_turn is not None:
        payload["hot_turn"] = row.hot_turn
    return {"event_type": EVENT_TYPE, "event_payload": payload}


def _in_history(
    alerter: SlackAlerter, row: OutboxRow, since: datetime, channel: str | None = None
) -> str | None:
    return alerter.find_message(
        row.key, oldest=(since - LOOKBACK).timestamp(), channel=channel or row.channel or None
    )


def deliver(
    outbox: Outbox,
    alerter: SlackAlerter,
    connector: str,
    now: datetime,
    render: Render,
    slack_time: Callable[[], datetime] = real_time,
) -> Delivered:
    """Deliver the undelivered rows of ``connector``; stop at the first Slack trouble. ``now``
    is the daemon's clock (sent and skipped times); claims and history searches use
    ``slack_time`` (see the module docstring)."""
    done = Delivered()
    for row in outbox.undelivered(connector):
        if row.status == CLAIMED:
            try:
                ts = _in_history(alerter, row, row.claimed_at or slack_time())
            except LeadScoreError as exc:
                done.error = str(exc)
                log.warning("slack_history_failed", key=row.key, error=str(exc))
                break
            if ts is not None:
                outbox.confirm(row.key, now, row.channel or alerter.channel_id, ts)
                done.found += 1
                log.info("slack_alert_found_in_history", key=row.key, lead_id=row.record_id)
                continue
        try:  # a direct message looks its recipient up in Slack first
            message = render(row)
        except LeadScoreError as exc:
            done.error = str(exc)
            log.warning("slack_lookup_failed", key=row.key, error=str(exc))
            break
        if isinstance(message, str):
            outbox.skip(row.key, now, message)
            done.skipped += 1
            continue
        target = message.pop("channel", None)  # a rep's direct-message channel
        outbox.claim(row.key, slack_time(), target or alerter.channel_id)
        try:
            ts = alerter.post(message, metadata_for(row), channel=target)
        except (RateLimitedError, FatalConnectorError) as exc:  # certainly not posted
            outbox.release(row.key)
            done.error = str(exc)
            log.warning("hot_alert_failed", key=row.key, lead_id=row.record_id, error=str(exc))
            break
        except ConnectorError as exc:  # maybe posted: never post again without looking
            log.warning("hot_alert_unconfirmed", key=row.key, lead_id=row.record_id, error=str(exc))
            try:
                found = _in_history(alerter, row, slack_time(), target)
            except LeadScoreError:
                found = None
            if found is None:
                done.unconfirmed += 1
                done.error = str(exc)
                break
            outbox.confirm(row.key, now, target or alerter.channel_id, found)
            done.found += 1
            log.info("slack_alert_found_in_history", key=row.key, lead_id=row.record_id)
            continue
        outbox.confirm(row.key, now, target or alerter.channel_id, ts)
        done.sent += 1
        log.info("slack_alert_sent", key=row.key, lead_id=row.record_id, kind=row.kind)
    return done
