"""A fake HubSpot CRM API on 127.0.0.1 for hubspot-api-client, and the connector benchmark.

Stateful: contacts, companies, deals and engagements with string properties, v4 associations,
property definitions and groups. It checks the bearer token, enforces the search limits (200 a
page, results past ``search_cap`` answered 400 as HubSpot does at 10,000), applies batch updates
of at most 100 records and answers 207 with per-record errors for rejected ids.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from connectors.base import SCORE_FIELDS
from connectors.hubspot import records as rec
from tests.fakes.base import FakeServer, Request, Response

TOKEN = "pat-na1-fake-0000-secret"
_OBJ = re.compile(r"^/crm/v3/objects/(?P<type>\w+)(?P<rest>/.*)?$")
_PROPS = re.compile(r"^/crm/v3/properties/(?P<type>\w+)(?P<groups>/groups)?$")
_ASSOC = re.compile(r"^/crm/v4/associations/(?P<src>\w+)/(?P<dst>\w+)/batch/read$")
_OWNERS = re.compile(r"^/crm/v3/owners/?$")
_BASE_PROPERTIES = {
    "contacts": {
        "email": "string",
        "firstname": "string",
        "lastname": "string",
        "company": "string",
        "industry": "string",
        "numemployees": "number",
        "annualrevenue": "number",
        "country": "string",
        "state": "string",
        "hs_analytics_source": "enumeration",
        "lastmodifieddate": "datetime",
        "hs_object_id": "number",
        "associatedcompanyid": "number",
        "hubspot_owner_id": "enumeration",
        "lifecyclestage": "enumeration",
        "hs_merged_object_ids": "enumeration",
    },
    "companies": {
        "name": "string",
        "industry": "enumeration",
        "numberofemployees": "number",
        "annualrevenue": "number",
        "country": "string",
        "state": "string",
        "hs_analytics_source": "enumeration",
        "hs_lastmodifieddate": "datetime",
        "hs_object_id": "number",
    },
    "deals": {
        "dealname": "string",
        "amount": "number",
        "closedate": "datetime",
        "hs_is_closed": "bool",
        "hs_is_closed_won": "bool",
        "hs_lastmodifieddate": "datetime",
        "hs_object_id": "number",
    },
}
for _activity in rec.ACTIVITY_OBJECTS:
    _BASE_PROPERTIES[_activity] = {
        "hs_timestamp": "datetime",
        "hs_lastmodifieddate": "datetime",
        "hs_object_id": "number",
        "hs_email_subject": "string",
        "hs_meeting_title": "string",
        "hs_call_title": "string",
        "hubspot_owner_id": "enumeration",
    }


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _num(value: Any) -> float | None:
    """A property or filter value as a number (datetimes as epoch ms) for comparisons."""
    if value in (None, ""):
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = rec.parse_datetime(value)
    return None if parsed is None else parsed.timestamp() * 1000


def _matches(props: dict[str, Any], flt: dict[str, Any]) -> bool:
    value, op, target = props.get(flt["propertyName"]), flt["operator"], flt.get("value")
    if op == "EQ":
        return str(value).lower() == str(target).lower()
    if op == "NEQ":
        return str(value).lower() != str(target).lower()
    if op == "HAS_PROPERTY":
        return value not in (None, "")
    if op == "IN":
        return str(value).lower() in [str(v).lower() for v in flt.get("values") or []]
    a, b = _num(value), _num(target)
    if a is None or b is None:
        return False
    return {"GT": a > b, "GTE": a >= b, "LT": a < b, "LTE": a <= b}[op]


class FakeHubSpot(FakeServer):
    """The fake HubSpot server; ``FakeControl`` plus a few HubSpot-specific knobs."""

    def __init__(self, token: str = TOKEN, search_cap: int = 10_000) -> None:
        super().__init__()
        self.token = token
        self.search_cap = search_cap
        self.daily_limit = 250_000
        self.reset()

    # -- state ---------------------------------------------------------------------------------
    def reset(self) -> None:
        with self.lock:
            self.reset_controls()
            self.objects: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in _BASE_PROPERTIES}
            self.properties = {
                t: {n: {"name": n, "type": k} for n, k in props.items()}
                for t, props in _BASE_PROPERTIES.items()
            }
            for logical in SCORE_FIELDS:
                definition = rec.property_definition(logical)
                self.properties["contacts"][definition["name"]] = definition
            self.groups: dict[str, set[str]] = {"contacts": {"contactinformation", rec.GROUP}}
            self.associations: dict[tuple[str, str], dict[str, list[str]]] = {}
            self.rejected: dict[str, str] = {}
            self.writes: Counter[str] = Counter()
            #: writes that set a record's ``hubspot_owner_id``, per record
            self.owner_writes: Counter[str] = Counter()
            self._ids = itertools.count(1001)
            self.archived: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in _BASE_PROPERTIES}
            #: HubSpot's portal limit: at most this many requests per rolling 10 s (None: off)
            self.portal_limit: int | None = None
            self._stamps: list[float] = []
            self.portal_clock: Any = None  # default time.monotonic
            #: what "now" is for writes (a write moves ``lastmodifieddate``, as HubSpot does)
            self.clock = lambda: datetime.now(UTC)
            #: owners by owner id; each has a distinct ``userId`` HubSpot refuses as an owner
            self.owners: dict[str, dict[str, Any]] = {}
            self._owner_ids = itertools.count(41_629_001)

    def _add(self, object_type: str, props: dict[str, Any], at: datetime | None) -> str:
        rid = str(next(self._ids))
        stamp = _iso(at or datetime.now(UTC))
        modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        properties = {k: None if v is None else str(v) for k, v in props.items()}
        properties.update({"hs_object_id": rid, modified: stamp})
        self.objects[object_type][rid] = {
            "id": rid,
            "properties": properties,
            "createdAt": stamp,
            "updatedAt": stamp,
            "archived": False,
        }
        return rid

    def _associate(self, src: str, src_id: str, dst: str, dst_id: str) -> None:
        self.associations.setdefault((src, dst), {}).setdefault(src_id, []).append(dst_id)
        self.associations.setdefault((dst, src), {}).setdefault(dst_id, []).append(src_id)

    def add_company(self, **props: Any) -> str:
        with self.lock:
            return self._add("companies", props, None)

    def add_leads(
        self, n: int, *, modified_at: datetime | None = None, attributes: dict | None = None
    ) -> list[str]:
        attrs = {"industry": "Software", "numemployees": 250, "country": "US", **(attributes or {})}
        with self.lock:
            return [
                self._add("contacts", {"email": f"lead{i}@example.com", **attrs}, modified_at)
                for i in range(n)
            ]

    def add_deals(
        self,
        n_won: int,
        n_lost: int,
        *,
        modified_at: datetime | None = None,
        company_id: str | None = None,
    ) -> list[str]:
        at = modified_at or datetime.now(UTC)
        with self.lock:
            ids = []
            for k in range(n_won + n_lost):
                won = k < n_won
                rid = self._add(
                    "deals",
                    {
                        "amount": 12000,
                        "closedate": _iso(at),
                        "hs_is_closed": "true",
                        "hs_is_closed_won": "true" if won else "false",
                    },
                    at,
                )
                if company_id:
                    self._associate("deals", rid, "companies", company_id)
                ids.append(rid)
            return ids

    def add_open_deal(self) -> str:
        with self.lock:
            return self._add("deals", {"hs_is_closed": "false", "hs_is_closed_won": "false"}, None)

    def add_activities(
        self,
        lead_id: str,
        n: int,
        *,
        occurred_at: datetime | None = None,
        object_type: str = "emails",
        rep_id: str | None = None,
    ) -> list[str]:
        """``n`` engagements on the contact; with ``rep_id`` the owner who logged them."""
        at = occurred_at or datetime.now(UTC)
        with self.lock:
            ids = []
            for i in range(n):
                props = {"hs_timestamp": _iso(at), "hs_email_subject": f"Hello {i}"}
                if rep_id is not None:
                    props["hubspot_owner_id"] = rep_id
                rid = self._add(object_type, props, at)
                self._associate(object_type, rid, "contacts", lead_id)
                ids.append(f"{object_type}:{rid}")
            return ids

    def add_user(
        self,
        name: str,
        email: str | None = None,
        *,
        manager_id: str | None = None,
        active: bool = True,
    ) -> str:
        """An owner (a HubSpot user who can own records); returns the owner ``id``. HubSpot
        records no manager (``manager_id`` is ignored); an inactive user is an archived owner."""
        first, _, last = name.partition(" ")
        with self.lock:
            oid = str(next(self._owner_ids))
            stamp = _iso(self.clock())
            self.owners[oid] = {
                "id": oid,
                "email": email,
                "type": "PERSON",
                "firstName": first,
                "lastName": last,
                "userId": int(oid) - 32_000_000,
                "userIdIncludingInactive": int(oid) - 32_000_000,
                "createdAt": stamp,
                "updatedAt": stamp,
                "archived": not active,
                "teams": [],
            }
            return oid

    def owner_of(self, record_id: str) -> str | None:
        """The contact's ``hubspot_owner_id`` as HubSpot holds it now."""
        with self.lock:
            value = self.objects["contacts"][record_id]["properties"].get("hubspot_owner_id")
            return value or None

    def set_owner(self, record_id: str, owner_id: str | None) -> None:
        """A person gives the contact to ``owner_id`` (``None``: no owner)."""
        self.touch(record_id, self.clock(), hubspot_owner_id=owner_id or "")

    def reject_records(self, ids: Iterable[str], reason: str) -> None:
        with self.lock:
            self.rejected.update(dict.fromkeys(ids, reason))

    def touch(self, record_id: str, at: datetime, **props: Any) -> None:
        """Change a contact as a person would (``lastmodifieddate`` moves to ``at``)."""
        with self.lock:
            record = self.objects["contacts"][record_id]
            record["properties"].update({k: str(v) for k, v in props.items()})
            record["properties"]["lastmodifieddate"] = _iso(at)
            record["updatedAt"] = _iso(at)

    def change_lead(self, record_id: str, attributes: dict, *, at: datetime) -> None:
        """Edit a contact's properties (``add_leads`` names them) as a person would."""
        self.touch(record_id, at, **attributes)

    def unknown_lead_id(self) -> str:
        return "999999999"

    def archive(self, record_id: str, at: datetime) -> None:
        """Delete a contact: gone from search, listed with ``archived=true``."""
        with self.lock:
            record = self.objects["contacts"].pop(record_id)
            record.update(archived=True, archivedAt=_iso(at))
            self.archived["contacts"][record_id] = record

    def merge(self, winner: str, loser: str, at: datetime) -> None:
        """Merge ``loser`` into ``winner``: the loser disappears, the winner lists it."""
        with self.lock:
            self.objects["contacts"].pop(loser)
            props = self.objects["contacts"][winner]["properties"]
            merged = [m for m in (props.get("hs_merged_object_ids") or "").split(";") if m]
            props["hs_merged_object_ids"] = ";".join([*merged, loser])
        self.touch(winner, at)

    def remove_field(self, logical: str) -> None:
        with self.lock:
            self.properties["contacts"].pop(rec.score_field_name_for(logical), None)

    def score_of(self, record_id: str, logical: str) -> Any:
        with self.lock:
            props = self.objects["contacts"][record_id]["properties"]
            return props.get(rec.score_field_name_for(logical))

    def writes_of(self, record_id: str) -> int:
        with self.lock:
            return self.writes[record_id]

    def owner_writes_of(self, record_id: str) -> int:
        """How many writes set this contact's ``hubspot_owner_id``."""
        with self.lock:
            return self.owner_writes[record_id]

    # -- HTTP ----------------------------------------------------------------------------------
    def error_response(self, status: int, headers: dict[str, str]) -> Response:
        body: dict[str, Any] = {
            "status": "error",
            "message": f"injected {status}",
            "correlationId": "fake",
        }
        if status == 429:
            body.update(
                errorType="RATE_LIMIT",
                policyName="TEN_SECONDLY_ROLLING",
                message="You have reached your ten_secondly_rolling limit.",
            )
        return Response.json(body, status, headers)

    def _rate_limited(self) -> Response | None:
        if self.portal_limit is None:
            return None
        import time

        now = (self.portal_clock or time.monotonic)()
        self._stamps = [t for t in self._stamps if t > now - 10.0]
        if len(self._stamps) >= self.portal_limit:
            return self.error_response(
                429,
                {
                    "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                    "X-HubSpot-RateLimit-Max": str(self.portal_limit),
                    "X-HubSpot-RateLimit-Remaining": "0",
                },
            )
        self._stamps.append(now)
        return None

    def route(self, request: Request) -> Response:
        limited = self._rate_limited()
        if limited is not None:
            return limited
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response.json(
                {
                    "status": "error",
                    "category": "INVALID_AUTHENTICATION",
                    "message": "Authentication credentials not found.",
                },
                401,
            )
        if m := _OBJ.match(request.path):
            rest, object_type = m["rest"] or "", m["type"]
            if object_type not in self.objects:
                return Response.json(
                    {"status": "error", "message": f"Unknown object {object_type}"}, 404
                )
            if rest == "/search" and request.method == "POST":
                return self._search(object_type, request.json())
            if rest == "/batch/update" and request.method == "POST":
                return self._batch_update(object_type, request.json())
            if rest == "/batch/read" and request.method == "POST":
                return self._batch_read(object_type, request.json())
            if rest == "" and request.method == "GET":
                limit = min(100, int(request.query.get("limit", ["10"])[0]))
                archived = request.query.get("archived", ["false"])[0].lower() == "true"
                source = self.archived if archived else self.objects
                rows = sorted(source[object_type].values(), key=lambda r: int(r["id"]))
                after = int(request.query.get("after", ["0"])[0] or 0)
                page = [r for r in rows if int(r["id"]) > after][:limit]
                payload: dict[str, Any] = {"results": page}
                if len(page) == limit and rows and page[-1] is not rows[-1]:
                    payload["paging"] = {"next": {"after": page[-1]["id"]}}
                return Response.json(payload)
        if _OWNERS.match(request.path) and request.method == "GET":
            return self._owners(request.query)
        if request.path == "/account-info/v3/api-usage/daily/private-apps":
            return Response.json(
                {
                    "results": [
                        {
                            "name": "private-apps-api-calls-daily",
                            "usageLimit": self.daily_limit,
                            "currentUsage": self.count(),
                            "fetchStatus": "SUCCESS",
                        }
                    ]
                }
            )
        if (m := _PROPS.match(request.path)) and m["type"] in self.properties:
            return self._properties(m["type"], bool(m["groups"]), request)
        if (m := _ASSOC.match(request.path)) and request.method == "POST":
            links = self.associations.get((m["src"], m["dst"]), {})
            results = [
                {
                    "from": {"id": i["id"]},
                    "to": [{"toObjectId": int(t), "associationTypes": []} for t in links[i["id"]]],
                }
                for i in request.json()["inputs"]
                if i["id"] in links
            ]
            return Response.json({"status": "COMPLETE", "results": results})
        return Response.json(
            {"status": "error", "message": f"no route {request.method} {request.path}"}, 404
        )

    def _search(self, object_type: str, body: dict[str, Any]) -> Response:
        limit, after = int(body.get("limit", 10)), int(body.get("after") or 0)
        if limit > 200:
            return Response.json(
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "limit must be at most 200",
                },
                400,
            )
        if after + limit > self.search_cap:
            return Response.json(
                {
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": f"Search can page through at most {self.search_cap} results",
                },
                400,
            )
        groups = body.get("filterGroups") or []
        rows = [
            r
            for r in self.objects[object_type].values()
            if not groups
            or any(all(_matches(r["properties"], f) for f in g["filters"]) for g in groups)
        ]
        for sort in reversed(body.get("sorts") or []):
            key = sort["propertyName"]
            rows.sort(
                key=lambda r, k=key: _num(r["properties"].get(k)) or 0,
                reverse=sort.get("direction") == "DESCENDING",
            )
        wanted = body.get("properties") or []
        page = [
            {
                **r,
                "properties": {
                    k: r["properties"].get(k)
                    for k in wanted
                    if k in r["properties"] or k in self.properties[object_type]
                },
            }
            for r in rows[after : after + limit]
        ]
        payload: dict[str, Any] = {"total": len(rows), "results": page}
        if after + limit < len(rows):
            payload["paging"] = {"next": {"after": str(after + limit)}}
        return Response.json(payload)

    def _owners(self, query: dict[str, list[str]]) -> Response:
        """``GET /crm/v3/owners/``: ``limit`` (at most 500), ``after``, ``email``, ``archived``
        (true lists only the archived owners), ordered by id, paged with ``after``."""
        limit = int(query.get("limit", ["100"])[0])
        if not 1 <= limit <= 500:
            return self._invalid("limit must be between 1 and 500")
        archived = query.get("archived", ["false"])[0].lower() == "true"
        email = query.get("email", [None])[0]
        rows = [
            o
            for o in sorted(self.owners.values(), key=lambda o: int(o["id"]))
            if o["archived"] == archived and (email is None or o["email"] == email)
        ]
        after = query.get("after", [None])[0]
        start = (
            0
            if after is None
            else next((k + 1 for k, o in enumerate(rows) if o["id"] == after), len(rows))
        )
        page = rows[start : start + limit]
        payload: dict[str, Any] = {"results": page}
        if start + limit < len(rows):
            payload["paging"] = {"next": {"after": page[-1]["id"], "link": "?after="}}
        return Response.json(payload)

    def _batch_read(self, object_type: str, body: dict[str, Any]) -> Response:
        """At most 100 inputs; ids HubSpot cannot find (archived, merged away, unknown) are
        named in a 207's ``errors`` beside the records it found."""
        inputs = body.get("inputs") or []
        if len(inputs) > 100:
            return self._invalid("Batch size must be at most 100")
        wanted = body.get("properties") or []
        results, missing = [], []
        for item in inputs:
            r = self.objects[object_type].get(str(item["id"]))
            if r is None:
                missing.append(str(item["id"]))
                continue
            results.append({**r, "properties": {k: r["properties"].get(k) for k in wanted}})
        payload: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if missing:
            payload.update(
                numErrors=1,
                errors=[
                    {
                        "status": "error",
                        "category": "OBJECT_NOT_FOUND",
                        "message": "Could not get some CONTACT objects, they may be deleted or "
                        "not exist. Check that ids are valid.",
                        "context": {"ids": missing},
                    }
                ],
            )
            return Response.json(payload, 207)
        return Response.json(payload)

    def _batch_update(self, object_type: str, body: dict[str, Any]) -> Response:
        """At most 100 inputs. The whole batch is refused (400) for an id given twice, a
        property that does not exist, or a value outside an enumeration's options, as HubSpot
        does; a record that does not exist or is rejected is reported per record (207)."""
        inputs = body.get("inputs") or []
        if len(inputs) > 100:
            return self._invalid("Batch size must be at most 100")
        ids = [str(item["id"]) for item in inputs]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            return self._invalid(f"Duplicate IDs found in batch input: {twice}. IDs must be unique")
        known = self.properties[object_type]
        for item in inputs:
            for name, value in item["properties"].items():
                definition = known.get(name)
                if definition is None:
                    return self._invalid(f'Property values were not valid: "{name}" does not exist')
                options = [o["value"] for o in definition.get("options") or []]
                if name == "hubspot_owner_id":  # its options are the active owners' ids
                    options = [o for o, v in self.owners.items() if not v["archived"]]
                    options = options or ["(no owners)"]
                if options and value not in options and value != "":
                    return self._invalid(
                        f"Property values were not valid: {value!r} was not one of the allowed "
                        f"options for {name} (record {item['id']})"
                    )
        results, errors = [], []
        stamp = _iso(self.clock())
        for item in inputs:
            rid = str(item["id"])
            record = self.objects[object_type].get(rid)
            problem = None
            if record is None:
                problem = (
                    "OBJECT_NOT_FOUND",
                    f"Object not found. objectId are usually numeric. {rid}",
                )
            elif rid in self.rejected:
                problem = ("VALIDATION_ERROR", self.rejected[rid])
            if problem:
                errors.append(
                    {
                        "status": "error",
                        "category": problem[0],
                        "message": problem[1],
                        "context": {"ids": [rid]},
                    }
                )
                continue
            assert record is not None
            record["properties"].update(item["properties"])
            modified = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
            record["properties"][modified] = stamp
            record["updatedAt"] = stamp
            self.writes[rid] += 1
            if "hubspot_owner_id" in item["properties"]:
                self.owner_writes[rid] += 1
            results.append(record)
        payload: dict[str, Any] = {"status": "COMPLETE", "results": results}
        if errors:
            payload.update(errors=errors, numErrors=len(errors))
            return Response.json(payload, 207)
        return Response.json(payload)

    @staticmethod
    def _invalid(message: str) -> Response:
        return Response.json(
            {"status": "error", "category": "VALIDATION_ERROR", "message": message}, 400
        )

    def _properties(self, object_type: str, groups: bool, request: Request) -> Response:
        if groups and request.method == "GET":
            return Response.json(
                {"results": [{"name": g} for g in sorted(self.groups.get(object_type, set()))]}
            )
        if groups and request.method == "POST":
            name = request.json()["name"]
            if name in self.groups.setdefault(object_type, set()):
                return Response.json({"status": "error", "message": "group exists"}, 409)
            self.groups[object_type].add(name)
            return Response.json(request.json(), 201)
        if request.method == "GET":
            return Response.json({"results": list(self.properties[object_type].values())})
        if request.method == "POST":
            definition = request.json()
            if definition.get("groupName") not in self.groups.get(object_type, set()):
                return Response.json({"status": "error", "message": "group does not exist"}, 400)
            if definition["name"] in self.properties[object_type]:
                return Response.json({"status": "error", "message": "property exists"}, 409)
            self.properties[object_type][definition["name"]] = definition
            return Response.json(definition, 201)
        return Response.json({"status": "error", "message": "method not allowed"}, 405)


def benchmark_hubspot(leads: int = 10_000, changed: int = 2_000) -> dict[str, Any]:
    """Pull ``leads`` contacts and write ``changed`` scores against the fake; count the calls.

    The rate limiter runs on a virtual clock, so the wait HubSpot's limits would impose is
    reported (``rate_limit_wait_seconds``) without being slept through.
    """
    import math
    import os
    import time

    from connectors.base import ScoreUpdate
    from connectors.hubspot import HubSpotConnector
    from service.settings import RetrySettings

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    virtual = [0.0]

    def rate_sleep(seconds: float) -> None:
        virtual[0] += seconds

    fake = FakeHubSpot().start()
    try:
        ids = fake.add_leads(leads)
        connector = HubSpotConnector(
            TOKEN,
            host=fake.url,
            retry=RetrySettings(attempts=1),
            clock=lambda: virtual[0],
            rate_sleep=rate_sleep,
        )
        start = time.perf_counter()
        pulled = sum(1 for _ in connector.iter_leads())
        pull_calls = fake.count()
        pull_seconds = time.perf_counter() - start
        updates = [ScoreUpdate(i, "contacts", {"Total": 50, "Tier": "Warm"}) for i in ids[:changed]]
        start = time.perf_counter()
        result = connector.write_scores(updates)
        write_seconds = time.perf_counter() - start
        write_calls = fake.count() - pull_calls
        assert pulled == leads and len(result.written) == changed
        assert all(fake.writes_of(i) == 1 for i in ids[:changed])
    finally:
        fake.stop()
    return {
        "crm": "hubspot",
        "pull_calls": pull_calls,
        "pull_min": math.ceil(leads / 200),
        "write_calls": write_calls,
        "write_min": math.ceil(changed / 100),
        "seconds": pull_seconds + write_seconds,
        "rate_limit_wait_seconds": round(connector.limiter.waited, 1),
    }
