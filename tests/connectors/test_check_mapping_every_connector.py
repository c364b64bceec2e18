"""``leadscore crm check --mapping`` for every installed connector against its fake: a misspelt
mapped field is exit 1 naming the mapping key and the field; spelt right, the mapping passes.

A connector that only some connectors checked (HubSpot's check was once named differently and
never called) passed a misspelt mapping with exit 0, and ``crm pull`` then wrote empty columns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.cli import CliResult
from tests.fakes.hubspot import TOKEN as HUBSPOT_TOKEN
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.local import LocalFake
from tests.fakes.salesforce import TOKEN as SALESFORCE_TOKEN
from tests.fakes.salesforce import FakeSalesforce


@contextmanager
def _local(tmp_path: Path) -> Iterator[dict[str, str]]:
    fake = LocalFake(tmp_path / "crm.db")
    try:
        fake.add_leads(3)  # the local CRM knows the attributes its records carry
    finally:
        fake.close()
    yield {"LEADSCORE_LOCAL__PATH": str(tmp_path / "crm.db")}


@contextmanager
def _salesforce(tmp_path: Path) -> Iterator[dict[str, str]]:
    fake = FakeSalesforce().start()
    try:
        yield {
            "LEADSCORE_SALESFORCE__INSTANCE_URL": fake.url,
            "LEADSCORE_SALESFORCE__SESSION_ID": SALESFORCE_TOKEN,
        }
    finally:
        fake.stop()


@contextmanager
def _hubspot(tmp_path: Path) -> Iterator[dict[str, str]]:
    fake = FakeHubSpot().start()
    try:
        yield {
            "LEADSCORE_HUBSPOT__HOST": fake.url,
            "LEADSCORE_HUBSPOT__ACCESS_TOKEN": HUBSPOT_TOKEN,
        }
    finally:
        fake.stop()


@dataclass(frozen=True)
class Case:
    fake: Callable[[Path], AbstractContextManager[dict[str, str]]]
    lead_object: str
    industry: str  # the lead's industry field as the CRM spells it


CASES = {
    "local": Case(_local, "Lead", "industry"),
    "salesforce": Case(_salesforce, "Lead", "Industry"),
    "hubspot": Case(_hubspot, "contacts", "industry"),
}


def misspelt(name: str) -> str:
    """The name with one letter dropped, as a typo would (``Industry`` -> ``Indusry``)."""
    return name[:-3] + name[-2:]


def test_every_installed_connector_has_a_case() -> None:
    """A new connector (an entry point) must be added here, with its fake."""
    assert set(CASES) == {ep.name for ep in entry_points(group="leadscore.connectors")}


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_exits_1_naming_a_misspelt_mapped_field(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., CliResult]
) -> None:
    """Spelt right, ``crm check`` says every mapped field exists; with the CRM's field name
    misspelt it exits 1 with one problem naming the key, the field and the right spelling."""
    case = CASES[name]
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("LEADSCORE_RETRY__ATTEMPTS", "1")
    monkeypatch.setenv("LEADSCORE_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    right, wrong = tmp_path / "right.yaml", tmp_path / "wrong.yaml"
    for path, field in ((right, case.industry), (wrong, misspelt(case.industry))):
        path.write_text(
            f"leads:\n  object: {case.lead_object}\n  fields:\n    industry: {field}\n",
            encoding="utf-8",
        )
    with case.fake(tmp_path) as env:
        good = cli("crm", "check", "--connector", name, "--mapping", str(right), env=env)
        bad = cli("crm", "check", "--connector", name, "--mapping", str(wrong), env=env)
    assert "field mapping: every mapped field exists" in good.text, good.output
    assert "problem leads.fields.industry" not in good.text
    assert bad.code == 1, bad.output
    assert "field mapping: every mapped field exists" not in bad.text
    problem = f"problem leads.fields.industry: {case.lead_object} has no field"
    assert f"{problem} {misspelt(case.industry)!r}" in bad.text, bad.output
    assert f"did you mean {case.industry!r}?" in bad.text
