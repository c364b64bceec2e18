"""``leadscore model promote|rollback|list|diff`` on the local file layout, with the daemon."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from service.state.store import StateStore
from service.state.tables import lead_state
from tests.daemon.conftest import HOT, RULES, T0, WARM
from tests.daemon.test_cli_recalibrate import env, run  # noqa: F401  (the shared CLI fixture)
from tests.fakes.local import LocalFake

#: the same model with demo requests worth 20 instead of 40: Hot leads become Warm
RULES_T2 = RULES.replace('version: "t1"', 'version: "t2"').replace("points: 40", "points: 20")


def _versions(state: Path) -> set[str]:
    store = StateStore(f"sqlite:///{state}")
    try:
        with store.engine.connect() as conn:
            keys = conn.execute(select(lead_state.c.model_version)).scalars()
            return {k.split("#")[0] for k in keys}  # the key is version#content-hash
    finally:
        store.close()


@pytest.fixture
def models(env: Path) -> Path:  # noqa: F811
    folder = env / "models" / "t2"
    folder.mkdir(parents=True)
    (folder / "model.yaml").write_text(RULES_T2, encoding="utf-8")
    return env / "models"


class TestPromoteAndRollback:
    def test_rollback_restores_the_bytes_and_mode_and_the_daemon_rescores(
        self,
        env: Path,  # noqa: F811
        models: Path,
        rules_file: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Promote t2 then roll back: the live file is the old one byte for byte with its mode,
        both actions are recorded with who and when, and the next ``daemon once`` re-scores
        every lead with the restored rules."""
        os.chmod(rules_file, 0o640)
        original = rules_file.read_bytes()
        fake = LocalFake(env / "crm.db")
        try:
            fake.add_leads(2, modified_at=T0, attributes=HOT)
            fake.add_leads(3, modified_at=T0, attributes=WARM)
        finally:
            fake.close()
        code, out = run(capsys, "daemon", "once")
        assert code == 0 and "5 scored with rules t1" in out, out
        assert "Hot 2, Warm 3" in out

        code, out = run(capsys, "model", "promote", "t2", "--by", "alice")
        assert code == 0, out
        assert rules_file.read_bytes() == RULES_T2.encode()
        assert stat.S_IMODE(rules_file.stat().st_mode) == 0o640
        code, out = run(capsys, "daemon", "once")
        assert code == 0 and "5 scored with rules t2" in out, out
        assert "Hot 0, Warm 5" in out

        code, out = run(capsys, "model", "rollback", "--by", "bob")
        assert code == 0 and "rolled back t2 -> t1" in out, out
        assert rules_file.read_bytes() == original
        assert stat.S_IMODE(rules_file.stat().st_mode) == 0o640
        code, out = run(capsys, "daemon", "once")
        assert code == 0 and "5 scored with rules t1" in out, out
        assert "Hot 2, Warm 3" in out
        assert _versions(env / "state.db") == {"t1"}

        events = json.loads((models / "history.json").read_text())["events"]
        assert [(e["action"], e["version"], e["by"]) for e in events] == [
            ("promoted", "t2", "alice"),
            ("rolled_back", "t1", "bob"),
        ]
        assert all(e["at"] for e in events)
        assert json.loads((models / "live.json").read_text())["version"] == "t1"

        code, out = run(capsys, "model", "list")
        assert code == 0, out
        assert re.search(r"t1 .{0,3}live", out) and re.search(r"t2 .{0,3}retired", out), out
        assert "promoted t2 by alice" in out and "rolled_back t1 by bob" in out
        code, out = run(capsys, "model", "rollback")
        assert code == 2 and "nothing to roll back" in out

    def test_promote_refuses_an_unknown_version_and_a_bad_file(
        self,
        env: Path,  # noqa: F811
        models: Path,
        rules_file: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """An unknown version lists the known ones (exit 2); a bad rules file never goes live."""
        code, out = run(capsys, "model", "promote", "t9")
        assert code == 2 and "t9" in out and "t2" in out
        (models / "t2" / "model.yaml").write_text(RULES_T2.replace("points: 20", "points: x"))
        code, out = run(capsys, "model", "promote", "t2")
        assert code == 2 and "signals[2].points" in out
        assert rules_file.read_text() == RULES
        assert not (models / "history.json").exists()

    def test_diff_names_repointed_signals_and_thresholds(
        self,
        env: Path,  # noqa: F811
        models: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """``model diff live t2`` shows the demo signal re-pointed from +40 to +20."""
        code, out = run(capsys, "model", "diff", "live", "t2")
        assert code == 0, out
        assert "t1 -> t2" in out and "Requested a demo: +40 -> +20" in out
        assert "signals added" not in out


def test_model_health_without_files_runs_the_weekly_job(
    env: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``model health`` with no ``--leads`` checks the CRM and the lead copy as the weekly job
    does, says what a model without a build-time reference cannot check, and is kept for
    ``daemon status``."""
    fake = LocalFake(env / "crm.db")
    try:
        fake.add_leads(3, modified_at=T0, attributes=WARM)
    finally:
        fake.close()
    code, out = run(capsys, "daemon", "once")
    assert code == 0, out
    code, out = run(capsys, "model", "health")
    assert code == 0, out
    assert "model t1: healthy (3 leads, 0 new deals)" in out
    assert "no health_reference" in out
    code, out = run(capsys, "daemon", "status")
    assert "model_health" in out and "model health (t1, checked" in out
