"""The outbox messages of Section 5's rules 2 to 4: what they say and where they go.

Kinds: ``owner_hot`` (Rule 2, the Hot alert to the lead's owner, by direct message),
``tier_notice`` (Rule 3, one message per owner per pass), ``escalation`` (an SLA breach, to the
channel) and ``escalation_dm`` (to the owner's manager), ``assignment`` (Rule 4, to the new
owner). A direct message's payload carries the recipient's CRM e-mail; at delivery it is looked up
in Slack (``users.lookupByEmail``, cached) and sent through ``conversations.open``. No member
with that e-mail: the row is skipped with that reason (the channel alert names the owner).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from service.alerts.slack import SlackAlerter, escape_mrkdwn
from service.state.outbox import PENDING, OutboxRow

if TYPE_CHECKING:
    from service.daemon.context import Daemon

OWNER_HOT, NOTICE, ESCALATION, ESCALATION_DM, ASSIGNMENT = (
    "owner_hot",
    "tier_notice",
    "escalation",
    "escalation_dm",
    "assignment",
)
KINDS = frozenset({OWNER_HOT, NOTICE, ESCALATION, ESCALATION_DM, ASSIGNMENT})
DIRECT = frozenset({OWNER_HOT, NOTICE, ESCALATION_DM, ASSIGNMENT})
NO_MEMBER = "not sent: no Slack member has the recipient's CRM e-mail"
NO_EMAIL = "not sent: the recipient has no e-mail in the CRM"


def message_row(
    key: str,
    connector: str,
    kind: str,
    at: datetime,
    payload: Mapping[str, Any],
    *,
    record_id: str | None = None,
    hot_turn: int | None = None,
) -> dict[str, Any]:
    """An outbox row (pending) for one message."""
    return {
        "key": key[:255],
        "connector": connector,
        "kind": kind,
        "record_id": record_id,
        "hot_turn": hot_turn,
        "rules_version": None,
        "status": PENDING,
        "reason": None,
        "payload_json": json.dumps(dict(payload), sort_keys=True, default=str),
        "created_at": at,
        "claimed_at": None,
        "sent_at": None,
        "channel": None,
        "message_ts": None,
    }


def render(alerter: SlackAlerter, row: OutboxRow) -> dict[str, Any] | str:
    """The message of a Section 5 row; a string (the reason) when it cannot be sent."""
    text = str(row.payload.get("text", ""))
    if row.kind not in DIRECT:
        return {"text": text}
    email = row.payload.get("email")
    if not email:
        return NO_EMAIL
    member = alerter.lookup_user(str(email))
    if member is None:
        return NO_MEMBER
    return {"text": text, "channel": alerter.open_dm(member)}


def owner_line(d: Daemon, row: OutboxRow) -> str | None:
    """Rule 2 in the channel alert: the owner (mentioned when Slack knows their CRM e-mail,
    named otherwise) and the SLA deadline of this turn."""
    from service.state.section5 import LeadFacts
    from service.state.sla import Section5Log

    assert row.record_id is not None and row.hot_turn is not None
    facts = LeadFacts(d.store).get(row.connector, [row.record_id]).get(row.record_id)
    clock = Section5Log(d.store).clock(row.connector, row.record_id, row.hot_turn)
    parts = []
    if facts is not None and facts.owner_id:
        email = clock.owner_email if clock else None
        member = d.alerter.lookup_user(email) if (d.alerter and email) else None
        name = escape_mrkdwn(facts.owner_name or facts.owner_id)
        parts.append(
            f"Owner: <@{member}> (told directly)"
            if member
            else f"Owner: {name} (no Slack account with their CRM e-mail)"
        )
    elif facts is not None:
        parts.append("Owner: none yet")
    if clock is not None and clock.deadline - clock.started_at < timedelta(days=3000):
        parts.append(f"SLA: first contact by {when(clock.deadline)}")
    return " · ".join(parts) or None


def when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def lead_label(attributes: Mapping[str, Any], record_id: str) -> str:
    name = next(
        (str(attributes[k]) for k in ("contact_name", "name", "full_name") if attributes.get(k)),
        record_id,
    )
    company = next(
        (
            str(attributes[k])
            for k in ("company", "company_name", "account_name")
            if attributes.get(k)
        ),
        None,
    )
    return escape_mrkdwn(f"{name} ({company})" if company else name)


def causes_text(causes: Mapping[str, Any]) -> str:
    """``started: Requested a demo (+40); stopped: 5+ email opens (-10); 50 -> 90 points (+40)``."""
    parts = []
    if causes.get("started"):
        parts.append("started firing: " + ", ".join(causes["started"]))
    if causes.get("stopped"):
        parts.append("stopped firing: " + ", ".join(causes["stopped"]))
    if causes.get("stale"):
        parts.append("points lapsed after no activity: " + ", ".join(causes["stale"]))
    before, after = causes.get("from_total"), causes.get("to_total")
    if before is not None and after is not None:
        parts.append(f"{before:g} -> {after:g} points ({after - before:+g})")
    return escape_mrkdwn("; ".join(parts) or "the rules changed")


def notice_text(
    owner: str, items: Sequence[Mapping[str, Any]], actions: Mapping[str, str], limit: int
) -> str:
    """One owner's Rule 3 message: each lead's previous and new tier, the causes and the new
    tier's recommended action (at most ``limit`` leads named, the rest counted)."""
    lines = [f"Tier changes on your leads ({len(items)}):"]
    for item in items[:limit]:
        action = actions.get(str(item["to_tier"]), "")
        lines.append(
            f"• {item['label']}: {item['from_tier']} -> {item['to_tier']}. "
            f"Why: {causes_text(item['causes'])}. Next: {escape_mrkdwn(action)}"
        )
    if len(items) > limit:
        lines.append(f"… and {len(items) - limit} more (see the dashboard).")
    return f"{escape_mrkdwn(owner)}: " + "\n".join(lines)
