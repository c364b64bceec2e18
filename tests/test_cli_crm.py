"""``leadscore crm check/setup/pull/push`` against the fake Salesforce."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from tests.cli import invoke
from tests.fakes.salesforce import TOKEN, FakeSalesforce


@pytest.fixture
def fake(
    salesforce: FakeSalesforce, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> FakeSalesforce:
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    for key, value in {
        "NO_PROXY": "127.0.0.1,localhost",
        "COLUMNS": "200",
        "LEADSCORE_CONNECTOR": "salesforce",
        "LEADSCORE_SALESFORCE__INSTANCE_URL": salesforce.url,
        "LEADSCORE_SALESFORCE__SESSION_ID": TOKEN,
        "LEADSCORE_SALESFORCE__PAGE_SIZE": "200",
        "LEADSCORE_RETRY__ATTEMPTS": "1",
        "LEADSCORE_STATE_URL": f"sqlite:///{tmp_path / 'state.db'}",
    }.items():
        monkeypatch.setenv(key, value)
    return salesforce


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run ``leadscore ARGS`` in-process; (exit code, stdout + stderr with spaces collapsed)."""
    result = invoke(*args)
    return result.code, " ".join(result.output.split())


def test_check_names_a_missing_score_field_and_the_command_that_creates_it(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str]
) -> None:
    """With Lead_Score_Tier__c missing, check exits 1 naming the field and `leadscore crm setup`."""
    fake.remove_field("Tier")
    code, out = run(capsys, "crm", "check")
    assert code == 1
    assert "Lead.Lead_Score_Tier__c is missing; create it with: leadscore crm setup" in out
    assert "Contact.Lead_Score_Tier__c" in out
    assert "Lead_Score_Total__c" not in out


def test_check_reports_ready_and_api_usage(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str]
) -> None:
    """A healthy org passes every check and shows the daily API requests left."""
    code, out = run(capsys, "crm", "check")
    assert code == 0, out
    assert "authenticated and reachable" in out
    assert "every mapped field exists" in out
    assert "all 10 present" in out
    assert f"of {fake.api_max:,} daily requests used" in out


def test_check_lists_each_unknown_mapped_field(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A mapping naming a field the org lacks gets one line with the key and a suggestion."""
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("leads:\n  object: Lead\n  fields:\n    industry: Industy\n")
    code, out = run(capsys, "crm", "check", "--mapping", str(mapping))
    assert code == 1
    assert "leads.fields.industry: Lead has no field 'Industy'; did you mean 'Industry'?" in out


def test_setup_creates_the_missing_fields(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str]
) -> None:
    """setup creates exactly the missing fields on Lead and Contact; check then passes."""
    fake.remove_field("Trend")
    code, out = run(capsys, "crm", "setup")
    assert code == 0
    assert fake.created_fields == ["Lead.Lead_Score_Trend__c", "Contact.Lead_Score_Trend__c"]
    assert "permission set" in out
    assert run(capsys, "crm", "check")[0] == 0


def test_auth_failure_exits_2_without_the_token(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused session gives exit 2 (fix the credentials) and advice, never the session id."""
    fake.valid_tokens = set()
    code, out = run(capsys, "crm", "check")
    assert code == 2
    assert "refused the credentials (401)" in out
    assert TOKEN not in out


def test_unknown_connector_is_a_usage_error(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str]
) -> None:
    """--connector with a name nobody installed exits 2 and lists the installed ones."""
    code, out = run(capsys, "crm", "check", "--connector", "pipedrive")
    assert code == 2
    assert "No connector named 'pipedrive'" in out and "salesforce" in out


def test_pull_writes_the_three_files(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """pull exports closed deals (won/lost), open leads and activities in the sample layout."""
    fake.add_deals(3, 2)
    leads = fake.add_leads(4, attributes={"industry": "Retail", "country": "FR"})
    fake.add_activities(leads[0], 2, occurred_at=datetime(2024, 6, 1, tzinfo=UTC))
    code, _ = run(capsys, "crm", "pull", "--out", str(tmp_path / "crm"))
    assert code == 0
    deals = pd.read_csv(tmp_path / "crm" / "deals.csv")
    assert sorted(deals["outcome"]) == ["lost", "lost", "won", "won", "won"]
    assert {"deal_id", "industry", "employee_count", "deal_size", "closed_at"} <= set(deals)
    people = pd.read_csv(tmp_path / "crm" / "leads.csv")
    assert sorted(people["lead_id"]) == sorted(leads)
    assert set(people["industry"]) == {"Retail"} and set(people["owner"]) == {"Dana Owner"}
    acts = pd.read_csv(tmp_path / "crm" / "activities.csv")
    assert list(acts.columns) == [
        "activity_id",
        "lead_id",
        "account",
        "kind",
        "page",
        "occurred_at",
    ]
    assert list(acts["lead_id"]) == [leads[0]] * 2


def _scored(path: Path, ids: list[str], totals: list[int]) -> Path:
    pd.DataFrame(
        {
            "lead_id": ids,
            "company": [f"C{i}" for i in range(len(ids))],
            "Lead_Score_Total": totals,
            "Lead_Score_Tier": ["Hot" if t >= 70 else "Warm" for t in totals],
            "Lead_Score_Version": "v1",
        }
    ).to_csv(path, index=False)
    return path


def test_push_writes_only_changed_records(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A second push of the same scores writes nothing; changing one score writes only that one."""
    ids = fake.add_leads(5)
    scored = _scored(tmp_path / "scored.csv", ids, [80, 50, 40, 30, 20])
    assert run(capsys, "crm", "push", str(scored)) == (
        0,
        f"5 records in {scored}; 5 changed; 5 written",
    )
    assert fake.score_of(ids[0], "Total") == 80 and fake.score_of(ids[0], "Tier") == "Hot"
    assert run(capsys, "crm", "push", str(scored))[1].endswith("0 changed; 0 written")
    _scored(scored, ids, [80, 75, 40, 30, 20])
    assert run(capsys, "crm", "push", str(scored))[1].endswith("1 changed; 1 written")
    assert [fake.writes_of(i) for i in ids] == [1, 2, 1, 1, 1]


def test_push_reports_refused_records_and_retries_them_next_time(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Refused records are listed with id and reason, exit 1, and go out on the next push."""
    ids = fake.add_leads(4)
    fake.reject_records([ids[2]], "FIELD_CUSTOM_VALIDATION_EXCEPTION: lead is locked")
    scored = _scored(tmp_path / "scored.csv", ids, [80, 50, 40, 30])
    code, out = run(capsys, "crm", "push", str(scored))
    assert code == 1
    assert "4 changed; 3 written" in out
    assert f"{ids[2]}: FIELD_CUSTOM_VALIDATION_EXCEPTION: lead is locked" in out
    fake.rejected.clear()
    code, out = run(capsys, "crm", "push", str(scored))
    assert (code, out) == (0, f"4 records in {scored}; 1 changed; 1 written")
    assert [fake.writes_of(i) for i in ids] == [1, 1, 1, 1]


def test_push_without_an_id_column_is_bad_input(
    fake: FakeSalesforce, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A scored file with no id column exits 2 naming the file and the column to add."""
    path = tmp_path / "scored.csv"
    pd.DataFrame({"company": ["A"], "Lead_Score_Total": [10]}).to_csv(path, index=False)
    code, out = run(capsys, "crm", "push", str(path))
    assert code == 2
    assert str(path) in out and "lead_id" in out


def test_check_against_hubspot_reports_api_usage_left(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`crm check --connector hubspot` prints calls used today against the daily limit."""
    from tests.fakes.hubspot import TOKEN as HS_TOKEN
    from tests.fakes.hubspot import FakeHubSpot

    hub = FakeHubSpot().start()
    try:
        hub.daily_limit = 250_000
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("COLUMNS", "200")
        monkeypatch.setenv("LEADSCORE_HUBSPOT__HOST", hub.url)
        monkeypatch.setenv("LEADSCORE_HUBSPOT__ACCESS_TOKEN", HS_TOKEN)
        code, out = run(capsys, "crm", "check", "--connector", "hubspot")
    finally:
        hub.stop()
    assert code == 0, out
    assert "of 250,000 daily requests used" in out
    assert HS_TOKEN not in out
