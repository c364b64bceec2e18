"""What the outbox rows say: a Hot-lead alert, or the summary of a rules change.

A rules change or a promotion can turn hundreds of leads Hot at once. Those turns are not posted
one by one: once the pass that made them is complete, they become one channel message with the
counts and one digest per owner (``summarise_rules_turns``), sent through the same outbox.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

import structlog

from service.alerts.slack import build_message, escape_mrkdwn
from service.daemon.context import Daemon
from service.daemon.messages5 import KINDS, owner_line
from service.daemon.messages5 import render as render5
from service.daemon.updates import hot_alert
from service.scoring.rules import Rules
from service.state.outbox import DIGEST, HOT, SUMMARY, OutboxRow

log = structlog.get_logger(__name__)
#: leads named in one owner's digest (the rest are counted)
DIGEST_NAMES = 25
NO_OWNER = "(no owner)"


def _version(key: str | None) -> str:
    return (key or "").split("#", 1)[0]


def render(d: Daemon, rules: Rules, row: OutboxRow) -> dict[str, Any] | str:
    """The Slack message of ``row``; a string (the reason) when it should no longer be sent."""
    if row.kind in KINDS:
        assert d.alerter is not None
        return render5(d.alerter, row)
    if row.kind != HOT:
        return {"text": str(row.payload.get("text", ""))}
    assert row.record_id is not None
    tier, turns = d.leads.hot_turn_of(row.connector, row.record_id)
    if tier != "Hot" or turns != row.hot_turn:
        return "not sent: the lead was no longer Hot when Slack could be reached"
    lead = d.leads.cached(row.connector, [row.record_id]).get(row.record_id)
    if lead is None:
        return "not sent: the lead is no longer in the CRM copy"
    values = d.store.last_pushed(row.connector, row.record_id) or {"Tier": "Hot"}
    message = build_message(hot_alert(lead, values, rules))
    line = owner_line(d, row)
    if line:
        message["blocks"].append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": line}]}
        )
        message["text"] += f" {line}"
    return message


def summarise_rules_turns(d: Daemon, connector: str, now: datetime) -> int:
    """Turn the Hot turns a rules change caused into one summary and one digest per owner (in
    one transaction with marking the turns summarised). Returns the turns summarised."""
    rows = d.outbox.awaiting_summary(connector)
    if not rows:
        return 0
    by_version: dict[str, list[OutboxRow]] = defaultdict(list)
    for row in rows:
        by_version[row.rules_version or ""].append(row)
    messages: list[dict[str, Any]] = []
    for key, turns in by_version.items():
        ids = [r.record_id for r in turns if r.record_id]
        leads = d.leads.cached(connector, ids)
        owners: dict[str, list[str]] = defaultdict(list)
        for record_id in ids:
            lead = leads.get(record_id)
            owner = (lead.owner if lead else None) or NO_OWNER
            name = record_id
            if lead is not None:
                attrs = lead.attributes
                name = str(attrs.get("contact_name") or attrs.get("name") or record_id)
                company = attrs.get("company") or attrs.get("company_name")
                if company:
                    name = f"{name} ({company})"
            owners[owner].append(name)
        tag = hashlib.sha256("\n".join(sorted(r.key for r in turns)).encode()).hexdigest()[:10]
        counts = Counter({o: len(n) for o, n in owners.items()})
        per_owner = ", ".join(f"{escape_mrkdwn(o)} {n}" for o, n in counts.most_common())
        version = escape_mrkdwn(_version(key))
        messages.append(
            {
                "key": f"{SUMMARY}:{connector}:{key}:{tag}",
                "connector": connector,
                "kind": SUMMARY,
                "rules_version": key,
                "payload": {
                    "text": f":bar_chart: Rules {version} are in force: {len(ids)} leads turned "
                    f"Hot because of the new rules (not alerted one by one). By owner: "
                    f"{per_owner}. Each owner's list follows."
                },
            }
        )
        for owner, names in sorted(owners.items()):
            shown = ", ".join(escape_mrkdwn(n) for n in names[:DIGEST_NAMES])
            more = f" and {len(names) - DIGEST_NAMES} more" if len(names) > DIGEST_NAMES else ""
            messages.append(
                {
                    "key": f"{DIGEST}:{connector}:{key}:{tag}:{owner}",
                    "connector": connector,
                    "kind": DIGEST,
                    "rules_version": key,
                    "payload": {
                        "text": f"Owner {escape_mrkdwn(owner)}: {len(names)} leads are now Hot "
                        f"under rules {version}: {shown}{more}."
                    },
                }
            )
    d.outbox.summarise([r.key for r in rows], messages, now)
    log.info("rules_turns_summarised", connector=connector, turns=len(rows), messages=len(messages))
    return len(rows)


def prune_history(d: Daemon) -> int:
    """Once a day, drop score history past ``history_retention_days`` (0 keeps it all)."""
    days = d.settings.daemon.history_retention_days
    now = d.clock()
    if days <= 0 or (d.pruned_at is not None and now - d.pruned_at < timedelta(days=1)):
        return 0
    d.pruned_at = now
    dropped = d.leads.prune_history(now - timedelta(days=days))
    if dropped:
        log.info("score_history_pruned", rows=dropped, retention_days=days)
    return dropped
