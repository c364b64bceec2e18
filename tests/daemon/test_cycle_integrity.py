"""The daemon's write path: each confirmed batch recorded at once, records that left the funnel
retired, an inclusive overlapping cursor, and no re-scoring of the daemon's own writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.salesforce import SalesforceConnector
from service.daemon.cycle import run_cycle
from service.errors import ConnectorError
from service.settings import RetrySettings, SalesforceSettings
from tests.daemon.conftest import Clock, local_connector, make_daemon
from tests.daemon.test_cycle import AFTER, _fill, sample_model  # noqa: F401  (fixture)
from tests.fakes.local import LocalFake
from tests.fakes.salesforce import TOKEN, FakeSalesforce


@pytest.fixture
def sf(salesforce: FakeSalesforce, monkeypatch: pytest.MonkeyPatch) -> FakeSalesforce:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return salesforce


def sf_connector(fake: FakeSalesforce) -> SalesforceConnector:
    settings = SalesforceSettings(instance_url=fake.url, session_id=TOKEN, page_size=200)
    return SalesforceConnector(settings, retry=RetrySettings(attempts=1), sleep=lambda _s: None)


def test_batches_written_before_a_failure_are_not_written_again(
    tmp_path: Path,
    sample_model: dict[str, Any],  # noqa: F811
) -> None:
    """The CRM fails on the 4th of 6 batches: the 3 confirmed are recorded, the next pass
    writes only the other 30, and every lead is written exactly once."""
    fake = LocalFake(tmp_path / "crm.db")
    try:
        _fill(fake.path, sample_model["data"])
        real = local_connector(fake)
        real.page_size = 10
        original = real._write_batch
        calls = {"n": 0}

        def fourth_fails(batch: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 4:
                raise ConnectorError("connection reset by the CRM")
            return original(batch)

        real._write_batch = fourth_fails  # type: ignore[method-assign]
        d = make_daemon(tmp_path, sample_model["rules_path"], Clock(AFTER), real, batch_size=100)
        with pytest.raises(ConnectorError):
            run_cycle(d)
        ids = list(sample_model["data"].leads["lead_id"])
        recorded = [i for i in ids if d.store.last_pushed("local", i) is not None]
        assert len(recorded) == 30
        report = run_cycle(d)
        assert report.written == 30
        assert all(fake.writes_of(i) == 1 for i in ids)
    finally:
        fake.close()


def test_a_record_stamped_in_the_cursors_instant_is_not_missed(
    tmp_path: Path,
    sample_model: dict[str, Any],  # noqa: F811
) -> None:
    """A lead committed late with the same modification time as the cursor is pulled on the
    next pass (the cursor is inclusive)."""
    fake = LocalFake(tmp_path / "crm.db")
    try:
        _fill(fake.path, sample_model["data"])
        clock = Clock(AFTER)
        d = make_daemon(tmp_path, sample_model["rules_path"], clock, local_connector(fake))
        run_cycle(d)
        cursor = d.store.get_cursor("local", "leads")
        assert cursor is not None
        (late,) = fake.add_leads(1, modified_at=cursor, attributes={"industry": "Software"})
        clock.advance(minutes=15)
        report = run_cycle(d)
        assert report.pulled == 1 and report.written == 1
        assert fake.writes_of(late) == 1
    finally:
        fake.close()


def test_a_fresh_cursor_overlaps_for_late_commits(
    tmp_path: Path,
    sample_model: dict[str, Any],  # noqa: F811
) -> None:
    """When the newest record read is younger than the overlap, the next pull starts the
    overlap before it: a record committed late with an earlier stamp is read; the ones read
    again unchanged are not re-scored. Once settled, the cursor moves to the newest stamp."""
    fake = LocalFake(tmp_path / "crm.db")
    try:
        clock = Clock(AFTER)
        fake.add_leads(3, modified_at=AFTER - timedelta(seconds=10))
        d = make_daemon(tmp_path, sample_model["rules_path"], clock, local_connector(fake))
        run_cycle(d)
        newest = AFTER - timedelta(seconds=10)
        assert d.store.get_cursor("local", "leads") == newest - timedelta(seconds=120)
        (late,) = fake.add_leads(1, modified_at=AFTER - timedelta(seconds=40))
        clock.advance(minutes=15)
        report = run_cycle(d)
        assert (report.pulled, report.unchanged, report.written) == (1, 3, 1)
        assert fake.writes_of(late) == 1
        assert d.store.get_cursor("local", "leads") == newest + timedelta(seconds=1)  # settled
    finally:
        fake.close()


def test_the_daemons_own_writes_are_not_rescored(
    tmp_path: Path,
    sf: FakeSalesforce,
    sample_model: dict[str, Any],  # noqa: F811
) -> None:
    """Every write moves SystemModstamp: the next pass reads those leads once but scores none,
    and the pass after reads nothing (not the same records on every quiet pass)."""
    ids = sf.add_leads(50, modified_at=datetime(2024, 6, 1, tzinfo=UTC))
    sf.now = datetime(2024, 7, 2, tzinfo=UTC)  # writes stamp records a day later
    clock = Clock(AFTER)
    d = make_daemon(tmp_path, sample_model["rules_path"], clock, sf_connector(sf))
    first = run_cycle(d)
    assert first.written == 50
    clock.advance(minutes=15)
    again = run_cycle(d)
    assert again.unchanged == 50
    assert (again.pulled, again.scored, again.written) == (0, 0, 0)
    clock.advance(minutes=15)
    quiet = run_cycle(d)  # the writes were read once; a quiet pass reads nothing again
    assert (quiet.unchanged, quiet.pulled, quiet.scored) == (0, 0, 0)
    assert all(sf.writes_of(i) == 1 for i in ids)


def test_converted_and_deleted_leads_are_retired(
    tmp_path: Path,
    sf: FakeSalesforce,
    sample_model: dict[str, Any],  # noqa: F811
) -> None:
    """A lead converted, and one deleted, after the first pass are forgotten: never scored,
    never a pending failure, never alerted."""
    ids = sf.add_leads(5, modified_at=datetime(2024, 6, 1, tzinfo=UTC))
    clock = Clock(AFTER)
    d = make_daemon(tmp_path, sample_model["rules_path"], clock, sf_connector(sf))
    run_cycle(d)
    now = datetime.now(UTC)
    sf.convert(ids[0], now)
    sf.delete(ids[1], now - timedelta(minutes=1))
    clock.advance(days=40)  # every lead is due again
    report = run_cycle(d)
    assert report.retired == 2
    assert set(d.leads.cached("salesforce")) == set(ids[2:])
    assert d.store.pending_failures("salesforce") == []
    third = run_cycle(d)
    assert third.failed == 0 and third.retired == 0


def test_a_write_refused_as_converted_retires_the_lead(
    tmp_path: Path,
    sf: FakeSalesforce,
    sample_model: dict[str, Any],  # noqa: F811
) -> None:
    """CANNOT_UPDATE_CONVERTED_LEAD on write (converted between pull and write) retires the
    lead instead of failing it on every pass."""
    ids = sf.add_leads(3, modified_at=datetime(2024, 6, 1, tzinfo=UTC))
    d = make_daemon(tmp_path, sample_model["rules_path"], Clock(AFTER), sf_connector(sf))
    original = sf._apply

    def convert_first(obj: str, rid: str, values: dict) -> str | None:
        if rid == ids[0]:
            return "CANNOT_UPDATE_CONVERTED_LEAD: cannot reference converted lead"
        return original(obj, rid, values)

    sf._apply = convert_first  # type: ignore[method-assign]
    try:
        report = run_cycle(d)
    finally:
        del sf._apply
    assert report.written == 2 and report.retired == 1 and report.failed == 0
    assert d.store.pending_failures("salesforce") == []
    assert ids[0] not in d.leads.cached("salesforce")


def test_overlap_is_a_setting(tmp_path: Path) -> None:
    """cursor_overlap_seconds is read from the environment-style settings."""
    from service.settings import DaemonSettings

    assert DaemonSettings(cursor_overlap_seconds=5).cursor_overlap == timedelta(seconds=5)
