"""HubSpot batch updates: 100 records a request, a rejected batch split until the bad record
is alone, every record reported as written only when HubSpot returned it.

HubSpot refuses a whole batch (400) for one invalid value (an enumeration option it lacks) or an
id given twice. Ids are made unique first (the last update wins); a batch refused as a whole is
written in halves, down to the single record at fault, so the good ones are written and only the
bad one is reported; a property that does not exist fails every record alike and is reported at
once. A 207 is read record by record. After a retryable failure (5xx, 429 past the retries) the
remaining batches are deferred to the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any, Protocol

import structlog

from connectors.base import (
    SCORE_FIELDS,
    BatchCallback,
    OwnerAssignment,
    RecordError,
    ScoreUpdate,
    WriteResult,
    batched,
    report_batch,
    unique_updates,
)
from connectors.hubspot import records as rec
from connectors.hubspot.owners import TAKEN
from service.errors import BadRequestError, RetryableConnectorError

log = structlog.get_logger(__name__)
NAME = "hubspot"


class Row(Protocol):
    """One record to write: a ``ScoreUpdate`` or an ``OwnerAssignment``."""

    @property
    def record_id(self) -> str: ...

    @property
    def object_type(self) -> str: ...


def score_properties(update: ScoreUpdate) -> dict[str, str]:
    """``{"lead_score_total": "42", ...}``: score values as the strings HubSpot stores."""
    return {rec.score_field_name_for(k): rec.score_value(k, v) for k, v in update.values.items()}


def owner_properties(assignment: OwnerAssignment) -> dict[str, str]:
    """``{"hubspot_owner_id": "<owner id>"}`` (the owner's ``id``, never its ``userId``)."""
    return {"hubspot_owner_id": str(assignment.owner_id)}


class BatchWriter:
    """Writes rows through ``update(object_type, body) -> JSON answer``; ``properties`` turns a
    row into the properties it sets (score fields by default)."""

    def __init__(
        self,
        update: Callable[[str, dict[str, Any]], Any],
        batch_size: int,
        properties: Callable[[Any], dict[str, str]] = score_properties,
    ) -> None:
        self.update = update
        self.batch_size = batch_size
        self.properties = properties

    def write_owners(
        self, assignments: Sequence[OwnerAssignment], on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """Owner assignments, one per record (the last one wins), batched like scores."""
        last = {a.record_id: a for a in assignments}
        result = WriteResult()
        self._write_rows(list(last.values()), result, on_batch)
        log.info("owners_assigned", connector=NAME, **result.counts())
        return result

    def write(
        self, updates: Sequence[ScoreUpdate], on_batch: BatchCallback | None = None
    ) -> WriteResult:
        result = WriteResult()
        valid: list[ScoreUpdate] = []
        for u in unique_updates(updates):
            unknown = [k for k in u.values if k not in SCORE_FIELDS]
            if unknown:
                result.failed.append(
                    RecordError(u.record_id, f"unknown score field(s): {', '.join(unknown)}")
                )
            else:
                valid.append(u)
        if result.failed and on_batch is not None:
            on_batch(WriteResult(failed=list(result.failed)))
        self._write_rows(valid, result, on_batch)
        log.info("scores_written", connector=NAME, **result.counts())
        return result

    def _write_rows(
        self, rows: Sequence[Row], result: WriteResult, on_batch: BatchCallback | None
    ) -> None:
        ordered = sorted(rows, key=lambda u: u.object_type)
        batches = [
            (object_type, batch)
            for object_type, items in groupby(ordered, key=lambda u: u.object_type)
            for batch in batched(items, self.batch_size)
        ]
        for n, (object_type, batch) in enumerate(batches):
            try:
                self._isolating(object_type, batch, result, on_batch)
            except RetryableConnectorError as exc:
                failed = [RecordError(u.record_id, str(exc), True) for u in batch]
                report_batch(result, WriteResult(failed=failed), on_batch)
                result.deferred.extend(u.record_id for _, b in batches[n + 1 :] for u in b)
                log.warning("scores_write_stopped", connector=NAME, error=str(exc))
                break

    def _isolating(
        self,
        object_type: str,
        batch: Sequence[Row],
        result: WriteResult,
        on_batch: BatchCallback | None,
    ) -> None:
        """Write one batch; when HubSpot refuses it as a whole, write each half on its own."""
        try:
            report_batch(result, self._one(object_type, batch), on_batch)
            return
        except BadRequestError as exc:
            if len(batch) == 1 or "does not exist" in str(exc):
                failed = [RecordError(u.record_id, str(exc)) for u in batch]
                report_batch(result, WriteResult(failed=failed), on_batch)
                return
        log.info("batch_rejected_isolating", connector=NAME, size=len(batch))
        half = len(batch) // 2
        self._isolating(object_type, batch[:half], result, on_batch)
        self._isolating(object_type, batch[half:], result, on_batch)

    def _one(self, object_type: str, batch: Sequence[Row]) -> WriteResult:
        body = {"inputs": [{"id": u.record_id, "properties": self.properties(u)} for u in batch]}
        data = self.update(object_type, body) or {}
        return read_batch_response(data, [u.record_id for u in batch])


def read_batch_response(data: dict[str, Any], sent: list[str]) -> WriteResult:
    """Per-record outcome of a batch update (200 or 207): written only if HubSpot returned it;
    an owner write's records another owner holds (``owners.TAKEN``) are refused as taken."""
    result = WriteResult()
    confirmed = {str(r.get("id")) for r in data.get("results") or []}
    reasons: dict[str, str] = {}
    gone: set[str] = set()
    for err in data.get("errors") or []:
        message = err.get("message") or "rejected"
        category = err.get("category")
        for rid in (err.get("context") or {}).get("ids") or []:
            reasons[str(rid)] = f"{category}: {message}" if category else message
            if category == "OBJECT_NOT_FOUND":
                gone.add(str(rid))
    taken: dict[str, str] = data.get(TAKEN) or {}
    for rid in sent:
        if rid in taken:
            reason = f"owned by {taken[rid]} in HubSpot: left as it is"
            result.failed.append(RecordError(rid, reason, taken_by=taken[rid]))
        elif rid in reasons:
            result.failed.append(RecordError(rid, reasons[rid], gone=rid in gone))
        elif rid in confirmed:
            result.written.append(rid)
        else:
            result.failed.append(
                RecordError(rid, "HubSpot did not confirm the update; it will be retried", True)
            )
    return result
