"""One instance at a time, as real processes: two ``daemon once`` started together, two
``daemon run`` replicas with a failover, and SIGTERM in the middle of a pass."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.daemon.conftest import HOT, RULES, WARM, set_lead
from tests.daemon.processes import Proc, base_env, pg_schema
from tests.fakes.local import LocalFake
from tests.fakes.slack import TOKEN, FakeSlack

NOW = datetime.now(UTC)


def per_lead(slack: FakeSlack) -> Counter[str]:
    return Counter(
        m["metadata"]["event_payload"]["lead_id"]
        for m in slack.messages
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "hot"
    )


@contextmanager
def state_url(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'state.db'}"
    else:
        with pg_schema() as url:
            yield url


def daemon_env(
    tmp_path: Path, local: LocalFake, slack: FakeSlack, url: str, **extra: str
) -> dict[str, str]:
    rules = tmp_path / "live.yaml"
    rules.write_text(RULES, encoding="utf-8")
    return base_env(
        LEADSCORE_CONNECTOR="local",
        LEADSCORE_LOCAL__PATH=str(local.path),
        LEADSCORE_STATE_URL=url,
        LEADSCORE_RULES_PATH=str(rules),
        LEADSCORE_DAEMON__MODELS_DIR=str(tmp_path / "models"),
        LEADSCORE_SLACK__TOKEN=TOKEN,
        LEADSCORE_SLACK__BASE_URL=slack.base_url,
        LEADSCORE_DAEMON__ALERT_ON_BACKFILL="true",
        **extra,
    )


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_two_daemon_once_at_the_same_time(
    kind: str, tmp_path: Path, local: LocalFake, slack: FakeSlack
) -> None:
    """Two ``daemon once`` started together on one state database: one runs the pass, the other
    says another instance holds the lease (exit 1) and does nothing; every Hot lead is alerted
    exactly once and every lead written once."""
    hot = local.add_leads(40, modified_at=NOW - timedelta(hours=1), attributes=HOT)
    warm = local.add_leads(1500, modified_at=NOW - timedelta(hours=1), attributes=WARM)
    with state_url(kind, tmp_path) as url:
        env = daemon_env(tmp_path, local, slack, url, LEADSCORE_DAEMON__BATCH_SIZE="100")
        procs = [Proc(["daemon", "once"], env, tmp_path / f"once{i}.log", tmp_path) for i in (1, 2)]
        codes = sorted(p.wait(timeout=180) for p in procs)
    logs = [p.log.read_text() + p.out.read_text() for p in procs]
    assert codes in ([0, 0], [0, 1]), logs
    if codes == [0, 1]:
        loser = logs[[p.popen.returncode for p in procs].index(1)]
        assert "another leadscore daemon is running" in loser
    assert "Traceback" not in "".join(logs) and "This is a bug" not in "".join(logs)
    assert per_lead(slack) == Counter({i: 1 for i in hot})
    assert all(local.writes_of(i) == 1 for i in [*hot, *warm[:50]])


def test_failover_between_two_daemon_run_on_postgres(
    tmp_path: Path, local: LocalFake, slack: FakeSlack
) -> None:
    """Two ``daemon run`` on one PostgreSQL: one active, the other standby; ``kill -9`` of the
    active one and the standby takes over within 60 s, goes on without redoing work, and alerts
    new Hot leads exactly once."""
    hot = local.add_leads(5, modified_at=NOW - timedelta(hours=1), attributes=HOT)
    warm = local.add_leads(20, modified_at=NOW - timedelta(hours=1), attributes=WARM)
    with pg_schema() as url:
        env = daemon_env(
            tmp_path,
            local,
            slack,
            url,
            LEADSCORE_DAEMON__POLL_MINUTES="0.05",
            LEADSCORE_DAEMON__LEASE_RETRY_SECONDS="1",
            LEADSCORE_DAEMON__LEASE_TTL_SECONDS="10",
        )
        a = Proc(["daemon", "run"], env, tmp_path / "a.log", tmp_path)
        b = None
        try:
            a.wait_for(lambda e: e.get("event") == "score_cycle_finished", timeout=90)
            b = Proc(["daemon", "run"], env, tmp_path / "b.log", tmp_path)
            b.wait_for(lambda e: e.get("event") == "daemon_standby", timeout=90)
            time.sleep(4)  # a few polls of the active one while the standby waits
            assert not any(e.get("event") == "score_cycle_finished" for e in b.events())
            a.kill()
            killed = time.monotonic()
            b.wait_for(lambda e: e.get("event") == "lease_acquired", timeout=60)
            takeover = time.monotonic() - killed
            b.wait_for(lambda e: e.get("event") == "score_cycle_finished", timeout=60)
            turned = warm[:3]
            for i in turned:
                set_lead(local, i, datetime.now(UTC), HOT)
            deadline = time.monotonic() + 60
            while len(per_lead(slack)) < len(hot) + len(turned) and time.monotonic() < deadline:
                time.sleep(0.5)
            time.sleep(4)  # more polls: nothing is sent twice
        finally:
            if a.popen.poll() is None:
                a.kill()
            code = b.stop(timeout=30) if b is not None else None
    assert takeover < 60
    assert code == 0
    assert per_lead(slack) == Counter({i: 1 for i in [*hot, *turned]})
    assert all(local.writes_of(i) == 1 for i in [*hot, *warm[3:]])


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_sigterm_mid_pass_stops_between_batches_and_the_next_pass_finishes(
    kind: str, tmp_path: Path, local: LocalFake, slack: FakeSlack
) -> None:
    """SIGTERM while ``daemon once`` is half-way through a long first pass, on SQLite and on
    PostgreSQL state: it exits within 10 s (exit 0, 'stopped between batches'), keeps what it
    wrote, and the next pass writes the rest (every lead exactly once in all)."""
    ids = local.add_leads(8000, modified_at=NOW - timedelta(hours=1), attributes=WARM)
    with state_url(kind, tmp_path) as url:
        env = daemon_env(tmp_path, local, slack, url, LEADSCORE_DAEMON__BATCH_SIZE="100")
        first = Proc(["daemon", "once"], env, tmp_path / "first.log", tmp_path)
        first.wait_for(lambda e: e.get("event") == "scores_written", timeout=120)
        first.popen.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        code = first.stop(timeout=60)
        took = time.monotonic() - sent
        assert code == 0 and took < 10, first.log.read_text()[-2000:]
        assert "Stopped between batches" in first.out.read_text()
        written = sum(1 for i in ids if local.writes_of(i))
        assert 0 < written < len(ids)
        second = Proc(["daemon", "once"], env, tmp_path / "second.log", tmp_path)
        assert second.wait(timeout=300) == 0
    assert all(local.writes_of(i) == 1 for i in ids)
