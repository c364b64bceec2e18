"""Pure functions between HubSpot payloads and leadscore records (tested on payload shapes).

HubSpot sends every property value as a string; numbers and datetimes are converted using the
property's declared type. Datetimes are ISO 8601 (``2024-03-01T00:00:00.000Z``) or epoch
milliseconds; filters take epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from connectors.base import (
    SCORE_FIELDS,
    Activity,
    CRMUser,
    DealRecord,
    LeadRecord,
    plain_value,
    score_field_name,
)

STYLE = "hubspot"
GROUP = "leadscore"
GROUP_LABEL = "Lead score (leadscore)"
#: activity object -> (kind, the property holding its time)
ACTIVITY_OBJECTS = {
    "emails": "email",
    "meetings": "meeting",
    "calls": "call",
    "notes": "note",
}
SCORE_PROPERTIES = {score_field_name(n, STYLE): n for n in SCORE_FIELDS}


def to_ms(value: datetime) -> str:
    """A datetime as the epoch-milliseconds string HubSpot filters take (naive = UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return str(int(aware.timestamp() * 1000))


def parse_datetime(value: Any) -> datetime | None:
    """HubSpot's ISO 8601 or epoch-ms text as an aware UTC datetime; empty -> None."""
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def convert(value: Any, hs_type: str | None) -> Any:
    """One property value from its string form, by the property's type."""
    if value is None or value == "":
        return None
    if hs_type == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value
        return int(number) if number.is_integer() else number
    if hs_type == "bool":
        return str(value).lower() == "true"
    if hs_type in ("datetime", "date"):
        try:
            return parse_datetime(value)
        except ValueError:
            return value
    return value


def score_value(logical: str, value: Any) -> str:
    """A score value as the string HubSpot stores (datetimes in epoch ms; None clears)."""
    value = plain_value(value)  # numpy scalars unwrapped, NaN as None
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_ms(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def property_definition(logical: str) -> dict[str, Any]:
    """The HubSpot property to create for a score field."""
    kind = SCORE_FIELDS[logical]
    base = {
        "name": score_field_name(logical, STYLE),
        "label": f"Lead score: {logical.replace('_', ' ').lower()}",
        "groupName": GROUP,
    }
    if kind == "number":
        return {**base, "type": "number", "fieldType": "number"}
    if kind == "datetime":
        return {**base, "type": "datetime", "fieldType": "date"}
    if kind.startswith("picklist:"):
        values = kind.split(":", 1)[1].split(",")
        options = [{"label": v, "value": v, "displayOrder": i} for i, v in enumerate(values)]
        return {**base, "type": "enumeration", "fieldType": "select", "options": options}
    field_type = "textarea" if kind == "textarea" else "text"
    return {**base, "type": "string", "fieldType": field_type}


def _attributes(
    props: Mapping[str, Any],
    fields: Mapping[str, str],
    types: Mapping[str, str],
    company: Mapping[str, Any] | None,
    company_types: Mapping[str, str],
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attribute, path in fields.items():
        if path.startswith("company."):
            name = path.split(".", 1)[1]
            out[attribute] = convert((company or {}).get(name), company_types.get(name))
        else:
            out[attribute] = convert(props.get(path), types.get(path))
    return out


def lead_from_contact(
    raw: Mapping[str, Any],
    fields: Mapping[str, str],
    types: Mapping[str, str],
    company: Mapping[str, Any] | None = None,
    company_types: Mapping[str, str] | None = None,
) -> LeadRecord:
    """A contact search result as a ``LeadRecord`` with the mapped attributes."""
    props = raw.get("properties") or {}
    current = {
        logical: convert(props.get(name), types.get(name))
        for name, logical in SCORE_PROPERTIES.items()
        if props.get(name) not in (None, "")
    }
    return LeadRecord(
        id=str(raw["id"]),
        object_type="contacts",
        modified_at=parse_datetime(props.get("lastmodifieddate") or raw.get("updatedAt")),
        attributes=_attributes(props, fields, types, company, company_types or {}),
        owner=props.get("hubspot_owner_id") or None,
        account_id=props.get("associatedcompanyid") or None,
        owner_id=props.get("hubspot_owner_id") or None,
        current_scores=current,
    )


def deal_from_payload(
    raw: Mapping[str, Any],
    fields: Mapping[str, str],
    types: Mapping[str, str],
    company: Mapping[str, Any] | None = None,
    company_types: Mapping[str, str] | None = None,
) -> DealRecord:
    """A closed deal search result as a ``DealRecord`` (won from ``hs_is_closed_won``)."""
    props = raw.get("properties") or {}
    return DealRecord(
        id=str(raw["id"]),
        won=str(props.get("hs_is_closed_won", "")).lower() == "true",
        closed_at=parse_datetime(props.get("closedate")),
        modified_at=parse_datetime(props.get("hs_lastmodifieddate") or raw.get("updatedAt")),
        attributes=_attributes(props, fields, types, company, company_types or {}),
    )


def activity_from_payload(
    raw: Mapping[str, Any], object_type: str, detail_property: str | None, lead_id: str | None
) -> Activity | None:
    """An engagement (email, meeting, call, note) as an ``Activity``; None without a timestamp."""
    props = raw.get("properties") or {}
    occurred = parse_datetime(props.get("hs_timestamp") or raw.get("createdAt"))
    if occurred is None:
        return None
    return Activity(
        id=f"{object_type}:{raw['id']}",
        kind=ACTIVITY_OBJECTS.get(object_type, object_type),
        occurred_at=occurred,
        lead_id=lead_id,
        detail=(props.get(detail_property) or None) if detail_property else None,
        rep_id=props.get("hubspot_owner_id") or None,
    )


def user_from_owner(raw: Mapping[str, Any]) -> CRMUser:
    """An owner from ``/crm/v3/owners`` as a ``CRMUser``. Its ``id`` (not ``userId``) is what
    ``hubspot_owner_id`` holds; an archived owner is inactive; HubSpot records no manager."""
    name = " ".join(p for p in (raw.get("firstName"), raw.get("lastName")) if p)
    return CRMUser(
        id=str(raw["id"]),
        name=name or str(raw.get("email") or raw["id"]),
        email=raw.get("email") or None,
        manager_id=None,
        active=not raw.get("archived", False),
    )


def score_field_name_for(logical: str) -> str:
    """``Total`` -> ``lead_score_total``."""
    return score_field_name(logical, STYLE)
