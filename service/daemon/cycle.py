"""One scoring pass: pull what changed, score what is due, write what changed, alert new Hot leads.

The pass streams: no stage holds every lead, and every batch is scored, written and recorded
before the next one is read. In order:

1. Records that left the funnel since the cursor (converted, deleted, merged, customers) are
   retired. Activities since the ``activities`` cursor (re-reading an overlap window) name the
   leads with news; those leads are read again from the CRM (``get_leads``: their counters may
   have moved since they were pulled) and their cached copy replaced (a lead the connector
   returns nothing for keeps its cached copy). Records the CRM refused before are pending, and
   once a day the leads a ``stale_after_days`` window passed on (Rule 5) are due.
2. The stream (``pull_and_score``): leads modified since the ``leads`` cursor (inclusive,
   overlapping while fresh) are read in batches of ``batch_size``. Per batch: the copies whose
   attributes changed are kept in the state store in one bulk write (those read again unchanged,
   or already scored by a pass that stopped, are not candidates), and the batch is scored from
   the records in hand (step 4).
3. Then, from the stored copies: the leads with new activity and the pending refusals that the
   stream did not score, and the leads that are due (never scored, scored with other rules, or
   whose tier's cadence has passed: Hot 1 day, Warm 3, Cool 7, Cold 30), read in keyset pages.
4. Scoring a batch: score, Trend against the score two weeks ago, keep only the records whose
   values changed since their last successful write, write them, remember each write batch as
   soon as the CRM confirmed it and what was refused (a record the CRM says is converted or
   deleted is retired), then the tiers, history rows (only on change) and Hot turns, in bulk.
5. Only then move the cursors, so a pass that dies half-way is simply done again: the batches it
   already wrote are recorded and not written or scored twice; nothing it had not written is lost.
6. Alert Slack exactly once per turn into Hot through the outbox (``service.alerts.outbox``):
   each turn's row is written with the score, claimed before the post, and a claim never
   confirmed is looked up in the channel history before anything is posted again. Turns seen on
   the first pass ever are recorded as not sent unless ``alert_on_backfill`` (they are the CRM's
   existing Hot leads, not news); turns a rules change caused are summarised (one channel
   message with the counts, one digest per owner) instead of posted one by one.

Between batches the pass beats the heartbeat, stops on SIGTERM (``PassInterrupted``; what it
wrote is kept and the next pass goes on from there) and checks that it still holds the lease.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog

from connectors.base import RecordError, WriteResult, batched
from service.alerts.outbox import deliver
from service.daemon.cadence import TREND_WINDOW, cadence_days
from service.daemon.context import Daemon
from service.daemon.digest import prune_history, render, summarise_rules_turns
from service.daemon.recorder import Recorder
from service.daemon.section5 import Rules5
from service.daemon.updates import leads_frame, score_updates
from service.scoring.engine import score_frame
from service.scoring.rules import Rules
from service.state.leads import CachedLead, Scored

log = structlog.get_logger(__name__)
LEADS, ACTIVITIES = "leads", "activities"
NOT_ATTEMPTED = "not attempted (API budget or an earlier batch failed); retried next cycle"
#: a pass that pulled or wrote this many leads refreshes the database statistics afterwards
BULK_LOAD = 10_000
NOT_CONFIRMED = "the CRM did not confirm the write; retried next cycle"
CONTROL_QUIET = "not sent: a control lead of the experiment (Section 6.5)"
#: Salesforce compares modification stamps to the second (milliseconds are ignored)
STAMP_GRANULARITY = timedelta(seconds=1)


@dataclass
class CycleReport:
    """What one pass did."""

    connector: str = ""
    rules_version: str = ""
    #: the version in force with the rules file's content hash
    rules_key: str = ""
    pulled: int = 0
    activities: int = 0
    #: leads with new activity read again from the CRM before scoring
    reread: int = 0
    candidates: int = 0
    scored: int = 0
    changed: int = 0
    written: int = 0
    failed: int = 0
    #: pulled again but unchanged (the overlap, or only the daemon's own score write)
    unchanged: int = 0
    #: left the funnel (converted, deleted, merged, customers) and forgotten
    retired: int = 0
    turned_hot: int = 0
    alerts_sent: int = 0
    tiers: dict[str, int] = field(default_factory=dict)
    #: Section 5: assigned, sla_started/stopped/breached, tier_notices, notice_messages
    rules5: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(a, b)


class _Pass:
    """The state of one pass (one connector, one set of rules, one ``now``)."""

    def __init__(self, d: Daemon, crm: Any, rules: Rules, key: str, now: datetime) -> None:
        self.d, self.crm, self.rules, self.now = d, crm, rules, now
        #: the version in force: the file's version and its content hash
        self.key = key
        #: the attributes the rules read (the only columns scoring needs)
        self.fields = frozenset(f for s in rules.signals for f in s.fields)
        self.name: str = crm.name
        self.size = d.settings.daemon.batch_size
        self.report = CycleReport(connector=self.name, rules_version=rules.version, rules_key=key)
        self.backfill = d.store.get_cursor(self.name, LEADS) is None
        #: leads that changed in the CRM or have new activity: their turns into Hot are news
        self.news: set[str] = set()
        #: activities acted on in this pass, remembered with the cursors
        self.seen: list[tuple[str, datetime]] = []
        #: Section 5's rules 2 to 5 and the experiment (``service.daemon.section5``)
        self.r5 = Rules5(d, crm, rules, now)
        #: each batch's records, behind the pass on PostgreSQL (``service.daemon.recorder``)
        self.recorder = Recorder(background=d.store.engine.dialect.name == "postgresql")
        self.later = self.recorder.later  # lane 0: pushes, refusals, tiers, Hot turns
        #: lane 1: the lead copies and Section 5's facts and notices (tables of their own)
        self.r5.later = self.copies_later = partial(self.recorder.on_lane, 1)
        #: PostgreSQL plans from statistics: refreshed each time the pull doubles what was known
        self.next_statistics = max(BULK_LOAD, d.store.estimated_rows())
        #: whether the tables a batch reads had their statistics refreshed during the pass
        self.statistics_fresh = False

    def pull_and_score(self, others: dict[str, None]) -> datetime | None:
        """Stream the leads modified since the cursor, inclusive (a record stamped in the
        cursor's instant is read), and score them batch by batch as they come: each batch's
        changed copies are kept and its scores written and recorded before the next batch is
        read, so nothing is read back and memory holds one batch. Returns where the next pull
        starts: just after the newest modification time seen once that time is at least
        ``cursor_overlap_seconds`` old when it was read (every record stamped before it had been
        committed and read); otherwise the overlap before it, so a record committed late with an
        earlier stamp is still read. Records the daemon wrote are read once by the next pass
        (every write moves the modification time) and not again by the quiet passes after it.
        A record read again whose attributes, owner and account are unchanged (the overlap, a
        record touched only by the daemon's own score write, or one a stopped pass already
        scored) is not a candidate. Leads scored here are taken out of ``others``."""
        cursor = self.d.store.get_cursor(self.name, LEADS)
        mark = cursor
        previous: set[str] = set()
        for batch in batched(self.crm.iter_leads(since=cursor), self.size):
            self.d.checkpoint()
            self.recorder.mark()
            in_batch = {r.id for r in batch}
            if in_batch & previous:  # a record modified during the pull came again: what
                self.recorder.flush()  # scoring it reads must include the last batch's records
            previous = in_batch
            fresh = self.d.leads.keep_pulled(self.name, batch, self.now, later=self.copies_later)
            self.report.unchanged += len(batch) - len(fresh)
            self.report.pulled += len(fresh)
            if fresh:  # their owner as the CRM holds it; a new lead starts its stale clock
                kept = {lead.record_id for lead in fresh}
                self.r5.pulled([r for r in batch if r.id in kept])
            for r in batch:
                mark = _later(mark, r.modified_at)
            if fresh and self.report.pulled >= self.next_statistics:
                self.recorder.aside(self.d.store.refresh_statistics, growing=True)
                self.next_statistics = 2 * self.report.pulled
                self.statistics_fresh = True
            if fresh:
                # the copies are kept; a stop here leaves them unscored, so the next pass
                # scores them (a copy counts as unchanged only once scored after its pull)
                self.d.checkpoint()
                ids = {lead.record_id for lead in fresh}
                self.score(fresh, news=ids)
                for i in ids:
                    others.pop(i, None)
        self.recorder.flush()  # what comes next reads the records of these batches
        return self._next_cursor(cursor, mark)

    def score_cached(self, ids: Sequence[str], *, flush: bool = True) -> None:
        """Score leads from their pulled copy (new activity, refused before), batch by batch
        (``ids`` are distinct: a batch does not read what the one before it still records);
        ``flush``: wait for the records at the end."""
        unknown = 0
        for chunk in batched(ids, self.size):
            self.d.checkpoint()
            self.recorder.mark()
            cached = self.d.leads.cached(self.name, chunk)
            unknown += len(chunk) - len(cached)
            leads = [cached[i] for i in chunk if i in cached]
            if leads:
                self.score(leads, news=self.news)
        if flush:
            self.recorder.flush()
        if unknown:
            log.info("leads_not_pulled_skipped", connector=self.name, count=unknown)

    def score_due(self) -> None:
        """Score the cached leads that are due (never scored, other rules, cadence passed), in
        keyset pages by id; those scored or refused earlier in this pass are not due."""
        d, cadences, after = self.d, cadence_days(self.rules, self.d.settings.daemon), None
        while True:
            d.checkpoint()
            ids = d.leads.due_ids(
                self.name,
                self.now,
                cadences,
                self.key,
                after=after,
                limit=self.size,
                refused_since=self.now,
            )
            if not ids:
                return
            after = ids[-1]
            self.report.candidates += len(ids)
            # the next page starts after this one (keyset): it does not wait for its records
            self.score_cached(ids, flush=False)

    def _next_cursor(self, cursor: datetime | None, mark: datetime | None) -> datetime | None:
        """Settled (the newest stamp read is older than the overlap, plus the one-second
        granularity of Salesforce's comparisons): everything up to it has been committed and
        read, so the next pull starts just after it and reads none of it again. Otherwise the
        next pull starts the overlap before it."""
        if mark is None:
            return cursor
        overlap = self.d.settings.daemon.cursor_overlap
        if self.now - mark >= overlap + STAMP_GRANULARITY:
            return mark + STAMP_GRANULARITY
        return _later(cursor, mark - overlap)

    def retire(self) -> None:
        """Forget the records that left the funnel since the cursor (converted, deleted, merged,
        became customers): they are never scored or alerted again."""
        cursor = self.d.store.get_cursor(self.name, LEADS)
        if cursor is None:
            return
        retired = list(self.crm.iter_retired(since=cursor))
        gone = [r.id for r in retired]
        self.r5.retired(gone, [r.id for r in retired if r.reason == "converted"])
        if gone:
            self.report.retired += self.d.leads.retire(self.name, gone)
            log.info("leads_retired", connector=self.name, count=len(gone))

    def pull_activity(self) -> tuple[list[str], datetime | None]:
        cursor = self.d.store.get_cursor(self.name, ACTIVITIES)
        if cursor is None:
            # first pass: every lead is scored anyway; history before now triggers nothing
            return [], self.now
        ids: dict[str, None] = {}
        mark: datetime | None = cursor
        # re-read an overlap window before the cursor: an activity logged late, stamped before
        # the cursor, is still caught; those already acted on are skipped (also the future-dated
        # ones, which come back every pass until their date: they trigger once)
        seen = self.d.store.activities_seen(self.name)
        since = cursor - timedelta(minutes=self.d.settings.daemon.activity_overlap_minutes)
        for activity in self.crm.iter_activities(since=since):
            # a meeting booked for next week must not move the cursor past today's activity
            mark = _later(mark, min(activity.occurred_at, self.now))
            if activity.id in seen:
                continue
            self.seen.append((activity.id, activity.occurred_at))
            self.r5.activity(activity)
            self.report.activities += 1
            if activity.lead_id:
                ids[activity.lead_id] = None
        self.r5.save_activity()
        return list(ids), self._next_cursor(cursor, mark)

    def reread(self, ids: Sequence[str]) -> None:
        """Read the leads with new activity again and keep the fresh copies: the activity is
        news because of what it did to the lead (an open counted, a demo requested), which the
        copy pulled before it happened does not show. Ids the CRM returns nothing for keep
        their cached copy."""
        for chunk in batched(ids, self.size):
            fresh = self.crm.get_leads(chunk)
            if fresh:
                self.d.leads.upsert_leads(self.name, fresh, self.now)
                self.r5.pulled(fresh)  # their owner as the CRM holds it now
            self.report.reread += len(fresh)
        if ids:
            log.info("leads_reread", connector=self.name, asked=len(ids), read=self.report.reread)

    def score(self, leads: Sequence[CachedLead], *, news: set[str]) -> None:
        """Score one batch, write what changed, record it (see the module docstring, step 4);
        a turn into Hot of a lead in ``news`` is news, otherwise put down to a rules change."""
        d, name, rules, now = self.d, self.name, self.rules, self.now
        levels = self.r5.levels(leads)  # Rule 5: dimensions lapsed for want of activity
        facts = self.r5.batch_facts
        scored = score_frame(rules, leads_frame(leads, self.fields), stale_levels=levels)
        ids = [lead.record_id for lead in leads]
        group = self.r5.groups(ids)  # Section 6.5: control leads are not written nor alerted
        references = d.leads.reference_totals(ids, self.key, now - TREND_WINDOW)
        updates = score_updates(leads, scored, rules, now, references)
        changed = [
            u for u in d.store.changed_updates(name, updates) if group.get(u.record_id) != "control"
        ]
        by_id = {u.record_id: u for u in changed}
        texts, hashes = d.store.texts, d.store.hashes

        def record(batch: WriteResult) -> None:  # as each batch is confirmed, not at the end
            confirmed = [by_id[i] for i in batch.written if i in by_id]
            self.later(
                d.store.record_pushed,
                name,
                confirmed,
                list(batch.written),
                texts=texts,
                hashes=hashes,
            )

        self.recorder.raise_failure()  # records failed: write nothing more that cannot be kept
        result = self.crm.write_scores(changed, on_batch=record) if changed else WriteResult()
        gone = [e.record_id for e in result.failed if e.gone]
        if gone:  # converted, deleted or merged: retire instead of retrying forever
            self.recorder.flush()
            self.report.retired += d.leads.retire(name, gone)
        refused = [e for e in result.failed if not e.gone]
        refused += [RecordError(i, NOT_ATTEMPTED, True) for i in result.deferred]
        seen = set(result.written) | {e.record_id for e in result.failed}
        refused += [
            RecordError(u.record_id, NOT_CONFIRMED, True)
            for u in changed
            if u.record_id not in seen
        ]
        self.later(d.store.record_failures, name, refused)
        bad = {e.record_id for e in refused} | set(gone)
        ok = [u for u in updates if u.record_id not in bad]
        quiet = None
        if self.backfill and not d.settings.daemon.alert_on_backfill:
            quiet = "not sent: Hot on the first pass (backfill)"
        elif d.alerter is None:
            quiet = "not sent: Slack is not configured"
        for part, why in ((False, quiet), (True, CONTROL_QUIET)):
            rows = [
                Scored(u.record_id, str(u.values["Tier"]), u.values["Total"])
                for u in ok
                if (group.get(u.record_id) == "control") == part
            ]
            if rows:
                self.later(self._record_scored, rows, why, news)
        self.r5.later(
            self.r5.scored, leads, scored, {u.record_id for u in ok}, levels, group, facts
        )
        r = self.report
        r.scored += len(updates)
        r.changed += len(changed)
        r.written += len(result.written)
        r.failed += len(refused)
        m = d.metrics
        m.leads_scored.labels(connector=name).inc(len(updates))
        m.scores_written.labels(connector=name).inc(len(result.written))
        m.write_failures.labels(connector=name).inc(len(refused))

    def _record_scored(self, rows: list[Scored], quiet: str | None, news: set[str]) -> None:
        turned = self.d.leads.record_scored(
            self.name, rows, self.key, self.now, quiet=quiet, news=news
        )
        self.report.turned_hot += len(turned)

    def alert(self) -> None:
        """Summarise the turns a rules change caused, then deliver the outbox exactly once."""
        d = self.d
        if d.alerter is None:
            return
        summarise_rules_turns(d, self.name, self.now)
        done = deliver(
            d.outbox, d.alerter, self.name, self.now, lambda row: render(d, self.rules, row)
        )
        d.metrics.hot_alerts.inc(done.sent)
        self.report.alerts_sent += done.sent + done.found


def _run(p: _Pass) -> None:
    d = p.d
    p.retire()
    active, activity_mark = p.pull_activity()
    p.reread(active)
    pending = [e.record_id for e in d.store.pending_failures(p.name)]
    p.news = set(active)
    # new activity and earlier refusals; those pulled and scored in the stream drop out
    others = dict.fromkeys([*active, *pending, *p.r5.stale_due()])
    leads_mark = p.pull_and_score(others)
    p.report.candidates = p.report.pulled + len(others)
    p.score_cached(list(others))
    p.score_due()
    p.recorder.flush()  # the cursors move only once every batch is recorded
    if leads_mark is not None:
        d.store.set_cursor(p.name, LEADS, leads_mark)
    if activity_mark is not None:
        overlap = timedelta(minutes=d.settings.daemon.activity_overlap_minutes)
        d.store.remember_activities(p.name, p.seen, activity_mark - overlap)
        d.store.set_cursor(p.name, ACTIVITIES, activity_mark)
    p.r5.prepare()  # Rules 2 to 4: assignments, SLA clocks, escalations, tier notices
    p.alert()


def run_cycle(d: Daemon) -> CycleReport:
    """One scoring pass; see the module docstring. Connector errors propagate (the cursors stay)."""
    rules, key = d.rules.current, d.rules.key
    if d.routing is not None:
        d.routing.check()
    now = d.clock()
    with d.connect() as crm:
        p = _Pass(d, crm, rules, key, now)
        try:
            _run(p)
        finally:
            p.recorder.close()  # what was scored and written is recorded, even on a stop
    if p.report.pulled >= BULK_LOAD or p.report.written >= BULK_LOAD:
        # a backfill or a big change: the planner must know
        d.store.refresh_statistics(fresh=p.statistics_fresh)
    p.report.tiers = d.leads.tier_counts(p.name)
    d.metrics.set_tiers(p.report.tiers)
    d.metrics.pending_alerts.set(len(d.leads.pending_alerts(p.name)))
    prune_history(d)
    p.report.rules5 = p.r5.finish()
    log.info(
        "score_cycle_finished", **{k: v for k, v in p.report.as_dict().items() if k != "tiers"}
    )
    return p.report
