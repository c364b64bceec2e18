"""The hardening helpers one by one: CSV neutralising, safe markdown, the scrubber, settings
(https, env file, repr), PostgreSQL connect options, Slack mrkdwn, the metrics server."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import requests
from pydantic import SecretStr

from service import redact
from service.alerts.slack import HotLeadAlert, build_message, escape_mrkdwn, escape_notice
from service.daemon.metrics import Metrics, MetricsServer
from service.data.csv_out import neutralise_cell, restore_cell, write_csv
from service.errors import ConfigError
from service.report.escape import safe_markdown
from service.settings import Settings, get_settings
from service.state.store import connect_args


class TestCsvNeutralising:
    """OWASP CSV-injection rule for files people open in spreadsheets."""

    @pytest.mark.parametrize("value", ["=1+1", "+1+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "-"])
    def test_formula_starts_get_a_quote(self, value: str) -> None:
        """Every trigger character at the start gets a leading quote, and comes back intact."""
        assert neutralise_cell(value) == "'" + value
        assert restore_cell(neutralise_cell(value)) == value

    @pytest.mark.parametrize("value", ["-5", "+5", "-1.5e3", ".5", "Acme", "a=b", "", "'=x"])
    def test_numbers_and_plain_text_stay(self, value: str) -> None:
        """Numbers such as -5 stay numbers; text not starting a formula is untouched."""
        assert neutralise_cell(value) == value

    def test_arrow_and_pandas_paths_agree(self, tmp_path: Path) -> None:
        """The Arrow writer and the pandas fallback (mixed objects) neutralise alike, header too."""
        frame = pd.DataFrame({"=h": ["=1", "-5", "ok"], "n": [-5, 3, 4]})
        write_csv(frame, tmp_path / "a.csv")
        mixed = frame.assign(o=[{"x": 1}, 2, "s"])  # Arrow cannot convert: pandas writes it
        write_csv(mixed, tmp_path / "b.csv")
        a = pd.read_csv(tmp_path / "a.csv", dtype=str)
        b = pd.read_csv(tmp_path / "b.csv", dtype=str)
        assert list(a.columns) == ["'=h", "n"] and list(a["'=h"]) == ["'=1", "-5", "ok"]
        assert list(b["'=h"]) == ["'=1", "-5", "ok"] and list(a["n"]) == ["-5", "3", "4"]

    def test_raw_writes_values_untouched(self, tmp_path: Path) -> None:
        write_csv(pd.DataFrame({"c": ["=1"]}), tmp_path / "r.csv", raw=True)
        assert (tmp_path / "r.csv").read_text().splitlines()[1] == '"=1"'


class TestSafeMarkdown:
    """What a wiki or Git host could act on is made inert; the report's own markdown stays."""

    def test_html_links_and_images(self) -> None:
        text = safe_markdown(
            "<script>x</script> [a](javascript:alert(1)) ![t](https://evil.example/t.png) "
            "[b](&#106;avascript:x) <https://x.example>"
        )
        assert "<" not in text and "](javascript:" not in text and "](https://evil" not in text
        assert "](&#106;" not in text

    def test_own_markdown_kept(self) -> None:
        ours = "| a | b |\n|---|---|\n![Tiers](plots/tier-volumes.png) [docs](https://x.example/d)"
        assert safe_markdown(ours) == ours

    def test_code_left_alone_and_breakout_caught(self) -> None:
        """Inside code nothing renders; a value that closes a code span early is escaped."""
        assert safe_markdown("`<b>` and ```\n<b>\n```\n") == "`<b>` and ```\n<b>\n```\n"
        assert "<svg" not in safe_markdown("`a` <svg onload=x> `b`")

    def test_reference_definition(self) -> None:
        assert safe_markdown("[x]: javascript:alert(1)\n").startswith("\\[x\\]:")


class TestScrubber:
    """One scrubber for every door text leaves by."""

    def test_registered_values_and_their_url_forms_are_masked(self) -> None:
        redact.register(SecretStr("s3cr3t/val+ue"), None, "abc")  # "abc": too short to register
        text = "a s3cr3t/val+ue b s3cr3t%2Fval%2Bue c abc"
        assert redact.scrub(text) == "a *** b *** c abc"
        assert redact.scrub_any({"k": ["s3cr3t/val+ue"]}) == {"k": ["***"]}

    def test_settings_register_every_secret_and_the_state_password(self, monkeypatch) -> None:
        monkeypatch.setenv("LEADSCORE_SLACK__TOKEN", "xoxb-unit-secret-1")
        monkeypatch.setenv("LEADSCORE_STATE_URL", "postgresql+psycopg://u:pw-unit-42@db/x")
        settings = get_settings()
        assert redact.scrub("xoxb-unit-secret-1 pw-unit-42") == "*** ***"
        assert "pw-unit-42" not in repr(settings)

    def test_database_urls_are_shown_without_their_password(self) -> None:
        """The one ``safe_url`` masks a password, and text that is no URL (or has a port that
        is no number) shows only what follows its last ``@``."""
        assert redact.safe_url("postgresql+psycopg://u:pw-unit-42@db:5432/x") == (
            "postgresql+psycopg://u:***@db:5432/x"
        )
        assert redact.safe_url("sqlite:///state.db") == "sqlite:///state.db"
        assert redact.safe_url("u:pw-unit-42@db/x") == "db/x"
        assert redact.safe_url("postgresql://u:pw-unit-42@db:port/x") == "db:port/x"


class TestSettings:
    """https only, and the env file only where the user names it."""

    def test_http_refused_unless_allowed(self, monkeypatch) -> None:
        monkeypatch.delenv("LEADSCORE_ALLOW_INSECURE_HTTP")
        for name in (
            "HUBSPOT__HOST",
            "SLACK__BASE_URL",
            "SALESFORCE__INSTANCE_URL",
            "SALESFORCE__LOGIN_URL",
        ):
            monkeypatch.setenv(f"LEADSCORE_{name}", "http://127.0.0.1:9")
        with pytest.raises(ConfigError) as info:
            get_settings()
        assert str(info.value).count("http:// sends the credentials in clear text") == 4
        monkeypatch.setenv("LEADSCORE_ALLOW_INSECURE_HTTP", "true")
        assert get_settings().hubspot.host == "http://127.0.0.1:9"

    def test_dotenv_in_cwd_not_read_named_file_read(self, tmp_path: Path, monkeypatch) -> None:
        monkeypatch.chdir(tmp_path)
        (tmp_path / ".env").write_text("LEADSCORE_CONNECTOR=hubspot\n")
        assert get_settings().connector == "local"
        (tmp_path / "my.env").write_text("LEADSCORE_CONNECTOR=hubspot\n")
        monkeypatch.setenv("LEADSCORE_ENV_FILE", str(tmp_path / "my.env"))
        assert get_settings().connector == "hubspot"

    def test_metrics_bind_loopback_by_default(self) -> None:
        assert Settings().daemon.metrics_host == "127.0.0.1"


class TestStateConnect:
    """A connect timeout always; TLS verified off this machine unless the URL says otherwise."""

    def test_remote_postgres_verifies(self) -> None:
        assert connect_args("postgresql+psycopg://u@db.example/x") == {
            "connect_timeout": 10,
            "sslmode": "verify-full",
        }

    def test_local_and_explicit_choices_kept(self) -> None:
        assert connect_args("postgresql+psycopg://u@127.0.0.1/x") == {"connect_timeout": 10}
        assert connect_args("postgresql+psycopg://u@db/x?sslmode=disable&connect_timeout=3") == {}
        assert connect_args("sqlite:///x.db") == {}

    def test_silent_server_times_out(self, monkeypatch) -> None:
        """A server that accepts and never answers fails within the timeout (an outage the
        daemon retries, not a hang)."""
        from service.errors import StateStoreError
        from service.state import store as store_module
        from service.state.store import StateStore

        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        monkeypatch.setattr(store_module, "CONNECT_TIMEOUT", 1)
        began = time.monotonic()
        with pytest.raises(StateStoreError):
            StateStore(f"postgresql+psycopg://u@127.0.0.1:{silent.getsockname()[1]}/x")
        assert time.monotonic() - began < 10
        silent.close()


class TestSlackText:
    """CRM text is neither formatted, linked nor a ping in Slack."""

    def test_markers_links_and_pings(self) -> None:
        text = escape_mrkdwn(
            "*Big* _deal_ ~x~ `c` https://evil.example www.evil.example a@b.io <!here>"
        )
        for active in ("*", "_", "~", "`", "https://", "www.", "evil.example", "a@b.io", "<!"):
            assert active not in text, active

    def test_record_link_still_a_link(self) -> None:
        alert = HotLeadAlert("L1", "*Eve*", "evil.example", 80, {}, record_url="https://crm.x/L1")
        message = build_message(alert)
        assert "<https://crm.x/L1|Open in CRM>" in str(message["blocks"])
        assert "*Eve*" not in message["text"] and "evil.example" not in message["text"]

    def test_notice_is_a_code_block(self) -> None:
        assert escape_notice("bad `x` <!channel>") == "```bad ˋxˋ &lt;!channel&gt;```"


class TestMetricsServer:
    """Only three paths, a bounded pool of threads, and a timeout for slow clients."""

    def _server(self, **kw) -> MetricsServer:
        return MetricsServer(
            Metrics(), port=0, live=lambda: (True, "ok"), ready=lambda: (False, "x"), **kw
        )

    def test_paths(self) -> None:
        server = self._server()
        try:
            base = f"http://127.0.0.1:{server.port}"
            assert requests.get(f"{base}/metrics", timeout=5).status_code == 200
            assert requests.get(f"{base}/healthz", timeout=5).status_code == 200
            assert requests.get(f"{base}/readyz", timeout=5).status_code == 503
            assert requests.get(f"{base}/", timeout=5).status_code == 404
            assert requests.get(f"{base}/metrics/../x", timeout=5).status_code == 404
        finally:
            server.close()

    def test_half_open_clients_hold_no_threads(self) -> None:
        """100 clients that connect and send nothing: the thread count stays bounded, they are
        dropped after the timeout, and the server answers again."""
        server = self._server(timeout=0.5)
        before = threading.active_count()
        socks = []
        try:
            for _ in range(100):
                s = socket.create_connection(("127.0.0.1", server.port))
                s.sendall(b"GET /metrics HTTP/1.1\r\n")  # never finished
                socks.append(s)
            time.sleep(0.3)
            assert threading.active_count() - before <= 5
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    if requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=2).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            else:
                pytest.fail("the server did not recover from slow clients")
        finally:
            for s in socks:
                s.close()
            server.close()


class TestRichMarkup:
    """Ids and server text print as written, never as Rich markup."""

    def test_push_summary_with_markup_ids(self, tmp_path: Path, monkeypatch, capsys) -> None:
        """Refused ids like ``[/bold]`` are listed literally (the summary used to crash after
        the writes, exit 1 as an internal error) and no fake link is made."""
        import sys

        import structlog

        from service.cli import main
        from tests.fakes.local import LocalFake

        fake = LocalFake(tmp_path / "crm.db")
        (good,) = fake.add_leads(1)
        fake.reject_records(["[/bold]"], "[link=https://evil.example]click[/link]")
        fake.close()
        scored = tmp_path / "scored.csv"
        scored.write_text(
            f'lead_id,Lead_Score_Total\n{good},50\n[/bold],40\n"[link=https://evil.example]x",30\n'
        )
        monkeypatch.setenv("LEADSCORE_LOCAL__PATH", str(tmp_path / "crm.db"))
        monkeypatch.setenv("LEADSCORE_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
        monkeypatch.setenv("COLUMNS", "250")
        monkeypatch.setattr(sys, "argv", ["leadscore", "crm", "push", str(scored)])
        try:
            with pytest.raises(SystemExit) as exc:
                main()
        finally:
            structlog.reset_defaults()
        out, err = capsys.readouterr()
        assert exc.value.code == 1 and "internal error" not in out + err  # 1: records refused
        assert "[/bold]:" in out and "[link=https://evil.example]x" in out
