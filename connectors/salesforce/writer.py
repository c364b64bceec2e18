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
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import structlog

from connectors.base import SCORE_FIELDS, RecordError, ScoreUpdate, WriteResult, score_field_name

log = structlog.get_logger(__name__)

COLLECTION_SIZE = 200
#: Salesforce error codes worth trying again on the next run
RETRYABLE_CODES = frozenset(
    {"UNABLE_TO_LOCK_ROW", "REQUEST_RUNNING_TOO_LONG", "SERVER_UNAVAILABLE"}
)
BULK_NULL = "#N/A"


def to_salesforce(value: Any) -> Any:
    """A score value as Salesforce takes it in JSON (datetimes as ISO 8601 UTC, NaN as null)."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalars
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return value


def fields_of(update: ScoreUpdate) -> dict[str, Any]:
    """``{"Lead_Score_Total__c": 42, ...}``; an unknown logical name is a programming error."""
    unknown = sorted(set(update.values) - set(SCORE_FIELDS))
    if unknown:
        raise ValueError(f"unknown score fields {unknown}; known: {sorted(SCORE_FIELDS)}")
    return {score_field_name(k, "salesforce"): to_salesforce(v) for k, v in update.values.items()}


def collection_body(updates: Sequence[ScoreUpdate]) -> dict[str, Any]:
    return {
        "allOrNone": False,
        "records": [
            {"attributes": {"type": u.object_type}, "id": u.record_id, **fields_of(u)}
            for u in updates
        ],
    }


def read_collection_result(updates: Sequence[ScoreUpdate], result: list[dict]) -> WriteResult:
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
        out.failed.append(RecordError(update.record_id, reason, retryable))
    return out


def bulk_csv(updates: Sequence[ScoreUpdate]) -> str:
    """The CSV a Bulk 2.0 update job takes: ``Id`` plus the score columns (null as ``#N/A``)."""
    rows = [{"Id": u.record_id, **fields_of(u)} for u in updates]
    columns = ["Id", *sorted({c for r in rows for c in r} - {"Id"})]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: BULK_NULL if row.get(c) is None else row[c] for c in columns})
    return buf.getvalue()


def read_bulk_results(updates: Sequence[ScoreUpdate], successful: str, failed: str) -> WriteResult:
    """Parse the two result CSVs by header; records in neither are failed (retryable)."""
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
            out.failed.append(RecordError(u.record_id, reason, retryable))
        else:
            out.failed.append(RecordError(u.record_id, "not processed by the bulk job", True))
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
