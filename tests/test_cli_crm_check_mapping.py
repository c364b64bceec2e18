"""``leadscore crm check`` with a misspelt mapping fails for every connector, naming the field.

The bug this guards against: ``crm check`` once probed for ``mapping_problems`` with ``hasattr``,
HubSpot spelt it ``check_mapping``, and a misspelt HubSpot mapping passed the check (exit 0).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from connectors import available
from service.cli import main

#: connector -> (mapping YAML with one misspelt lead field, the words the problem line must hold)
MISSPELT = {
    "local": ("leads:\n  object: Lead\n  fields:\n    industry: industy\n", "'industy'"),
    "salesforce": ("leads:\n  object: Lead\n  fields:\n    industry: Industy\n", "'Industy'"),
    "hubspot": ("leads:\n  object: contacts\n  fields:\n    industry: industy\n", "'industy'"),
}


@contextmanager
def crm_env(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point ``leadscore`` at the fake of connector ``name`` for the duration."""
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("LEADSCORE_CONNECTOR", name)
    monkeypatch.setenv("LEADSCORE_RETRY__ATTEMPTS", "1")
    if name == "local":
        from tests.fakes.local import LocalFake

        fake = LocalFake(tmp_path / "crm.db")
        fake.add_leads(2)  # a local CRM knows its fields from the records it holds
        monkeypatch.setenv("LEADSCORE_LOCAL__PATH", str(fake.path))
        try:
            yield
        finally:
            fake.close()
        return
    if name == "salesforce":
        from tests.fakes.salesforce import TOKEN, FakeSalesforce

        server = FakeSalesforce().start()
        monkeypatch.setenv("LEADSCORE_SALESFORCE__INSTANCE_URL", server.url)
        monkeypatch.setenv("LEADSCORE_SALESFORCE__SESSION_ID", TOKEN)
    else:
        from tests.fakes.hubspot import TOKEN, FakeHubSpot

        server = FakeHubSpot().start()
        monkeypatch.setenv("LEADSCORE_HUBSPOT__HOST", server.url)
        monkeypatch.setenv("LEADSCORE_HUBSPOT__ACCESS_TOKEN", TOKEN)
    try:
        yield
    finally:
        server.stop()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``leadscore ARGS`` in-process: (exit code, stdout + stderr with spaces collapsed)."""
    argv, sys.argv = sys.argv, ["leadscore", *args]
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = argv
    captured = capsys.readouterr()
    return code, " ".join((captured.out + captured.err).split())


def test_every_installed_connector_is_covered() -> None:
    """A new connector must be added here: the check below runs for each one installed."""
    assert sorted(MISSPELT) == available()


@pytest.mark.parametrize("name", sorted(MISSPELT))
class TestMisspeltMapping:
    """``crm check --mapping`` with a field the CRM lacks."""

    def test_exits_1_naming_the_field(
        self,
        name: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The check fails (exit 1) with a problem line naming the mapped key and the field."""
        text, field = MISSPELT[name]
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text(text)
        with crm_env(name, tmp_path, monkeypatch):
            code, out = run(capsys, "crm", "check", "--mapping", str(mapping))
        assert code == 1, out
        assert "problem leads.fields.industry:" in out and field in out, out
        assert "every mapped field exists" not in out

    def test_the_corrected_mapping_passes_the_mapping_check(
        self,
        name: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """The same mapping spelt right reports every mapped field present."""
        text, field = MISSPELT[name]
        right = field.strip("'").replace("Industy", "Industry").replace("industy", "industry")
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text(text.replace(field.strip("'"), right))
        with crm_env(name, tmp_path, monkeypatch):
            _, out = run(capsys, "crm", "check", "--mapping", str(mapping))
        assert "every mapped field exists" in out, out
        assert "leads.fields.industry" not in out
