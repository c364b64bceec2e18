"""One scoring pass against the embedded local CRM: cadences, activity, Trend, crash safety."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors.local import LocalCRM
from service.daemon.cadence import cadence_days, trend
from service.daemon.cycle import run_cycle
from service.daemon.jobs import score_job
from service.errors import ConnectorError
from service.report.writer import write_build
from service.settings import DaemonSettings
from tests.daemon.conftest import (
    COLD,
    COOL,
    HOT,
    T0,
    WARM,
    Clock,
    local_connector,
    make_daemon,
    set_lead,
)
from tests.fakes.local import LocalFake

AS_OF = date(2026, 11, 28)
AFTER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the clock of the sample tests: after the data


@pytest.fixture(scope="module")
def sample_model(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Sample data (60 leads), its deals built into a model by build_model, files on disk."""
    from service.data.deals import load_deals
    from service.model.build import build_model
    from service.sample import generate

    root = tmp_path_factory.mktemp("sample")
    data = generate(deals=180, leads=60, seed=0, as_of=AS_OF)
    paths = data.write(root / "data")
    built = build_model(load_deals(paths["deals.csv"], None), now=datetime(2026, 11, 28))
    model = write_build(built, root / "model")
    return {"data": data, "paths": paths, "rules": built.rules, "rules_path": model["rules"]}


def _fill(path: Path, data: Any) -> None:
    crm = LocalCRM(path)
    try:
        crm.load_frames(
            deals=data.deals, leads=data.leads, activities=data.activities, source="sample"
        )
    finally:
        crm.close()


def test_full_cycle_writes_every_field_as_batch_scoring_would(
    tmp_path: Path, sample_model: dict[str, Any]
) -> None:
    """Every sample lead gets all ten score fields; totals and tiers equal ``leadscore score``'s."""
    from service.scoring.batch import score_leads

    fake = LocalFake(tmp_path / "crm.db")
    try:
        _fill(fake.path, sample_model["data"])
        clock = Clock(AFTER)
        d = make_daemon(tmp_path, sample_model["rules_path"], clock, local_connector(fake))
        report = run_cycle(d)
        batch = score_leads(sample_model["paths"]["leads.csv"], sample_model["rules"])
        expected = dict(
            zip(batch.leads["lead_id"], batch.result.scores["total"].tolist(), strict=True)
        )
        tiers = dict(zip(batch.leads["lead_id"], batch.result.scores["tier"], strict=True))
        assert report.scored == report.written == 60
        for lead_id, total in expected.items():
            assert fake.score_of(lead_id, "Total") == total
            assert fake.score_of(lead_id, "Tier") == tiers[lead_id]
            assert fake.score_of(lead_id, "Version") == sample_model["rules"].version
            assert fake.score_of(lead_id, "Trend") == "Stable"  # no history yet
            assert fake.score_of(lead_id, "Last_Calculated") == AFTER.isoformat()
            for field in ("Firmographic", "Behavioral", "Engagement", "Intent", "Top_Factors"):
                assert fake.score_of(lead_id, field) is not None
        assert sum(report.tiers.values()) == 60
        again = run_cycle(d)  # nothing changed, nothing due
        assert (again.scored, again.written) == (0, 0)
        assert all(fake.writes_of(i) == 1 for i in expected)
    finally:
        fake.close()


def test_crash_mid_cycle_loses_nothing_and_writes_nothing_twice(
    tmp_path: Path, sample_model: dict[str, Any]
) -> None:
    """The CRM fails after the first batch; the next pass writes the rest, each lead exactly once."""
    fake = LocalFake(tmp_path / "crm.db")
    try:
        _fill(fake.path, sample_model["data"])
        real = local_connector(fake)

        class Flaky:
            name = "local"
            calls = 0

            def __getattr__(self, attr: str) -> Any:
                return getattr(real, attr)

            def write_scores(self, updates: Any, *, on_batch: Any = None) -> Any:
                Flaky.calls += 1
                if Flaky.calls == 2:
                    raise ConnectorError("connection reset by the CRM")
                return real.write_scores(updates, on_batch=on_batch)

        clock = Clock(AFTER)
        d = make_daemon(tmp_path, sample_model["rules_path"], clock, Flaky(), batch_size=25)
        assert isinstance(score_job(d), ConnectorError)
        written = [i for i in sample_model["data"].leads["lead_id"] if fake.writes_of(i)]
        assert len(written) == 25
        assert d.store.get_cursor("local", "leads") is None  # the window was not finished
        d.connect = make_daemon(tmp_path, sample_model["rules_path"], clock, real).connect
        report = run_cycle(d)
        # the 25 the stopped pass scored and wrote are read again unchanged: not re-scored
        assert (report.scored, report.written, report.unchanged) == (35, 35, 25)
        assert all(fake.writes_of(i) == 1 for i in sample_model["data"].leads["lead_id"])
        assert d.store.get_cursor("local", "leads") is not None
    finally:
        fake.close()


def _tiered(local: LocalFake) -> dict[str, str]:
    ids = {}
    for tier, attrs in (("Hot", HOT), ("Warm", WARM), ("Cool", COOL), ("Cold", COLD)):
        (ids[tier],) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=attrs)
    return ids


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (0.99, set()),
        (1, {"Hot"}),
        (3, {"Hot", "Warm"}),
        (7, {"Hot", "Warm", "Cool"}),
        (29.9, {"Hot", "Warm", "Cool"}),
        (30, {"Hot", "Warm", "Cool", "Cold"}),
    ],
)
def test_tier_cadences(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, days: float, due: set[str]
) -> None:
    """Hot leads are due again after 1 day, Warm after 3, Cool after 7, Cold after 30."""
    ids = _tiered(local)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    assert run_cycle(d).tiers == {"Hot": 1, "Warm": 1, "Cool": 1, "Cold": 1}
    later = clock.advance(days=days)
    report = run_cycle(d)
    rescored = {tier for tier, i in ids.items() if d.leads.scored_at("local", i) == later}
    assert rescored == due
    assert report.scored == len(due)


def test_cadence_overrides_from_settings(rules_file: Path) -> None:
    """LEADSCORE_DAEMON__WARM_EVERY_DAYS replaces the rules' Warm cadence; the rest stay."""
    from service.scoring.rules import load_rules

    days = cadence_days(load_rules(rules_file), DaemonSettings(warm_every_days=2))
    assert days == {"Hot": 1, "Warm": 2, "Cool": 7, "Cold": 30}


def test_new_activity_makes_a_lead_due_at_once(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """An activity logged after the last pass re-scores its lead on the next pass, and only it."""
    ids = _tiered(local)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    run_cycle(d)
    local.add_activities(ids["Cold"], 1, occurred_at=T0 + timedelta(minutes=30))
    now = clock.advance(hours=1)
    report = run_cycle(d)
    assert report.activities == 1
    assert d.leads.scored_at("local", ids["Cold"]) == now
    assert all(d.leads.scored_at("local", ids[t]) == T0 for t in ("Hot", "Warm", "Cool"))
    assert run_cycle(d).scored == 0  # the activity cursor moved on


def test_a_lead_edited_in_the_crm_is_rescored_and_written(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """A changed lead comes in through the leads cursor; its new tier is written once."""
    ids = _tiered(local)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    run_cycle(d)
    set_lead(local, ids["Cold"], clock.advance(minutes=20), WARM)
    report = run_cycle(d)
    assert (report.pulled, report.written) == (1, 1)
    assert local.score_of(ids["Cold"], "Tier") == "Warm"
    assert local.writes_of(ids["Cold"]) == 2


@pytest.mark.parametrize(
    ("total", "reference", "expected"),
    [
        (40, 35, "Rising"),
        (39, 35, "Stable"),
        (31, 35, "Stable"),
        (30, 35, "Falling"),
        (10, None, "Stable"),
    ],
)
def test_trend_thresholds(total: float, reference: float | None, expected: str) -> None:
    """A change of 5 points or more either way is Rising or Falling; less, or no history, Stable."""
    assert trend(total, reference) == expected


def test_trend_compares_with_the_score_two_weeks_ago(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """Scores 30 (day 0) then 40 (day 10) then 45 (day 16): day 16 compares with day 0's 30, not
    day 10's 40, so it is Rising; a lead falling from 70 to 30 is Falling; +4 is Stable."""
    (rising,) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=WARM)
    (falling,) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=HOT)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    run_cycle(d)
    set_lead(local, rising, clock.advance(days=10), {**WARM, "email_opens": 7})  # 40
    run_cycle(d)
    assert local.score_of(rising, "Trend") == "Rising"  # 40 vs 30 (the first score)
    at = clock.advance(days=6)
    set_lead(local, rising, at, {**WARM, "email_opens": 7, "industry": "Software "})
    set_lead(local, falling, at, WARM)
    run_cycle(d)
    assert local.score_of(rising, "Trend") == "Rising"
    assert local.score_of(falling, "Trend") == "Falling"
    history = d.store.score_history(rising)
    assert history["total"].tolist() == [30, 40]  # a history row only when the score changed


class TestActivityWindow:
    def test_a_late_logged_activity_before_the_cursor_is_caught_once(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """An activity logged after a pass but stamped before its cursor (a rep logging a call
        late) re-scores its lead on the next pass, once."""
        ids = _tiered(local)
        d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
        run_cycle(d)
        local.add_activities(ids["Warm"], 1, occurred_at=T0 + timedelta(minutes=20))
        clock.advance(minutes=30)
        run_cycle(d)  # moves the activity cursor to 09:20
        local.add_activities(ids["Cold"], 1, occurred_at=T0 + timedelta(minutes=10))  # late
        now = clock.advance(minutes=15)
        report = run_cycle(d)
        assert report.activities == 1
        assert d.leads.scored_at("local", ids["Cold"]) == now
        clock.advance(minutes=15)
        assert run_cycle(d).activities == 0

    def test_a_future_dated_activity_triggers_once(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """A meeting booked for next week re-scores its lead once, not on every pass until then."""
        ids = _tiered(local)
        d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
        run_cycle(d)
        local.add_activities(ids["Cool"], 1, occurred_at=T0 + timedelta(days=7))
        clock.advance(minutes=15)
        assert run_cycle(d).activities == 1
        for _ in range(4):
            clock.advance(minutes=15)
            report = run_cycle(d)
            assert (report.activities, report.scored) == (0, 0)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_backfill_refreshes_postgresql_statistics_as_the_store_grows(
    kind: str,
    tmp_path: Path,
    rules_file: Path,
    clock: Clock,
    local: LocalFake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """PostgreSQL plans from statistics that a first pass makes stale at once (an empty store
    grows to millions of rows): the pass refreshes them each time its pull doubles what the
    store held (50, 100, 200, 400 here), then once at the end; SQLite only at the end. A later
    pass pulling less than the store holds refreshes them only at the end."""
    from contextlib import ExitStack

    import structlog

    from service.daemon import cycle
    from service.state.store import StateStore
    from tests.ci import PG_URL, pg_schema

    monkeypatch.setattr(cycle, "BULK_LOAD", 50)
    local.add_leads(400, modified_at=T0 - timedelta(days=1), attributes=WARM)
    with ExitStack() as stack:
        store = (
            StateStore(PG_URL, schema=stack.enter_context(pg_schema()), clock=clock)
            if kind == "postgresql"
            else None
        )
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), batch_size=25, store=store
        )
        stack.callback(d.store.close)
        with structlog.testing.capture_logs() as first:
            assert run_cycle(d).written == 400
        refreshed = [e for e in first if e["event"] == "state_statistics_refreshed"]
        assert len(refreshed) == (5 if kind == "postgresql" else 1)
        local.add_leads(60, modified_at=T0, attributes=WARM)
        clock.now += timedelta(minutes=15)
        with structlog.testing.capture_logs() as second:
            assert run_cycle(d).pulled == 60
        assert [e["event"] for e in second].count("state_statistics_refreshed") == 1


@pytest.mark.postgres
def test_postgresql_records_in_the_background_exactly_what_sqlite_records_at_once(
    tmp_path: Path, rules_file: Path, clock: Clock
) -> None:
    """On PostgreSQL each batch is recorded while the next is scored (``Recorder``): over many
    small batches, a rejected record, Hot turns and a second pass after edits, the CRM's fields,
    the tiers, the Hot turns' outbox rows and what is pending end exactly as on SQLite, where
    everything is recorded at once."""
    import dataclasses

    from sqlalchemy import select, update

    from connectors.local import tables as crm_tables
    from service.state.store import StateStore
    from service.state.tables import lead_facts, lead_state, outbox, push_failures, tier_notices
    from tests.ci import PG_URL, pg_schema

    def run(kind: str) -> dict[str, Any]:
        fake = LocalFake(tmp_path / f"{kind}.db")
        fake.add_user("U1", "Dana Rep", "dana@example.com")
        ids = []
        for attrs in (HOT, WARM, COOL, COLD) * 3:
            ids += fake.add_leads(15, modified_at=T0 - timedelta(days=1), attributes=attrs)
        unowned = fake.add_leads(
            10, modified_at=T0 - timedelta(days=1), attributes=COOL, owner=None
        )
        fake.reject_records(ids[3:5], "FIELD_CUSTOM_VALIDATION_EXCEPTION")
        local_clock = Clock()
        (tmp_path / kind).mkdir()
        connector = local_connector(fake)
        stream = connector.iter_leads

        def iter_leads(*, since: datetime | None = None) -> Any:
            """Every 10th lead comes again 5 records later (the next batch), edited during
            the pull: Hot now."""
            later: list[Any] = []
            for n, r in enumerate(stream(since=since)):
                yield r
                if n % 10 == 3:
                    later.append((n + 5, dataclasses.replace(r, attributes=dict(HOT))))
                while later and later[0][0] <= n:
                    yield later.pop(0)[1]
            yield from (r for _n, r in later)

        connector.iter_leads = iter_leads  # type: ignore[method-assign]
        with pg_schema() if kind == "postgresql" else nullcontext() as schema:
            store = StateStore(PG_URL, schema=schema, clock=local_clock) if schema else None
            d = make_daemon(
                tmp_path / kind, rules_file, local_clock, connector, batch_size=7, store=store
            )
            first = run_cycle(d)
            for i in ids[20:40]:
                set_lead(fake, i, local_clock.now, HOT)
            with fake.crm.engine.begin() as conn:  # a rep takes half of the unowned leads
                conn.execute(
                    update(crm_tables.leads)
                    .where(crm_tables.leads.c.id.in_(unowned[:5]))
                    .values(owner_id="U1", owner="Dana Rep", modified_at=local_clock.now)
                )
            for i in unowned:  # and they all turn Warm
                set_lead(fake, i, local_clock.now, WARM)
            local_clock.now += timedelta(minutes=15)
            second = run_cycle(d)
            local_clock.now += timedelta(days=31)  # every lead due: keyset pages of 7
            third = run_cycle(d)
            with d.store.engine.connect() as conn:
                tiers = dict(conn.execute(select(lead_state.c.record_id, lead_state.c.tier)).all())
                turns = sorted(conn.execute(select(outbox.c.record_id, outbox.c.hot_turn)).all())
                pending = sorted(conn.execute(select(push_failures.c.record_id)).scalars())
                n = tier_notices.c
                notices = sorted(
                    conn.execute(select(n.record_id, n.from_tier, n.to_tier, n.owner_id)).all()
                )
                f = lead_facts.c
                facts = sorted(
                    conn.execute(
                        select(f.record_id, f.owner_id, f.tier, f.total, f.first_seen_at)
                    ).all()
                )
            d.store.close()
        fields = {i: fake.score_of(i, "Total") for i in ids}
        fake.close()
        return {
            "first": (first.scored, first.written, first.failed, first.turned_hot),
            "second": (second.scored, second.written, second.failed, second.turned_hot),
            "third": (third.scored, third.written, third.failed, third.turned_hot),
            "tiers": tiers,
            "turns": turns,
            "pending": pending,
            "fields": fields,
            "notices": notices,
            "facts": facts,
            "unowned": unowned,
        }

    from contextlib import nullcontext

    sqlite, postgresql = run("sqlite"), run("postgresql")
    assert sqlite["first"][1:3] == (199, 3)  # 190 leads, 11 twice with news, 2 refused (1 twice)
    assert sqlite["third"][0] >= 150  # the due leads, scored in pages
    assert ("Cool", "Warm", "U1") in [x[1:] for x in sqlite["notices"] if x[0] in sqlite["unowned"]]
    assert postgresql == sqlite


@pytest.mark.postgres
def test_postgresql_lead_returned_again_in_the_next_batch_is_not_rewritten(
    tmp_path: Path, rules_file: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lead the CRM returns again in the next batch of the same pass (edited during the pull,
    its score the same) is scored against its first batch's records, not before they land
    (PostgreSQL, ``Recorder``): as on SQLite, the CRM gets one write."""
    import threading

    from service.daemon.recorder import Recorder
    from service.state.leads import LeadState
    from service.state.store import StateStore
    from tests.ci import PG_URL, pg_schema

    fake = LocalFake(tmp_path / "crm.db")
    ids = fake.add_leads(10, modified_at=T0 - timedelta(days=1), attributes=HOT)
    again = ids[2]
    crm = local_connector(fake)
    crm.page_size = 7  # the second page is read after the first batch is written
    written: list[str] = []
    original = crm.write_scores
    # the first batch's records wait until the pass has decided the second batch (or waits)
    decided = threading.Event()

    def write_scores(updates: Any, **kw: Any) -> Any:
        if written:
            decided.set()
        else:  # modified in the CRM during the pull: read again at the end of the stream
            set_lead(fake, again, clock.now, HOT)
        written.extend(u.record_id for u in updates)
        return original(updates, **kw)

    monkeypatch.setattr(crm, "write_scores", write_scores)
    copies = LeadState._write_copies

    def slow_copies(self: LeadState, *args: Any) -> None:
        if threading.current_thread() is not threading.main_thread():
            decided.wait(10)
        copies(self, *args)

    wait = Recorder._wait

    def waiting(self: Recorder, count: int) -> None:
        if min(count, len(self._pending)):
            decided.set()
        wait(self, count)

    monkeypatch.setattr(LeadState, "_write_copies", slow_copies)
    monkeypatch.setattr(Recorder, "_wait", waiting)
    try:
        with pg_schema() as schema:
            store = StateStore(PG_URL, schema=schema, clock=clock)
            d = make_daemon(tmp_path, rules_file, clock, crm, batch_size=7, store=store)
            report = run_cycle(d)
            d.store.close()
    finally:
        fake.close()
    assert sorted(written) == sorted(ids)
    assert (report.pulled, report.written) == (11, 10)


@pytest.mark.postgres
def test_postgresql_recorder_failure_stops_the_pass_before_its_next_crm_write(
    tmp_path: Path, rules_file: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the recorder's worker fails on the second batch's copies while the pass is
    scoring that batch: the pass raises the failure before writing the batch to the CRM (its
    records could not be kept), not after."""
    import threading

    from sqlalchemy.exc import OperationalError

    from service.daemon.recorder import Recorder
    from service.state.leads import LeadState
    from service.state.store import StateStore
    from tests.ci import PG_URL, pg_schema

    fake = LocalFake(tmp_path / "crm.db")
    ids = fake.add_leads(10, modified_at=T0 - timedelta(days=1), attributes=HOT)
    crm = local_connector(fake)
    written: list[str] = []
    original = crm.write_scores

    def write_scores(updates: Any, **kw: Any) -> Any:
        written.extend(u.record_id for u in updates)
        return original(updates, **kw)

    monkeypatch.setattr(crm, "write_scores", write_scores)
    failed = threading.Event()
    copies = LeadState._write_copies
    calls: list[int] = []

    def failing_copies(self: LeadState, connector: str, fresh: Any, at: Any) -> None:
        calls.append(len(fresh))
        if len(calls) == 2:
            raise OperationalError("COPY", {}, Exception("server closed the connection"))
        copies(self, connector, fresh, at)

    run = Recorder._run

    def failing(self: Recorder, *args: Any) -> None:
        try:
            run(self, *args)
        except OperationalError:
            failed.set()  # once the recorder holds the failure
            raise

    changed = StateStore.changed_updates

    def after_failure(self: StateStore, *args: Any) -> Any:
        if written:
            failed.wait(10)  # the worker has failed by the time the batch is decided
        return changed(self, *args)

    monkeypatch.setattr(LeadState, "_write_copies", failing_copies)
    monkeypatch.setattr(Recorder, "_run", failing)
    monkeypatch.setattr(StateStore, "changed_updates", after_failure)
    try:
        with pg_schema() as schema:
            store = StateStore(PG_URL, schema=schema, clock=clock)
            d = make_daemon(tmp_path, rules_file, clock, crm, batch_size=7, store=store)
            with pytest.raises(OperationalError):
                run_cycle(d)
            d.store.close()
    finally:
        fake.close()
    assert written == ids[:7]
