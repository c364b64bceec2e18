"""Hot-lead alerts through the fake Slack server, and hot reload of the rules file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from structlog.testing import capture_logs

from service.daemon.cycle import run_cycle
from service.daemon.jobs import rules_job
from tests.daemon.conftest import (
    HOT,
    RULES,
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


def test_alert_once_per_turn_into_hot(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """Turning Hot alerts once; staying Hot does not; leaving and coming back alerts again;
    leads already Hot on the first pass (the backfill) are not news."""
    (already,) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=HOT)
    (lead,) = local.add_leads(
        1, modified_at=T0 - timedelta(hours=1), attributes={**WARM, "contact_name": "Ada"}
    )
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack))
    run_cycle(d)
    assert slack.messages == []

    set_lead(local, lead, clock.advance(hours=1), {**HOT, "contact_name": "Ada"})
    assert run_cycle(d).alerts_sent == 1
    (message,) = slack.messages
    assert "Ada" in message["text"] and "score 70" in message["text"]
    blob = "\n".join(b["text"]["text"] for b in message["blocks"] if "text" in b)
    assert "Requested a demo (+40)" in blob and "*Behavioral* 40" in blob

    clock.advance(days=1)  # Hot cadence: both Hot leads are re-scored, still Hot
    assert run_cycle(d).scored == 2
    set_lead(
        local, lead, clock.advance(minutes=5), {**HOT, "email_opens": 9, "contact_name": "Ada"}
    )
    run_cycle(d)
    assert len(slack.messages) == 1

    set_lead(local, lead, clock.advance(hours=1), {**WARM, "contact_name": "Ada"})
    run_cycle(d)
    set_lead(local, lead, clock.advance(hours=1), {**HOT, "contact_name": "Ada"})
    run_cycle(d)
    assert len(slack.messages) == 2
    assert all(already not in m["text"] for m in slack.messages)


def test_alert_survives_a_slack_outage_and_a_restart_without_repeating(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """Slack down: the alert stays claimed but unconfirmed; after a restart the channel history
    shows it was not posted, so it is sent once, then never again."""
    (lead,) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=WARM)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack))
    run_cycle(d)
    slack.fail_next(5, 503)
    set_lead(local, lead, clock.advance(hours=1), HOT)
    with capture_logs() as logs:
        assert run_cycle(d).alerts_sent == 0
    assert any(e["event"] == "hot_alert_unconfirmed" and e["lead_id"] == lead for e in logs)
    assert d.leads.pending_alerts("local") == [(lead, 1)]
    slack.reset()
    d.close()

    restarted = make_daemon(
        tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
    )
    clock.advance(minutes=15)
    assert run_cycle(restarted).alerts_sent == 1
    run_cycle(restarted)
    fresh = make_daemon(
        tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
    )
    run_cycle(fresh)
    assert len(slack.messages) == 1


def test_bad_rules_edit_keeps_the_last_good_rules(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
) -> None:
    """A bad edit is logged with each key path and posted to Slack; scoring goes on with the old
    rules; the next good edit comes into force and re-scores every lead with its version."""
    (lead,) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=WARM)
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack))
    run_cycle(d)
    bad = RULES.replace("points: 40", "points: lots").replace("hot: 60", "hott: 60")
    rules_file.write_text(bad, encoding="utf-8")
    with capture_logs() as logs:
        assert rules_job(d) is False
        assert rules_job(d) is False  # the same bad content is reported once
    (failed,) = [e for e in logs if e["event"] == "rules_reload_failed"]
    assert failed["kept_version"] == "t1"
    assert any(p.startswith("signals[2].points:") for p in failed["problems"])
    assert any(p.startswith("thresholds.hott:") for p in failed["problems"])
    assert d.rules.current.version == "t1"
    assert d.metrics.value("leadscore_rules_reload_failures_total") == 1
    assert len(slack.messages) == 1 and "t1 stay in force" in slack.messages[0]["text"]
    assert run_cycle(d).scored == 0  # still scoring with t1: nothing is due

    rules_file.write_text(RULES.replace('version: "t1"', 'version: "t2"'), encoding="utf-8")
    assert rules_job(d) is True
    assert d.rules.current.version == "t2"
    assert run_cycle(d).written == 1
    assert local.score_of(lead, "Version") == "t2"


def test_an_sla_clock_on_warm_is_refused_and_the_last_good_rules_stay(
    tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
) -> None:
    """An edit giving Warm an SLA clock (``tiers.Warm.sla_hours``), which no Warm turn would
    ever start, is refused with its key path in the log, and the last good rules stay."""
    d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
    timed = RULES.replace("rescore_every_days: 3}", "rescore_every_days: 3, sla_hours: 4}")
    assert timed != RULES
    rules_file.write_text(timed.replace('version: "t1"', 'version: "t2"'), encoding="utf-8")
    with capture_logs() as logs:
        assert rules_job(d) is False
    (failed,) = [e for e in logs if e["event"] == "rules_reload_failed"]
    assert [p.split(":")[0] for p in failed["problems"]] == ["tiers.Warm.sla_hours"]
    assert d.rules.current.version == "t1"
