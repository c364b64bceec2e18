"""Writing score fields: sObject Collections (200 a request) or one Bulk API 2.0 job per object.

Both report per record: nothing counts as written unless Salesforce said so. Before each request
the writer reads the API usage Salesforce last reported (``Sforce-Limit-Info``) and stops, with an
``api_budget_reached`` log event, once ``max_api_share`` of the daily allocation is spent; the
records not attempted are returned as ``deferred``.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Collection, Sequence
from datetime import date, datetime
from typing import Any, Protocol

import structlog

from connectors.base import (
    SCORE_FIELDS,
    OwnerAssignment,
    RecordError,
    ScoreUpdate,
    WriteResult,
    plain_value,
    score_field_name,
)

log = structlog.get_logger(__name__)

COLLECTION_SIZE = 200
#: Salesforce error codes worth trying again on the next run
RETRYABLE_CODES = frozenset(
    {"UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE"}
)
#: Salesforce error codes meaning the record is no longer a lead to score: retire it
GONE_CODES = frozenset(
    {"CANNOT_UPDATE_CONVERTED_LEAD", "ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}
)
#: on an owner write, INVALID_CROSS_REFERENCE_KEY names the owner (no such user), not the record
OWNER_GONE_CODES = GONE_CODES - {"INVALID_CROSS_REFERENCE_KEY"}
BULK_NULL = "#N/A"
#: Bulk 2.0 takes at most 100 MB per upload (simple-salesforce refuses more): stay 1 MB below
BULK_MAX_BYTES = 99 * 1024 * 1024


def to_salesforce(value: Any) -> Any:
    """A score value as Salesforce takes it in JSON (datetimes as ISO 8601 UTC, NaN as null)."""
    value = plain_value(value)  # numpy scalars
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


class Row(Protocol):
    """One record to write: a ``ScoreUpdate`` or an ``OwnerAssignment``."""

    @property
    def record_id(self) -> str: ...

    @property
    def object_type(self) -> str: ...


#: the Salesforce fields (API name -> value) a row writes
Fields = Callable[[Any], dict[str, Any]]


def owner_fields(assignment: OwnerAssignment) -> dict[str, Any]:
    """``{"OwnerId": "005..."}``: the owner write of Section 5's routing."""
    return {"OwnerId": assignment.owner_id}


def fields_of(update: ScoreUpdate) -> dict[str, Any]:
    """``{"Lead_Score_Total__c": 42, ...}``; an unknown logical name is a programming error."""
    unknown = sorted(set(update.values) - set(SCORE_FIELDS))
    if unknown:
        raise ValueError(f"unknown score fields {unknown}; known: {sorted(SCORE_FIELDS)}")
    return {score_field_name(k, "salesforce"): to_salesforce(v) for k, v in update.values.items()}


def collection_body(updates: Sequence[Row], fields: Fields = fields_of) -> dict[str, Any]:
    return {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": u.object_type}, "id": u.record_id, **fields(u)} for u in updates
        ],
    }


def read_collection_result(
    updates: Sequence[Row], result: list[dict[str, Any]], gone_codes: Collection[str] = GONE_CODES
) -> WriteResult:
    """Salesforce answers in request order: ``{"success": true}`` or the errors per record."""
    out = WriteResult()
    if len(result) != len(updates):
        raise ValueError(f"Salesforce answered {len(result)} results for {len(updates)} records")
    for update, item in zip(updates, result, strict=True):
        if item.get("success"):
            out.written.append(update.record_id)
            continue
        errors = item.get("errors") or [{"statusCode": "UNKNOWN", "message": "no reason given"}]
        reason = "; ".join(f"{e.get('statusCode')}: {e.get('message')}" for e in errors)
        retryable = any(e.get("statusCode") in RETRYABLE_CODES for e in errors)
        gone = any(e.get("statusCode") in gone_codes for e in errors)
        out.failed.append(RecordError(update.record_id, reason, retryable, gone))
    return out


def bulk_parts(
    updates: Sequence[Row], max_bytes: int = BULK_MAX_BYTES, fields: Fields = fields_of
) -> list[tuple[list[Row], str]]:
    """The updates split into CSV uploads of at most ``max_bytes`` each (one job per upload)."""
    rows = [{"Id": u.record_id, **fields(u)} for u in updates]
    columns = ["Id", *sorted({c for r in rows for c in r} - {"Id"})]
    header = ",".join(columns) + "\n"
    parts: list[tuple[list[Row], str]] = []
    chunk: list[Row] = []
    lines: list[str] = []
    size = len(header.encode())
    for u, row in zip(updates, rows, strict=True):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(
            [BULK_NULL if row.get(c) is None else row[c] for c in columns]
        )
        line = buf.getvalue()
        n = len(line.encode())
        if len(header.encode()) + n > max_bytes:
            raise ValueError(f"record {u.record_id} alone exceeds the upload limit {max_bytes}")
        if chunk and size + n > max_bytes:
            parts.append((chunk, header + "".join(lines)))
            chunk, lines, size = [], [], len(header.encode())
        chunk.append(u)
        lines.append(line)
        size += n
    if chunk:
        parts.append((chunk, header + "".join(lines)))
    return parts


def read_bulk_results(
    updates: Sequence[Row],
    successful: str,
    failed: str,
    *,
    job_error: str | None = None,
    gone_codes: Collection[str] = GONE_CODES,
) -> WriteResult:
    """Parse the two result CSVs by header; records in neither are failed (retryable), with the
    job's own error when the job failed or was aborted."""
    out = WriteResult()
    ok = {row["sf__Id"] or row.get("Id") for row in csv.DictReader(io.StringIO(successful))}
    errors = {
        (row.get("Id") or row["sf__Id"]): row.get("sf__Error") or "no reason given"
        for row in csv.DictReader(io.StringIO(failed))
    }
    for u in updates:
        if u.record_id in ok:
            out.written.append(u.record_id)
        elif u.record_id in errors:
            reason = errors[u.record_id]
            retryable = any(code in reason for code in RETRYABLE_CODES)
            gone = any(code in reason for code in gone_codes)
            out.failed.append(RecordError(u.record_id, reason, retryable, gone))
        else:
            reason = job_error or "not processed by the bulk job"
            out.failed.append(RecordError(u.record_id, reason, True))
    return out


class Budget:
    """Stops writes once ``share`` of the daily API allocation is used (as last reported)."""

    def __init__(self, usage: Callable[[], tuple[int, int] | None], share: float) -> None:
        self.usage = usage
        self.share = share

    def spent(self) -> bool:
        current = self.usage()
        if current is None:
            return False
        used, total = current
        if total > 0 and used / total >= self.share:
            log.warning(
                "api_budget_reached",
                connector="salesforce",
                used=used,
                limit=total,
                max_api_share=self.share,
            )
            return True
        return False
