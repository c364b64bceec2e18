"""``leadscore crm push`` never clears a good score, reads the file as written, validates every row
before the first call, and records each confirmed batch; ``crm check`` tells the truth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from service.state.store import StateStore
from tests.fakes.hubspot import TOKEN as HS_TOKEN
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.local import LocalFake
from tests.fakes.salesforce import FakeSalesforce
from tests.test_cli_crm import fake, run  # noqa: F401  (fixtures)

HEADER = "lead_id,Lead_Score_Total,Lead_Score_Tier,Lead_Score_Version,Lead_Score_Top_Factors\n"


def write(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "scored.csv"
    path.write_text(header + "".join(r + "\n" for r in rows))
    return path


def writes(crm: FakeSalesforce) -> int:
    return crm.count("PATCH", path_contains="composite/sobjects")


class TestMissingScores:
    @pytest.mark.parametrize("marker", ["", "N/A", "-", "null"])
    def test_a_row_without_a_score_is_refused_and_the_crm_keeps_its_score(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
        marker: str,
    ) -> None:
        """A blank or N/A total is refused and listed; the CRM's score is not touched; exit 1."""
        ids = fake.add_leads(2)
        good = write(tmp_path, [f"{ids[0]},80,Hot,v1,x", f"{ids[1]},40,Cool,v1,x"])
        assert run(capsys, "crm", "push", str(good))[0] == 0
        bad = write(tmp_path, [f"{ids[0]},{marker},Hot,v1,x", f"{ids[1]},45,Cool,v1,x"])
        code, out = run(capsys, "crm", "push", str(bad))
        assert code == 1
        assert f"row 2 ({ids[0]}): Lead_Score_Total is empty" in out
        assert "--clear-missing" in out
        assert fake.score_of(ids[0], "Total") == 80 and fake.writes_of(ids[0]) == 1
        assert fake.score_of(ids[1], "Total") == 45

    def test_clear_missing_clears_only_when_asked(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """With --clear-missing, the blank total is sent empty and the CRM clears it."""
        ids = fake.add_leads(1)
        assert run(capsys, "crm", "push", str(write(tmp_path, [f"{ids[0]},80,Hot,v1,x"])))[0] == 0
        path = write(tmp_path, [f"{ids[0]},N/A,Hot,v1,x"])
        assert run(capsys, "crm", "push", str(path), "--clear-missing")[0] == 0
        assert fake.score_of(ids[0], "Total") is None


class TestTypedReading:
    def test_values_are_sent_as_written(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """Version 1.10 stays 1.10 and a Top_Factors of N/A stays N/A (text is not retyped)."""
        ids = fake.add_leads(1)
        code, out = run(capsys, "crm", "push", str(write(tmp_path, [f"{ids[0]},72,Hot,1.10,N/A"])))
        assert code == 0, out
        assert fake.score_of(ids[0], "Version") == "1.10"
        assert fake.score_of(ids[0], "Top_Factors") == "N/A"

    def test_every_row_is_checked_before_the_first_call(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """inf, an unknown tier, a duplicated id and a foreign object type are refused with
        reasons before anything is sent; the good row is written."""
        ids = fake.add_leads(4)
        header = HEADER.rstrip("\n") + ",object_type\n"
        rows = [
            f"{ids[0]},inf,Hot,v1,x,Lead",
            f"{ids[1]},50,Scorching,v1,x,Lead",
            f"{ids[2]},50,Warm,v1,x,Lead",
            f"{ids[2]},60,Warm,v1,x,Lead",
            f"{ids[3]},50,Warm,v1,x,Opportunity",
            f"{ids[1][:-1]}9,50,Warm,v1,x,Lead",
        ]
        code, out = run(capsys, "crm", "push", str(write(tmp_path, rows, header)))
        assert code == 1
        assert "6 records" in out and "5 refused (not sent)" in out
        assert "row 2" in out and "not a finite number" in out
        assert "row 3" in out and "must be one of Hot, Warm, Cool, Cold, Unscoreable" in out
        assert "row 4" in out and "row 5" in out and "is on 2 rows" in out
        assert "row 6" in out and "object_type 'Opportunity' is not one of Lead, Contact" in out
        assert all(fake.writes_of(i) == 0 for i in ids)
        assert writes(fake) == 1  # only the valid row, in one request

    def test_a_file_of_only_refused_rows_sends_nothing(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """Nothing valid: no CRM call at all, exit 1."""
        ids = fake.add_leads(1)
        code, _ = run(capsys, "crm", "push", str(write(tmp_path, [f"{ids[0]},1e9,Hot,v1,x"])))
        assert code == 1 and writes(fake) == 0


class TestPartialFailure:
    def test_batches_confirmed_before_a_failure_are_recorded(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
        tmp_path: Path,
    ) -> None:
        """The third request fails for good: the 400 records already written are not sent again."""
        ids = fake.add_leads(1000)
        path = write(tmp_path, [f"{i},50,Warm,v1,x" for i in ids])
        calls = {"n": 0}
        original = fake._collections

        def third_fails(body: dict) -> object:
            calls["n"] += 1
            if calls["n"] == 3:
                return fake._error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            return original(body)

        fake._collections = third_fails  # type: ignore[method-assign]
        try:
            code, out = run(capsys, "crm", "push", str(path))
        finally:
            del fake._collections
        assert code == 2 and "refused the credentials" in out  # AuthError: exit 2
        store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
        try:
            assert sum(store.last_pushed("salesforce", i) is not None for i in ids) == 400
        finally:
            store.close()
        code, out = run(capsys, "crm", "push", str(path))
        assert code == 0 and "600 changed; 600 written" in out
        assert all(fake.writes_of(i) == 1 for i in ids)


def test_a_converted_lead_is_reported_as_no_longer_a_lead(
    fake: FakeSalesforce,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """A push to a converted lead says it is no longer a lead and does not keep it for retry."""
    from datetime import UTC, datetime

    ids = fake.add_leads(2)
    fake.convert(ids[0], datetime(2024, 7, 1, tzinfo=UTC))
    code, out = run(capsys, "crm", "push", str(write(tmp_path, [f"{i},50,Warm,v1,x" for i in ids])))
    assert code == 1
    assert "1 no longer leads (converted, deleted or merged)" in out
    assert f"{ids[0]}: CANNOT_UPDATE_CONVERTED_LEAD" in out
    assert "Remove them from the file; they are not retried." in out
    assert "refused by the CRM" not in out
    store = StateStore(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        assert store.pending_failures("salesforce") == []
    finally:
        store.close()


def test_a_record_the_crm_refuses_is_listed_and_kept_for_the_next_push(
    fake: FakeSalesforce,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """A refusal is listed with the CRM's reason and kept for retry; exit 1."""
    ids = fake.add_leads(2)
    fake.reject_records([ids[1]], "FIELD_CUSTOM_VALIDATION_EXCEPTION: owner is inactive")
    code, out = run(capsys, "crm", "push", str(write(tmp_path, [f"{i},50,Warm,v1,x" for i in ids])))
    assert code == 1
    assert "1 refused by the CRM:" in out
    assert f"{ids[1]}: FIELD_CUSTOM_VALIDATION_EXCEPTION: owner is inactive" in out
    assert "They are kept and tried again on the next push." in out
    assert "no longer leads" not in out


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHubSpot]:
    hub_server = FakeHubSpot().start()
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "NO_PROXY": "127.0.0.1,localhost",
        "COLUMNS": "200",
        "LEADSCORE_CONNECTOR": "hubspot",
        "LEADSCORE_HUBSPOT__HOST": hub_server.url,
        "LEADSCORE_HUBSPOT__ACCESS_TOKEN": HS_TOKEN,
        "LEADSCORE_RETRY__ATTEMPTS": "1",
        "LEADSCORE_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
    }.items():
        monkeypatch.setenv(key, value)
    yield hub_server
    hub_server.stop()


class TestCheckTruths:
    def test_hubspot_check_names_a_misspelt_property(
        self, hub: FakeHubSpot, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """crm check --connector hubspot exits 1 naming the misspelt mapped property."""
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text("leads:\n  object: contacts\n  fields:\n    industry: industy\n")
        code, out = run(capsys, "crm", "check", "--connector", "hubspot", "--mapping", str(mapping))
        assert code == 1
        assert "leads.fields.industry: contacts has no field 'industy'" in out

    def test_local_check_names_a_misspelt_attribute(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """crm check --connector local exits 1 naming a mapped attribute no lead carries."""
        local = LocalFake(tmp_path / "crm.db")
        try:
            local.add_leads(3, attributes={"industry": "Retail"})
        finally:
            local.close()
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("LEADSCORE_LOCAL__PATH", str(tmp_path / "crm.db"))
        monkeypatch.setenv("COLUMNS", "200")
        mapping = tmp_path / "mapping.yaml"
        mapping.write_text("leads:\n  object: Lead\n  fields:\n    industry: industy\n")
        code, out = run(capsys, "crm", "check", "--connector", "local", "--mapping", str(mapping))
        assert code == 1
        assert "leads.fields.industry: Lead has no field 'industy'" in out

    def test_salesforce_hidden_field_is_reported_and_setup_does_not_fail(
        self,
        fake: FakeSalesforce,  # noqa: F811
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """A field without field-level access: check says assign the permission set; setup too,
        instead of failing with DUPLICATE_DEVELOPER_NAME."""
        fake.hide_field("Tier")
        code, out = run(capsys, "crm", "check")
        assert code == 1
        assert "Lead.Lead_Score_Tier__c exists but is not visible" in out
        assert "assign the permission set" in out and "is missing" not in out
        code, out = run(capsys, "crm", "setup")
        assert code == 1 and "DUPLICATE_DEVELOPER_NAME" not in out
        assert "assign the permission set" in out and fake.created_fields == []

    def test_push_to_hubspot_defaults_to_contacts(
        self, hub: FakeHubSpot, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        """Without --object, rows go to HubSpot contacts (not a Lead object HubSpot lacks)."""
        ids = hub.add_leads(2)
        code, out = run(
            capsys, "crm", "push", str(write(tmp_path, [f"{i},1.0,Warm,1.0,x" for i in ids]))
        )
        assert code == 0, out
        assert hub.score_of(ids[0], "Version") == "1.0"
        assert hub.score_of(ids[0], "Total") == "1"
