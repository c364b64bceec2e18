"""Hot-lead alerts through slack-sdk against the fake Slack server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

from service.alerts import HotLeadAlert, SlackAlerter, escape_mrkdwn
from service.alerts.slack import build_message
from service.errors import (
    AuthError,
    BadRequestError,
    ConfigError,
    RateLimitedError,
    RetryableConnectorError,
)
from service.settings import RetrySettings, SlackSettings
from tests.fakes.slack import TOKEN, FakeSlack

ALERT = HotLeadAlert(
    lead_id="L42",
    lead_name="Ada Lovelace",
    company="Analytical Engines Ltd",
    total=87,
    breakdown={"Firmographic": 30, "Behavioral": 25, "Engagement": 20, "Intent": 12},
    top_factors=["Industry: SaaS (+12)", "Requested a demo (+10)"],
    action="Call today: she asked for pricing twice this week",
)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def _server() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture
def slack(_server: FakeSlack) -> FakeSlack:
    _server.reset()
    return _server


def alerter(slack: FakeSlack, sleeps: list[float], **kw: object) -> SlackAlerter:
    settings = SlackSettings(**{"token": TOKEN, "base_url": slack.base_url, **kw})
    return SlackAlerter(settings, retry=RetrySettings(attempts=3), sleep=sleeps.append)


def test_alert_names_lead_company_breakdown_factors_and_action(slack: FakeSlack) -> None:
    """The posted message carries every part a rep needs, and the text fallback too."""
    ts = alerter(slack, []).send_hot_lead(ALERT)
    (message,) = slack.messages
    assert ts == message["ts"]
    assert message["channel"] == "#hot-leads"
    blob = "\n".join(b["text"]["text"] for b in message["blocks"] if "text" in b)
    for part in (
        "Ada Lovelace",
        "Analytical Engines Ltd",
        "87",
        "*Firmographic* 30",
        "*Intent* 12",
        "Requested a demo (+10)",
        "asked for pricing twice",
    ):
        assert part in blob
    assert "Ada Lovelace" in message["text"] and "Call today" in message["text"]


def test_crm_text_cannot_ping_the_channel_or_fake_a_link(slack: FakeSlack) -> None:
    """A company named ``<!channel>`` and a factor with a disguised link arrive escaped."""
    evil = HotLeadAlert(
        "L1",
        "Eve & Co",
        "<!channel>",
        90,
        {"Intent": 40},
        top_factors=["<https://evil.example|Acme>"],
    )
    alerter(slack, []).send_hot_lead(evil)
    (message,) = slack.messages
    everything = repr(message)
    assert "<!channel>" not in everything and "<https://evil" not in everything
    assert "&lt;!channel&gt;" in message["text"] and "Eve &amp; Co" in message["text"]


def test_escape_order_is_ampersand_first() -> None:
    """``&lt;`` typed by a user stays visible as text instead of turning into ``<``."""
    assert escape_mrkdwn("a &lt; b <c>") == "a &amp;lt; b &lt;c&gt;"


def test_long_factor_lists_are_clipped_to_slacks_limit() -> None:
    """No section exceeds Slack's 3,000-character limit."""
    long = HotLeadAlert("L1", "A", "B", 80, {}, top_factors=["x" * 500] * 10)
    assert all(len(b["text"]["text"]) <= 3000 for b in build_message(long)["blocks"])


def test_429_waits_retry_after_then_posts(slack: FakeSlack) -> None:
    """A 429 with Retry-After: 7 is waited out (injected sleep) and the alert is posted once."""
    sleeps: list[float] = []
    slack.fail_next(1, 429, headers={"Retry-After": "7"})
    with capture_logs() as logs:
        alerter(slack, sleeps).send_hot_lead(ALERT)
    assert sleeps == [7.0]
    assert len(slack.messages) == 1 and slack.count() == 2
    assert [e["event"] for e in logs] == ["connector_retry", "slack_alert_sent"]
    assert logs[0]["service"] == "slack"  # a retry log names the service it waits for


def test_a_500_is_not_retried_blindly_but_a_429_is(slack: FakeSlack) -> None:
    """A 500 may have posted the message: one request, no retry (the outbox resolves it through
    the channel history); a persistent 429 is retried to the attempts, then RateLimitedError."""
    sleeps: list[float] = []
    slack.fail_next(3, 500)
    with pytest.raises(RetryableConnectorError, match="500"):
        alerter(slack, sleeps).send_hot_lead(ALERT)
    assert slack.count() == 1 and sleeps == []
    slack.reset()
    slack.fail_next(3, 429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimitedError):
        alerter(slack, sleeps).send_hot_lead(ALERT)
    assert slack.count() == 3 and slack.messages == []


def test_bad_token_fails_fast_without_the_token(slack: FakeSlack) -> None:
    """``invalid_auth`` is an AuthError after one request; the token is in no message or log."""
    sleeps: list[float] = []
    bad = alerter(slack, sleeps, token="xoxb-wrong-secret")
    with capture_logs() as logs, pytest.raises(AuthError, match="chat:write") as info:
        bad.send_hot_lead(ALERT)
    assert slack.count() == 1 and sleeps == []
    for secret in ("xoxb-wrong-secret", TOKEN):
        assert secret not in str(info.value) and secret not in repr(logs)
    assert "xoxb-wrong-secret" not in repr(bad)


def test_unknown_channel_names_the_setting(slack: FakeSlack) -> None:
    """``channel_not_found`` is a BadRequestError naming the channel and the setting."""
    with pytest.raises(BadRequestError, match=r"#nope.*LEADSCORE_SLACK__CHANNEL"):
        alerter(slack, [], channel="#nope").send_hot_lead(ALERT)


def test_logs_hold_no_personal_data(slack: FakeSlack) -> None:
    """The sent event names the lead id and channel, never the person or company."""
    with capture_logs() as logs:
        alerter(slack, []).send_hot_lead(ALERT)
    assert logs == [
        {
            "event": "slack_alert_sent",
            "channel": "#hot-leads",
            "lead_id": "L42",
            "tier": "Hot",
            "log_level": "info",
        }
    ]


def test_missing_token_is_a_config_error() -> None:
    """Without a token the alerter refuses to start and names the setting."""
    with pytest.raises(ConfigError, match="LEADSCORE_SLACK__TOKEN"):
        SlackAlerter(SlackSettings())
