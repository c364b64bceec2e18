"""Pure functions from Salesforce query payloads to the connector records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from connectors.base import (
    SCORE_FIELDS,
    Activity,
    CRMUser,
    DealRecord,
    LeadRecord,
    score_field_name,
)
from connectors.mapping import ObjectMapping

#: fields every read selects besides the mapped ones, per object
CORE_FIELDS: dict[str, tuple[str, ...]] = {
    "Opportunity": ("Id", "IsWon", "CloseDate", "SystemModstamp"),
    "Lead": ("Id", "OwnerId", "Owner.Name", "SystemModstamp"),
    "Contact": ("Id", "OwnerId", "Owner.Name", "AccountId", "SystemModstamp"),
    "Task": (
        "Id",
        "WhoId",
        "OwnerId",
        "AccountId",
        "CreatedDate",
        "CompletedDateTime",
        "SystemModstamp",
    ),
    "Event": (
        "Id",
        "WhoId",
        "OwnerId",
        "AccountId",
        "ActivityDateTime",
        "CreatedDate",
        "SystemModstamp",
    ),
}
#: the User fields ``iter_users`` reads
USER_FIELDS = ("Id", "Name", "Email", "ManagerId", "IsActive", "SystemModstamp")
#: key prefix of a User id: an owner that is a queue (``00G``, a Group) is no rep
USER_PREFIX = "005"


def parse_datetime(value: Any) -> datetime | None:
    """Salesforce ``2024-07-01T09:30:00.000+0000`` or a ``2024-07-01`` date -> aware UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    if len(text) == 10:
        d = date.fromisoformat(text)
        return datetime(d.year, d.month, d.day, tzinfo=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def get_path(payload: Mapping[str, Any], path: str) -> Any:
    """``Account.Industry`` from ``{"Account": {"Industry": ...}}``; None along a null lookup."""
    value: Any = payload
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def attributes(payload: Mapping[str, Any], mapping: ObjectMapping | None) -> dict[str, Any]:
    if mapping is None:
        return {}
    return {name: get_path(payload, path) for name, path in mapping.fields.items()}


def deal_from_payload(payload: Mapping[str, Any], mapping: ObjectMapping | None) -> DealRecord:
    """A closed Opportunity -> ``DealRecord`` (won = IsWon)."""
    return DealRecord(
        id=payload["Id"],
        won=bool(payload.get("IsWon")),
        closed_at=parse_datetime(payload.get("CloseDate")),
        modified_at=parse_datetime(payload.get("SystemModstamp")),
        attributes=attributes(payload, mapping),
    )


def lead_from_payload(
    payload: Mapping[str, Any], mapping: ObjectMapping | None, object_type: str
) -> LeadRecord:
    """A Lead or Contact -> ``LeadRecord`` with its owner and the score fields it holds now.
    ``owner_id`` is the owning user; a Lead waiting in a queue (owned by a Group) has none:
    no rep owns it yet, so routing may assign it."""
    scores = {
        logical: payload[score_field_name(logical, "salesforce")]
        for logical in SCORE_FIELDS
        if score_field_name(logical, "salesforce") in payload
    }
    return LeadRecord(
        id=payload["Id"],
        object_type=object_type,
        modified_at=parse_datetime(payload.get("SystemModstamp")),
        attributes=attributes(payload, mapping),
        owner=get_path(payload, "Owner.Name") or payload.get("OwnerId"),
        account_id=payload.get("AccountId"),
        owner_id=rep_of(payload.get("OwnerId")),
        current_scores=scores,
    )


def activity_from_payload(
    payload: Mapping[str, Any], mapping: ObjectMapping | None, object_type: str
) -> Activity:
    """A Task or Event -> ``Activity``; ``kind`` comes from the mapping (default: the object)."""
    attrs = attributes(payload, mapping)
    occurred = (
        payload.get("CompletedDateTime")
        or payload.get("ActivityDateTime")
        or payload.get("CreatedDate")
    )
    when = parse_datetime(occurred) or parse_datetime(payload.get("SystemModstamp"))
    assert when is not None, f"{object_type} {payload.get('Id')} has no timestamp"
    kind = attrs.get("kind") or object_type
    return Activity(
        id=payload["Id"],
        kind=str(kind).lower(),
        occurred_at=when,
        lead_id=payload.get("WhoId"),
        account_id=payload.get("AccountId"),
        detail=attrs.get("detail"),
        rep_id=rep_of(payload.get("OwnerId")),
    )


def rep_of(owner_id: Any) -> str | None:
    """The user behind an ``OwnerId`` (a Task's or Event's rep, a lead's owner); ``None`` for a
    queue, which is a Group and no rep."""
    text = str(owner_id or "")
    return text if text.startswith(USER_PREFIX) else None


def user_from_payload(payload: Mapping[str, Any]) -> CRMUser:
    """A ``User`` row -> ``CRMUser`` (``ManagerId`` is the manager's user id)."""
    return CRMUser(
        id=str(payload["Id"]),
        name=str(payload.get("Name") or payload["Id"]),
        email=payload.get("Email") or None,
        manager_id=payload.get("ManagerId") or None,
        active=bool(payload.get("IsActive")),
    )
