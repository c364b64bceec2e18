"""The local SQLite CRM connector: the shared contract plus what is particular to it."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.engine import Engine
from structlog.testing import capture_logs

from connectors import get_connector_class
from connectors.base import CRMConnector, ScoreUpdate
from connectors.local import LocalConnector
from connectors.local import tables as t
from service.errors import FatalConnectorError, RetryableConnectorError
from service.settings import RetrySettings, Settings
from tests.connectors.contract import T1, ConnectorContract, scores
from tests.fakes.local import LocalFake


class OwnersLocalFake(LocalFake):
    """``LocalFake`` with the contract's owner and re-read controls (``FakeOwners``,
    ``FakeRereads``): users get generated ids, and owner writes are counted per lead as the
    connector's ``UPDATE leads SET owner..., owner_id...`` statements run."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._user_ids = itertools.count(1)
        self.owner_writes: Counter[str] = Counter()
        event.listen(Engine, "after_cursor_execute", self._count_owner_write)

    def close(self) -> None:
        event.remove(Engine, "after_cursor_execute", self._count_owner_write)
        super().close()

    def reset(self) -> None:
        super().reset()
        self.owner_writes.clear()

    def _count_owner_write(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any
    ) -> None:
        """After the connector's owner ``UPDATE`` ran (not this fake's own ``set_owner``):
        counted when it changed the lead (a conditional one that matched nothing is no write)."""
        if (
            conn.engine.url.database == str(self.path)
            and conn.engine is not self.crm.engine
            and statement.startswith("UPDATE leads SET ")
            and "owner_id=" in statement
            and cursor.rowcount > 0
        ):
            at = statement[: statement.index("leads.id = ?")].count("?")
            self.owner_writes[str(parameters[at])] += 1

    def add_user(  # type: ignore[override]
        self,
        name: str,
        email: str | None = None,
        *,
        manager_id: str | None = None,
        active: bool = True,
    ) -> str:
        user_id = f"U{next(self._user_ids):04d}"
        return super().add_user(user_id, name, email, manager_id=manager_id, active=active)

    def owner_writes_of(self, record_id: str) -> int:
        return self.owner_writes[record_id]

    def change_lead(self, record_id: str, attributes: dict, *, at: datetime) -> None:
        with self.crm.engine.begin() as conn:
            row = conn.execute(select(t.leads).where(t.leads.c.id == record_id)).one()
            conn.execute(
                update(t.leads)
                .where(t.leads.c.id == record_id)
                .values(attributes={**row.attributes, **attributes}, modified_at=at)
            )

    def unknown_lead_id(self) -> str:
        return "L9999999"


@pytest.fixture(scope="module")
def _local_fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFake]:
    fake = OwnersLocalFake(tmp_path_factory.mktemp("local") / "crm.db")
    yield fake
    fake.close()


@pytest.fixture
def fake(_local_fake: LocalFake) -> LocalFake:
    _local_fake.reset()
    return _local_fake


@pytest.fixture
def connector(fake: LocalFake, sleeps: list[float]) -> Iterator[LocalConnector]:
    conn = LocalConnector(
        fake.path,
        page_size=TestLocalContract.page_size,
        retry=RetrySettings(attempts=TestLocalContract.retry_attempts, max_wait_seconds=60),
        sleep=sleeps.append,
    )
    yield conn
    conn.close()


class TestLocalContract(ConnectorContract):
    field_style = "local"
    page_size = 20
    write_batch = 20
    write_path = "INSERT INTO lead_scores"
    capabilities = frozenset()  # a file: no HTTP status, authentication, timeout or secret
    owners = True
    reads_by_id = True
    lost_answers = False  # one SQLite transaction: applied entirely or not at all
    owner_write_path = "UPDATE leads SET owner"

    def test_interrupted_write_writes_every_score_exactly_once(
        self, connector: Any, fake: Any, sleeps: list[float]
    ) -> None:
        """A locked database in the middle of a write is retried; every record is written once."""
        fake.add_leads(3 * self.write_batch)
        leads = self._leads(connector)
        fake.fail_next(1, 500, path_contains=self.write_path)
        fake.fail_next(1, 503, path_contains="UPDATE leads")
        result = connector.write_scores(self._updates(leads))
        assert sorted(result.written) == sorted(r.id for r in leads)
        assert all(fake.writes_of(r.id) == 1 for r in leads)
        assert len(sleeps) == 2


def test_entry_point_and_settings_build_a_local_connector(tmp_path: Path) -> None:
    """The ``local`` entry point loads this class and ``from_settings`` uses the local path."""
    cls = get_connector_class("local")
    assert cls is LocalConnector
    conn = cls.from_settings(Settings(local={"path": tmp_path / "x.db"}))
    assert isinstance(conn, CRMConnector)
    assert conn.path == tmp_path / "x.db"


def test_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    """A connector on a file that does not exist fails with the command that fills it."""
    conn = LocalConnector(tmp_path / "nope.db")
    with pytest.raises(FatalConnectorError, match="leadscore crm load-sample"):
        conn.check()
    assert not (tmp_path / "nope.db").exists()


def test_persistent_lock_gives_up_as_retryable(connector: LocalConnector, fake: LocalFake) -> None:
    """A database locked on every attempt raises RetryableConnectorError after the attempts."""
    fake.add_leads(2)
    fake.fail_next(10, 500)
    with pytest.raises(RetryableConnectorError, match="busy"):
        list(connector.iter_leads())


def test_leads_carry_owner_account_and_current_scores(
    connector: LocalConnector, fake: LocalFake
) -> None:
    """A lead read back holds the score fields last written to it."""
    (lead_id,) = fake.add_leads(1, modified_at=T1)
    connector.write_scores([ScoreUpdate(lead_id, "Lead", {"Total": 81, "Tier": "Hot"})])
    (lead,) = connector.iter_leads()
    assert lead.owner == "Dana Rep" and lead.account_id == "ACC1"
    assert lead.current_scores == {"Total": 81, "Tier": "Hot"}
    assert lead.modified_at == T1


def test_invalid_values_and_unknown_ids_are_refused_per_record(
    connector: LocalConnector, fake: LocalFake
) -> None:
    """A bad picklist value, a non-number, an unknown field or id fail only their record."""
    ids = fake.add_leads(5)
    updates = [
        ScoreUpdate(ids[0], "Lead", {"Tier": "Boiling"}),
        ScoreUpdate(ids[1], "Lead", {"Total": "lots"}),
        ScoreUpdate(ids[2], "Lead", {"Colour": "red"}),
        ScoreUpdate("L-does-not-exist", "Lead", {"Total": 1}),
        ScoreUpdate(ids[3], "Lead", scores(1)),
    ]
    with capture_logs() as logs:
        result = connector.write_scores(updates)
    reasons = {e.record_id: e.reason for e in result.failed}
    assert "one of Hot, Warm, Cool, Cold, Unscoreable" in reasons[ids[0]]
    assert "must be a number" in reasons[ids[1]]
    assert "unknown score field 'Colour'" in reasons[ids[2]]
    assert "no lead with this id" in reasons["L-does-not-exist"]
    assert result.written == [ids[3]]
    assert fake.score_of(ids[3], "Last_Calculated") == "2024-07-01T12:00:00+00:00"
    assert {"event": "scores_written", "written": 1, "failed": 4}.items() <= logs[-1].items()


def test_missing_field_fails_the_write_with_the_setup_command(
    connector: LocalConnector, fake: LocalFake
) -> None:
    """Writing to a field the CRM lacks fails that record and names `leadscore crm setup`."""
    (lead_id,) = fake.add_leads(1)
    fake.remove_field("Trend")
    result = connector.write_scores([ScoreUpdate(lead_id, "Lead", {"Trend": "Rising"})])
    assert result.failed[0].reason == (
        "field Lead_Score_Trend does not exist; create it with `leadscore crm setup`"
    )


def test_activities_since_uses_the_occurrence_time(
    connector: LocalConnector, fake: LocalFake
) -> None:
    """Only activities that happened after ``since`` are returned."""
    (lead_id,) = fake.add_leads(1)
    fake.add_activities(lead_id, 2, occurred_at=datetime(2024, 1, 1, tzinfo=UTC))
    new = fake.add_activities(lead_id, 2, occurred_at=datetime(2024, 5, 1, tzinfo=UTC))
    assert [a.id for a in connector.iter_activities(since=T1)] == new


def test_page_size_must_be_positive(tmp_path: Path) -> None:
    """A zero page size is refused with the value given."""
    with pytest.raises(ValueError, match="got 0"):
        LocalConnector(tmp_path / "x.db", page_size=0)


def test_whole_and_partial_updates_in_one_batch_store_every_value(
    connector: LocalConnector, fake: LocalFake
) -> None:
    """Updates setting every score field (one execution per lead) and updates setting a few
    share a batch: each field holds what was last written, a full set with a bad value is
    refused whole, and a full set replaces an earlier one field by field."""
    ids = fake.add_leads(4)
    connector.write_scores([ScoreUpdate(ids[0], "Lead", scores(1))])
    result = connector.write_scores(
        [
            ScoreUpdate(ids[0], "Lead", {**scores(2), "Tier": "Hot", "Top_Factors": None}),
            ScoreUpdate(ids[1], "Lead", {"Total": 12.5, "Tier": "Cold"}),
            ScoreUpdate(ids[2], "Lead", {**scores(3), "Trend": "Sideways"}),
            ScoreUpdate(ids[3], "Lead", scores(4)),
        ]
    )
    assert sorted(result.written) == sorted([ids[0], ids[1], ids[3]])
    assert "one of Rising, Stable, Falling" in result.failed[0].reason
    assert fake.score_of(ids[0], "Total") == 42 and fake.score_of(ids[0], "Tier") == "Hot"
    assert fake.score_of(ids[0], "Top_Factors") is None
    assert fake.score_of(ids[0], "Last_Calculated") == "2024-07-01T12:00:00+00:00"
    assert fake.score_of(ids[1], "Total") == 12.5 and fake.score_of(ids[1], "Intent") is None
    assert fake.score_of(ids[2], "Total") is None
    assert fake.score_of(ids[3], "Intent") == 14 and fake.score_of(ids[3], "Version") == "v1"


def test_a_full_set_names_the_missing_field(connector: LocalConnector, fake: LocalFake) -> None:
    """A full set of score values for a CRM that lacks one field is refused naming it."""
    (lead_id,) = fake.add_leads(1)
    fake.remove_field("Version")
    result = connector.write_scores([ScoreUpdate(lead_id, "Lead", scores(1))])
    assert result.failed[0].reason == (
        "field Lead_Score_Version does not exist; create it with `leadscore crm setup`"
    )
