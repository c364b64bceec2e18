"""What every CRM connector provides, and the records that cross the boundary.

Connectors are stateless: the service keeps cursors and history and passes ``since``.
Mapping a raw CRM payload to a record is a pure function per connector, tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from connectors.mapping import FieldMapping
    from service.settings import Settings

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


def plain_value(value: Any) -> Any:
    """A numpy scalar as the Python value it holds and a NaN as ``None``; anything else as it is.
    The one place score values become plain: ``ScoreUpdate`` values are made plain with it where
    the updates are built, and the state store and the local CRM read cells with it."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def plain_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """``plain_value`` of each value (the common plain types pass without a call: the daemon
    builds a million of these on a first pass)."""
    return {k: v if type(v) in _PLAIN_TYPES else plain_value(v) for k, v in values.items()}


def unique_updates(updates: Iterable[ScoreUpdate]) -> list[ScoreUpdate]:
    """One update per record id (the last one wins), in first-seen order: a CRM refuses a
    whole batch that names a record twice."""
    last: dict[str, ScoreUpdate] = {}
    for u in updates:
        last[u.record_id] = u
    return list(last.values())


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
    #: the owner as the CRM shows it (a name where the CRM gives one, else its id)
    owner: str | None = None
    account_id: str | None = None
    #: the owner's CRM user id (Salesforce ``OwnerId``, HubSpot ``hubspot_owner_id``, the local
    #: CRM's owner column); ``None`` when the record has no owner
    owner_id: str | None = None
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
    #: the CRM user id of the rep who logged it (Salesforce Task/Event ``OwnerId``, HubSpot
    #: engagement owner); ``None`` for activity no rep did (an email open, a page view)
    rep_id: str | None = None


@dataclass(frozen=True)
class CRMUser:
    """A CRM user who can own leads: the rep of Section 5's routing and SLA rules."""

    id: str
    name: str
    email: str | None = None
    #: the CRM user id of this user's manager, when the CRM records one
    manager_id: str | None = None
    active: bool = True


@dataclass(frozen=True)
class OwnerAssignment:
    """Give record ``record_id`` (of ``object_type``) to CRM user ``owner_id``."""

    record_id: str
    object_type: str
    owner_id: str


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
    #: the record left the funnel (converted, deleted, merged): retire it, never retry it
    gone: bool = False
    #: an owner write found the record owned by this CRM user (someone took it since the caller
    #: read it): the owner is left as it is, never retried
    taken_by: str | None = None


@dataclass(frozen=True)
class Retired:
    """A record that stopped being a lead: ``reason`` is converted, deleted, merged or customer."""

    id: str
    object_type: str
    reason: str


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

    def counts(self) -> dict[str, int]:
        """How many were written, failed and deferred: the fields of a ``scores_written`` event."""
        return {
            "written": len(self.written),
            "failed": len(self.failed),
            "deferred": len(self.deferred),
        }


#: Called with each batch's outcome as soon as the CRM confirmed (or refused) it, so a caller can
#: record what was written before the next batch goes out: a later failure never hides it.
BatchCallback = Callable[[WriteResult], None]


def report_batch(result: WriteResult, batch: WriteResult, on_batch: BatchCallback | None) -> None:
    """Add ``batch`` to ``result`` and hand it to ``on_batch`` (the one place both happen)."""
    result.merge(batch)
    if on_batch is not None:
        on_batch(batch)


@runtime_checkable
class CRMConnector(Protocol):
    """What the service calls. Connectors subclass it explicitly, so the optional capabilities
    below have defaults and a method spelt differently in one connector fails mypy."""

    name: ClassVar[str]
    #: the CRM objects scores are written to; the first is the default for ``crm push``
    score_objects: ClassVar[tuple[str, ...]] = ("Lead",)

    @classmethod
    def from_settings(cls, settings: Settings, mapping: FieldMapping | None = None) -> Self:
        """The connector the settings describe, reading fields through ``mapping`` (default:
        the connector's own mapping)."""
        ...

    def check(self) -> None:
        """Raise ``AuthError`` or ``ConnectorError`` unless the CRM is reachable with these credentials."""

    def iter_closed_deals(self, *, since: datetime | None = None) -> Iterator[DealRecord]: ...

    def iter_leads(self, *, since: datetime | None = None) -> Iterator[LeadRecord]: ...

    def iter_activities(self, *, since: datetime | None = None) -> Iterator[Activity]: ...

    def iter_retired(self, *, since: datetime | None = None) -> Iterator[Retired]:
        """Records that left the funnel since ``since`` (converted, deleted, merged, customers)."""
        return iter(())

    def write_scores(
        self, updates: Sequence[ScoreUpdate], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """Write in batches; ``on_batch`` gets each batch's outcome once the CRM answered it."""
        ...

    def get_leads(self, ids: Sequence[str]) -> list[LeadRecord]:
        """Read these records now, as ``iter_leads`` would map them (used to re-read a lead with
        new activity before scoring it). Ids the CRM no longer has are left out. The default
        reads nothing: the caller then scores its cached copy."""
        return []

    def iter_users(self) -> Iterator[CRMUser]:
        """The CRM's users who can own leads (id, name, email, manager). Default: none known."""
        return iter(())

    #: whether ``assign_owners`` writes owners to this CRM
    writes_owners: ClassVar[bool] = False

    def assign_owners(
        self, assignments: Sequence[OwnerAssignment], *, on_batch: BatchCallback | None = None
    ) -> WriteResult:
        """Give each record that has no owner in the CRM its owner (batched like
        ``write_scores``, per-record outcome). The owner is read from the CRM just before each
        batch is written (in the same transaction where the CRM allows it): a record that
        already has this owner is reported written without a write, one that another user owns
        now is refused with ``taken_by`` and left as it is, so a rep's choice made since the
        caller's read is never overwritten. The default refuses every assignment: the CRM
        connector does not write owners."""
        return WriteResult(
            failed=[
                RecordError(a.record_id, f"the {self.name} connector does not write owners")
                for a in assignments
            ]
        )

    def missing_fields(self) -> list[str]:
        """The score fields the CRM lacks (CRM field names), without changing anything."""
        ...

    def invisible_fields(self) -> list[str]:
        """Score fields that exist but the integration user cannot see (no field-level access)."""
        return []

    def ensure_fields(self) -> list[str]:
        """Create the missing score fields; return the names created."""
        ...

    def mapping_problems(self) -> list[str]:
        """One line per mapped field the CRM lacks; ``[]`` when the mapping matches."""
        return []

    def api_usage(self) -> tuple[int, int] | None:
        """(used, daily limit) of API calls, when the CRM reports it."""
        return None

    def close(self) -> None:
        """Release connections or files the connector holds."""
        return None
