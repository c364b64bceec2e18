"""The Slack outbox: messages that must reach the channel exactly once, with their claims.

A row is written in the same transaction as the fact it announces (a lead's turn into Hot is
recorded with its row), so a crash can neither lose an alert nor invent one. Sending goes
pending -> claimed (committed before the post) -> sent. A claim that was never confirmed (the
process died, Slack timed out, the database dropped after the post) is resolved by the sender
looking for the message in the channel's history before it posts again (``service.alerts``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select, update

from connectors.base import batched
from service.state.bulk import upsert
from service.state.store import StateStore
from service.state.tables import outbox

HOT, SUMMARY, DIGEST = "hot", "summary", "digest"
PENDING, CLAIMED, SENT, SKIPPED, SUMMARISED = "pending", "claimed", "sent", "skipped", "summarised"
#: a turn caused by a rules change, waiting to be counted in that change's summary
AWAITING_SUMMARY = "awaiting_summary"
UNDELIVERED = (PENDING, CLAIMED)


def hot_key(connector: str, record_id: str, turn: int) -> str:
    """The outbox key of one turn into Hot (also the message metadata Slack keeps)."""
    return f"hot:{connector}:{record_id}:{turn}"


@dataclass(frozen=True)
class OutboxRow:
    key: str
    connector: str
    kind: str
    record_id: str | None
    hot_turn: int | None
    rules_version: str | None
    status: str
    payload: dict[str, Any]
    created_at: datetime
    claimed_at: datetime | None
    channel: str | None


def _row(r: Any) -> OutboxRow:
    return OutboxRow(
        r.key,
        r.connector,
        r.kind,
        r.record_id,
        r.hot_turn,
        r.rules_version,
        r.status,
        json.loads(r.payload_json) if r.payload_json else {},
        r.created_at,
        r.claimed_at,
        r.channel,
    )


def turn_rows(
    connector: str,
    turns: Iterable[tuple[str, int, str]],
    at: datetime,
    rules_version: str,
    quiet: str | None,
) -> list[dict[str, Any]]:
    """Outbox rows for turns into Hot, given as ``(record_id, turn, cause)`` with cause ``news``
    or ``rules`` (the rules changed under the lead): news is pending, a rules change awaits its
    summary, and everything is skipped (with ``quiet`` as the reason) when alerts are off."""
    rows = []
    for record_id, turn, cause in turns:
        status = SKIPPED if quiet else AWAITING_SUMMARY if cause == "rules" else PENDING
        rows.append(
            {
                "key": hot_key(connector, record_id, turn),
                "connector": connector,
                "kind": HOT,
                "record_id": record_id,
                "hot_turn": turn,
                "rules_version": rules_version,
                "status": status,
                "reason": quiet,
                "payload_json": None,
                "created_at": at,
                "claimed_at": None,
                "sent_at": None,
                "channel": None,
                "message_ts": None,
            }
        )
    return rows


class Outbox:
    """Reads and moves outbox rows in the state store."""

    def __init__(self, store: StateStore) -> None:
        self.engine = store.engine

    @staticmethod
    def add(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert rows inside the caller's transaction (the fact and its message commit as one),
        in bulk (a first pass records every Hot lead: a quarter of a million rows at 1M)."""
        if rows:
            upsert(conn, outbox, rows, (), update=False)

    def undelivered(self, connector: str) -> list[OutboxRow]:
        """Pending and claimed rows, oldest first."""
        c = outbox.c
        query = (
            select(outbox)
            .where(c.connector == connector, c.status.in_(UNDELIVERED))
            .order_by(c.created_at, c.key)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def awaiting_summary(self, connector: str) -> list[OutboxRow]:
        """Turns into Hot caused by a rules change, not yet counted in a summary."""
        c = outbox.c
        query = (
            select(outbox)
            .where(c.connector == connector, c.status == AWAITING_SUMMARY)
            .order_by(c.created_at, c.key)
        )
        with self.engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def summarise(
        self, keys: Sequence[str], messages: Sequence[Mapping[str, Any]], at: datetime
    ) -> None:
        """Mark the turns ``keys`` summarised and add the summary messages, in one transaction."""
        c = outbox.c
        with self.engine.begin() as conn:
            for chunk in batched(keys, 500):
                conn.execute(
                    update(outbox)
                    .where(c.key.in_(chunk), c.status == AWAITING_SUMMARY)
                    .values(status=SUMMARISED)
                )
            rows = [
                {
                    "key": m["key"],
                    "connector": m["connector"],
                    "kind": m["kind"],
                    "record_id": None,
                    "hot_turn": None,
                    "rules_version": m.get("rules_version"),
                    "status": PENDING,
                    "reason": None,
                    "payload_json": json.dumps(m["payload"], sort_keys=True),
                    "created_at": at,
                    "claimed_at": None,
                    "sent_at": None,
                    "channel": None,
                    "message_ts": None,
                }
                for m in messages
            ]
            existing = set(
                conn.execute(select(c.key).where(c.key.in_([r["key"] for r in rows]))).scalars()
            )
            self.add(conn, [r for r in rows if r["key"] not in existing])

    def _move(self, key: str, allowed: Sequence[str], **values: Any) -> bool:
        c = outbox.c
        with self.engine.begin() as conn:
            n = conn.execute(
                update(outbox).where(c.key == key, c.status.in_(allowed)).values(**values)
            ).rowcount
        return bool(n)

    def claim(self, key: str, at: datetime, channel: str | None) -> bool:
        """Mark the row as being sent (committed before the post); False when it is not
        pending or claimed any more."""
        return self._move(key, UNDELIVERED, status=CLAIMED, claimed_at=at, channel=channel)

    def confirm(self, key: str, at: datetime, channel: str | None, ts: str) -> bool:
        """The message is in the channel (posted now, or found in its history)."""
        return self._move(key, UNDELIVERED, status=SENT, sent_at=at, channel=channel, message_ts=ts)

    def release(self, key: str) -> bool:
        """Slack said for certain that it did not post: back to pending."""
        return self._move(key, (CLAIMED,), status=PENDING, claimed_at=None)

    def skip(self, key: str, at: datetime, reason: str) -> bool:
        """Not to be sent (the lead left Hot before Slack came back, ...)."""
        return self._move(key, UNDELIVERED, status=SKIPPED, sent_at=at, reason=reason)

    def counts(self, connector: str | None = None) -> dict[str, int]:
        """Rows per status (of one connector, or all)."""
        c = outbox.c
        query = select(c.status, func.count()).group_by(c.status)
        if connector is not None:
            query = query.where(c.connector == connector)
        with self.engine.connect() as conn:
            return {str(s): int(n) for s, n in conn.execute(query)}
