"""Rule 4 in a pass: give each unowned Hot or Warm lead an owner from the routing file.

Each choice is recorded (status ``pending``, with its explanation) before the CRM is asked, and
settled per record as each batch is confirmed: ``written``, with the new owner's notice in the
same transaction; ``failed``, with the CRM's reason; or ``skipped``, when the connector (which
reads the owner just before each batch is written) found that a rep took the lead since the
pull: the rep keeps it, is noted as the lead's owner, and it is not counted as assigned. A CRM
that fails the write (after the shared retries) leaves the rest pending and the pass goes on to
its alerts; a pass that dies in between sends the pending ones again next time (a lead already
owned as asked is not written again); a lead this service has assigned, or that has an owner in
the CRM, is never reassigned.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

import structlog

from connectors.base import OwnerAssignment, WriteResult
from service.daemon.messages5 import ASSIGNMENT, lead_label, message_row
from service.daemon.routing import choose
from service.errors import LeadScoreError

if TYPE_CHECKING:
    from connectors.base import CRMConnector, CRMUser
    from service.daemon.context import Daemon
    from service.state.leads import CachedLead
    from service.state.section5 import LeadFacts
    from service.state.sla import Section5Log

log = structlog.get_logger(__name__)
PENDING, WRITTEN, FAILED, SKIPPED = "pending", "written", "failed", "skipped"


class Pass(Protocol):
    """What assigning needs of a pass (``section5.Rules5`` provides it): declared here so that
    this module does not import the one that calls it."""

    d: Daemon
    crm: CRMConnector
    name: str
    now: datetime
    facts: LeadFacts
    log: Section5Log
    unowned: dict[str, CachedLead]
    report: dict[str, int]

    def users(self) -> dict[str, CRMUser]: ...
    def email_of(self, who: str | None) -> str | None: ...


def assign_unowned(p: Pass) -> int:
    """Choose, record, write and settle owners; returns the owners the CRM confirmed."""
    routing = p.d.routing.current if p.d.routing is not None else None
    retry = p.log.pending_assignments(p.name)
    if routing is None or not p.crm.writes_owners:
        if p.unowned and routing is not None:
            log.warning("routing_not_supported", connector=p.name, leads=len(p.unowned))
        p.unowned.clear()
        return 0
    ids = list(p.unowned)
    done = p.log.assigned(p.name, ids)
    load = p.log.load(p.name)
    names = {u.id: u.name for u in p.users().values()}
    chosen = []
    for rid in ids:
        if rid in done:
            continue
        lead = p.unowned[rid]
        choice = choose(routing, lead.attributes, load, names)
        if choice is None:
            log.warning("routing_no_capacity", connector=p.name, lead_id=rid)
            continue
        chosen.append(
            {
                "record_id": rid,
                "owner_id": choice.owner_id,
                "owner_name": choice.owner_name,
                "tier": None,
                "explanation": choice.explanation,
                "status": PENDING,
                "reason": None,
                "at": p.now,
            }
        )
    p.log.record_assignments(p.name, chosen)
    todo = {r["record_id"]: r for r in [*retry, *chosen]}
    p.unowned.clear()
    if not todo:
        return 0
    leads = p.d.leads.cached(p.name, list(todo))

    def settle(batch: WriteResult) -> None:
        for rid in batch.written:
            row = todo[rid]
            lead = leads.get(rid)
            label = lead_label(lead.attributes if lead else {}, rid)
            text = f"You own a new lead: {label}. Assigned because: {row['explanation']}."
            message = message_row(
                f"{ASSIGNMENT}:{p.name}:{rid}",
                p.name,
                ASSIGNMENT,
                p.now,
                {"email": p.email_of(row["owner_id"]), "text": text},
                record_id=rid,
            )
            p.log.settle_assignment(p.name, rid, WRITTEN, None, [message])
            p.facts.note_owner(p.name, rid, row["owner_id"], row["owner_name"])
            log.info(
                "lead_assigned",
                connector=p.name,
                lead_id=rid,
                owner_id=row["owner_id"],
                explanation=row["explanation"],
            )
        for err in batch.failed:
            if err.taken_by is not None:
                skipped(err.record_id, err.taken_by)
            elif not err.retryable:
                p.log.settle_assignment(p.name, err.record_id, FAILED, err.reason)

    def skipped(rid: str, owner_id: str) -> None:
        """A rep took the lead in the CRM since the pass read it: theirs it stays."""
        user = p.users().get(owner_id)
        name = user.name if user else None
        reason = f"owned by {name or owner_id} in the CRM when the owner was to be written"
        p.log.settle_assignment(p.name, rid, SKIPPED, reason)
        p.facts.note_owner(p.name, rid, owner_id, name)
        p.report["assign_skipped"] += 1
        log.info(
            "assignment_skipped_owned",
            connector=p.name,
            lead_id=rid,
            owner_id=owner_id,
            chosen_owner_id=todo[rid]["owner_id"],
        )

    object_types = {rid: (leads[rid].object_type if rid in leads else "Lead") for rid in todo}
    try:
        result = p.crm.assign_owners(
            [OwnerAssignment(rid, object_types[rid], r["owner_id"]) for rid, r in todo.items()],
            on_batch=settle,
        )
    except LeadScoreError as exc:  # the batches confirmed are settled; the rest stay pending
        log.warning("owner_writes_failed", connector=p.name, pending=len(todo), error=str(exc))
        p.report["assign_failed"] += 1
        return 0
    p.report["assigned"] += len(result.written)
    return len(result.written)
