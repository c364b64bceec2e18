"""Files the commands write are replaced in one step (``service.data.atomic``), mode kept.

A reader that opened the old file keeps reading the old content in full, and the new file
keeps the old one's permissions: nothing is ever truncated and rewritten in place.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from service.cli import main
from tests.fakes.local import LocalFake

OLD = "old content, long enough to notice a truncation\n" * 20


def run(*args: str) -> int:
    argv, sys.argv = sys.argv, ["leadscore", *args]
    try:
        main()
        return 0
    except SystemExit as exc:
        return int(exc.code or 0)
    finally:
        sys.argv = argv


def old_file(path: Path) -> Callable[[], str]:
    """Put old content at ``path`` with mode 0640; return a reader of the file opened now."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OLD)
    os.chmod(path, 0o640)
    handle = path.open()
    return lambda: (handle.seek(0), handle.read(), handle.close())[1]


def assert_replaced(path: Path, read_old: Callable[[], str]) -> None:
    assert read_old() == OLD, "the old file was rewritten in place"
    assert path.read_text() != OLD
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.fixture
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    assert run("sample-data", "--out", str(out), "--deals", "120", "--leads", "30") == 0
    return out


class TestAtomicOutputs:
    """Each command's output file."""

    def test_audit_json(self, sample: Path, tmp_path: Path) -> None:
        """``audit --json`` replaces the JSON file."""
        out = tmp_path / "audit.json"
        read_old = old_file(out)
        assert run("audit", str(sample / "deals.csv"), "--json", str(out)) == 0
        assert_replaced(out, read_old)

    def test_rules_schema_out(self, tmp_path: Path) -> None:
        """``rules schema --out`` replaces the schema file."""
        out = tmp_path / "schema.json"
        read_old = old_file(out)
        assert run("rules", "schema", "--out", str(out)) == 0
        assert_replaced(out, read_old)

    def test_sample_data(self, tmp_path: Path) -> None:
        """``sample-data`` replaces each file it writes."""
        readers = {name: old_file(tmp_path / name) for name in ("deals.csv", "icp.yaml")}
        assert run("sample-data", "--out", str(tmp_path), "--deals", "60", "--leads", "10") == 0
        for name, read_old in readers.items():
            assert_replaced(tmp_path / name, read_old)

    def test_crm_pull(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """``crm pull`` replaces the three CSV files."""
        fake = LocalFake(tmp_path / "crm.db")
        fake.add_leads(3)
        fake.add_deals(2, 2)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("LEADSCORE_CONNECTOR", "local")
        monkeypatch.setenv("LEADSCORE_LOCAL__PATH", str(fake.path))
        out = tmp_path / "pulled"
        readers = {n: old_file(out / n) for n in ("deals.csv", "leads.csv", "activities.csv")}
        try:
            assert run("crm", "pull", "--out", str(out)) == 0
        finally:
            fake.close()
        for name, read_old in readers.items():
            assert_replaced(out / name, read_old)
