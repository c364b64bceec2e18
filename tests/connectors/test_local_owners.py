"""The local CRM's users, owners and reps: ``iter_users``, ``owner_id``, ``Activity.rep_id``,
``assign_owners`` and ``get_leads``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from connectors.base import CRMUser, OwnerAssignment, WriteResult
from connectors.local import LocalConnector, LocalCRM
from service.settings import RetrySettings
from tests.fakes.local import LocalFake

T = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
def fake(tmp_path: Path) -> LocalFake:
    f = LocalFake(tmp_path / "crm.db")
    f.add_user("M1", "Mia Stone", "mia@example.com")
    f.add_user("U1", "Ana Lima", "ana@example.com", manager_id="M1")
    f.add_user("U9", "Gone Rep", "gone@example.com", active=False)
    yield f
    f.close()


def connector(fake: LocalFake, page_size: int = 500) -> LocalConnector:
    return LocalConnector(fake.path, page_size=page_size, retry=RetrySettings(attempts=2))


class TestOwners:
    def test_users_with_managers(self, fake: LocalFake) -> None:
        """Users come with e-mail, manager and active flag."""
        users = list(connector(fake).iter_users())
        assert users[1] == CRMUser("U1", "Ana Lima", "ana@example.com", "M1", True)
        assert [u.id for u in users if not u.active] == ["U9"]

    def test_owner_id_and_name(self, fake: LocalFake) -> None:
        """A lead owned by a user carries its id and the user's name; an unowned one neither."""
        owned = fake.add_leads(1, modified_at=T, owner=None, owner_id="U1")[0]
        free = fake.add_leads(1, modified_at=T, owner=None)[0]
        leads = {r.id: r for r in connector(fake).iter_leads()}
        assert (leads[owned].owner_id, leads[owned].owner) == ("U1", "Ana Lima")
        assert (leads[free].owner_id, leads[free].owner) == (None, None)
        assert sorted(r.id for r in connector(fake).get_leads([free, "nope", owned])) == sorted(
            [owned, free]
        )

    def test_rep_of_an_activity(self, fake: LocalFake) -> None:
        """An activity a rep logged names the rep; an e-mail open names none."""
        lead = fake.add_leads(1, modified_at=T)[0]
        fake.add_activities(lead, 1, occurred_at=T, kind="call", rep_id="U1")
        fake.add_activities(lead, 1, occurred_at=T)
        reps = sorted((a.kind, a.rep_id or "") for a in connector(fake).iter_activities())
        assert reps == [("call", "U1"), ("email_open", "")]

    def test_assign_owners_per_record(self, fake: LocalFake) -> None:
        """Owners are written in batches, each batch reported as confirmed; an unknown lead, an
        inactive user and a locked record are refused with the reason, the rest written."""
        leads = fake.add_leads(4, modified_at=T, owner=None)
        fake.reject_records([leads[3]], "approval pending")
        batches: list[WriteResult] = []
        result = connector(fake, page_size=2).assign_owners(
            [
                OwnerAssignment(leads[0], "Lead", "U1"),
                OwnerAssignment(leads[1], "Lead", "U1"),
                OwnerAssignment(leads[2], "Lead", "U9"),
                OwnerAssignment(leads[3], "Lead", "U1"),
                OwnerAssignment("L404", "Lead", "U1"),
            ],
            on_batch=batches.append,
        )
        assert result.written == leads[:2]
        reasons = {e.record_id: e.reason for e in result.failed}
        assert "no active user U9" in reasons[leads[2]]
        assert "approval pending" in reasons[leads[3]]
        assert "no lead" in reasons["L404"]
        assert len(batches) == 3
        assert fake.owner_of(leads[0]) == "U1" and fake.owner_of(leads[2]) is None
        assert connector(fake).writes_owners is True

    def test_an_older_file_gains_the_new_columns(self, tmp_path: Path) -> None:
        """A CRM file made before owners and reps existed is given the columns on open."""
        path = tmp_path / "old.db"
        crm = LocalCRM(path)
        with crm.engine.begin() as conn:
            conn.execute(text("ALTER TABLE activities DROP COLUMN rep_id"))
            conn.execute(text("ALTER TABLE leads DROP COLUMN owner_id"))
        crm.close()
        crm = LocalCRM(path)
        with crm.engine.connect() as conn:
            cols = {r[1] for r in conn.execute(text("PRAGMA table_info(leads)"))}
        crm.close()
        assert "owner_id" in cols
