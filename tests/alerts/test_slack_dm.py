"""Direct messages to reps: ``users.lookupByEmail`` (cached, ``users_not_found`` is no member)
and ``conversations.open`` + ``chat.postMessage``, through slack-sdk against the fake."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.alerts import SlackAlerter
from service.errors import AuthError
from service.settings import RetrySettings, SlackSettings
from tests.fakes.slack import TOKEN, FakeSlack


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def alerter(slack: FakeSlack, token: str = TOKEN) -> SlackAlerter:
    settings = SlackSettings(token=token, base_url=slack.base_url)
    return SlackAlerter(settings, retry=RetrySettings(attempts=3), sleep=lambda _s: None)


class TestDirectMessages:
    def test_lookup_is_cached_and_unknown_is_none(self, slack: FakeSlack) -> None:
        """A member is found by e-mail (any case) once; an address no member has is None."""
        slack.add_member("ana@example.com", "UANA0001")
        a = alerter(slack)
        assert a.lookup_user("Ana@Example.com") == "UANA0001"
        assert a.lookup_user("ana@example.com") == "UANA0001"
        assert a.lookup_user("ben@example.com") is None
        assert slack.count(path_contains="users.lookupByEmail") == 2

    def test_dm_lands_in_the_members_channel(self, slack: FakeSlack) -> None:
        """``open_dm`` gives the member's D channel; a post there is a DM, not a channel post."""
        slack.add_member("ana@example.com", "UANA0001")
        a = alerter(slack)
        channel = a.open_dm("UANA0001")
        assert channel.startswith("D") and a.open_dm("UANA0001") == channel
        ts = a.post(
            {"text": "hello"},
            {"event_type": "leadscore_alert", "event_payload": {"key": "k1"}},
            channel=channel,
        )
        assert [m["text"] for m in slack.dms("UANA0001")] == ["hello"]
        assert slack.channel_posts() == []
        assert a.find_message("k1", oldest=0, channel=channel) == ts

    def test_a_lookup_survives_a_server_error(self, slack: FakeSlack) -> None:
        """A 500 on a lookup (it changes nothing) is retried."""
        slack.add_member("ana@example.com", "UANA0001")
        slack.fail_next(1, 500)
        assert alerter(slack).lookup_user("ana@example.com") == "UANA0001"

    def test_a_bad_token_is_an_auth_error(self, slack: FakeSlack) -> None:
        """A refused token is not 'no member'."""
        with pytest.raises(AuthError):
            alerter(slack, token="xoxb-wrong").lookup_user("ana@example.com")
