"""``HubSpotConnector``: contacts, closed deals and engagements in; score properties out.

Reads use the search API with a keyset on ``hs_object_id`` (sort ascending, filter ``GT`` the
last id seen) and never the ``after`` cursor, so they page past the 10,000-result search cap at
one request per ``page_size`` (200) records. Writes use batch update, 100 a request; a 207 is
read record by record and a record HubSpot does not confirm is never counted as written. Every
request passes a client-side rate limiter and the shared retry policy; the library's own urllib3
retries are switched off so the policy lives in one place.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

import structlog
import urllib3
from hubspot import HubSpot
from pydantic import SecretStr

from connectors.base import (
    Activity,
    BatchCallback,
    CRMConnector,
    CRMUser,
    DealRecord,
    LeadRecord,
    OwnerAssignment,
    Retired,
    ScoreUpdate,
    WriteResult,
    batched,
)
from connectors.hubspot import records as rec
from connectors.hubspot.owners import OwnerUpdate, iter_owners
from connectors.hubspot.ratelimit import RateLimiter
from connectors.hubspot.usage import daily_usage
from connectors.hubspot.writer import BatchWriter, owner_properties, read_batch_response
from connectors.mapping import FieldMapping, ObjectMapping, default_mapping
from connectors.retry import classify_status, retry_policy, transport_error
from service import redact
from service.errors import (
    ConfigError,
    ConnectorError,
)
from service.settings import RetrySettings, Settings

log = structlog.get_logger(__name__)
SERVICE = "HubSpot"
_CONTACT_PROPS = [
    "lastmodifieddate",
    "hs_object_id",
    "associatedcompanyid",
    "hubspot_owner_id",
    "lifecyclestage",
    "hs_merged_object_ids",
]
_DEAL_PROPS = ["hs_is_closed_won", "closedate", "hs_lastmodifieddate", "hs_object_id"]


def _error_message(body: Any) -> str:
    """The ``message`` of a HubSpot error body (never headers, never the request)."""
    try:
        data = json.loads(body or b"{}")
    except (TypeError, ValueError):
        return ""
    return str(data.get("message", "")) if isinstance(data, dict) else ""


class HubSpotConnector(CRMConnector):
    """HubSpot through hubspot-api-client, with the shared retry policy and a rate limiter."""

    name: ClassVar[str] = "hubspot"
    score_objects: ClassVar[tuple[str, ...]] = ("contacts",)
    writes_owners: ClassVar[bool] = True

    def __init__(
        self,
        access_token: SecretStr | str | None,
        *,
        host: str = "https://api.hubapi.com",
        mapping: FieldMapping | None = None,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 30.0,
        page_size: int = 200,
        write_batch: int = 100,
        requests_per_10s: int = 100,
        searches_per_second: int = 5,
        clock: Callable[[], float] = time.monotonic,
        rate_sleep: Callable[[float], None] = time.sleep,
        customer_stages: Sequence[str] = ("customer", "evangelist"),
    ) -> None:
        if access_token is None or not str(
            access_token.get_secret_value() if isinstance(access_token, SecretStr) else access_token
        ):
            raise ConfigError(
                "hubspot.access_token is not set: create a private app with the crm.objects "
                "contacts/deals read and write, crm.objects.owners.read and crm.schemas scopes, "
                "and set LEADSCORE_HUBSPOT__ACCESS_TOKEN to its token."
            )
        if not 1 <= page_size <= 200:
            raise ValueError(
                f"page_size must be between 1 and 200 (HubSpot's cap); got {page_size}."
            )
        if not 1 <= write_batch <= 100:
            raise ValueError(f"write_batch must be between 1 and 100; got {write_batch}.")
        self._token = (
            access_token if isinstance(access_token, SecretStr) else SecretStr(access_token)
        )
        redact.register(self._token)  # scrubbed from any text a server echoes back
        self.host = host.rstrip("/")
        self.mapping = mapping or default_mapping("hubspot")
        self.page_size = page_size
        self.write_batch = write_batch
        self.customer_stages = frozenset(s.lower() for s in customer_stages)
        self.timeout = timeout
        self._retry = retry
        self._sleep = sleep
        self.limiter = RateLimiter(
            requests_per_10s, searches_per_second, clock=clock, sleep=rate_sleep
        )
        client = HubSpot(access_token=self._token.get_secret_value(), host=self.host, retry=False)
        self._search_api = client.crm.objects.search_api
        self._batch_api = client.crm.objects.batch_api
        self._basic_api = client.crm.objects.basic_api
        self._props_api = client.crm.properties.core_api
        self._groups_api = client.crm.properties.groups_api
        self._assoc_api = client.crm.associations.v4.batch_api
        self._owners_api = client.crm.owners.owners_api
        self._types: dict[str, dict[str, str]] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, mapping: FieldMapping | None = None
    ) -> HubSpotConnector:
        hs = settings.hubspot
        return cls(
            hs.access_token,
            host=hs.host,
            mapping=mapping,
            retry=settings.retry,
            timeout=hs.timeout_seconds,
            requests_per_10s=hs.requests_per_10s,
            searches_per_second=hs.searches_per_second,
            customer_stages=hs.customer_stages,
        )

    @property
    def _reach_hint(self) -> str:
        return f"check LEADSCORE_HUBSPOT__HOST ({self.host}) and the network"

    def __repr__(self) -> str:
        return f"HubSpotConnector(host={self.host!r}, access_token=SecretStr('**********'))"

    # -- one request ---------------------------------------------------------------------------
    def _request(self, fn: Callable[..., Any], *args: Any, search: bool = False, **kw: Any) -> Any:
        """One API call under the rate limiter and the retry policy; returns the JSON body."""

        def attempt() -> Any:
            self.limiter.acquire(search=search)
            try:
                resp = fn(*args, _preload_content=False, _request_timeout=self.timeout, **kw)
            except urllib3.exceptions.HTTPError as exc:
                raise transport_error(exc, service=SERVICE, hint=self._reach_hint) from None
            except Exception as raised:
                err: BaseException = raised
                if isinstance(raised, AttributeError) and raised.__context__ is not None:
                    # the client fails decoding the empty body of its own transport error (a
                    # bad TLS certificate): report that error instead
                    err = raised.__context__
                status = getattr(err, "status", None)
                if not isinstance(status, int):
                    raise
                if status == 0:
                    raise transport_error(err, service=SERVICE, hint=self._reach_hint) from None
                headers = dict(getattr(err, "headers", None) or {})
                message = _error_message(getattr(err, "body", None))
                raise classify_status(status, headers, message, service=SERVICE) from None
            return json.loads(resp.data or b"null")

        return retry_policy(self._retry, sleep=self._sleep, service="hubspot")(attempt)

    def api_usage(self) -> tuple[int, int] | None:
        """(used, daily limit) of today's API calls, as HubSpot counts them for a private app."""
        return daily_usage(
            self.host,
            self._token,
            timeout=self.timeout,
            retry=self._retry,
            sleep=self._sleep,
            before=self.limiter.acquire,
        )

    # -- helpers -------------------------------------------------------------------------------
    def _property_types(self, object_type: str, *, fresh: bool = False) -> dict[str, str]:
        if fresh or object_type not in self._types:
            data = self._request(self._props_api.get_all, object_type)
            self._types[object_type] = {p["name"]: p.get("type", "string") for p in data["results"]}
        return self._types[object_type]

    def _search_pages(
        self,
        object_type: str,
        filters: list[dict[str, Any]],
        properties: list[str],
        *,
        alternatives: list[list[dict[str, Any]]] | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of search results by keyset on ``hs_object_id`` (never the capped ``after``).

        ``alternatives``: filter groups ORed together, each ANDed with ``filters``."""
        last_id: str | None = None
        while True:
            keyset = list(filters)
            if last_id is not None:
                keyset.append({"propertyName": "hs_object_id", "operator": "GT", "value": last_id})
            groups = [keyset + alt for alt in alternatives] if alternatives else [keyset]
            body = {
                "filterGroups": [{"filters": g} for g in groups if g],
                "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                "properties": sorted(set(properties)),
                "limit": self.page_size,
            }
            data = self._request(self._search_api.do_search, object_type, body, search=True)
            results = data.get("results") or []
            if results:
                yield results
            if not results or not data.get("paging"):
                return
            last_id = str(results[-1]["id"])

    @staticmethod
    def _since(prop: str, since: datetime | None) -> list[dict[str, str]]:
        if since is None:
            return []
        # inclusive: a record stamped in the same millisecond as the cursor is not missed
        return [{"propertyName": prop, "operator": "GTE", "value": rec.to_ms(since)}]

    def _read_companies(self, ids: set[str]) -> dict[str, dict[str, Any]]:
        """Company properties by id, 100 ids a batch read."""
        names = sorted(
            {
                path.split(".", 1)[1]
                for section in (self.mapping.leads, self.mapping.deals)
                if section is not None
                for path in section.fields.values()
                if path.startswith("company.")
            }
        )
        out: dict[str, dict[str, Any]] = {}
        for chunk in batched(sorted(ids), 100):
            body = {"inputs": [{"id": i} for i in chunk], "properties": names}
            data = self._request(self._batch_api.read, "companies", body)
            out.update({str(r["id"]): r.get("properties") or {} for r in data.get("results") or []})
        return out

    def _associated(self, from_type: str, to_type: str, ids: list[str]) -> dict[str, str]:
        """The first associated ``to_type`` id of each record (one v4 batch read)."""
        body = {"inputs": [{"id": i} for i in ids]}
        data = self._request(self._assoc_api.get_page, from_type, to_type, body)
        out: dict[str, str] = {}
        for row in data.get("results") or []:
            targets = row.get("to") or []
            if targets:
                out[str(row["from"]["id"])] = str(targets[0]["toObjectId"])
        return out

    @staticmethod
    def _uses_company(section: ObjectMapping) -> bool:
        return any(p.startswith("company.") for p in section.fields.values())

    # -- the protocol --------------------------------------------------------------------------
    def check(self) -> None:
        """One cheap authenticated read; raises ``AuthError`` with what to check on 401/403."""
        self._request(self._basic_api.get_page, "contacts", limit=1)
        log.info("connector_checked", connector=self.name, host=self.host)

    def iter_leads(self, *, since: datetime | None = None) -> Iterator[LeadRecord]:
        section = self.mapping.leads or ObjectMapping(object="contacts")
        for page in self._search_pages(
            section.object, self._since("lastmodifieddate", since), self._lead_properties(section)
        ):
            yield from self._leads_of(page, section)

    def get_leads(self, ids: Sequence[str]) -> list[LeadRecord]:
        """These contacts read now (batch read, 100 a request), mapped as ``iter_leads`` maps
        them, in the order asked; archived, merged-away or unknown ids and customers are left
        out (HubSpot answers 207 naming the ids it could not find)."""
        section = self.mapping.leads or ObjectMapping(object="contacts")
        wanted = list(dict.fromkeys(str(i) for i in ids))
        props = sorted(set(self._lead_properties(section)))
        found: dict[str, LeadRecord] = {}
        for chunk in batched(wanted, 100):
            body = {"inputs": [{"id": i} for i in chunk], "properties": props}
            data = self._request(self._batch_api.read, section.object, body, archived=False)
            page = [r for r in (data or {}).get("results") or [] if str(r["id"]) in wanted]
            found.update((r.id, r) for r in self._leads_of(page, section))
        return [found[i] for i in wanted if i in found]

    def _lead_properties(self, section: ObjectMapping) -> list[str]:
        own = [p for p in section.fields.values() if not p.startswith("company.")]
        return own + _CONTACT_PROPS + list(rec.SCORE_PROPERTIES)

    def _leads_of(self, page: list[dict[str, Any]], section: ObjectMapping) -> Iterator[LeadRecord]:
        """One page of contacts as ``LeadRecord``s, with their company's properties when the
        mapping reads any; customers are left out."""
        types = self._property_types(section.object)
        companies: dict[str, dict[str, Any]] = {}
        company_types: dict[str, str] = {}
        if self._uses_company(section):
            ids = {str(r["properties"].get("associatedcompanyid")) for r in page}
            companies = self._read_companies({i for i in ids if i not in ("None", "")})
            company_types = self._property_types("companies")
        for raw in page:
            if self._is_customer(raw):
                continue
            cid = (raw.get("properties") or {}).get("associatedcompanyid")
            yield rec.lead_from_contact(
                raw, section.fields, types, companies.get(str(cid)), company_types
            )

    def iter_users(self) -> Iterator[CRMUser]:
        """HubSpot's owners (``/crm/v3/owners``): active ones, then archived ones as inactive."""
        return iter_owners(self._request, self._owners_api.get_page)

    def _is_customer(self, raw: dict[str, Any]) -> bool:
        stage = str((raw.get("properties") or {}).get("lifecyclestage") or "").lower()
        return stage in self.customer_stages

    def iter_retired(self, *, since: datetime | None = None) -> Iterator[Retired]:
        """Contacts that became customers (``customer_stages``), were archived (deleted), or
        were merged into another contact, since ``since`` (nothing on a first pull)."""
        if since is None:
            return
        section = self.mapping.leads or ObjectMapping(object="contacts")
        obj = section.object
        props = ["lifecyclestage", "hs_merged_object_ids", "lastmodifieddate"]
        alternatives: list[list[dict[str, Any]]] = [
            [{"propertyName": "hs_merged_object_ids", "operator": "HAS_PROPERTY"}]
        ]
        if self.customer_stages:
            stages = sorted(self.customer_stages)
            alternatives.append(
                [{"propertyName": "lifecyclestage", "operator": "IN", "values": stages}]
            )
        since_filter: list[dict[str, Any]] = list(self._since("lastmodifieddate", since))
        for page in self._search_pages(obj, since_filter, props, alternatives=alternatives):
            for raw in page:
                if self._is_customer(raw):
                    yield Retired(str(raw["id"]), obj, "customer")
                merged = (raw.get("properties") or {}).get("hs_merged_object_ids") or ""
                for loser in filter(None, (m.strip() for m in str(merged).split(";"))):
                    yield Retired(loser, obj, f"merged into {raw['id']}")
        after: str | None = None
        while True:
            kw: dict[str, Any] = {"limit": 100, "archived": True, "properties": ["hs_object_id"]}
            if after:
                kw["after"] = after
            data = self._request(self._basic_api.get_page, obj, **kw)
            for raw in data.get("results") or []:
                archived_at = rec.parse_datetime(raw.get("archivedAt") or raw.get("updatedAt"))
                if archived_at is None or archived_at >= since:
                    yield Retired(str(raw["id"]), obj, "deleted")
            after = ((data.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return

    def iter_closed_deals(self, *, since: datetime | None = None) -> Iterator[DealRecord]:
        section = self.mapping.deals or ObjectMapping(object="deals")
        types = self._property_types(section.object)
        own = [p for p in section.fields.values() if not p.startswith("company.")]
        filters = [
            {"propertyName": "hs_is_closed", "operator": "EQ", "value": "true"},
            *self._since("hs_lastmodifieddate", since),
        ]
        with_company = self._uses_company(section)
        for page in self._search_pages(section.object, filters, own + _DEAL_PROPS):
            links: dict[str, str] = {}
            companies: dict[str, dict[str, Any]] = {}
            company_types: dict[str, str] = {}
            if with_company:
                links = self._associated(section.object, "companies", [str(r["id"]) for r in page])
                companies = self._read_companies(set(links.values()))
                company_types = self._property_types("companies")
            for raw in page:
                company = companies.get(links.get(str(raw["id"]), ""))
                yield rec.deal_from_payload(raw, section.fields, types, company, company_types)

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        sections = self.mapping.activities or [
            ObjectMapping(object=o) for o in rec.ACTIVITY_OBJECTS
        ]
        for section in sections:
            detail = section.fields.get("detail")
            props = ["hs_timestamp", "hs_lastmodifieddate", "hubspot_owner_id"]
            props += [detail] if detail else []
            filters = self._since("hs_lastmodifieddate", since)
            for page in self._search_pages(section.object, filters, props):
                leads = self._associated(section.object, "contacts", [str(r["id"]) for r in page])
                for raw in page:
                    activity = rec.activity_from_payload(
                        raw, section.object, detail, leads.get(str(raw["id"]))
                    )
                    if activity is not None:
                        yield activity

    def missing_fields(self) -> list[str]:
        have = self._property_types("contacts", fresh=True)
        return [name for name in rec.SCORE_PROPERTIES if name not in have]

    def ensure_fields(self) -> list[str]:
        """Create the ``leadscore`` property group (if needed) and the missing score properties."""
        missing = self.missing_fields()
        if not missing:
            return []
        groups = self._request(self._groups_api.get_all, "contacts")
        if rec.GROUP not in {g.get("name") for g in groups.get("results") or []}:
            body = {"name": rec.GROUP, "label": rec.GROUP_LABEL, "displayOrder": -1}
            self._request(self._groups_api.create, "contacts", body)
        for name in missing:
            self._request(
                self._props_api.create,
                "contacts",
                rec.property_definition(rec.SCORE_PROPERTIES[name]),
            )
        self._types.pop("contacts", None)
        log.info("score_fields_created", connector=self.name, fields=missing)
        return missing

    def available_fields(self) -> dict[str, set[str]]:
        """Property names per object the mapping reads (``deals.company`` = company properties)."""
        out: dict[str, set[str]] = {}
        companies: set[str] | None = None
        for _key, section in self.mapping.sections():
            out[section.object] = set(self._property_types(section.object))
            if self._uses_company(section):
                if companies is None:
                    companies = set(self._property_types("companies"))
                out[f"{section.object}.company"] = companies
        return out

    def mapping_problems(self) -> list[str]:
        """One line per mapped property HubSpot lacks (``[]`` when the mapping matches)."""
        return self.mapping.check(self.available_fields())

    def write_scores(
        self, updates: Sequence[ScoreUpdate], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """Batch updates of ``write_batch`` records; see ``connectors.hubspot.writer``."""
        writer = BatchWriter(
            lambda object_type, body: self._request(self._batch_api.update, object_type, body),
            self.write_batch,
        )
        return writer.write(updates, on_batch)

    def assign_owners(
        self, assignments: Sequence[OwnerAssignment], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """``hubspot_owner_id`` through batch update, like scores (a batch HubSpot refuses as a
        whole, such as for an owner id it does not know, is halved down to the record at
        fault); a retried batch first reads the owners, so it is never applied twice."""
        update = OwnerUpdate(self._request, self._batch_api.read, self._batch_api.update)
        writer = BatchWriter(update, self.write_batch, owner_properties)
        return writer.write_owners(assignments, on_batch)


__all__ = ["ConnectorError", "HubSpotConnector", "read_batch_response"]
