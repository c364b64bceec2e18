"""Every Hot alert exactly once, counted at the fake Slack: a slow Slack, a Slack that is down, a
Slack that accepts and then drops the connection, kills at random points of a backfill, and the
state database dropping mid-pass."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from structlog.testing import capture_logs

from service.daemon.context import Daemon
from service.daemon.cycle import run_cycle
from service.daemon.jobs import score_job
from service.errors import StateStoreError
from tests.daemon.conftest import (
    HOT,
    T0,
    WARM,
    Clock,
    alerter_for,
    local_connector,
    make_daemon,
    set_lead,
)
from tests.fakes.local import LocalFake
from tests.fakes.slack import FakeSlack


def per_lead(slack: FakeSlack) -> Counter[str]:
    """Hot-lead messages in the channel, per lead (from the message metadata)."""
    return Counter(
        m["metadata"]["event_payload"]["lead_id"]
        for m in slack.messages
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "hot"
    )


def warm_then_hot(local: LocalFake, clock: Clock, d: Daemon, n: int) -> list[str]:
    """``n`` Warm leads, scored once (the backfill), then turned Hot by a rep's edit."""
    ids = local.add_leads(n, modified_at=T0 - timedelta(hours=1), attributes=WARM)
    run_cycle(d)
    at = clock.advance(hours=1)
    for i in ids:
        set_lead(local, i, at, {**HOT, "contact_name": f"Lead {i}"})
    return ids


class TestSlowDownDropped:
    """Slack trouble never duplicates nor loses an alert."""

    def test_a_slow_slack_that_accepted_is_not_posted_to_again(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """Each post is accepted but answered after the client's timeout: the alert is found in
        the channel history (by its metadata) instead of being posted again; one per lead."""
        alerter = alerter_for(slack, timeout=0.3)
        d = make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter)
        ids = warm_then_hot(local, clock, d, 3)
        slack.slow_next(10, 1.0)
        with capture_logs() as logs:
            report = run_cycle(d)
        assert per_lead(slack) == Counter({i: 1 for i in ids})
        assert report.alerts_sent == 3
        assert sum(e["event"] == "slack_alert_found_in_history" for e in logs) == 3
        run_cycle(d)
        run_cycle(make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter))
        assert per_lead(slack) == Counter({i: 1 for i in ids})
        posted = [e for e in logs if e["event"] == "hot_alert_unconfirmed"]
        assert len(posted) == 3 and all("timed out" in e["error"] for e in posted)

    def test_a_slack_that_is_down_gets_each_alert_once_when_back(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """503 on everything for three passes: nothing is posted, nothing is lost; when Slack is
        back each alert is posted exactly once."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        ids = warm_then_hot(local, clock, d, 4)
        slack.fail_next(1000, 503)
        for _ in range(3):
            assert run_cycle(d).alerts_sent == 0
            clock.advance(minutes=15)
        assert slack.messages == [] and len(d.leads.pending_alerts("local")) == 4
        slack.reset()
        assert run_cycle(d).alerts_sent == 4
        run_cycle(d)
        assert per_lead(slack) == Counter({i: 1 for i in ids})
        assert d.leads.pending_alerts("local") == []

    def test_a_slack_that_accepts_then_drops_is_not_posted_to_again(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """The connection closes after Slack stored the message: resolved from the history."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        ids = warm_then_hot(local, clock, d, 3)
        slack.drop_next(2)
        run_cycle(d)
        run_cycle(d)
        assert per_lead(slack) == Counter({i: 1 for i in ids})
        assert slack.count(path_contains="chat.postMessage") == 3  # never posted blindly again

    def test_a_daemon_clock_a_year_ahead_still_finds_the_dropped_post(
        self, tmp_path: Path, rules_file: Path, local: LocalFake, slack: FakeSlack
    ) -> None:
        """With the daemon's clock a year ahead of the real time, as ``daemon once --now`` can
        set it, posts Slack stored but never answered are found in the history (which Slack
        stamps in real time) by the next pass and by the same pass: never posted again."""
        from datetime import UTC, datetime

        clock = Clock(datetime.now(UTC).replace(microsecond=0) + timedelta(days=365))
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        ids = warm_then_hot(local, clock, d, 3)
        slack.drop_next(2)
        slack.fail_next(1, 503, path_contains="conversations.history")
        with capture_logs() as logs:
            run_cycle(d)  # the first drop is not looked up now (history down): the pass stops
            clock.advance(hours=6)
            run_cycle(d)  # ... and is found by the next pass; the second drop at once
            run_cycle(d)
        assert per_lead(slack) == Counter({i: 1 for i in ids})
        assert slack.count(path_contains="chat.postMessage") == 3
        assert sum(e["event"] == "slack_alert_found_in_history" for e in logs) == 2

    def test_history_down_too_keeps_the_claim_until_it_can_look(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """Accepted then dropped, and the history lookup fails as well: the claim stays
        unconfirmed (nothing posted again) until a later pass can look, and finds it."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        (lead,) = warm_then_hot(local, clock, d, 1)
        slack.drop_next(1)
        slack.fail_next(1, 503, path_contains="conversations.history")
        run_cycle(d)
        assert d.leads.pending_alerts("local") == [(lead, 1)]
        slack.fail_next(1, 503, path_contains="conversations.history")
        run_cycle(d)
        assert slack.count(path_contains="chat.postMessage") == 1
        run_cycle(d)
        assert per_lead(slack) == Counter({lead: 1})
        assert d.leads.pending_alerts("local") == []


class Killed(BaseException):
    """The process died here (not an Exception: nothing catches it on the way up)."""


class Killer:
    """Kills the 'process' at its ``at``-th state-database statement, or right after Slack
    accepted its ``post_at``-th post (before the answer is recorded)."""

    def __init__(self, d: Daemon, *, at: int | None = None, post_at: int | None = None) -> None:
        self.d, self.at, self.post_at = d, at, post_at
        self.statements = 0
        self.posts = 0
        self.engine = d.store.engine
        event.listen(self.engine, "before_cursor_execute", self._statement)
        if d.alerter is not None:
            real = d.alerter.post

            def post(*args: Any, **kwargs: Any) -> str:
                ts = real(*args, **kwargs)
                self.posts += 1
                if self.post_at is not None and self.posts == self.post_at:
                    raise Killed("after the post")
                return ts

            d.alerter.post = post  # type: ignore[method-assign]

    def _statement(self, *_args: Any) -> None:
        self.statements += 1
        if self.at is not None and self.statements == self.at:
            raise Killed(f"at statement {self.at}")

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._statement)
        self.d.store.close()


def _statements_of_a_pass(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack, **kw: Any
) -> int:
    probe = make_daemon(
        tmp_path / "probe",
        rules_file,
        clock,
        local_connector(local),
        alerter=alerter_for(slack),
        **kw,
    )
    killer = Killer(probe)
    run_cycle(probe)
    killer.close()
    slack.reset()
    return killer.statements


@pytest.mark.parametrize("alert_on_backfill", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kills_at_random_points_of_a_backfill_lose_and_repeat_no_alert(
    tmp_path: Path,
    rules_file: Path,
    clock: Clock,
    local: LocalFake,
    slack: FakeSlack,
    seed: int,
    alert_on_backfill: bool,
) -> None:
    """A backfill (first pass) killed at four random state-database statements and once right
    after Slack accepted a post, restarted each time, then a later pass with new Hot leads also
    killed at random: the CRM's existing Hot leads are alerted exactly once with
    ``alert_on_backfill`` and never without, and each new Hot lead exactly once."""
    rng = random.Random(seed)
    hot = local.add_leads(12, modified_at=T0 - timedelta(hours=2), attributes=HOT)
    warm = local.add_leads(18, modified_at=T0 - timedelta(hours=2), attributes=WARM)
    (tmp_path / "probe").mkdir()
    kw = {"batch_size": 5, "alert_on_backfill": alert_on_backfill}
    total = _statements_of_a_pass(tmp_path, rules_file, clock, local, slack, **kw)
    kills: list[dict[str, int]] = [{"at": rng.randint(1, total)} for _ in range(4)]
    kills.insert(rng.randint(0, 4), {"post_at": 1 + rng.randrange(len(hot))})
    if not alert_on_backfill:
        kills = [k for k in kills if "at" in k]

    def restart(**kill: int) -> tuple[Daemon, Killer]:
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack), **kw
        )
        return d, Killer(d, **kill)

    def run_with_kills(plan: list[dict[str, int]]) -> None:
        for kill in plan:
            d, killer = restart(**kill)
            try:
                run_cycle(d)
            except Killed:
                pass
            finally:
                killer.close()
            clock.advance(minutes=1)
        d, killer = restart()
        run_cycle(d)
        killer.close()

    run_with_kills(kills)
    expected = Counter({i: 1 for i in hot}) if alert_on_backfill else Counter()
    assert per_lead(slack) == expected

    at = clock.advance(hours=1)
    turned = rng.sample(warm, 5)
    for i in turned:
        set_lead(local, i, at, HOT)
    total = 200  # the later pass is short: kill within its first statements
    run_with_kills([{"at": rng.randint(1, total)} for _ in range(3)] + [{"post_at": 1}])
    assert per_lead(slack) == expected + Counter({i: 1 for i in turned})
    assert all(local.score_of(i, "Tier") == "Hot" for i in [*hot, *turned])


class _Outage:
    """The state database refuses every statement between ``start`` and ``stop`` (counted)."""

    def __init__(self, d: Daemon, start: int, stop: int | None = None) -> None:
        self.start, self.stop, self.n = start, stop, 0
        self.engine = d.store.engine
        event.listen(self.engine, "before_cursor_execute", self)

    def __call__(self, *_args: Any) -> None:
        self.n += 1
        if self.n >= self.start and (self.stop is None or self.n < self.stop):
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    def end(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


def test_state_database_dropped_mid_pass_is_an_outage_not_a_bug(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """The state database drops in the middle of a pass with new Hot leads, stays down for three
    polls, then comes back: one 'cannot be reached' notice (no 'This is a bug'), the failure metric
    counts each failed poll, /readyz says why, one 'reachable again' notice, and every alert
    reaches Slack exactly once."""
    d = make_daemon(
        tmp_path,
        rules_file,
        clock,
        local_connector(local),
        alerter=alerter_for(slack),
        batch_size=2,
    )
    ids = warm_then_hot(local, clock, d, 6)
    outage = _Outage(d, start=25)
    with capture_logs() as logs:
        for _ in range(4):
            error = score_job(d)
            assert isinstance(error, StateStoreError)
            clock.advance(minutes=15)
        ok, reason = d.ready()
        assert not ok and "state database cannot be reached" in reason
        assert d.live()[0]
        outage.end()
        assert score_job(d) is None
        assert score_job(d) is None
    assert d.metrics.value("leadscore_job_failures_total", job="score_cycle") == 4
    texts = [m["text"] for m in slack.messages if not m.get("metadata")]
    assert len([t for t in texts if "cannot be reached" in t]) == 1
    assert len([t for t in texts if "reachable again" in t]) == 1
    assert not any("bug" in t for t in texts)
    assert not any(e["event"] == "job_crashed" for e in logs)
    assert per_lead(slack) == Counter({i: 1 for i in ids})
    assert d.ready()[0]


def test_state_database_dropped_between_post_and_record(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """Slack accepts the post, then the database drops before the answer is recorded: the claim
    written before the post is resolved from the history on the next pass, never posted twice."""
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack))
    ids = warm_then_hot(local, clock, d, 2)
    real = d.alerter.post  # type: ignore[union-attr]
    outage: list[_Outage] = []

    def post(*args: Any, **kwargs: Any) -> str:
        ts = real(*args, **kwargs)
        if not outage:
            outage.append(_Outage(d, start=1, stop=50))
        return ts

    d.alerter.post = post  # type: ignore[union-attr, method-assign]
    assert isinstance(score_job(d), StateStoreError)
    outage[0].end()
    assert score_job(d) is None
    assert score_job(d) is None
    assert per_lead(slack) == Counter({i: 1 for i in ids})


class _WorkerOutage(_Outage):
    """The state database refuses every statement of the recorder's worker from its ``start``-th
    on (the pass's own thread is not counted); ``writes`` are the CRM writes made until then."""

    def __init__(self, d: Daemon, start: int, writes: list[int]) -> None:
        super().__init__(d, start)
        self.writes, self.writes_then = writes, -1

    def __call__(self, *args: Any) -> None:
        if threading.current_thread() is threading.main_thread():
            return
        if self.writes_then < 0 and self.n + 1 >= self.start:
            self.writes_then = len(self.writes)
        super().__call__(*args)


@pytest.mark.postgres
@pytest.mark.parametrize("start", [1, 5, 12])
def test_postgresql_state_dropped_under_the_recorder_is_an_outage(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack, start: int
) -> None:
    """On PostgreSQL (records kept in the background) the state database drops under the
    recorder's worker: the pass reports an outage, not a bug, writes to the CRM at most the
    batches in flight, and once the database is back every alert reaches Slack exactly once."""

    from service.state.store import StateStore
    from tests.ci import PG_URL, pg_schema

    crm = local_connector(local)
    writes: list[int] = []
    original = crm.write_scores

    def write_scores(updates: Any, **kw: Any) -> Any:
        writes.append(len(updates))
        return original(updates, **kw)

    crm.write_scores = write_scores  # type: ignore[method-assign]
    with pg_schema() as schema:
        store = StateStore(PG_URL, schema=schema, clock=clock)
        d = make_daemon(
            tmp_path, rules_file, clock, crm, alerter=alerter_for(slack), batch_size=2, store=store
        )
        ids = warm_then_hot(local, clock, d, 10)
        writes.clear()
        outage = _WorkerOutage(d, start, writes)
        with capture_logs() as logs:
            error = score_job(d)
        outage.end()
        assert isinstance(error, StateStoreError), error
        assert not any(e["event"] == "job_crashed" for e in logs)
        assert outage.writes_then >= 0 and len(writes) <= outage.writes_then + 2
        assert score_job(d) is None
        assert score_job(d) is None
        d.store.close()
    assert per_lead(slack) == Counter({i: 1 for i in ids})


@pytest.mark.postgres
def test_postgresql_stop_mid_pass_keeps_the_records_of_what_was_written(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """On PostgreSQL a stop (SIGTERM) while the records of the last batches are still on their
    way: they land before the pass ends, so the next pass writes none of those leads again and
    every alert reaches Slack exactly once."""
    import time

    from service.errors import PassInterrupted
    from service.state.leads import LeadState
    from service.state.store import StateStore
    from tests.ci import PG_URL, pg_schema

    crm = local_connector(local)
    written: list[str] = []
    armed: list[bool] = []
    original = crm.write_scores

    def write_scores(updates: Any, **kw: Any) -> Any:
        written.extend(u.record_id for u in updates)
        if armed and len(written) >= 6:
            armed.clear()
            d.stop.set()  # SIGTERM during the third batch
        return original(updates, **kw)

    crm.write_scores = write_scores  # type: ignore[method-assign]
    with pg_schema() as schema:
        store = StateStore(PG_URL, schema=schema, clock=clock)
        d = make_daemon(
            tmp_path, rules_file, clock, crm, alerter=alerter_for(slack), batch_size=2, store=store
        )
        ids = warm_then_hot(local, clock, d, 10)
        written.clear()
        armed.append(True)
        slow = LeadState.record_scored

        def slow_record(self: LeadState, *args: Any, **kw: Any) -> Any:
            time.sleep(0.1)  # the records trail the pass
            return slow(self, *args, **kw)

        LeadState.record_scored = slow_record  # type: ignore[method-assign]
        try:
            with pytest.raises(PassInterrupted):
                run_cycle(d)
        finally:
            LeadState.record_scored = slow  # type: ignore[method-assign]
        first = list(written)
        assert 6 <= len(first) < 10
        d.stop.clear()
        written.clear()
        run_cycle(d)
        assert sorted(written) == sorted(set(ids) - set(first))
        run_cycle(d)
        d.store.close()
    assert per_lead(slack) == Counter({i: 1 for i in ids})
