"""The Salesforce connector: closed Opportunities, Leads and Contacts, Tasks and Events; score
write-back through sObject Collections or Bulk API 2.0.

Every request goes through the shared retry policy; simple-salesforce's exceptions are translated
to the ``service.errors`` classes. Reads page with ``nextRecordsUrl`` and resume at the failed
page after a retry. Describe results are cached for the connector's life (``missing_fields``
always asks afresh).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote_plus

import structlog
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import _Bulk2Client

from connectors.base import (
    SCORE_FIELDS,
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
    score_field_name,
    unique_updates,
)
from connectors.mapping import FieldMapping, ObjectMapping, default_mapping, load_mapping
from connectors.retry import retry_policy
from connectors.salesforce import soql
from connectors.salesforce.client import (
    SalesforceSession,
    auth_method,
    build_session,
    connect,
    translate,
)
from connectors.salesforce.records import (
    CORE_FIELDS,
    USER_FIELDS,
    activity_from_payload,
    deal_from_payload,
    lead_from_payload,
    user_from_payload,
)
from connectors.salesforce.setup import SCORE_OBJECTS, ScoreFieldAdmin
from connectors.salesforce.writer import (
    GONE_CODES,
    OWNER_GONE_CODES,
    Row,
    fields_of,
    owner_fields,
)
from connectors.salesforce.writing import Writer
from service.errors import AuthError, ConnectorError, MissingFieldError
from service.settings import RetrySettings, SalesforceSettings, Settings

log = structlog.get_logger(__name__)
T = TypeVar("T")
#: key prefixes of the records ``get_leads`` reads (fixed across every org)
ID_PREFIX = {"00Q": "Lead", "003": "Contact"}


class SalesforceConnector(CRMConnector):
    """``CRMConnector`` for Salesforce (simple-salesforce)."""

    name: ClassVar[str] = "salesforce"
    score_objects: ClassVar[tuple[str, ...]] = SCORE_OBJECTS
    writes_owners: ClassVar[bool] = True

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        mapping: FieldMapping | None = None,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.mapping = mapping or default_mapping("salesforce")
        self.retry = retry or RetrySettings()
        self.sleep = sleep
        self.session: SalesforceSession = build_session(settings)
        self._sf: Salesforce | None = None
        self._describe: dict[str, soql.ObjectInfo] = {}
        self.fields_admin = ScoreFieldAdmin(
            call=self._call,
            client=lambda: self.sf,
            describe=self.describe,
            forget=lambda obj: self._describe.pop(obj, None),
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, mapping: FieldMapping | None = None
    ) -> SalesforceConnector:
        if mapping is None and settings.field_mapping_path is not None:
            mapping = load_mapping(settings.field_mapping_path)
        return cls(settings.salesforce, mapping=mapping, retry=settings.retry)

    def __repr__(self) -> str:  # never the credentials
        return f"SalesforceConnector(instance_url={self.settings.instance_url!r})"

    # --- plumbing ----------------------------------------------------------------------------
    def _call(self, fn: Callable[[], T]) -> T:
        """``fn`` under the retry policy. ``fn`` must reach the client through ``self.sf`` when it
        runs: after a 401 on a login that can be renewed (anything but a bare session id), the
        session is renewed once and ``fn`` tried again, so a token that expired mid-run (a long
        Bulk job) does not stop the run."""

        def attempt() -> T:
            try:
                return fn()
            except ConnectorError:
                raise
            except Exception as exc:
                raise translate(exc, self.session.last_headers) from None

        policy = retry_policy(self.retry, sleep=self.sleep, service="salesforce")
        _ = self.sf  # log in first, under the login's own retries (never attempts squared)
        try:
            return policy(attempt)
        except AuthError as exc:
            if exc.status != 401 or auth_method(self.settings) == "session_id":
                raise
        log.info("salesforce_session_renewed", connector=self.name)
        self._sf = None
        _ = self.sf
        return policy(attempt)

    def _rest(self, path: str, **kwargs: Any) -> Any:
        """A REST call under ``/services/data/vXX.X/`` through the retry policy."""
        return self._call(lambda: self.sf.restful(path, **kwargs))

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            # logs in under its own retries: a refused login is never renewed or retried here
            def login() -> Salesforce:
                try:
                    return connect(self.settings, self.session)
                except ConnectorError:
                    raise
                except Exception as exc:
                    raise translate(exc, self.session.last_headers) from None

            self._sf = retry_policy(self.retry, sleep=self.sleep)(login)
        return self._sf

    def api_usage(self) -> tuple[int, int] | None:
        """(used, daily limit) as Salesforce last reported in ``Sforce-Limit-Info``."""
        usage = self.sf.api_usage.get("api-usage") if self._sf is not None else None
        return (int(usage.used), int(usage.total)) if usage is not None else None

    def describe(self, obj: str, *, fresh: bool = False) -> soql.ObjectInfo:
        if fresh or obj not in self._describe:
            payload: dict[str, Any] = self._rest(f"sobjects/{obj}/describe")
            self._describe[obj] = soql.ObjectInfo.from_describe(payload)
        return self._describe[obj]

    def _target(
        self, info: soql.ObjectInfo, rel: str, need: Sequence[str] | None = None
    ) -> soql.ObjectInfo:
        """The object a lookup reaches; for a polymorphic one (``Owner``: Group or User) the
        fields any of its objects has, as SOQL allows them through the lookup. With ``need``,
        objects are described only until every needed field is found."""
        objects = info.targets.get(rel) or (info.relationships[rel],)
        found: list[soql.ObjectInfo] = []
        for obj in objects:
            found.append(self.describe(obj))
            have = soql.ObjectInfo.union(found)
            if need is not None and set(need) <= have.fields:
                break
        return found[0] if len(found) == 1 else soql.ObjectInfo.union(found)

    def _related(self, info: soql.ObjectInfo, fields: Sequence[str]) -> dict[str, soql.ObjectInfo]:
        rels = {f.split(".", 1)[0] for f in fields if "." in f}
        return {
            r: self._target(info, r, [f.split(".", 1)[1] for f in fields if f.startswith(r + ".")])
            for r in rels
            if r in info.relationships
        }

    def _query(
        self,
        obj: str,
        section: ObjectMapping | None,
        *,
        where: list[tuple[str, str, Any]],
        since: datetime | None,
        extra: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        yield from self._pages(self._soql(obj, section, where=where, since=since, extra=extra))

    def _soql(
        self,
        obj: str,
        section: ObjectMapping | None,
        *,
        where: list[tuple[str, str, Any]],
        since: datetime | None,
        extra: Sequence[str] = (),
    ) -> str:
        info = self.describe(obj)
        core = [f for f in CORE_FIELDS[obj] if "." in f or f in info.fields]
        fields = [*core, *(section.fields.values() if section else ()), *extra]
        related = self._related(info, fields)
        if since is not None:
            where = [*where, ("SystemModstamp", ">=", since)]
        return soql.select(
            info, fields, related=related, where=where, order_by=["SystemModstamp", "Id"]
        )

    def _pages(self, query: str) -> Iterator[dict[str, Any]]:
        headers = {"Sforce-Query-Options": f"batchSize={self.settings.page_size}"}
        page = self._call(lambda: self.sf.query(query, headers=headers))
        while True:
            yield from page["records"]
            url = page.get("nextRecordsUrl")
            if page.get("done", True) or not url:
                return
            page = self._call(partial(self._query_more, str(url), headers))

    def _query_more(self, url: str, headers: dict[str, str]) -> Any:
        return self.sf.query_more(url, identifier_is_url=True, headers=headers)

    # --- CRMConnector ------------------------------------------------------------------------
    def check(self) -> None:
        self.limits()

    def limits(self) -> dict[str, Any]:
        """``/limits``: the daily API allocation and what is left of it."""
        limits: dict[str, Any] = self._rest("limits/")
        return limits

    def available_fields(self) -> dict[str, set[str]]:
        """Fields per object and per relationship path the mapping reaches (for ``check``)."""
        out: dict[str, set[str]] = {}
        for key in sorted(self.mapping.objects()):
            obj, _, rel = key.partition(".")
            try:
                info = self.describe(obj)
            except ConnectorError:
                continue  # mapping.check names the missing object
            if rel and rel in info.relationships:
                out[key] = set(self._target(info, rel).fields)
            elif not rel:
                out[key] = set(info.fields)
        return out

    def mapping_problems(self) -> list[str]:
        return self.mapping.check(self.available_fields())

    def iter_closed_deals(self, *, since: datetime | None = None) -> Iterator[DealRecord]:
        section = self.mapping.deals
        for row in self._query(
            "Opportunity", section, where=[("IsClosed", "=", True)], since=since
        ):
            yield deal_from_payload(row, section)

    def _score_fields(self, obj: str) -> list[str]:
        present = self.describe(obj).fields
        names = [score_field_name(k, "salesforce") for k in SCORE_FIELDS]
        return [n for n in names if n in present]

    def _won_accounts(self, since: datetime | None = None) -> set[str]:
        """Accounts with a won Opportunity (modified since ``since``): their contacts are customers."""
        rows = self._query(
            "Opportunity", None, where=[("IsWon", "=", True)], since=since, extra=["AccountId"]
        )
        return {str(r["AccountId"]) for r in rows if r.get("AccountId")}

    def _is_lead_contact(self, row: dict[str, Any], customers: set[str]) -> bool:
        if self.settings.contact_leads == "all":
            return True
        return not row.get("AccountId") or str(row["AccountId"]) not in customers

    def iter_leads(self, *, since: datetime | None = None) -> Iterator[LeadRecord]:
        """Open (unconverted) Leads, and Contacts that count as leads (``contact_leads``: by
        default those of accounts without a won Opportunity; customers are not scored)."""
        lead = self.mapping.leads
        rows = self._query(
            "Lead",
            lead,
            where=[("IsConverted", "=", False)],
            since=since,
            extra=self._score_fields("Lead"),
        )
        for row in rows:
            yield lead_from_payload(row, lead, "Lead")
        contact = self.mapping.contacts
        if contact is not None and self.settings.contact_leads != "none":
            customers: set[str] | None = None  # read once the first contact with an account comes
            rows = self._query(
                "Contact", contact, where=[], since=since, extra=self._score_fields("Contact")
            )
            for row in rows:
                if customers is None and row.get("AccountId"):
                    wanted = self.settings.contact_leads != "all"
                    customers = self._won_accounts() if wanted else set()
                if self._is_lead_contact(row, customers or set()):
                    yield lead_from_payload(row, contact, "Contact")

    def iter_retired(self, *, since: datetime | None = None) -> Iterator[Retired]:
        """Leads converted, Leads and Contacts deleted or merged away (``getDeleted``), and
        Contacts whose account won a deal, since ``since`` (nothing on a first pull: it only
        reads what is still a lead)."""
        if since is None:
            return
        for row in self._query("Lead", None, where=[("IsConverted", "=", True)], since=since):
            yield Retired(str(row["Id"]), "Lead", "converted")
        objects = ["Lead"]
        if self.mapping.contacts is not None and self.settings.contact_leads != "none":
            objects.append("Contact")
        for obj in objects:
            for rid in self._deleted(obj, since):
                yield Retired(rid, obj, "deleted or merged")
        if "Contact" in objects and self.settings.contact_leads != "all":
            for chunk in batched(sorted(self._won_accounts(since)), 200):
                rows = self._query("Contact", None, where=[("AccountId", "IN", chunk)], since=None)
                for row in rows:
                    yield Retired(str(row["Id"]), "Contact", "customer (account won a deal)")

    def _deleted(self, obj: str, since: datetime) -> list[str]:
        """Ids deleted (or merged away) since ``since``; Salesforce keeps 30 days of them."""
        end = datetime.now(UTC)
        start = max(since, end - timedelta(days=29))
        if start > since:
            log.warning("deleted_window_clamped", connector=self.name, object=obj)
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        params = {"start": start.strftime(fmt), "end": end.strftime(fmt)}
        data: dict[str, Any] = self._rest(f"sobjects/{obj}/deleted/", params=params)
        return [str(r["id"]) for r in data.get("deletedRecords") or []]

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        for section in self.mapping.activities:
            if section.object not in CORE_FIELDS:
                raise MissingFieldError(
                    f"activities: object {section.object!r} is not supported; use Task or Event"
                )
            for row in self._query(section.object, section, where=[], since=since):
                yield activity_from_payload(row, section, section.object)

    # --- users and re-reading leads ----------------------------------------------------------
    def iter_users(self) -> Iterator[CRMUser]:
        """Standard users (active or not) with their email and manager: the reps who own leads."""
        info = self.describe("User")
        fields = [f for f in USER_FIELDS if f in info.fields]
        where: list[tuple[str, str, Any]] = []
        if "UserType" in info.fields:  # not portal, Chatter or automated users
            where.append(("UserType", "=", "Standard"))
        for row in self._pages(soql.select(info, fields, where=where, order_by=["Id"])):
            yield user_from_payload(row)

    def get_leads(self, ids: Sequence[str]) -> list[LeadRecord]:
        """These Leads (unconverted) and Contacts (that count as leads) read now, mapped as
        ``iter_leads`` maps them, in the order asked; ids that are gone, converted, customers or
        of another object are left out. ``WHERE Id IN (...)`` is chunked so no request passes
        ``max_query_url`` characters (Salesforce takes 16,384 bytes of URI and headers)."""
        wanted = list(dict.fromkeys(str(i) for i in ids))
        found: dict[str, LeadRecord] = {}
        lead = [i for i in wanted if ID_PREFIX.get(i[:3]) == "Lead"]
        for row in self._rows_by_id(
            "Lead", self.mapping.leads, lead, [("IsConverted", "=", False)]
        ):
            found[str(row["Id"])] = lead_from_payload(row, self.mapping.leads, "Lead")
        contact = [i for i in wanted if ID_PREFIX.get(i[:3]) == "Contact"]
        section = self.mapping.contacts
        if contact and section is not None and self.settings.contact_leads != "none":
            rows = list(self._rows_by_id("Contact", section, contact, []))
            customers: set[str] = set()
            if self.settings.contact_leads != "all":
                accounts = sorted({str(r["AccountId"]) for r in rows if r.get("AccountId")})
                won = [("IsWon", "=", True)]
                for r in self._rows_by_id("Opportunity", None, accounts, won, key="AccountId"):
                    customers.add(str(r["AccountId"]))
            for row in rows:
                if self._is_lead_contact(row, customers):
                    found[str(row["Id"])] = lead_from_payload(row, section, "Contact")
        return [found[i] for i in wanted if i in found]

    def _rows_by_id(
        self,
        obj: str,
        section: ObjectMapping | None,
        ids: Sequence[str],
        where: list[tuple[str, str, Any]],
        *,
        key: str = "Id",
    ) -> Iterator[dict[str, Any]]:
        """Rows of ``obj`` whose ``key`` is one of ``ids``, in as few queries as the URI allows."""
        if not ids:
            return
        extra = self._score_fields(obj) if section is not None else [key]

        def query(chunk: Sequence[str]) -> str:
            return self._soql(
                obj, section, where=[*where, (key, "IN", chunk)], since=None, extra=extra
            )

        base = len(self.sf.base_url) + len("query/?q=") + len(quote_plus(query(ids[:1])))
        for chunk in soql.id_chunks(ids, self.settings.max_query_url - base):
            yield from self._pages(query(chunk))

    # --- writing -----------------------------------------------------------------------------
    def _writer(self) -> Writer:
        return Writer(
            self.settings,
            call=self._call,
            client=lambda: self.sf,
            bulk_client=self._bulk,
            describe=self.describe,
            usage=self.api_usage,
            clock=self.clock,
            sleep=self.sleep,
        )

    def write_scores(
        self, updates: Sequence[ScoreUpdate], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        result = self._writer().write(unique_updates(updates), fields_of, GONE_CODES, on_batch)
        log.info("scores_written", connector=self.name, **result.counts())
        return result

    def assign_owners(
        self, assignments: Sequence[OwnerAssignment], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """Set ``OwnerId`` through the score writer's path (Collections or Bulk, per record
        outcome); one assignment per record, the last one wins. A refusal such as
        ``INACTIVE_OWNER_OR_USER`` fails that record only."""
        last: dict[str, OwnerAssignment] = {a.record_id: a for a in assignments}
        rows: list[Row] = list(last.values())
        result = self._writer().write(rows, owner_fields, OWNER_GONE_CODES, on_batch)
        log.info("owners_assigned", connector=self.name, **result.counts())
        return result

    def _bulk(self, obj: str) -> _Bulk2Client:
        """A Bulk 2.0 client on the current session (renewed sessions get a new one)."""
        sf = self.sf
        headers = {
            "Content-Type": "application/json",
            "Authorization": "Bearer " + sf.session_id,
            "X-PrettyPrint": "1",
        }
        return _Bulk2Client(obj, sf.bulk2_url, headers, self.session)

    # --- score fields ------------------------------------------------------------------------
    def missing_fields(self) -> list[str]:
        """Score fields that do not exist at all (``crm setup`` creates them)."""
        return self.fields_admin.missing_fields()

    def invisible_fields(self) -> list[str]:
        """Score fields that exist but describe does not show: no field-level security yet."""
        return self.fields_admin.invisible_fields()

    def ensure_fields(self) -> list[str]:
        """Create the missing ``Lead_Score_*__c`` fields through the Tooling API."""
        return self.fields_admin.ensure_fields()
