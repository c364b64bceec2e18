"""What keeps the state store from growing for ever, and the gauge of alerts not sent yet."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from service.daemon.cycle import run_cycle
from service.daemon.digest import prune_history
from service.state.tables import score_history
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


def _history(d, record_id: str) -> list[tuple[str, float, str]]:  # type: ignore[no-untyped-def]
    h = score_history.c
    with d.store.engine.connect() as conn:
        rows = conn.execute(
            sa.select(h.model_version, h.total, h.at).where(h.record_id == record_id).order_by(h.id)
        ).all()
    return [(r.model_version, r.total, r.at) for r in rows]


def _add_history(d, record_id: str, version: str, ages_days: list[int]) -> None:  # type: ignore[no-untyped-def]
    with d.store.engine.begin() as conn:
        conn.execute(
            sa.insert(score_history),
            [
                {
                    "record_id": record_id,
                    "model_version": version,
                    "total": float(age),
                    "tier": "Warm",
                    "at": T0 - timedelta(days=age),
                }
                for age in ages_days
            ],
        )


class TestHistoryRetention:
    def test_rows_past_retention_go_but_each_versions_latest_stays(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """With ``history_retention_days`` 30, rows older than 30 days are dropped, except each
        lead's latest row per rules version (the trend keeps a reference); rows inside the
        window stay; a second prune within a day does nothing."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), history_retention_days=30
        )
        _add_history(d, "a", "v1", [90, 60, 40, 10, 1])
        _add_history(d, "b", "v1", [100, 50])  # both old: the latest (50 days) stays
        _add_history(d, "b", "v0", [200])  # the only row of its version stays
        assert prune_history(d) == 4  # a: 90, 60, 40; b: 100
        assert [total for _v, total, _at in _history(d, "a")] == [10.0, 1.0]
        assert sorted(total for _v, total, _at in _history(d, "b")) == [50.0, 200.0]
        _add_history(d, "c", "v1", [80, 70])
        clock.advance(hours=23)
        assert prune_history(d) == 0  # once a day
        clock.advance(hours=2)
        assert prune_history(d) == 1

    def test_zero_keeps_everything(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """``history_retention_days`` 0 keeps the history for ever."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), history_retention_days=0
        )
        _add_history(d, "a", "v1", [900, 400, 1])
        assert prune_history(d) == 0
        assert len(_history(d, "a")) == 3

    def test_a_quiet_pass_adds_no_history(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake
    ) -> None:
        """Leads re-scored on their cadence with nothing changed add no history row: a row is
        written only when the tier, the total or the rules change."""
        ids = local.add_leads(6, modified_at=T0 - timedelta(hours=2), attributes=HOT)
        d = make_daemon(tmp_path, rules_file, clock, local_connector(local))
        run_cycle(d)
        first = {i: len(_history(d, i)) for i in ids}
        clock.advance(days=2)  # Hot leads are due again after a day
        assert run_cycle(d).scored == 6
        assert {i: len(_history(d, i)) for i in ids} == first == {i: 1 for i in ids}


class TestPendingAlertsGauge:
    def test_the_gauge_counts_alerts_not_sent_until_slack_takes_them(
        self, tmp_path: Path, rules_file: Path, clock: Clock, local: LocalFake, slack: FakeSlack
    ) -> None:
        """While Slack is down the gauge shows the turns into Hot waiting in the outbox; once
        Slack takes them it falls to 0."""
        d = make_daemon(
            tmp_path, rules_file, clock, local_connector(local), alerter=alerter_for(slack)
        )
        ids = local.add_leads(3, modified_at=T0 - timedelta(hours=1), attributes=WARM)
        run_cycle(d)
        gauge = "leadscore_pending_alerts"
        assert d.metrics.registry.get_sample_value(gauge) == 0
        at = clock.advance(hours=1)
        for i in ids:
            set_lead(local, i, at, HOT)
        slack.fail_next(1000, 503)
        run_cycle(d)
        assert d.metrics.registry.get_sample_value(gauge) == 3
        slack.reset()
        clock.advance(minutes=15)
        run_cycle(d)
        assert d.metrics.registry.get_sample_value(gauge) == 0
