"""The Salesforce write path shared by score fields and owners: per object, sObject Collections
(200 records a request) or, past ``bulk_threshold``, Bulk API 2.0 jobs; the API budget checked
before each request; every batch reported through ``on_batch`` as soon as Salesforce answered.

Every request goes through the connector's call wrapper (the retry policy and session renewal).
Every attempt at an owner write first reads the ``OwnerId`` of its records (one SOQL query per
200): a record already owned as asked is reported written without writing it again (the attempt
before may have been applied with its answer lost), and one a user owns now (a rep took it since
the daemon pulled it) is refused with ``taken_by`` and left alone; only records still in a queue
are written. Salesforce has no conditional write for Collections or Bulk (``If-Unmodified-Since``
works on single-record sObject Rows only, one request per record, and compares the record's last
modification, which the daemon's own score write moves), so the read comes just before the write:
a Collections request leaves milliseconds between them; a Bulk job reads its records' owners
before the upload and leaves the job's run time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any

import structlog
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import _Bulk2Client

from connectors.base import (
    BatchCallback,
    OwnerAssignment,
    RecordError,
    WriteResult,
    batched,
    report_batch,
)
from connectors.salesforce import soql
from connectors.salesforce.bulk import BulkJobs
from connectors.salesforce.records import rep_of
from connectors.salesforce.writer import (
    COLLECTION_SIZE,
    OWNER_GONE_CODES,
    Budget,
    Fields,
    Row,
    bulk_parts,
    collection_body,
    owner_fields,
    read_collection_result,
)
from service.errors import BadRequestError
from service.settings import SalesforceSettings

log = structlog.get_logger(__name__)


class Writer:
    """Writes rows (score updates or owner assignments) for one connector."""

    def __init__(
        self,
        settings: SalesforceSettings,
        *,
        call: Callable[[Callable[[], Any]], Any],
        client: Callable[[], Salesforce],
        bulk_client: Callable[[str], _Bulk2Client],
        describe: Callable[[str], soql.ObjectInfo],
        usage: Callable[[], tuple[int, int] | None],
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self.settings = settings
        self._call = call
        self._client = client
        self._bulk_client = bulk_client
        self._describe = describe
        self._usage = usage
        self.clock = clock
        self.sleep = sleep

    def write(
        self,
        rows: Sequence[Row],
        fields: Fields,
        gone_codes: Collection[str],
        on_batch: BatchCallback | None,
    ) -> WriteResult:
        """Write ``rows`` (one per record id) grouped by object; see the module docstring."""
        result = WriteResult()
        budget = Budget(self._usage, self.settings.max_api_share)
        groups: dict[str, list[Row]] = {}
        for row in rows:
            groups.setdefault(row.object_type, []).append(row)
        for obj, group in groups.items():
            if budget.spent():
                result.deferred.extend(u.record_id for u in group)
                continue
            if len(group) > self.settings.bulk_threshold:
                if fields is owner_fields:
                    group = self._claim_all(obj, group, result, on_batch)
                self._bulk(obj, group, fields, gone_codes, result, on_batch)
            else:
                self._collections(group, fields, gone_codes, budget, result, on_batch)
        return result

    def _collections(
        self,
        group: list[Row],
        fields: Fields,
        gone_codes: Collection[str],
        budget: Budget,
        result: WriteResult,
        on_batch: BatchCallback | None,
    ) -> None:
        chunks = batched(group, COLLECTION_SIZE)
        for n, chunk in enumerate(chunks):
            if n and budget.spent():  # this chunk and the ones after it wait for the next pass
                result.deferred.extend(u.record_id for rest in (chunk, *chunks) for u in rest)
                break
            try:
                if fields is owner_fields:
                    batch = self._owners_once(chunk)
                else:
                    body = collection_body(chunk, fields)
                    answer = self._call(partial(self._patch, body))
                    batch = read_collection_result(chunk, answer, gone_codes)
            except BadRequestError as exc:  # the whole request refused: say why, go on
                batch = WriteResult(failed=[RecordError(u.record_id, str(exc)) for u in chunk])
            report_batch(result, batch, on_batch)

    def _patch(self, body: dict[str, Any]) -> Any:
        return self._client().restful("composite/sobjects", method="PATCH", json=body)

    def _owners_once(self, chunk: list[Row]) -> WriteResult:
        """One Collections request of owner assignments that is never applied twice and never
        overwrites a user's ownership: each attempt first reads the records' ``OwnerId`` and
        sends only those still without a user (see the module docstring)."""
        pending: list[Row] = list(chunk)
        settled = WriteResult()
        info = self._describe(chunk[0].object_type)

        def attempt() -> Any:
            nonlocal pending
            pending, done = self._claim(info, pending)
            settled.merge(done)
            if not pending:
                return []
            return self._patch(collection_body(pending, owner_fields))

        answer = self._call(attempt)
        batch = read_collection_result(pending, answer, OWNER_GONE_CODES)
        batch.written[:0] = settled.written
        batch.failed[:0] = settled.failed
        return batch

    def _claim(self, info: soql.ObjectInfo, rows: Sequence[Row]) -> tuple[list[Row], WriteResult]:
        """``rows`` (at most 200) split by the owners Salesforce holds now: those to write (in a
        queue, or not found: the write then says why), and those settled without a write
        (already owned as asked: written; owned by another user: refused with ``taken_by``)."""
        owners = self._owners_now(info, [u.record_id for u in rows])
        pending: list[Row] = []
        settled = WriteResult()
        for u in rows:
            now = owners.get(u.record_id)
            asked = u.owner_id if isinstance(u, OwnerAssignment) else None
            if now is not None and str(now) == asked:
                settled.written.append(u.record_id)
            elif rep_of(now) is not None:
                reason = f"owned by {now} in Salesforce: left as it is"
                settled.failed.append(RecordError(u.record_id, reason, taken_by=str(now)))
            else:
                pending.append(u)
        if settled.failed:
            log.info(
                "owner_writes_skipped_owned", connector="salesforce", count=len(settled.failed)
            )
        return pending, settled

    def _owners_now(self, info: soql.ObjectInfo, ids: list[str]) -> dict[str, Any]:
        """``Id -> OwnerId`` of at most 200 records, read in the current attempt (no retries of
        its own: a failure fails the attempt, which the policy retries)."""
        query = soql.select(info, ["Id", "OwnerId"], where=[("Id", "IN", ids)])
        data = self._client().query(query)
        return {str(r["Id"]): r.get("OwnerId") for r in data.get("records") or []}

    def _claim_all(
        self, obj: str, group: list[Row], result: WriteResult, on_batch: BatchCallback | None
    ) -> list[Row]:
        """Before a Bulk job: the owners read 200 at a time, the settled ones reported, the
        ones still in a queue returned to be written."""
        info = self._describe(obj)
        pending: list[Row] = []
        for chunk in batched(group, COLLECTION_SIZE):
            todo, settled = self._call(partial(self._claim, info, chunk))
            pending.extend(todo)
            if settled.written or settled.failed:
                report_batch(result, settled, on_batch)
        return pending

    def _bulk(
        self,
        obj: str,
        group: list[Row],
        fields: Fields,
        gone_codes: Collection[str],
        result: WriteResult,
        on_batch: BatchCallback | None,
    ) -> None:
        """One Bulk 2.0 job per upload of at most ``bulk_max_bytes`` (Salesforce takes 100 MB)."""
        jobs = BulkJobs(
            obj,
            call=self._call,
            client=self._bulk_client,
            timeout=self.settings.bulk_timeout_seconds,
            clock=self.clock,
            sleep=self.sleep,
            gone_codes=gone_codes,
        )
        for part, data in bulk_parts(group, self.settings.bulk_max_bytes, fields):
            report_batch(result, jobs.run(part, data), on_batch)
