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
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import structlog
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import Operation, _Bulk2Client

from connectors.base import (
    SCORE_FIELDS,
    Activity,
    DealRecord,
    LeadRecord,
    ScoreUpdate,
    WriteResult,
    score_field_name,
)
from connectors.mapping import FieldMapping, ObjectMapping, default_mapping, load_mapping
from connectors.retry import retry_policy
from connectors.salesforce import soql
from connectors.salesforce.client import SalesforceSession, build_session, connect, translate
from connectors.salesforce.fields import field_metadata
from connectors.salesforce.records import (
    CORE_FIELDS,
    activity_from_payload,
    deal_from_payload,
    lead_from_payload,
)
from connectors.salesforce.writer import (
    COLLECTION_SIZE,
    Budget,
    bulk_csv,
    collection_body,
    read_bulk_results,
    read_collection_result,
)
from service.errors import ConnectorError, MissingFieldError
from service.settings import RetrySettings, SalesforceSettings, Settings

log = structlog.get_logger(__name__)
T = TypeVar("T")
SCORE_OBJECTS = ("Lead", "Contact")
BULK_POLL_SECONDS = 2.0


class SalesforceConnector:
    """``CRMConnector`` for Salesforce (simple-salesforce)."""

    name: ClassVar[str] = "salesforce"

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        mapping: FieldMapping | None = None,
        retry: RetrySettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.mapping = mapping or default_mapping("salesforce")
        self.retry = retry or RetrySettings()
        self.sleep = sleep
        self.session: SalesforceSession = build_session(settings)
        self._sf: Salesforce | None = None
        self._describe: dict[str, soql.ObjectInfo] = {}

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
    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        def attempt() -> T:
            try:
                return fn(*args, **kwargs)
            except ConnectorError:
                raise
            except Exception as exc:
                raise translate(exc, self.session.last_headers) from None

        return retry_policy(self.retry, sleep=self.sleep)(attempt)

    def _rest(self, path: str, **kwargs: Any) -> Any:
        """A REST call under ``/services/data/vXX.X/`` through the retry policy."""
        sf = self.sf  # logs in under its own retries: never retry a failed login again here
        return self._call(lambda: sf.restful(path, **kwargs))

    @property
    def sf(self) -> Salesforce:
        if self._sf is None:
            self._sf = self._call(connect, self.settings, self.session)
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

    def _related(self, info: soql.ObjectInfo, fields: Sequence[str]) -> dict[str, soql.ObjectInfo]:
        rels = {f.split(".", 1)[0] for f in fields if "." in f}
        return {r: self.describe(info.relationships[r]) for r in rels if r in info.relationships}

    def _query(
        self,
        obj: str,
        section: ObjectMapping | None,
        *,
        where: list[tuple[str, str, Any]],
        since: datetime | None,
        extra: Sequence[str] = (),
    ) -> Iterator[dict[str, Any]]:
        info = self.describe(obj)
        core = [f for f in CORE_FIELDS[obj] if "." in f or f in info.fields]
        fields = [*core, *(section.fields.values() if section else ()), *extra]
        related = self._related(info, fields)
        if since is not None:
            where = [*where, ("SystemModstamp", ">=", since)]
        query = soql.select(
            info, fields, related=related, where=where, order_by=["SystemModstamp", "Id"]
        )
        headers = {"Sforce-Query-Options": f"batchSize={self.settings.page_size}"}
        page = self._call(self.sf.query, query, headers=headers)
        while True:
            yield from page["records"]
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            page = self._call(
                self.sf.query_more, page["nextRecordsUrl"], identifier_is_url=True, headers=headers
            )

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
                out[key] = set(self.describe(info.relationships[rel]).fields)
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

    def iter_leads(self, *, since: datetime | None = None) -> Iterator[LeadRecord]:
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
        if contact is not None:
            rows = self._query(
                "Contact", contact, where=[], since=since, extra=self._score_fields("Contact")
            )
            for row in rows:
                yield lead_from_payload(row, contact, "Contact")

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]:
        for section in self.mapping.activities:
            if section.object not in CORE_FIELDS:
                raise MissingFieldError(
                    f"activities: object {section.object!r} is not supported; use Task or Event"
                )
            for row in self._query(section.object, section, where=[], since=since):
                yield activity_from_payload(row, section, section.object)

    # --- writing -----------------------------------------------------------------------------
    def write_scores(self, updates: Sequence[ScoreUpdate]) -> WriteResult:
        result = WriteResult()
        budget = Budget(self.api_usage, self.settings.max_api_share)
        groups: dict[str, list[ScoreUpdate]] = {}
        for u in updates:
            groups.setdefault(u.object_type, []).append(u)
        for obj, group in groups.items():
            if budget.spent():
                result.deferred.extend(u.record_id for u in group)
                continue
            if len(group) > self.settings.bulk_threshold:
                result.merge(self._write_bulk(obj, group))
            else:
                result.merge(self._write_collections(group, budget))
        log.info(
            "scores_written",
            connector=self.name,
            written=len(result.written),
            failed=len(result.failed),
            deferred=len(result.deferred),
        )
        return result

    def _write_collections(self, group: list[ScoreUpdate], budget: Budget) -> WriteResult:
        result = WriteResult()
        for start in range(0, len(group), COLLECTION_SIZE):
            chunk = group[start : start + COLLECTION_SIZE]
            if start and budget.spent():
                result.deferred.extend(u.record_id for u in group[start:])
                break
            answer: list[dict[str, Any]] = self._rest(
                "composite/sobjects", method="PATCH", json=collection_body(chunk)
            )
            result.merge(read_collection_result(chunk, answer))
        return result

    def _write_bulk(self, obj: str, group: list[ScoreUpdate]) -> WriteResult:
        sf = self.sf
        headers = {
            "Content-Type": "application/json",
            "Authorization": "Bearer " + sf.session_id,
            "X-PrettyPrint": "1",
        }
        # drive the job step by step: the library's own wait loop sleeps with time.sleep
        client = _Bulk2Client(obj, sf.bulk2_url, headers, self.session)
        job = self._call(client.create_job, Operation.update)
        self._call(client.upload_job_data, job["id"], bulk_csv(group))
        self._call(client.close_job, job["id"])
        while True:
            state = self._call(client.get_job, job["id"], False)
            if state["state"] in ("JobComplete", "Failed", "Aborted"):
                break
            self.sleep(BULK_POLL_SECONDS)
        ok = self._call(client.get_ingest_results, job["id"], "successfulResults")
        failed = self._call(client.get_ingest_results, job["id"], "failedResults")
        log.info("bulk_job_finished", connector=self.name, job=job["id"], state=state["state"])
        return read_bulk_results(group, ok, failed)

    # --- score fields ------------------------------------------------------------------------
    def missing_fields(self) -> list[str]:
        missing = []
        for obj in SCORE_OBJECTS:
            present = self.describe(obj, fresh=True).fields
            for logical in SCORE_FIELDS:
                name = score_field_name(logical, "salesforce")
                if name not in present:
                    missing.append(f"{obj}.{name}")
        return missing

    def ensure_fields(self) -> list[str]:
        """Create the missing ``Lead_Score_*__c`` fields through the Tooling API."""
        created = []
        for full_name in self.missing_fields():
            obj, _, name = full_name.partition(".")
            logical = name.removeprefix("Lead_Score_").removesuffix("__c")
            body = {"FullName": full_name, "Metadata": field_metadata(logical)}
            self._call(self.sf.toolingexecute, "sobjects/CustomField/", method="POST", data=body)
            log.info("score_field_created", connector=self.name, field=full_name)
            created.append(full_name)
        for obj in SCORE_OBJECTS:
            self._describe.pop(obj, None)
        return created
