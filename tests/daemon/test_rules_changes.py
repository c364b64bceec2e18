"""Rules changes: the version in force includes the content hash, alerts a rules change causes
are summarised, and a bad or missing rules file is told once per distinct problem and once when
fixed, never a crash."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from service.daemon.cycle import run_cycle
from service.daemon.jobs import rules_job
from service.errors import RulesError
from service.scoring.rules import load_rules
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

#: RULES with Hot from 30 points: every WARM lead (30 points) turns Hot
EASIER = RULES.replace("hot: 60, warm: 30", "hot: 30, warm: 20")


def notices(slack: FakeSlack) -> list[str]:
    return [m["text"] for m in slack.messages if not m.get("metadata")]


class TestVersionInForce:
    def test_an_edit_that_keeps_the_version_still_rescores(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """Same ``version``, new thresholds: every lead is re-scored with them (the version in
        force carries the content hash) and the unchanged version is logged."""
        ids = local.add_leads(3, modified_at=T0 - timedelta(hours=1), attributes=WARM)
        d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
        run_cycle(d)
        assert {local.score_of(i, "Tier") for i in ids} == {"Warm"}
        key = d.rules.key
        rules_file.write_text(EASIER, encoding="utf-8")
        with capture_logs() as logs:
            assert rules_job(d) is True
        assert d.rules.current.version == "t1" and d.rules.key != key
        assert any(e["event"] == "rules_changed_same_version" for e in logs)
        report = run_cycle(d)
        assert report.scored == 3 and report.written == 3
        assert {local.score_of(i, "Tier") for i in ids} == {"Hot"}
        assert local.score_of(ids[0], "Version") == "t1"
        assert d.metrics.value("leadscore_rules_info", version="t1", key=d.rules.key) == 1


class TestSummarisedAlerts:
    def test_a_rules_change_sends_one_summary_and_one_digest_per_owner(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """A new version turning 9 leads of two owners Hot posts one channel message with the
        counts and one digest per owner, not 9 alerts; a lead turning Hot by its own change in
        the same pass is alerted as usual; later passes post nothing more."""
        ana = local.add_leads(6, modified_at=T0 - timedelta(hours=1), attributes=WARM, owner="Ana")
        bo = local.add_leads(3, modified_at=T0 - timedelta(hours=1), attributes=WARM, owner="Bo")
        (cold,) = local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes={})
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        run_cycle(d)
        set_lead(local, cold, clock.advance(hours=1), {**HOT, "contact_name": "Own Change"})
        rules_file.write_text(EASIER.replace('"t1"', '"t2"'), encoding="utf-8")
        assert rules_job(d) is True
        report = run_cycle(d)
        assert report.turned_hot == 10
        hot = [m for m in slack.messages if m["metadata"]["event_payload"]["kind"] == "hot"]
        assert [m["metadata"]["event_payload"]["lead_id"] for m in hot] == [cold]
        (summary,) = [
            m for m in slack.messages if m["metadata"]["event_payload"]["kind"] == "summary"
        ]
        assert "Rules t2" in summary["text"] and "9 leads turned Hot" in summary["text"]
        assert "Ana 6" in summary["text"] and "Bo 3" in summary["text"]
        digests = sorted(
            m["text"] for m in slack.messages if m["metadata"]["event_payload"]["kind"] == "digest"
        )
        assert len(digests) == 2
        assert digests[0].startswith("Owner Ana: 6 leads") and digests[1].startswith("Owner Bo: 3")
        assert all(i in digests[0] for i in ana) and all(i in digests[1] for i in bo)
        clock.advance(days=1)
        run_cycle(d)
        run_cycle(d)
        assert len(slack.messages) == 4


class TestBadRulesFile:
    def test_a_deleted_file_is_told_once_and_once_when_back(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """Deleted: one notice however many checks, the bad-file metric at 1; put back as it
        was: one 'fine again' notice and the metric at 0; the rules in force never change."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        rules_file.unlink()
        for _ in range(6):
            assert rules_job(d) is False
        assert len(notices(slack)) == 1 and "LEADSCORE_RULES_PATH" in notices(slack)[0]
        assert d.metrics.value("leadscore_rules_file_bad") == 1
        rules_file.write_text(RULES, encoding="utf-8")
        for _ in range(3):
            assert rules_job(d) is False  # the same content as in force: nothing to reload
        assert len(notices(slack)) == 2 and "fine again" in notices(slack)[1]
        assert d.metrics.value("leadscore_rules_file_bad") == 0
        assert d.metrics.value("leadscore_rules_reload_failures_total") == 1

    def test_deeply_nested_yaml_is_a_rules_error_once_per_content(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """YAML nested thousands of levels deep (it crashes the parser with RecursionError) is a
        rules problem, told once per distinct bad content; the daemon keeps scoring."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        deep = "version: x\nsignals: " + "[" * 5000 + "]" * 5000 + "\n"
        rules_file.write_text(deep, encoding="utf-8")
        with capture_logs() as logs:
            for _ in range(3):
                assert rules_job(d) is False
        (failed,) = [e for e in logs if e["event"] == "rules_reload_failed"]
        assert "nests deeper than" in failed["problems"][0]
        rules_file.write_text(deep.replace("version: x", "version: y"), encoding="utf-8")
        rules_job(d)
        rules_job(d)
        assert len(notices(slack)) == 2  # two distinct bad contents, two notices
        assert d.rules.current.version == "t1"
        local.add_leads(1, modified_at=T0 - timedelta(hours=1), attributes=WARM)
        assert run_cycle(d).scored == 1

    def test_rules_check_reports_nesting_as_a_problem(self, tmp_path: Path) -> None:
        """``load_rules`` (``leadscore rules check``) says what is wrong instead of crashing."""
        path = tmp_path / "deep.yaml"
        path.write_text("a: " + "{b: " * 3000 + "1" + "}" * 3000, encoding="utf-8")
        with pytest.raises(RulesError, match="nests deeper than"):
            load_rules(path)
