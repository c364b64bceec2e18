"""``scripts/demo_compare.py``: two demo folders match apart from dates and versions, no more."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "demo_compare.py"
_spec = importlib.util.spec_from_file_location("demo_compare", _PATH)
assert _spec and _spec.loader
demo_compare = importlib.util.module_from_spec(_spec)
sys.modules["demo_compare"] = demo_compare
_spec.loader.exec_module(demo_compare)

ANALYSIS = '{"built_at": "%s", "leadscore": "%s", "auc": %s, "source": "%s/data/deals.csv"}\n'


def demo(root: Path, *, when: str, version: str, auc: str, index_order: tuple[str, str]) -> Path:
    """A small demo folder: a JSON file, a plot and a SQLite state file."""
    (root / "model").mkdir(parents=True)
    (root / "model" / "analysis.json").write_text(ANALYSIS % (when, version, auc, root))
    (root / "model" / "plot.png").write_bytes(b"\x89PNG fixed bytes")
    with sqlite3.connect(root / "state.db") as db:
        db.execute("CREATE TABLE t (a INTEGER, b INTEGER, at TEXT)")
        for name in index_order:
            db.execute(f"CREATE INDEX ix_{name} ON t ({name})")
        db.execute("INSERT INTO t VALUES (1, 2, ?)", (when,))
    return root


class TestDifferences:
    """``differences(before, after)``."""

    def test_dates_versions_folders_and_index_order_are_ignored(self, tmp_path: Path) -> None:
        """Another day, another version, another folder and indexes created in another order
        are no difference."""
        a = demo(
            tmp_path / "a",
            when="2026-12-01T09:00:00+00:00",
            version="0.1.0",
            auc="0.71",
            index_order=("a", "b"),
        )
        b = demo(
            tmp_path / "bb",
            when="2026-12-02 01:26:05.123",
            version="0.2.1",
            auc="0.71",
            index_order=("b", "a"),
        )
        assert demo_compare.differences(a, b) == []

    def test_a_changed_figure_is_reported_with_its_line(self, tmp_path: Path) -> None:
        """A figure that moved is a difference, shown as a diff of that file."""
        a = demo(
            tmp_path / "a", when="2026-12-01", version="0.1.0", auc="0.71", index_order=("a", "b")
        )
        b = demo(
            tmp_path / "b", when="2026-12-01", version="0.1.0", auc="0.72", index_order=("a", "b")
        )
        (problem,) = demo_compare.differences(a, b)
        assert problem.startswith("model/analysis.json: differs")
        assert '+{"built_at": "<date>", "leadscore": "<version>", "auc": 0.72' in problem

    def test_changed_bytes_and_missing_files_are_reported(self, tmp_path: Path) -> None:
        """A plot with other bytes, a file gone and a file added are each named."""
        a = demo(
            tmp_path / "a", when="2026-12-01", version="0.1.0", auc="0.7", index_order=("a", "b")
        )
        b = demo(
            tmp_path / "b", when="2026-12-01", version="0.1.0", auc="0.7", index_order=("a", "b")
        )
        (b / "model" / "plot.png").write_bytes(b"\x89PNG other bytes")
        (a / "gone.csv").write_text("x\n1\n")
        (b / "new.csv").write_text("x\n1\n")
        assert demo_compare.differences(a, b) == [
            "gone.csv: missing after",
            "new.csv: new after",
            "model/plot.png: bytes differ",
        ]

    def test_a_changed_database_row_is_reported(self, tmp_path: Path) -> None:
        """A row written differently into the SQLite state is a difference."""
        a = demo(
            tmp_path / "a", when="2026-12-01", version="0.1.0", auc="0.7", index_order=("a", "b")
        )
        b = demo(
            tmp_path / "b", when="2026-12-01", version="0.1.0", auc="0.7", index_order=("a", "b")
        )
        with sqlite3.connect(b / "state.db") as db:
            db.execute("UPDATE t SET b = 3")
        (problem,) = demo_compare.differences(a, b)
        assert problem.startswith("state.db: differs")


def test_main_exits_1_on_a_difference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The command exits 0 on a match and 1 with the count of differences otherwise."""
    a = demo(tmp_path / "a", when="2026-12-01", version="0.1.0", auc="0.7", index_order=("a",))
    b = demo(tmp_path / "b", when="2026-12-01", version="0.1.0", auc="0.7", index_order=("a",))
    assert demo_compare.main([str(a), str(b)]) == 0
    (b / "model" / "analysis.json").write_text("{}\n")
    assert demo_compare.main([str(a), str(b)]) == 1
    assert "1 difference(s)" in capsys.readouterr().out
