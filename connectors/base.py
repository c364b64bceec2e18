"""What every CRM connector provides, and the records that cross the boundary.

Connectors are stateless: the service keeps cursors and history and passes ``since``.
Mapping a raw CRM payload to a record is a pure function per connector, tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

#: The score fields written back, by logical name, with their CRM type.
#: Salesforce custom fields are ``Lead_Score_<Name>__c``; HubSpot properties ``lead_score_<name>``.
SCORE_FIELDS: dict[str, str] = {
    "Total": "number",
    "Firmographic": "number",
    "Behavioral": "number",
    "Engagement": "number",
    "Intent": "number",
    "Tier": "picklist:Hot,Warm,Cool,Cold,Unscoreable",
    "Last_Calculated": "datetime",
    "Trend": "picklist:Rising,Stable,Falling",
    "Version": "text",
    "Top_Factors": "textarea",
}


def score_field_name(logical: str, style: str) -> str:
    """``Total`` -> ``Lead_Score_Total__c`` (salesforce), ``lead_score_total`` (hubspot), ..."""
    if style == "salesforce":
        return f"Lead_Score_{logical}__c"
    if style == "hubspot":
        return f"lead_score_{logical.lower()}"
    return f"Lead_Score_{logical}"


T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` items (the last one shorter) from any iterable, read lazily."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class DealRecord:
    """A closed deal (won or lost) with the attributes of its account and contacts."""

    id: str
    won: bool
    closed_at: datetime | None
    modified_at: datetime | None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LeadRecord:
    """An open lead or contact to score. ``object_type`` is the CRM object (Lead, Contact, contacts)."""

    id: str
    object_type: str
    modified_at: datetime | None
    attributes: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    account_id: str | None = None
    #: the score fields as the CRM holds them now (logical name -> value)
    current_scores: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Activity:
    """One timestamped activity: email open/click/reply, page view, webinar, demo request, meeting, call."""

    id: str
    kind: str
    occurred_at: datetime
    lead_id: str | None = None
    account_id: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class ScoreUpdate:
    """The score fields (logical name -> value) to write on one record."""

    record_id: str
    object_type: str
    values: dict[str, Any]


@dataclass(frozen=True)
class RecordError:
    record_id: str
    reason: str
    retryable: bool = False


@dataclass
class WriteResult:
    """Per-record outcome of a batched write: nothing is reported as written unless the CRM said so."""

    written: list[str] = field(default_factory=list)
    failed: list[RecordError] = field(default_factory=list)
    #: updates not attempted (for example the API budget was reached); keep them for the next run
    deferred: list[str] = field(default_factory=list)

    def merge(self, other: WriteResult) -> None:
        self.written.extend(other.written)
        self.failed.extend(other.failed)
        self.deferred.extend(other.deferred)


@runtime_checkable
class CRMConnector(Protocol):
    name: ClassVar[str]

    def check(self) -> None:
        """Raise ``AuthError`` or ``ConnectorError`` unless the CRM is reachable with these credentials."""

    def iter_closed_deals(self, *, since: datetime | None = None) -> Iterator[DealRecord]: ...

    def iter_leads(self, *, since: datetime | None = None) -> Iterator[LeadRecord]: ...

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]: ...

    def write_scores(self, updates: Sequence[ScoreUpdate]) -> WriteResult: ...

    def missing_fields(self) -> list[str]:
        """The score fields the CRM lacks (CRM field names), without changing anything."""

    def ensure_fields(self) -> list[str]:
        """Create the missing score fields; return the names created."""
