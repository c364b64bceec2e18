"""The contract's part on Section 5's capabilities: users, owner writes, activity by rep, and
re-reading leads by id.

A connector's test class declares what its connector does (``owners``, ``reads_by_id``), and
every test here checks the declaration: a connector that writes owners must read its users,
write owners once per record, never over an owner set in the CRM since the caller read the
record, report refusals per record and survive a 429 and a 500 without applying anything twice; one that does not must refuse every assignment with a reason and write
nothing. A fake for a connector with ``owners`` is a ``tests.fakes.base.FakeOwners``; with
``reads_by_id``, a ``tests.fakes.base.FakeRereads``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from connectors.base import CRMUser, LeadRecord, OwnerAssignment
from tests.fakes.base import FakeOwners, FakeRereads

T1 = datetime(2024, 3, 1, tzinfo=UTC)
T3 = datetime(2024, 7, 2, tzinfo=UTC)


class OwnersContract:
    """Mixed into ``ConnectorContract``; subclasses declare the capabilities below."""

    #: the connector reads users, writes owners (``writes_owners``) and names activity's rep
    owners: ClassVar[bool] = False
    #: the CRM records each user's manager (HubSpot's owners have none)
    records_managers: ClassVar[bool] = True
    #: the connector re-reads leads by id (``get_leads``)
    reads_by_id: ClassVar[bool] = False
    #: the CRM can apply a write and lose its answer (HTTP: a 500 or a dropped connection after
    #: the work); a CRM that commits atomically (the local file) cannot, and is tested for that
    lost_answers: ClassVar[bool] = True
    #: a substring of the owner write request's path (default: ``write_path``)
    owner_write_path: ClassVar[str | None] = None
    write_batch: ClassVar[int]
    write_path: ClassVar[str]

    @property
    def _owner_path(self) -> str:
        return self.owner_write_path or self.write_path

    def _leads(self, connector: Any, since: datetime | None = None) -> list[LeadRecord]:
        raise NotImplementedError  # ConnectorContract's

    def _reps(self, fake: Any) -> tuple[str, str, str]:
        """Two active reps (the second managed by the first) and an inactive one."""
        assert isinstance(fake, FakeOwners), "a connector that writes owners needs FakeOwners"
        ana = fake.add_user("Ana Lead", "ana@example.com")
        ben = fake.add_user("Ben Rep", "ben@example.com", manager_id=ana)
        gone = fake.add_user("Cy Former", "cy@example.com", active=False)
        return ana, ben, gone

    def _unowned(self, fake: Any, n: int) -> list[str]:
        """``n`` new leads with no owner in the CRM (a Salesforce Lead waits in a queue)."""
        ids = fake.add_leads(n)
        for i in ids:
            fake.set_owner(i, None)
        return ids

    # --- declaring ---------------------------------------------------------------------------
    def test_owner_capability_is_declared(self, connector: Any) -> None:
        """The connector says it writes owners exactly when its test class declares it."""
        assert type(connector).writes_owners is self.owners

    # --- users -------------------------------------------------------------------------------
    def test_users_carry_email_manager_and_active_flag(self, connector: Any, fake: Any) -> None:
        """Every user who can own leads comes back once with email, manager and active flag;
        a connector without owner support lists none."""
        if not self.owners:
            assert list(connector.iter_users()) == []
            return
        ana, ben, gone = self._reps(fake)
        users = {u.id: u for u in connector.iter_users()}
        assert len(users) == len(list(connector.iter_users()))
        assert users[ana] == CRMUser(ana, "Ana Lead", "ana@example.com", None, True)
        manager = ana if self.records_managers else None
        assert users[ben] == CRMUser(ben, "Ben Rep", "ben@example.com", manager, True)
        assert users[gone].active is False and users[gone].email == "cy@example.com"

    # --- owner writes ------------------------------------------------------------------------
    def test_owner_write_round_trip(self, connector: Any, fake: Any) -> None:
        """Owners written in batches are what the CRM then holds and what leads read back as
        ``owner_id``, each record written once; without owner support every assignment is
        refused with a reason and nothing is written."""
        fake.add_leads(2 * self.write_batch + 3)
        leads = self._leads(connector)
        if not self.owners:
            result = connector.assign_owners(
                [OwnerAssignment(r.id, r.object_type, "u1") for r in leads]
            )
            assert sorted(e.record_id for e in result.failed) == sorted(r.id for r in leads)
            assert all("does not write owners" in e.reason for e in result.failed)
            assert result.written == [] and all(fake.writes_of(r.id) == 0 for r in leads)
            assert [r.owner_id for r in self._leads(connector)] == [r.owner_id for r in leads]
            return
        ana, ben, _ = self._reps(fake)
        for r in leads:
            fake.set_owner(r.id, None)
        leads = self._leads(connector)
        want = {r.id: (ana, ben)[i % 2] for i, r in enumerate(leads)}
        seen: list[list[str]] = []

        def on_batch(batch: Any) -> None:  # each batch is in the CRM when it is reported
            assert all(fake.owner_of(i) == want[i] for i in batch.written)
            seen.append(list(batch.written))

        result = connector.assign_owners(
            [OwnerAssignment(r.id, r.object_type, want[r.id]) for r in leads], on_batch=on_batch
        )
        assert sorted(result.written) == sorted(want) and result.failed == []
        assert len(seen) == 3 and sorted(i for b in seen for i in b) == sorted(want)
        assert {i: fake.owner_of(i) for i in want} == want
        assert all(fake.owner_writes_of(i) == 1 for i in want)
        assert {r.id: r.owner_id for r in self._leads(connector)} == want

    def test_owner_write_reports_refusals_per_record(self, connector: Any, fake: Any) -> None:
        """A record the CRM refuses and one given to an inactive user fail alone, with their
        reasons; the others get their owner, and the refused keep theirs."""
        if not self.owners:
            return self.test_owner_write_round_trip(connector, fake)
        ana, _, gone = self._reps(fake)
        self._unowned(fake, 6)
        leads = self._leads(connector)
        before = {r.id: fake.owner_of(r.id) for r in leads}
        fake.reject_records([leads[1].id], "FIELD_CUSTOM_VALIDATION_EXCEPTION: territory locked")
        owners = {r.id: gone if i == 4 else ana for i, r in enumerate(leads)}
        result = connector.assign_owners(
            [OwnerAssignment(r.id, r.object_type, owners[r.id]) for r in leads]
        )
        failed = {e.record_id: e for e in result.failed}
        assert sorted(failed) == sorted([leads[1].id, leads[4].id])
        assert "territory locked" in failed[leads[1].id].reason
        assert not any(e.gone for e in result.failed)
        assert sorted(result.written) == sorted(r.id for r in leads if r.id not in failed)
        for r in leads:
            expected = before[r.id] if r.id in failed else ana
            assert fake.owner_of(r.id) == expected
            assert fake.owner_writes_of(r.id) == (0 if r.id in failed else 1)

    def test_owner_write_survives_a_429_and_a_500(
        self, connector: Any, fake: Any, sleeps: list[float]
    ) -> None:
        """A 500 and a 429 with Retry-After in the middle of an owner write: every owner is
        written, each record exactly once, after the wait the CRM asked for."""
        if not self.owners:
            return self.test_owner_write_round_trip(connector, fake)
        ana, ben, _ = self._reps(fake)
        self._unowned(fake, 3 * self.write_batch)
        leads = self._leads(connector)
        fake.fail_next(1, 500, path_contains=self._owner_path)
        fake.fail_next(1, 429, headers={"Retry-After": "2"}, path_contains=self._owner_path)
        want = {r.id: (ana, ben)[i % 3 == 0] for i, r in enumerate(leads)}
        result = connector.assign_owners(
            [OwnerAssignment(r.id, r.object_type, want[r.id]) for r in leads]
        )
        assert sorted(result.written) == sorted(want) and result.failed == []
        assert {i: fake.owner_of(i) for i in want} == want
        assert [i for i in want if fake.owner_writes_of(i) != 1] == []
        assert len(sleeps) == 2

    def test_owner_write_applied_but_unanswered_is_not_applied_again(
        self, connector: Any, fake: Any, sleeps: list[float]
    ) -> None:
        """The CRM applies a batch of owners and then answers 500: the retry finds the owners
        already set and reports them written without writing them a second time. (A CRM that
        commits atomically cannot lose an answer: a failure inside the batch leaves none of it
        applied, and the retry writes each owner once.)"""
        if not self.owners:
            return self.test_owner_write_round_trip(connector, fake)
        ana, ben, _ = self._reps(fake)
        self._unowned(fake, 2 * self.write_batch)
        leads = self._leads(connector)
        if self.lost_answers:
            fake.fail_after_apply(1, 500, path_contains=self._owner_path)
        else:
            fake.fail_next(1, 500, path_contains=self._owner_path)
        want = {r.id: (ana, ben)[i % 2] for i, r in enumerate(leads)}
        result = connector.assign_owners(
            [OwnerAssignment(r.id, r.object_type, want[r.id]) for r in leads]
        )
        assert sorted(result.written) == sorted(want) and result.failed == []
        assert {i: fake.owner_of(i) for i in want} == want
        assert [i for i in want if fake.owner_writes_of(i) != 1] == []
        if self.lost_answers:  # the unanswered batch is not sent again: its retry only read
            assert fake.count(path_contains=self._owner_path) == 2

    def test_an_owner_set_in_the_crm_after_the_read_is_never_overwritten(
        self, connector: Any, fake: Any
    ) -> None:
        """A rep takes two leads (one in each batch) in the CRM after the caller read them
        without an owner and before the write: they keep the rep, are refused as taken (not to
        be retried), and every other lead gets its owner by exactly one write."""
        if not self.owners:
            return self.test_owner_write_round_trip(connector, fake)
        ana, ben, _ = self._reps(fake)
        self._unowned(fake, self.write_batch + 3)
        leads = self._leads(connector)
        assert [r.id for r in leads if r.owner_id is not None] == []
        taken = [leads[1].id, leads[-1].id]
        for i in taken:
            fake.set_owner(i, ben)
        result = connector.assign_owners([OwnerAssignment(r.id, r.object_type, ana) for r in leads])
        failed = {e.record_id: e for e in result.failed}
        assert sorted(failed) == sorted(taken)
        assert all(failed[i].taken_by == ben and not failed[i].retryable for i in taken)
        assert all(not failed[i].gone for i in taken)
        written = [r.id for r in leads if r.id not in failed]
        assert sorted(result.written) == sorted(written)
        assert [(fake.owner_of(i), fake.owner_writes_of(i)) for i in taken] == [(ben, 0)] * 2
        assert {(fake.owner_of(i), fake.owner_writes_of(i)) for i in written} == {(ana, 1)}

    # --- activity by rep ---------------------------------------------------------------------
    def test_activity_names_the_rep_who_logged_it(self, connector: Any, fake: Any) -> None:
        """Activity a rep logged carries the rep's user id; activity no rep did carries none."""
        (lead_id,) = fake.add_leads(1)
        other = fake.add_activities(lead_id, 1, occurred_at=T1)
        if not self.owners:
            got = [a for a in connector.iter_activities(since=None) if a.id in other]
            assert [a.rep_id for a in got] == [None]
            return
        _, ben, _ = self._reps(fake)
        logged = fake.add_activities(lead_id, 2, occurred_at=T1, rep_id=ben)
        got = {a.id: a for a in connector.iter_activities(since=None)}
        assert {got[i].rep_id for i in logged} == {ben}
        assert got[other[0]].rep_id is None
        assert {got[i].lead_id for i in [*logged, *other]} == {lead_id}

    # --- re-reading by id --------------------------------------------------------------------
    def test_get_leads_reads_the_records_now(self, connector: Any, fake: Any) -> None:
        """``get_leads`` returns the asked records as ``iter_leads`` maps them now, once each,
        leaving out ids the CRM does not have; a connector that does not
        re-read returns nothing (the caller then scores its cached copy)."""
        ids = fake.add_leads(4, modified_at=T1, attributes={"industry": "Software"})
        if not self.reads_by_id:
            assert connector.get_leads(ids) == []
            return
        assert isinstance(fake, FakeRereads), "a connector that re-reads needs FakeRereads"
        fake.change_lead(ids[2], {"industry": "Retail"}, at=T3)
        asked = [ids[2], fake.unknown_lead_id(), ids[0], ids[2]]
        got = {r.id: r for r in connector.get_leads(asked)}
        assert len(connector.get_leads(asked)) == 2  # each once
        now = {r.id: r for r in self._leads(connector)}
        assert got == {ids[2]: now[ids[2]], ids[0]: now[ids[0]]}
        assert got[ids[2]].attributes["industry"] == "Retail" and got[ids[2]].modified_at == T3
        assert connector.get_leads([]) == []
