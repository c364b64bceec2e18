"""``daemon once --now``, the SLA lines of ``daemon status`` and ``experiment report`` from the
command line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.experiment.simulate import plant
from service.state.store import StateStore
from tests.daemon.conftest import HOT
from tests.daemon.test_cli_recalibrate import run
from tests.fakes.local import LocalFake


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sla_rules_file: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    routing = tmp_path / "routing.yaml"
    routing.write_text("reps:\n  - {id: U1, territories: [EMEA], capacity: 10}\n")
    for key, value in {
        "COLUMNS": "200",
        "LEADSCORE_LOCAL__PATH": str(tmp_path / "crm.db"),
        "LEADSCORE_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
        "LEADSCORE_RULES_PATH": str(sla_rules_file),
        "LEADSCORE_ROUTING_PATH": str(routing),
        "LEADSCORE_DAEMON__MODELS_DIR": str(tmp_path / "models"),
        "LEADSCORE_RETRY__ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


class TestOnceNow:
    def test_now_drives_the_pass(self, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """``--now`` is the pass's clock: Last_Calculated, the assignment and status follow it."""
        fake = LocalFake(env / "crm.db")
        try:
            fake.add_user("U1", "Ana Lima", "ana@example.com")
            (lead,) = fake.add_leads(
                1,
                modified_at=datetime(2027, 1, 10, tzinfo=UTC),
                attributes={**HOT, "region": "EMEA"},
                owner=None,
            )
            code, out = run(capsys, "daemon", "once", "--now", "2027-01-15T09:00")
            assert code == 0, out
            assert "assigned 1" in out
            assert fake.owner_of(lead) == "U1"
            assert str(fake.score_of(lead, "Last_Calculated")).startswith("2027-01-15T09:00:00")
        finally:
            fake.close()
        code, out = run(capsys, "daemon", "status")
        assert code == 0 and "SLA: no Hot lead timed yet" in out

    def test_a_bad_now_is_a_usage_error(
        self, env: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A time that does not parse exits 2 and shows the form to use."""
        code, out = run(capsys, "daemon", "once", "--now", "next tuesday")
        assert code == 2 and "2027-01-15T09:00" in out


class TestExperimentReport:
    @pytest.mark.parametrize(("uplift", "verdict"), [(0.10, "did better"), (0.0, "No difference")])
    def test_report(
        self, env: Path, capsys: pytest.CaptureFixture[str], uplift: float, verdict: str
    ) -> None:
        """The report finds a planted +10 point uplift and nothing where there is none."""
        store = StateStore(f"sqlite:///{env / 'state.db'}")
        plant(
            store,
            "local",
            leads=3000,
            start=datetime(2027, 1, 4, tzinfo=UTC),
            uplift=uplift,
            seed=1,
        )
        store.close()
        code, out = run(capsys, "experiment", "report", "--no-crm", "--json", str(env / "x.json"))
        assert code == 0, out
        assert verdict in out
        assert "lead-to-opportunity conversion" in out

    def test_no_experiment_yet(self, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Without experiment leads the command says how to start one (exit 2)."""
        code, out = run(capsys, "experiment", "report", "--no-crm")
        assert code == 2 and "LEADSCORE_EXPERIMENT__START" in out
