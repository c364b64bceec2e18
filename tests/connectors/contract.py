"""The contract every CRM connector passes, run against that connector's fake server.

A connector's test module subclasses ``ConnectorContract``, sets the class attributes below, and
provides two fixtures:

- ``fake``: a ``tests.fakes.base.FakeControl``, ``reset()`` before each test;
- ``connector``: the connector pointed at the fake, built so its retry policy sleeps through
  ``sleeps.append`` (the ``sleeps`` fixture in ``tests/connectors/conftest.py``), with at most
  ``retry_attempts`` attempts and a client timeout shorter than ``hang_seconds``.

A connector declares what it has in ``capabilities``: a test marked ``@needs("http")`` (status
codes, timeouts) or ``@needs("auth")`` (refused credentials, secrets) is left out of a connector
without it, as for the local CRM (a file); nothing is skipped at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

import pytest
from structlog.testing import capture_logs

from connectors.base import SCORE_FIELDS, LeadRecord, ScoreUpdate, score_field_name
from service.errors import (
    AuthError,
    BadRequestError,
    ConnectorError,
    RateLimitedError,
    RetryableConnectorError,
)
from tests.connectors.contract_owners import OwnersContract

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 3, 1, tzinfo=UTC)
T2 = datetime(2024, 6, 1, tzinfo=UTC)

#: status -> (error class, retried?)
STATUS_CASES = [
    (400, BadRequestError, False),
    (401, AuthError, False),
    (403, AuthError, False),
    (404, BadRequestError, False),
    (429, RateLimitedError, True),
    (500, RetryableConnectorError, True),
    (503, RetryableConnectorError, True),
]


F = TypeVar("F", bound=Callable[..., Any])
#: what a connector can have; the contract assumes all of them unless a subclass says otherwise
CAPABILITIES = frozenset({"http", "auth"})


def needs(*capabilities: str) -> Callable[[F], F]:
    """Mark a contract test as meaningful only for a connector with these capabilities."""
    unknown = set(capabilities) - CAPABILITIES
    assert not unknown, f"unknown capabilities {sorted(unknown)}; known: {sorted(CAPABILITIES)}"

    def mark(test: F) -> F:
        test.needs = frozenset(capabilities)  # type: ignore[attr-defined]
        return test

    return mark


def scores(i: int) -> dict[str, Any]:
    """A full set of score values, distinct per ``i``."""
    return {
        "Total": 40 + i,
        "Firmographic": 10,
        "Behavioral": 12,
        "Engagement": 8,
        "Intent": 10 + i,
        "Tier": "Warm",
        "Last_Calculated": datetime(2024, 7, 1, 12, 0, tzinfo=UTC),
        "Trend": "Rising",
        "Version": "v1",
        "Top_Factors": "Industry: SaaS (+12); Demo requested (+10)",
    }


def names(fields: list[str]) -> set[str]:
    """Field names without an ``Object.`` prefix (Salesforce names ``Lead.Lead_Score_Tier__c``)."""
    return {f.rsplit(".", 1)[-1] for f in fields}


def as_number(value: Any) -> float:
    return float(value)


class ConnectorContract(OwnersContract):
    """Tests every connector passes. Subclasses set these and provide ``connector`` and ``fake``;
    ``OwnersContract`` adds the capabilities they declare (users, owners, re-reading by id)."""

    field_style: ClassVar[str]  # "salesforce" or "hubspot": how score fields are named
    page_size: ClassVar[int]  # records per read page the connector fixture asks for
    write_batch: ClassVar[int]  # records per write request
    write_path: ClassVar[str]  # a substring of the write request's path
    retry_attempts: ClassVar[int] = 3
    hang_seconds: ClassVar[float] = 1.0
    secret: ClassVar[str] = ""  # the credential the connector fixture was given
    capabilities: ClassVar[frozenset[str]] = CAPABILITIES  # "http": status codes; "auth": secrets

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Leave out the tests that need a capability the connector does not declare."""
        super().__init_subclass__(**kwargs)
        for name in dir(cls):
            test = getattr(cls, name)
            if name.startswith("test_") and not getattr(test, "needs", frozenset()) <= (
                cls.capabilities
            ):
                setattr(cls, name, None)  # pytest collects only callables

    # --- helpers -----------------------------------------------------------------------------
    def _leads(self, connector: Any, since: datetime | None = None) -> list[LeadRecord]:
        return list(connector.iter_leads(since=since))

    def _updates(self, leads: list[LeadRecord]) -> list[ScoreUpdate]:
        return [ScoreUpdate(r.id, r.object_type, scores(i)) for i, r in enumerate(leads)]

    # --- reading -----------------------------------------------------------------------------
    def test_check_passes_against_a_healthy_crm(self, connector: Any, fake: Any) -> None:
        """``check()`` returns quietly when the credentials work and the CRM answers."""
        connector.check()
        assert fake.count() >= 1

    def test_leads_are_read_across_several_pages(self, connector: Any, fake: Any) -> None:
        """Every lead comes back exactly once when the result spans several pages."""
        ids = fake.add_leads(3 * self.page_size + 7, modified_at=T1)
        before = fake.count()
        got = [r.id for r in self._leads(connector)]
        assert sorted(got) == sorted(ids)
        assert fake.count() - before >= 4

    def test_leads_since_returns_only_changed_records(self, connector: Any, fake: Any) -> None:
        """``iter_leads(since=...)`` yields only records modified at or after the cursor."""
        fake.add_leads(5, modified_at=T0)
        new = fake.add_leads(3, modified_at=T2)
        got = self._leads(connector, since=T1)
        assert sorted(r.id for r in got) == sorted(new)
        assert all(r.modified_at is not None and r.modified_at >= T1 for r in got)

    def test_leads_since_is_inclusive(self, connector: Any, fake: Any) -> None:
        """A record stamped exactly at the cursor is read (a strict "after" would lose it)."""
        at = fake.add_leads(2, modified_at=T1)
        fake.add_leads(1, modified_at=T0)
        assert sorted(r.id for r in self._leads(connector, since=T1)) == sorted(at)

    def test_lead_attributes_are_mapped(self, connector: Any, fake: Any) -> None:
        """A lead's CRM fields arrive under the mapping's attribute names."""
        (lead_id,) = fake.add_leads(1, attributes={"industry": "Software", "country": "DE"})
        (record,) = self._leads(connector)
        assert record.id == lead_id
        assert record.attributes["industry"] == "Software"
        assert record.attributes["country"] == "DE"

    def test_closed_deals_report_won_and_lost(self, connector: Any, fake: Any) -> None:
        """Closed deals come back with ``won`` true for won deals and false for lost ones."""
        won = fake.add_deals(4, 0, modified_at=T1)
        lost = fake.add_deals(0, 3, modified_at=T1)
        got = {d.id: d.won for d in connector.iter_closed_deals(since=None)}
        assert got == {**dict.fromkeys(won, True), **dict.fromkeys(lost, False)}

    def test_closed_deals_since(self, connector: Any, fake: Any) -> None:
        """``iter_closed_deals(since=...)`` yields only deals modified after the cursor."""
        fake.add_deals(2, 2, modified_at=T0)
        new = fake.add_deals(1, 1, modified_at=T2)
        assert sorted(d.id for d in connector.iter_closed_deals(since=T1)) == sorted(new)

    def test_activities_belong_to_their_lead(self, connector: Any, fake: Any) -> None:
        """Activities come back with the id of the lead they belong to and their timestamp."""
        (lead_id,) = fake.add_leads(1)
        ids = fake.add_activities(lead_id, 3, occurred_at=T1)
        got = [a for a in connector.iter_activities(since=None) if a.id in ids]
        assert len(got) == 3
        assert {a.lead_id for a in got} == {lead_id}
        assert all(a.occurred_at == T1 for a in got)

    # --- writing -----------------------------------------------------------------------------
    def test_write_round_trip(self, connector: Any, fake: Any) -> None:
        """Written scores are what the CRM then holds, each record written once."""
        fake.add_leads(2 * self.write_batch + 3)
        leads = self._leads(connector)
        result = connector.write_scores(self._updates(leads))
        assert sorted(result.written) == sorted(r.id for r in leads)
        assert result.failed == [] and result.deferred == []
        for i, r in enumerate(leads):
            assert as_number(fake.score_of(r.id, "Total")) == 40 + i
            assert fake.score_of(r.id, "Tier") == "Warm"
            assert fake.writes_of(r.id) == 1

    def test_write_uses_batches(self, connector: Any, fake: Any) -> None:
        """Writing N records takes ceil(N / batch) write requests."""
        fake.add_leads(2 * self.write_batch + 3)
        leads = self._leads(connector)
        before = fake.count(path_contains=self.write_path)
        connector.write_scores(self._updates(leads))
        assert fake.count(path_contains=self.write_path) - before == 3

    def test_each_batch_is_reported_as_soon_as_it_is_confirmed(
        self, connector: Any, fake: Any
    ) -> None:
        """``on_batch`` gets each batch once the CRM holds it, before the next goes out; together
        the batches are the whole result."""
        fake.add_leads(2 * self.write_batch + 3)
        leads = self._leads(connector)
        seen: list[list[str]] = []

        def on_batch(batch: Any) -> None:
            assert all(fake.writes_of(i) == 1 for i in batch.written)
            assert fake.count(path_contains=self.write_path) == len(seen) + 1 + before
            seen.append(list(batch.written))

        before = fake.count(path_contains=self.write_path)
        result = connector.write_scores(self._updates(leads), on_batch=on_batch)
        assert len(seen) == 3
        assert sorted(i for batch in seen for i in batch) == sorted(result.written)

    def test_an_id_given_twice_is_written_once_with_the_last_values(
        self, connector: Any, fake: Any
    ) -> None:
        """Two updates of one record in one write: one write, the last values."""
        fake.add_leads(2)
        leads = self._leads(connector)
        updates = [*self._updates(leads), ScoreUpdate(leads[0].id, leads[0].object_type, scores(9))]
        result = connector.write_scores(updates)
        assert sorted(result.written) == sorted(r.id for r in leads)
        assert as_number(fake.score_of(leads[0].id, "Total")) == 49
        assert fake.writes_of(leads[0].id) == 1

    def test_partial_failure_is_reported_per_record(self, connector: Any, fake: Any) -> None:
        """Records the CRM rejects come back with their id and reason; the rest are written."""
        fake.add_leads(6)
        leads = self._leads(connector)
        rejected = [leads[1].id, leads[4].id]
        fake.reject_records(rejected, "FIELD_CUSTOM_VALIDATION_EXCEPTION: owner is inactive")
        with capture_logs() as logs:
            result = connector.write_scores(self._updates(leads))
        counts = {"event": "scores_written", "connector": connector.name, "written": 4, "failed": 2}
        assert counts.items() <= logs[-1].items()
        assert sorted(e.record_id for e in result.failed) == sorted(rejected)
        assert all("owner is inactive" in e.reason for e in result.failed)
        assert sorted(result.written) == sorted(r.id for r in leads if r.id not in rejected)
        for r in leads:
            assert fake.writes_of(r.id) == (0 if r.id in rejected else 1)

    def test_interrupted_write_writes_every_score_exactly_once(
        self, connector: Any, fake: Any, sleeps: list[float]
    ) -> None:
        """429s and 500s in the middle of a write still end with every record written once."""
        fake.add_leads(3 * self.write_batch)
        leads = self._leads(connector)
        fake.fail_next(1, 500, path_contains=self.write_path)
        fake.fail_next(1, 429, headers={"Retry-After": "2"}, path_contains=self.write_path)
        result = connector.write_scores(self._updates(leads))
        assert sorted(result.written) == sorted(r.id for r in leads)
        assert all(fake.writes_of(r.id) == 1 for r in leads)
        assert 2.0 in sleeps

    # --- errors and retries ------------------------------------------------------------------
    @needs("http", "auth")
    def test_401_fails_fast_with_auth_error(self, connector: Any, fake: Any) -> None:
        """A 401 raises ``AuthError`` after one request, with advice on what to check."""
        before = fake.count()
        fake.fail_next(10, 401)
        with pytest.raises(AuthError) as info:
            self._leads(connector)
        assert fake.count() - before == 1
        assert "credentials" in str(info.value)

    @needs("http")
    @pytest.mark.parametrize(("status", "error", "retried"), STATUS_CASES)
    def test_status_maps_to_error_class(
        self, connector: Any, fake: Any, status: int, error: type, retried: bool
    ) -> None:
        """Each HTTP status raises its error class, retried only when the failure is transient."""
        before = fake.count()
        fake.fail_next(50, status, headers={"Retry-After": "1"} if status == 429 else None)
        with pytest.raises(ConnectorError) as info:
            self._leads(connector)
        assert type(info.value) is error
        assert info.value.status == status
        assert fake.count() - before == (self.retry_attempts if retried else 1)

    @needs("http")
    def test_429_with_retry_after_then_success(
        self, connector: Any, fake: Any, sleeps: list[float]
    ) -> None:
        """A 429 with ``Retry-After: 3`` waits 3 s (injected sleep) and then succeeds."""
        ids = fake.add_leads(3)
        fake.fail_next(1, 429, headers={"Retry-After": "3"})
        with capture_logs() as logs:
            got = self._leads(connector)
        assert sorted(r.id for r in got) == sorted(ids)
        assert sleeps == [3.0]
        retries = [e for e in logs if e["event"] == "connector_retry"]
        assert [(e["attempt"], e["wait"]) for e in retries] == [(1, 3.0)]

    def test_500_then_success(self, connector: Any, fake: Any, sleeps: list[float]) -> None:
        """A 500 is retried after a backoff and the read then succeeds."""
        ids = fake.add_leads(3)
        fake.fail_next(2, 500)
        got = self._leads(connector)
        assert sorted(r.id for r in got) == sorted(ids)
        assert len(sleeps) == 2 and all(s >= 0 for s in sleeps)

    @needs("http")
    def test_timeout_is_retried(self, connector: Any, fake: Any) -> None:
        """A request that hangs past the client timeout is retried and the read succeeds."""
        ids = fake.add_leads(2)
        fake.hang_next(1, self.hang_seconds)
        with capture_logs() as logs:
            got = self._leads(connector)
        assert sorted(r.id for r in got) == sorted(ids)
        assert any(e["event"] == "connector_retry" for e in logs)

    @needs("auth")
    def test_secret_never_reaches_errors_or_logs(self, connector: Any, fake: Any) -> None:
        """The credential appears in neither the error message nor any log event."""
        assert self.secret, "the subclass must name the secret its connector fixture uses"
        fake.fail_next(1, 500)
        fake.fail_next(1, 401)
        with capture_logs() as logs, pytest.raises(AuthError) as info:
            self._leads(connector)
        assert self.secret not in str(info.value)
        assert self.secret not in repr(logs)
        assert self.secret not in repr(connector)

    # --- score fields ------------------------------------------------------------------------
    def test_missing_score_field_is_named_and_created(self, connector: Any, fake: Any) -> None:
        """A score field missing from the CRM is named by ``missing_fields`` and created by
        ``ensure_fields``, after which nothing is missing."""
        assert connector.missing_fields() == []
        fake.remove_field("Tier")
        name = score_field_name("Tier", self.field_style)
        assert names(connector.missing_fields()) == {name}
        assert names(connector.ensure_fields()) == {name}
        assert connector.missing_fields() == []

    def test_every_score_field_is_known(self, connector: Any, fake: Any) -> None:
        """All ten score fields exist on a fresh fake, so nothing is reported missing."""
        assert len(SCORE_FIELDS) == 10
        assert connector.missing_fields() == []
