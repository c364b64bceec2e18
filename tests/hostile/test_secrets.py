"""No configured secret leaves the process, on any command or daemon path, success or failure.

Distinctive secret values are set for every credential; each command and daemon path runs
against working fakes (success), against servers that echo the request back (failure: 401, 500,
for HubSpot, Salesforce and Slack), and with bad settings. Everything produced is collected:
stdout, stderr, the JSON logs (at DEBUG), every file written (state store, reports, scored and
pulled CSVs), the metrics and health endpoints, and the Slack messages. None may contain any
secret value, nor its URL-encoded form.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import structlog

from tests.cli import invoke
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.local import LocalFake
from tests.fakes.slack import FakeSlack
from tests.hostile.corpus import RULES, SECRETS, leads_csv
from tests.hostile.echo import echo_server

STATE_PASSWORD = "HostileStatePw-6d1e"
ALL_SECRETS = [*SECRETS.values(), STATE_PASSWORD, "HOSTILEconsumersecret-3b"]


def _forms(value: str) -> set[str]:
    return {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}


class Produced:
    """Everything the runs produced, to grep at the end."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, text: str | bytes) -> None:
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        self.texts.append((where, text))

    def add_files(self, folder: Path) -> None:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix not in {".png", ".pem"}:
                self.add(str(path.relative_to(folder)), path.read_bytes())

    def leaks(self) -> list[tuple[str, str]]:
        return [
            (where, secret)
            for where, text in self.texts
            for secret in ALL_SECRETS
            if any(form in text for form in _forms(secret))
        ]


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()


@pytest.fixture
def secret_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every credential set to a distinctive value; state and local CRM in ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("LEADSCORE_SALESFORCE__USERNAME", "ops@example.com")
    monkeypatch.setenv("LEADSCORE_SALESFORCE__CONSUMER_SECRET", "HOSTILEconsumersecret-3b")
    monkeypatch.setenv("LEADSCORE_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("LEADSCORE_LOCAL__PATH", str(tmp_path / "crm.db"))
    monkeypatch.setenv("LEADSCORE_RULES_PATH", str(RULES))
    monkeypatch.setenv("LEADSCORE_DAEMON__MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("LEADSCORE_RETRY__ATTEMPTS", "1")
    monkeypatch.setenv("LEADSCORE_LOG_JSON", "true")
    monkeypatch.setenv("COLUMNS", "250")
    return tmp_path


def run(produced: Produced, monkeypatch: pytest.MonkeyPatch, capsys, *args: str) -> int:
    """``leadscore --log-level DEBUG ARGS`` in-process; its stdout and stderr are kept."""
    result = invoke("--log-level", "DEBUG", *args)
    produced.add(f"stdout of {args}", result.stdout)
    produced.add(f"stderr of {args}", result.stderr)
    return result.code


def _crm_paths(produced: Produced, monkeypatch, capsys, folder: Path) -> list[int]:
    """check, setup, pull, push, daemon once and status against the configured CRM."""
    scored = folder / "scored.csv"
    scored.write_text("lead_id,Lead_Score_Total\nL1,50\n", encoding="utf-8")
    return [
        run(produced, monkeypatch, capsys, "crm", "check"),
        run(produced, monkeypatch, capsys, "crm", "setup"),
        run(produced, monkeypatch, capsys, "crm", "pull", "--out", str(folder / "pulled")),
        run(produced, monkeypatch, capsys, "crm", "push", str(scored)),
        run(produced, monkeypatch, capsys, "daemon", "once"),
        run(produced, monkeypatch, capsys, "daemon", "status"),
    ]


@pytest.mark.parametrize("status", [401, 500])
@pytest.mark.parametrize("crm", ["hubspot", "salesforce-session", "salesforce-login"])
def test_echoing_crm_and_slack_leak_nothing(
    crm: str, status: int, secret_env: Path, monkeypatch, capsys
) -> None:
    """Every CRM command and a daemon pass against a CRM and a Slack that echo the request:
    each fails with a clear error, and no secret is in any output, file, or Slack message."""
    produced = Produced()
    with echo_server(status) as echo, echo_server(status) as slack_echo:
        monkeypatch.setenv("LEADSCORE_SLACK__BASE_URL", slack_echo + "/api/")
        if crm == "hubspot":
            monkeypatch.setenv("LEADSCORE_CONNECTOR", "hubspot")
            monkeypatch.setenv("LEADSCORE_HUBSPOT__HOST", echo)
        else:
            monkeypatch.setenv("LEADSCORE_CONNECTOR", "salesforce")
            name = "INSTANCE_URL" if crm == "salesforce-session" else "LOGIN_URL"
            monkeypatch.setenv(f"LEADSCORE_SALESFORCE__{name}", echo)
            if crm == "salesforce-login":
                monkeypatch.delenv("LEADSCORE_SALESFORCE__SESSION_ID")
        codes = _crm_paths(produced, monkeypatch, capsys, secret_env)
    assert 0 not in codes[:5], codes  # every path against the echo failed
    produced.add_files(secret_env)
    assert produced.leaks() == []


def test_working_fakes_and_slack_leak_nothing(secret_env: Path, monkeypatch, capsys) -> None:
    """The success paths: HubSpot and Slack fakes that accept the secret token, the local CRM,
    score and build with their reports, a daemon pass with a Hot alert, the metrics endpoint."""
    produced = Produced()
    hub = FakeHubSpot(token=SECRETS["LEADSCORE_HUBSPOT__ACCESS_TOKEN"]).start()
    slack = FakeSlack(token=SECRETS["LEADSCORE_SLACK__TOKEN"]).start()
    try:
        hub.add_leads(3)
        hub.add_deals(3, 3)
        monkeypatch.setenv("LEADSCORE_CONNECTOR", "hubspot")
        monkeypatch.setenv("LEADSCORE_HUBSPOT__HOST", hub.url)
        monkeypatch.setenv("LEADSCORE_SLACK__BASE_URL", slack.base_url)
        codes = _crm_paths(produced, monkeypatch, capsys, secret_env)
        assert codes[0] in (0, 1) and codes[4] == 0, codes
        fake = LocalFake(secret_env / "crm.db")
        fake.add_leads(3, attributes={"industry": "Healthcare", "demo_requested": True})
        fake.close()
        monkeypatch.setenv("LEADSCORE_CONNECTOR", "local")
        assert run(produced, monkeypatch, capsys, "daemon", "once") == 0
        # recalibration from a CRM with too few closed deals: a clear refusal (exit 2)
        assert run(produced, monkeypatch, capsys, "daemon", "once", "--recalibrate") == 2
        assert run(produced, monkeypatch, capsys, "rules", "check", str(RULES)) == 0
        leads = leads_csv(secret_env / "leads.csv")
        out = secret_env / "out"
        assert (
            run(
                produced,
                monkeypatch,
                capsys,
                "score",
                str(leads),
                "--model",
                str(RULES),
                "--out",
                str(out / "scored.csv"),
                "--report",
                str(out / "batch.md"),
            )
            == 0
        )
        assert (
            run(
                produced,
                monkeypatch,
                capsys,
                "sample-data",
                "--out",
                str(out / "data"),
                "--deals",
                "300",
                "--leads",
                "50",
            )
            == 0
        )
        deals = str(out / "data" / "deals.csv")
        assert (
            run(produced, monkeypatch, capsys, "audit", deals, "--json", str(out / "a.json")) == 0
        )
        assert (
            run(
                produced,
                monkeypatch,
                capsys,
                "build",
                str(out / "data" / "deals.csv"),
                "--out",
                str(out / "model"),
            )
            == 0
        )
        for message in slack.messages:
            produced.add("slack message", repr(message))
        _serve_health(produced, monkeypatch)
    finally:
        hub.stop()
        slack.stop()
    produced.add_files(secret_env)
    assert produced.leaks() == []


def _serve_health(produced: Produced, monkeypatch: pytest.MonkeyPatch) -> None:
    """/metrics, /healthz and /readyz of a daemon whose last pass failed on an echoing CRM."""
    from service.daemon.context import Daemon
    from service.daemon.jobs import score_job
    from service.daemon.metrics import MetricsServer
    from service.settings import get_settings

    with echo_server(401) as echo:
        monkeypatch.setenv("LEADSCORE_CONNECTOR", "hubspot")
        monkeypatch.setenv("LEADSCORE_HUBSPOT__HOST", echo)
        d = Daemon.from_settings(get_settings())
        try:
            assert score_job(d) is not None
            server = MetricsServer(d.metrics, port=0, host="127.0.0.1", live=d.live, ready=d.ready)
            try:
                for path in ("/metrics", "/healthz", "/readyz", "/anything"):
                    answer = requests.get(f"http://127.0.0.1:{server.port}{path}", timeout=5)
                    produced.add(f"GET {path}", answer.text)
                ready = requests.get(f"http://127.0.0.1:{server.port}/readyz", timeout=5)
                assert ready.status_code == 503
                assert ready.text == "not ok: the last scoring cycle failed (AuthError)\n"
            finally:
                server.close()
        finally:
            d.close()


def test_bad_settings_and_state_url_leak_nothing(secret_env: Path, monkeypatch, capsys) -> None:
    """An http:// address, a bad value, an unreachable PostgreSQL URL with a password, and the
    settings' repr: the errors name the setting, never a secret."""
    from service.settings import get_settings

    produced = Produced()
    url = f"postgresql+psycopg://leadscore:{STATE_PASSWORD}@127.0.0.1:1/leadscore"
    monkeypatch.setenv("LEADSCORE_STATE_URL", url)
    produced.add("repr(Settings)", repr(get_settings()))
    assert (
        run(produced, monkeypatch, capsys, "daemon", "status") == 1
    )  # an unreachable database is an outage (issue 9)
    monkeypatch.delenv("LEADSCORE_ALLOW_INSECURE_HTTP")
    monkeypatch.setenv("LEADSCORE_CONNECTOR", "hubspot")
    monkeypatch.setenv("LEADSCORE_HUBSPOT__HOST", "http://api.hubapi.com")
    assert run(produced, monkeypatch, capsys, "crm", "check") == 2
    monkeypatch.setenv("LEADSCORE_RETRY__ATTEMPTS", SECRETS["LEADSCORE_SLACK__TOKEN"])
    assert run(produced, monkeypatch, capsys, "crm", "check") == 2
    assert any("LEADSCORE_RETRY__ATTEMPTS" in text for _, text in produced.texts)
    assert produced.leaks() == []


def test_an_internal_error_quoting_a_secret_is_scrubbed(
    secret_env: Path, monkeypatch, capsys
) -> None:
    """A bug whose exception text holds a secret (as a library's might) prints it masked."""
    import service.commands.daemon as daemon_cmd

    produced = Produced()

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError(f"token={SECRETS['LEADSCORE_HUBSPOT__ACCESS_TOKEN']}")

    monkeypatch.setattr(daemon_cmd, "_when", boom)
    assert run(produced, monkeypatch, capsys, "daemon", "status") == 1
    assert any("token=***" in text for _, text in produced.texts)
    assert produced.leaks() == []
