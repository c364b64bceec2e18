"""Section 5.2's rules 2 to 5 and the 6.5 experiment inside one scoring pass (``cycle.py`` calls
the hooks of ``Rules5``; everything else lives here and in the modules it names).

- Pulling: each lead's owner (CRM user id) is remembered; activity moves the lead's last
  activity (Rule 5) and a rep's activity (``Activity.rep_id``) stops the lead's SLA clock
  (Rule 2) and counts as the experiment's first contact. A lead's stale clock starts when the
  daemon first sees it (what happened before is not known).
- Scoring: a dimension listed in ``stale_after_days`` scores 0 once the lead has had no activity
  for that long (``score_frame(stale_levels=...)``); once a day the leads that crossed a window
  are re-scored (``stale_due``). Control leads of a running experiment are scored but not
  written (``control``).
- After scoring: the fired signals and tier are kept; a change of tier on an owned treatment lead
  is recorded with its causes for Rule 3.
- Before delivery (``prepare``): unowned Hot/Warm leads are assigned (Rule 4, ``assign.py``),
  turns into Hot that were alerted start their clock and tell the owner (Rule 2), clocks past
  their deadline are escalated once, and the pass's tier changes become one message per owner.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import structlog

from connectors.base import Activity, CRMConnector, CRMUser, LeadRecord
from service.daemon.assign import assign_unowned
from service.daemon.context import Daemon
from service.daemon.messages5 import (
    ESCALATION,
    ESCALATION_DM,
    NOTICE,
    OWNER_HOT,
    lead_label,
    message_row,
    notice_text,
    when,
)
from service.experiment.groups import CONTROL, groups
from service.scoring.engine import ScoredFrame
from service.scoring.rules import TIERS, Rules
from service.state.leads import CachedLead
from service.state.section5 import Facts, LeadFacts, stale_levels
from service.state.sla import Clock, Section5Log

log = structlog.get_logger(__name__)
NEVER = timedelta(days=3650)
#: turns into Hot older than this get no clock (they predate it, or the daemon was down for days)
CLOCK_LOOKBACK = timedelta(days=2)
RANK = {t: i for i, t in enumerate(reversed(TIERS))}  # Cold 0 .. Hot 3


def _at_once(fn: Callable[..., None], /, *args: Any) -> None:
    fn(*args)


class Rules5:
    """Section 5's state for one pass (one connector, one set of rules, one ``now``)."""

    def __init__(self, d: Daemon, crm: CRMConnector, rules: Rules, now: datetime) -> None:
        self.d, self.crm, self.rules, self.now = d, crm, rules, now
        self.name = crm.name
        self.facts = LeadFacts(d.store)
        self.log = Section5Log(d.store)
        self.windows = rules.stale_windows()
        self.latest: dict[str, datetime] = {}
        self.touches: list[tuple[str, str, datetime]] = []
        #: rep activity for Section 5.3's rep productivity: (activity id, rep, lead, at)
        self.rep_acts: list[tuple[str, str, str, datetime]] = []
        self.unowned: dict[str, CachedLead] = {}
        self._users: dict[str, CRMUser] | None = None
        #: runs a write of the pass's records (``service.daemon.recorder``; default: at once)
        self.later: Callable[..., None] = _at_once
        #: leads pulled and not yet scored (their facts write may still be on its way)
        self.just_pulled: dict[str, LeadRecord] = {}
        self.batch_facts: dict[str, Facts] = {}
        self.report: dict[str, int] = defaultdict(int)

    # -- pulling -------------------------------------------------------------------------------
    def pulled(self, records: Sequence[LeadRecord]) -> None:
        """A lead seen for the first time starts its stale clock now: what happened before the
        daemon first saw it is not known, so every lead gets the full window (no mass
        downgrade on the first pass). Written through ``later`` (behind the pass on
        PostgreSQL): until scored, ``levels`` reads these leads' facts as that write leaves
        them (``_as_pulled``)."""
        for r in records:
            self.just_pulled[r.id] = r
        self.later(self.facts.note_pulled, self.name, list(records), self.now, self.now)

    def _as_pulled(self, facts: dict[str, Facts], ids: Iterable[str]) -> None:
        """``note_pulled``'s effect on the facts read: the owner as pulled, and a new lead's
        row (first seen now, its stale clock starting now)."""
        for rid in ids:
            r = self.just_pulled.pop(rid, None)
            if r is None:
                continue
            old = facts.get(rid)
            facts[rid] = (
                Facts(rid, r.owner_id, r.owner, self.now, 0, None, None, None, None)
                if old is None
                else old._replace(owner_id=r.owner_id, owner_name=r.owner)
            )

    def activity(self, a: Activity) -> None:
        if a.lead_id is None:
            return
        at = min(a.occurred_at, self.now)
        if self.latest.get(a.lead_id) is None or self.latest[a.lead_id] < at:
            self.latest[a.lead_id] = at
        if a.rep_id is not None and a.occurred_at <= self.now:
            self.touches.append((a.lead_id, a.rep_id, a.occurred_at))
            self.rep_acts.append((a.id, a.rep_id, a.lead_id, a.occurred_at))

    def save_activity(self) -> None:
        first: dict[str, datetime] = {}
        for lead_id, _rep, at in self.touches:
            first[lead_id] = min(at, first.get(lead_id, at))
        self.facts.note_activity(self.name, self.latest, first)
        self.report["rep_activities"] += self.facts.note_rep_activity(self.name, self.rep_acts)
        stopped = self.log.stop_clocks(self.name, self.touches)
        self.report["sla_stopped"] += stopped
        self.latest, self.touches, self.rep_acts = {}, [], []

    def stale_due(self) -> list[str]:
        """Once a day: the leads a ``stale_after_days`` window passed on since their last score."""
        last = self.d.stale_checked_at
        if last is not None and self.now - last < timedelta(days=1) and self.now >= last:
            return []
        self.d.stale_checked_at = self.now
        due = self.facts.stale_due(self.name, self.now, self.windows)
        if due:
            log.info("stale_leads_due", connector=self.name, count=len(due))
        return due

    # -- scoring -------------------------------------------------------------------------------
    def levels(self, leads: Sequence[CachedLead]) -> np.ndarray:
        ids = [lead.record_id for lead in leads]
        facts = self.facts.get(self.name, ids)
        self._as_pulled(facts, ids)
        self.batch_facts = facts  # read once per batch: ``scored`` compares against it
        last = [f.last_activity_at if (f := facts.get(i)) is not None else None for i in ids]
        return np.array(
            stale_levels(last, self.now, self.windows),
            dtype=np.int64,
        )

    def groups(self, ids: Sequence[str]) -> dict[str, str]:
        return groups(ids, self.d.settings.experiment, self.now)

    def scored(
        self,
        leads: Sequence[CachedLead],
        scored: ScoredFrame,
        ok: set[str],
        levels: np.ndarray,
        group: dict[str, str],
        before: dict[str, Facts] | None = None,
    ) -> None:
        """Keep the new tiers and fired signals; record Rule 3's notices and Rule 4's unowned
        leads. ``before``: the batch's facts as ``levels`` read them (default: its last call;
        a batch recorded in the background passes its own)."""
        before = self.batch_facts if before is None else before
        labels = {s.name: s.label or s.name for s in self.rules.signals}
        points = {s.name: s.points for s in self.rules.signals}
        names = np.array(scored.fires.columns, dtype=object)
        matrix = scored.fires.to_numpy(dtype=bool)
        position = {rid: i for i, rid in enumerate(scored.scores.index)}
        tiers = scored.scores["tier"].to_numpy()
        totals = scored.scores["total"].to_numpy()
        rows, notices = [], []
        settings = self.d.settings.notices
        # a batch's leads share a few sets of fired signals: each set is named and encoded once
        patterns = [row.tobytes() for row in np.packbits(matrix, axis=1)]
        named: dict[bytes, tuple[tuple[str, ...], str]] = {}
        for lead, level in zip(leads, levels, strict=True):
            rid = lead.record_id
            if rid not in ok:
                continue
            i = position[rid]
            key = patterns[i]
            if key not in named:
                names_i = tuple(str(n) for n in names[matrix[i]])
                named[key] = (names_i, json.dumps(names_i))
            fired, fired_json = named[key]
            tier, total = str(tiers[i]), float(totals[i])
            rows.append(
                {
                    "record_id": rid,
                    "tier": tier,
                    "total": total,
                    "fired_json": fired_json,
                    "stale_level": int(level),
                    "experiment_group": group.get(rid),
                }
            )
            old = before.get(rid)
            if group.get(rid) == CONTROL or old is None:
                continue
            if tier in ("Hot", "Warm") and old.owner_id is None:
                self.unowned[rid] = lead
            if old.tier is None or old.tier == tier or old.owner_id is None:
                continue
            up = RANK.get(tier, -1) > RANK.get(old.tier, -1)
            if not (settings.upgrades if up else settings.downgrades):
                continue
            was = set(old.fired or ())
            causes = {
                "started": [
                    f"{labels[n]} ({points[n]:+d})" for n in fired if n not in was and n in labels
                ],
                "stopped": [
                    f"{labels[n]} ({-points[n]:+d})"
                    for n in sorted(was - set(fired))
                    if n in labels
                ],
                "stale": self.rules.lapsed_dimensions(int(level))
                if level > old.stale_level
                else [],
                "from_total": old.total,
                "to_total": total,
                "label": lead_label(lead.attributes, rid),
            }
            notices.append(
                {
                    "record_id": rid,
                    "from_tier": old.tier,
                    "to_tier": tier,
                    "owner_id": old.owner_id,
                    "causes": causes,
                    "at": self.now,
                }
            )
        self.facts.record_scores(self.name, rows)
        self.log.add_notices(self.name, notices)
        self.report["tier_notices"] += len(notices)

    def retired(self, ids: Sequence[str], converted: Sequence[str]) -> None:
        self.facts.mark_converted(self.name, converted, self.now)
        self.facts.record_scores(self.name, [{"record_id": i, "tier": None} for i in ids])

    # -- before delivery -----------------------------------------------------------------------
    def users(self) -> dict[str, CRMUser]:
        if self._users is None:
            self._users = {u.id: u for u in self.crm.iter_users()}
        return self._users

    def email_of(self, who: str | None) -> str | None:
        """A CRM user id's e-mail (or ``who`` itself when it is an address)."""
        if not who:
            return None
        if "@" in who:
            return who
        user = self.users().get(who)
        return user.email if user else None

    def prepare(self) -> None:
        if self.d.alerter is None and not self.unowned:
            return
        assign_unowned(self)
        if self.d.alerter is None:
            return
        self.start_clocks()
        self.escalate()
        self.batch_notices()

    def start_clocks(self) -> None:
        """Start a clock for each alerted turn into Hot and tell the owner; tell an owner who
        got the lead (Rule 4) after its clock started."""
        hot = self.rules.tiers.get("Hot")
        hours = hot.sla_hours if hot is not None else None
        turns = self.log.unclocked_turns(self.name, self.now - CLOCK_LOOKBACK)
        facts = self.facts.get(self.name, [t[0] for t in turns])
        clocks, messages = [], []
        for rid, turn, at in turns:
            f = facts.get(rid)
            owner_id, owner = (f.owner_id, f.owner_name) if f else (None, None)
            # no SLA on Hot: the owner is still told; the clock never runs out
            deadline = at + (timedelta(hours=hours) if hours else NEVER)
            clock = Clock(rid, turn, owner_id, owner, at, deadline, self.email_of(owner_id))
            clocks.append(clock)
            if owner_id is not None:
                messages.append(self._owner_message(clock, bool(hours)))
        self.log.start_clocks(self.name, clocks, messages)
        self.report["sla_started"] += len(clocks)
        waiting = self.log.ownerless(self.name)
        owners = self.facts.get(self.name, [c.record_id for c in waiting])
        for c in waiting:
            f = owners.get(c.record_id)
            if f is None or f.owner_id is None:
                continue
            adopted = replace(
                c,
                owner_id=f.owner_id,
                owner_name=f.owner_name,
                owner_email=self.email_of(f.owner_id),
            )
            self.log.adopt(self.name, adopted, [self._owner_message(adopted, bool(hours))])

    def _owner_message(self, clock: Clock, timed: bool) -> dict[str, Any]:
        lead = self.d.leads.cached(self.name, [clock.record_id]).get(clock.record_id)
        label = lead_label(lead.attributes if lead else {}, clock.record_id)
        sla = f" First contact due by {when(clock.deadline)}." if timed else ""
        hot = self.rules.tiers.get("Hot")
        return message_row(
            f"{OWNER_HOT}:{self.name}:{clock.record_id}:{clock.hot_turn}",
            self.name,
            OWNER_HOT,
            self.now,
            {
                "email": clock.owner_email,
                "text": f":fire: Your lead {label} just turned Hot.{sla} "
                f"Next: {hot.action if hot else ''}",
            },
            record_id=clock.record_id,
            hot_turn=clock.hot_turn,
        )

    def escalate(self) -> None:
        routing = self.d.routing.current if self.d.routing is not None else None
        overdue = self.log.overdue(self.name, self.now)
        if not overdue:
            return
        leads = self.d.leads.cached(self.name, [c.record_id for c in overdue])
        for clock in overdue:
            lead = leads.get(clock.record_id)
            label = lead_label(lead.attributes if lead else {}, clock.record_id)
            owner = clock.owner_name or clock.owner_id or "no owner"
            text = (
                f":rotating_light: SLA missed: Hot lead {label} (owner {owner}) turned Hot at "
                f"{when(clock.started_at)} and had no rep contact by {when(clock.deadline)}."
            )
            base = f"{self.name}:{clock.record_id}:{clock.hot_turn}"
            messages = [
                message_row(
                    f"{ESCALATION}:{base}",
                    self.name,
                    ESCALATION,
                    self.now,
                    {"text": text},
                    record_id=clock.record_id,
                    hot_turn=clock.hot_turn,
                )
            ]
            manager = routing.manager_of(clock.owner_id) if routing is not None else None
            if manager is None and clock.owner_id:
                user = self.users().get(clock.owner_id)
                manager = user.manager_id if user else None
            if manager:
                messages.append(
                    message_row(
                        f"{ESCALATION_DM}:{base}",
                        self.name,
                        ESCALATION_DM,
                        self.now,
                        {"email": self.email_of(manager), "text": text},
                        record_id=clock.record_id,
                        hot_turn=clock.hot_turn,
                    )
                )
            if self.log.breach(self.name, clock, self.now, messages):
                self.report["sla_breached"] += 1
                self.d.metrics.sla_breaches.labels(connector=self.name).inc()
                log.info("sla_breached", connector=self.name, lead_id=clock.record_id, owner=owner)

    def finish(self) -> dict[str, int]:
        """Publish SLA compliance per owner as a metric; return what this pass did."""
        for row in self.log.compliance(self.name):
            if row.rate is not None:
                self.d.metrics.sla_compliance.labels(connector=self.name, owner=row.owner).set(
                    row.rate
                )
        return dict(self.report)

    def batch_notices(self) -> None:
        items = self.log.open_notices(self.name)
        if not items:
            return
        by_owner: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in items:
            by_owner[str(item["owner_id"])].append(item)
        actions: dict[str, str] = {t: p.action for t, p in self.rules.tiers.items()}
        names = {u.id: u.name for u in self.users().values()}
        stamp = self.now.strftime("%Y%m%dT%H%M%S")
        batches, messages = {}, []
        for owner_id, owned in sorted(by_owner.items()):
            key = f"{NOTICE}:{self.name}:{owner_id}:{stamp}:{owned[0]['id']}"
            for item in owned:
                item["label"] = item["causes"].get("label", item["record_id"])
            text = notice_text(
                names.get(owner_id, owner_id), owned, actions, self.d.settings.notices.max_listed
            )
            batches[key] = [int(i["id"]) for i in owned]
            messages.append(
                message_row(
                    key,
                    self.name,
                    NOTICE,
                    self.now,
                    {"email": self.email_of(owner_id), "text": text, "count": len(owned)},
                )
            )
        self.log.batch_notices(batches, messages)
        self.report["notice_messages"] += len(messages)
