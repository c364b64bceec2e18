# ruff: noqa: F811  (pytest fixtures imported by name)
"""Operating the daemon: log level and JSON lines for ``once``, Slack off on a blank token,
what ``status`` shows, and a state database that is down at start-up."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from service.daemon.context import open_store
from service.errors import StateStoreError
from service.settings import RetrySettings, Settings
from tests.daemon.conftest import T0, WARM
from tests.daemon.processes import Proc, base_env
from tests.daemon.test_cli_recalibrate import env, run  # noqa: F401  (the fixture)
from tests.fakes.local import LocalFake

UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2"


def _crm(env: Path, n: int = 2) -> None:
    fake = LocalFake(env / "crm.db")
    try:
        fake.add_leads(n, modified_at=T0, attributes=WARM)
    finally:
        fake.close()


class TestOnce:
    def test_once_honours_the_log_level(
        self, env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``LEADSCORE_LOG_LEVEL=WARNING`` silences the info events of ``daemon once``."""
        _crm(env)
        monkeypatch.setenv("LEADSCORE_LOG_JSON", "true")
        code, out = run(capsys, "daemon", "once")
        assert code == 0 and '"event": "rules_loaded"' in out
        monkeypatch.setenv("LEADSCORE_LOG_LEVEL", "WARNING")
        code, out = run(capsys, "daemon", "once")
        assert code == 0 and "rules_loaded" not in out and "score_cycle_finished" not in out

    def test_a_blank_slack_token_means_slack_off_said_once(
        self, env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``LEADSCORE_SLACK__TOKEN=`` (the example Secret) runs without Slack, saying so once."""
        _crm(env)
        monkeypatch.setenv("LEADSCORE_SLACK__TOKEN", "")
        monkeypatch.setenv("LEADSCORE_LOG_JSON", "true")
        code, out = run(capsys, "daemon", "once")
        assert code == 0, out
        assert out.count('"event": "slack_alerts_off"') == 1

    def test_status_shows_what_the_daemon_uses(
        self, env: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """``status`` names the lease holder (none after ``once``), the rules key the last pass
        used and the one on disk, and the outbox."""
        _crm(env)
        assert run(capsys, "daemon", "once")[0] == 0
        code, out = run(capsys, "daemon", "status")
        assert code == 0, out
        assert "running daemon: none holds the lease now" in out
        assert "rules the last pass used: t1#" in out and "version t1, key t1#" in out
        assert "Slack outbox:" in out


class TestStateDownAtStartUp:
    def test_open_store_retries_with_backoff_then_gives_up(self) -> None:
        """An unreachable PostgreSQL is retried with growing waits, then ``StateStoreError``
        (exit 1, not a configuration error)."""
        settings = Settings(state_url=UNREACHABLE, retry=RetrySettings(attempts=3))
        waits: list[float] = []
        with pytest.raises(StateStoreError, match="cannot open the state database") as info:
            open_store(settings, sleep=waits.append)
        assert waits == [2.0, 4.0] and info.value.exit_code == 1

    def test_once_exits_1_naming_the_database(
        self, env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``daemon once`` with the database down: exit 1, what to check, no traceback."""
        monkeypatch.setenv("LEADSCORE_STATE_URL", UNREACHABLE)
        code, out = run(capsys, "daemon", "once")
        assert code == 1 and "cannot open the state database" in out
        assert "Traceback" not in out and "bug" not in out

    def test_run_waits_for_the_database_and_stops_on_sigterm(
        self, tmp_path: Path, rules_file: Path
    ) -> None:
        """``daemon run`` with the database down keeps retrying (no crash loop) and stops
        promptly on SIGTERM."""
        proc = Proc(
            ["daemon", "run"],
            base_env(LEADSCORE_STATE_URL=UNREACHABLE, LEADSCORE_RULES_PATH=str(rules_file)),
            tmp_path / "run.log",
            tmp_path,
        )
        proc.wait_for(lambda e: e.get("event") == "state_store_unreachable" and e["attempt"] == 2)
        assert proc.popen.poll() is None
        began = time.monotonic()
        assert proc.stop(timeout=20) == 0
        assert time.monotonic() - began < 10
