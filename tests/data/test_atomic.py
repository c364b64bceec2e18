"""A crash while writing leaves the previous file whole."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from service.data.atomic import write_text_atomic, write_with


def test_a_failing_writer_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    """When the writer raises half-way, the old content survives and no temp file is left."""
    target = tmp_path / "model.yaml"
    target.write_text("old: true\n")

    def half(tmp: Path) -> None:
        tmp.write_text("new: tr")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_with(target, half)
    assert target.read_text() == "old: true\n"
    assert [p.name for p in tmp_path.iterdir()] == ["model.yaml"]


def test_success_replaces_the_file(tmp_path: Path) -> None:
    """A finished write replaces the content and creates missing folders."""
    target = tmp_path / "out" / "analysis.json"
    write_text_atomic(target, "{}")
    write_text_atomic(target, '{"a": 1}')
    assert target.read_text() == '{"a": 1}'


def test_new_files_follow_the_umask_and_replaced_files_keep_their_mode(tmp_path: Path) -> None:
    """A new file is as readable as open() would make it; a replaced file keeps its permissions."""
    old_mask = os.umask(0o022)
    try:
        fresh = tmp_path / "scored.csv"
        write_text_atomic(fresh, "a\n")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        shared = tmp_path / "model.yaml"
        shared.write_text("old: true\n")
        shared.chmod(0o664)
        write_with(shared, lambda tmp: tmp.write_text("new: true\n"))
        assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    finally:
        os.umask(old_mask)
