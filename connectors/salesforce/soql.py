"""SOQL built only from field names checked against describe, with every value escaped.

Nothing from data or configuration is pasted into a query unchecked: field names must be API
names that describe lists (following one relationship, ``Account.Industry``), operators come from
a fixed set, and values go through ``literal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote_plus

from service.errors import MissingFieldError

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">=", "IN"})
_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}


@dataclass(frozen=True)
class ObjectInfo:
    """What describe says about one object: its field names and relationships."""

    name: str
    fields: frozenset[str]
    #: relationshipName -> the object it points to (``Account`` -> ``Account``, ``Owner`` -> ``User``)
    relationships: Mapping[str, str] = field(default_factory=dict)
    #: relationshipName -> every object it may point to (a polymorphic ``Owner``: Group, User)
    targets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_describe(cls, payload: Mapping[str, Any]) -> ObjectInfo:
        fields = payload.get("fields") or []
        targets = {
            f["relationshipName"]: tuple(f["referenceTo"])
            for f in fields
            if f.get("relationshipName") and f.get("referenceTo")
        }
        rels = {rel: objs[0] for rel, objs in targets.items()}
        return cls(payload["name"], frozenset(f["name"] for f in fields), rels, targets)

    @classmethod
    def union(cls, infos: Sequence[ObjectInfo]) -> ObjectInfo:
        """The fields any of ``infos`` has: what a polymorphic lookup can reach."""
        names = "/".join(i.name for i in infos)
        return cls(names, frozenset().union(*(i.fields for i in infos)))


def literal(value: Any) -> str:
    """A SOQL literal: strings quoted and escaped, datetimes in UTC, booleans and null bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"cannot put {value!r} into a SOQL query")
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"datetime {value.isoformat()} has no time zone; use an aware one")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + "".join(_ESCAPES.get(c, c) for c in value) + "'"
    raise TypeError(f"cannot put a {type(value).__name__} into a SOQL query")


def check_field(path: str, obj: ObjectInfo, related: Mapping[str, ObjectInfo]) -> None:
    """Raise ``MissingFieldError`` unless ``path`` is a field of ``obj`` (or of one relation)."""
    parts = path.split(".")
    if len(parts) > 2 or not all(NAME.match(p) for p in parts):
        raise MissingFieldError(f"{obj.name}: {path!r} is not a Salesforce field name")
    if len(parts) == 1:
        if path not in obj.fields:
            raise MissingFieldError(f"{obj.name} has no field {path!r}")
        return
    rel, name = parts
    target = obj.relationships.get(rel)
    if target is None:
        raise MissingFieldError(f"{obj.name} has no relationship {rel!r} (in {path!r})")
    info = related.get(rel)
    if info is None or name not in info.fields:
        raise MissingFieldError(f"{target} (via {obj.name}.{rel}) has no field {name!r}")


def select(
    obj: ObjectInfo,
    fields: Sequence[str],
    *,
    related: Mapping[str, ObjectInfo] | None = None,
    where: Sequence[tuple[str, str, Any]] = (),
    order_by: Sequence[str] = (),
) -> str:
    """``SELECT ... FROM obj WHERE ... ORDER BY ...`` with every name checked and value escaped."""
    related = related or {}
    names = list(dict.fromkeys(fields))  # keep order, drop repeats
    for name in [*names, *(w[0] for w in where), *order_by]:
        check_field(name, obj, related)
    parts = [f"SELECT {', '.join(names)} FROM {obj.name}"]
    if where:
        conditions = []
        for name, op, value in where:
            if op not in OPERATORS:
                raise ValueError(f"operator {op!r} is not one of {sorted(OPERATORS)}")
            if op == "IN":
                values = list(value)
                if not values:
                    raise ValueError(f"{name} IN needs at least one value")
                conditions.append(f"{name} IN ({', '.join(literal(v) for v in values)})")
            else:
                conditions.append(f"{name} {op} {literal(value)}")
        parts.append("WHERE " + " AND ".join(conditions))
    if order_by:
        parts.append("ORDER BY " + ", ".join(order_by))
    return " ".join(parts)


def id_chunks(values: Sequence[str], budget: int) -> Iterator[list[str]]:
    """``values`` in chunks whose ``IN (...)`` list, URL-encoded as a query string encodes it,
    takes at most ``budget`` characters (at least one value a chunk)."""
    chunk: list[str] = []
    size = 0
    for value in values:
        n = len(quote_plus(literal(value) + ", "))
        if chunk and size + n > budget:
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += n
    if chunk:
        yield chunk
