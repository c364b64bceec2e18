"""The model registry: promotions stack, rollbacks unwind them byte for byte, mistakes are refused."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from service.errors import DataFileError, InputError
from service.health.registry import Registry

T = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
RULES = """\
version: "{v}"
dimensions: {{behavioral: {{max_points: 40}}}}
signals:
  - {{name: demo, dimension: behavioral, points: {p}, when: [{{kind: flag, field: demo_requested}}]}}
thresholds: {{hot: 30, warm: 20, cool: 10}}
"""


@pytest.fixture
def reg(tmp_path: Path) -> Registry:
    live = tmp_path / "rules" / "live.yaml"
    live.parent.mkdir()
    # a hand-edited file: comments and spacing a re-dump would lose
    live.write_text("# ops edit\n" + RULES.format(v="v0", p=40), encoding="utf-8")
    os.chmod(live, 0o604)
    for i, v in enumerate(("v1", "v2"), start=1):
        folder = tmp_path / "models" / v
        folder.mkdir(parents=True)
        (folder / "model.yaml").write_text(RULES.format(v=v, p=40 - 10 * i), encoding="utf-8")
    return Registry(tmp_path / "models", live)


class TestRegistry:
    def test_rollbacks_unwind_promotions_in_order(self, reg: Registry) -> None:
        """v0 -> v1 -> v2, then two rollbacks: v1's bytes, then the hand-edited v0 bytes, with the
        mode kept each time; a third rollback has nothing left to undo."""
        v0 = reg.live_path.read_bytes()
        reg.promote("v1", T, by="ana")
        v1 = reg.live_path.read_bytes()
        reg.promote("v2", T + timedelta(days=1), by="ana")
        assert reg.live_version() == "v2"
        first = reg.rollback(T + timedelta(days=2), by="ben")
        assert (first["version"], first["from_version"]) == ("v1", "v2")
        assert reg.live_path.read_bytes() == v1
        second = reg.rollback(T + timedelta(days=3), by="ben")
        assert second["version"] == "v0" and reg.live_path.read_bytes() == v0
        assert stat.S_IMODE(reg.live_path.stat().st_mode) == 0o604
        with pytest.raises(InputError, match="nothing to roll back"):
            reg.rollback(T + timedelta(days=4))
        statuses = {e.version: e.status for e in reg.list()}
        assert statuses == {"v0": "live", "v1": "retired", "v2": "retired"}
        assert reg.went_live("v0") == second["at"]
        assert json.loads((reg.dir / "live.json").read_text())["version"] == "v0"

    def test_promoting_the_live_version_or_a_mislabelled_one_is_refused(
        self, reg: Registry
    ) -> None:
        """Already live: refused. A folder whose rules carry another version: refused (the daemon
        would not see a version change and would not re-score)."""
        reg.promote("v1", T)
        with pytest.raises(InputError, match="already live"):
            reg.promote("v1", T)
        (reg.dir / "v2" / "model.yaml").write_text(RULES.format(v="v1", p=10))
        with pytest.raises(InputError, match="its version is 'v1', not 'v2'"):
            reg.promote("v2", T)

    def test_a_damaged_history_is_a_clear_error(self, reg: Registry) -> None:
        reg.dir.mkdir(exist_ok=True)
        (reg.dir / "history.json").write_text("{ not json")
        with pytest.raises(DataFileError, match=r"history\.json: cannot be read as JSON"):
            reg.rollback(T)
