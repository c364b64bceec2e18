"""Settings come from LEADSCORE_* variables; logs never carry secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog

from service.errors import ConfigError
from service.logging import configure_logging
from service.settings import Settings, get_settings


def test_nested_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nested keys are read with a double underscore and secrets are SecretStr."""
    monkeypatch.setenv("LEADSCORE_CONNECTOR", "hubspot")
    monkeypatch.setenv("LEADSCORE_HUBSPOT__ACCESS_TOKEN", "pat-na1-secret")
    monkeypatch.setenv("LEADSCORE_HUBSPOT__REQUESTS_PER_10S", "190")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.connector == "hubspot"
    assert s.hubspot.requests_per_10s == 190
    assert s.hubspot.access_token is not None
    assert s.hubspot.access_token.get_secret_value() == "pat-na1-secret"
    assert "pat-na1-secret" not in repr(s)
    assert "pat-na1-secret" not in str(s.model_dump())


def test_invalid_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """A value out of range is refused rather than silently used."""
    monkeypatch.setenv("LEADSCORE_SALESFORCE__MAX_API_SHARE", "1.5")
    with pytest.raises(ValueError, match="max_api_share"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_json_logs_drop_secret_valued_keys(capsys: pytest.CaptureFixture[str]) -> None:
    """A key that looks like a secret is masked in the rendered JSON line."""
    configure_logging("INFO", json=True)
    structlog.get_logger().info("connector_ready", connector="hubspot", access_token="abc123")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    event = json.loads(line)
    assert event["event"] == "connector_ready"
    assert event["access_token"] == "***"
    assert "abc123" not in line


def test_log_level_filters(capsys: pytest.CaptureFixture[str]) -> None:
    """Events below the configured level are not written."""
    configure_logging("WARNING", json=True)
    structlog.get_logger().info("quiet_event")
    structlog.get_logger().warning("loud_event")
    err = capsys.readouterr().err
    assert "quiet_event" not in err
    assert "loud_event" in err


def test_bad_variables_are_a_config_error_naming_each(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A misspelled key and a wrong-typed value each name their variable, never the value."""
    monkeypatch.chdir(tmp_path)  # no .env from the working directory
    monkeypatch.setenv("LEADSCORE_DAEMON__POLL_SECONDS", "30")
    monkeypatch.setenv("LEADSCORE_RETRY__ATTEMPTS", "hunter2-secret")
    with pytest.raises(ConfigError) as info:
        get_settings()
    text = str(info.value)
    assert "LEADSCORE_DAEMON__POLL_SECONDS: not a setting" in text
    assert "LEADSCORE_RETRY__ATTEMPTS: Input should be a valid integer" in text
    assert "hunter2-secret" not in text
    assert info.value.exit_code == 2


def test_stdlib_logging_and_tracebacks_are_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    """APScheduler-style standard-library records, with a traceback, come out as one JSON line
    each (the traceback a field), never as plain multi-line text."""
    import logging

    configure_logging("INFO", json=True)
    try:
        raise KeyError("boom")
    except KeyError:
        logging.getLogger("apscheduler.executors.default").exception("Job raised an exception")
    logging.getLogger("apscheduler.scheduler").warning("Run time of job was missed by 0:00:05")
    logging.getLogger("apscheduler.scheduler").info("Added job")  # their INFO is not ours
    lines = capsys.readouterr().err.strip().splitlines()
    events = [json.loads(line) for line in lines]  # every line parses
    assert [e["event"] for e in events] == [
        "Job raised an exception",
        "Run time of job was missed by 0:00:05",
    ]
    assert events[0]["logger"] == "apscheduler.executors.default"
    assert "KeyError: 'boom'" in events[0]["exception"]
