"""What the daemon remembers per lead: the pulled copy, the last tier, Hot turns and alerts, runs.

``LeadState(store)`` works on the engine of a ``StateStore`` (same database, same tables module),
so the daemon's state lives beside the pushed scores, cursors and score history.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_numeric_dtype as is_numeric
from sqlalchemy import and_, delete, func, insert, not_, or_, select

from connectors.base import LeadRecord
from service import redact
from service.data.io import read_values
from service.state.bulk import among, upsert
from service.state.outbox import HOT as HOT_KIND
from service.state.outbox import UNDELIVERED, Outbox, turn_rows
from service.state.store import StateStore, canonical_value, chunks, plain_value
from service.state.tables import (
    attributes_text,
    job_runs,
    lead_cache,
    lead_state,
    outbox,
    push_failures,
    pushed_scores,
    read_attributes,
    score_history,
    tier_changes,
)

HOT = "Hot"
#: attribute values stored as they are (anything else goes through ``plain_value``)
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def _now(fn: Callable[..., None], /, *args: Any) -> None:
    fn(*args)


def attribute_value(value: Any) -> Any:
    """One attribute value in canonical form; a NaN or an infinity (which a CRM may send and
    ``json.dumps`` writes as text PostgreSQL's JSON refuses) is missing: None."""
    value = canonical_value(value)
    return None if type(value) is float and not math.isfinite(value) else value


def plain_attributes(attributes: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """A lead's attributes in canonical form (what reading its stored copy back gives) and as
    the sorted, standard JSON text stored: equal text means the same attributes."""
    plain = {k: v if type(v) in _PLAIN_TYPES else attribute_value(v) for k, v in attributes.items()}
    return plain, attributes_text(plain)


@dataclass(frozen=True)
class CachedLead:
    """A lead as last pulled from the CRM."""

    record_id: str
    object_type: str
    owner: str | None
    account_id: str | None
    attributes: dict[str, Any]
    modified_at: datetime | None


@dataclass(frozen=True)
class Scored:
    """One lead's new score, to remember once it is written (or found unchanged)."""

    record_id: str
    tier: str
    total: float


class LeadState:
    """The daemon's per-lead state in the state database."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.engine = store.engine
        self.dialect = store.engine.dialect.name

    # -- the pulled copy -----------------------------------------------------------------------
    def upsert_leads(self, connector: str, records: Sequence[LeadRecord], at: datetime) -> int:
        """Keep the pulled copy of ``records`` (replacing older copies of the same ids)."""
        copies = {r.id: (r, *plain_attributes(r.attributes)) for r in records}
        self._write_copies(connector, list(copies.values()), at)
        return len(copies)

    def _write_copies(
        self,
        connector: str,
        copies: Sequence[tuple[LeadRecord, dict[str, Any], str]],
        at: datetime,
    ) -> None:
        rows = [
            {
                "connector": connector,
                "record_id": r.id,
                "object_type": r.object_type,
                "owner": r.owner,
                "account_id": r.account_id,
                "attributes_json": text,
                "modified_at": r.modified_at,
                "pulled_at": at,
            }
            for r, _attrs, text in copies
        ]
        with self.store.bulk() as conn:
            upsert(conn, lead_cache, rows, ("connector", "record_id"))

    def keep_pulled(
        self,
        connector: str,
        records: Sequence[LeadRecord],
        at: datetime,
        *,
        later: Callable[..., None] | None = None,
    ) -> list[CachedLead]:
        """Keep the copies of pulled ``records`` that changed (see ``unchanged``) and return them
        as scoring reads them, in one query and one bulk write (no copy is read back; the write
        goes through ``later`` when given: ``service.daemon.recorder``)."""
        copies = {r.id: (r, *plain_attributes(r.attributes)) for r in records}
        same = self._same_as_scored(connector, copies)
        fresh = [c for i, c in copies.items() if i not in same]
        if fresh:
            (later or _now)(self._write_copies, connector, fresh, at)
        return [
            CachedLead(r.id, r.object_type, r.owner, r.account_id, attrs, r.modified_at)
            for r, attrs, _text in fresh
        ]

    def cached(self, connector: str, ids: Iterable[str] | None = None) -> dict[str, CachedLead]:
        """The pulled copies of ``ids`` that exist (of every lead when ``ids`` is None), by id."""
        c = lead_cache.c
        columns = (c.record_id, c.object_type, c.owner, c.account_id, c.attributes_json)
        query = select(*columns, c.modified_at).where(c.connector == connector)
        if ids is None:
            query = query.order_by(c.record_id)
        else:
            query = query.where(among(self.dialect, c.record_id, ids))
        loads = read_attributes
        with self.engine.connect() as conn:
            return {
                r[0]: CachedLead(r[0], r[1], r[2], r[3], loads(r[4]), r[5])
                for r in conn.execute(query)
            }

    def unchanged(self, connector: str, records: Sequence[LeadRecord]) -> set[str]:
        """Ids of ``records`` whose attributes, owner, account and object are as last pulled:
        read again without a change that matters to scoring (score fields are not attributes).
        A copy pulled by a pass that died before scoring it does not count: the lead must have
        been scored since that copy was pulled, or the change would be lost."""
        copies = {r.id: (r, *plain_attributes(r.attributes)) for r in records}
        return self._same_as_scored(connector, copies)

    def _same_as_scored(
        self, connector: str, copies: Mapping[str, tuple[LeadRecord, dict[str, Any], str]]
    ) -> set[str]:
        """``unchanged``, comparing the canonical attribute text (no JSON is parsed)."""
        if not copies:
            return set()
        c, s = lead_cache.c, lead_state.c
        query = (
            select(c.record_id, c.attributes_json, c.owner, c.account_id, c.object_type)
            .join(lead_state, and_(s.connector == c.connector, s.record_id == c.record_id))
            .where(
                c.connector == connector,
                among(self.dialect, c.record_id, copies),
                s.scored_at >= c.pulled_at,
            )
        )
        out = set()
        with self.engine.connect() as conn:
            for rid, text, owner, account, kind in conn.execute(query):
                r, _attrs, new = copies[rid]
                if text == new and (owner, account, kind) == (r.owner, r.account_id, r.object_type):
                    out.add(rid)
        return out

    def retire(self, connector: str, ids: Iterable[str]) -> int:
        """Forget leads that left the funnel (converted, deleted, merged, customers): their
        copy, tier, pending alerts, pending failures and last push; their tier history ends with a
        change to no tier. Returns how many were known."""
        ids = list(dict.fromkeys(ids))
        known = 0
        with self.engine.begin() as conn:
            for chunk in chunks(ids):
                known += len(
                    conn.execute(
                        select(lead_cache.c.record_id).where(
                            lead_cache.c.connector == connector, lead_cache.c.record_id.in_(chunk)
                        )
                    ).all()
                )
                left = conn.execute(
                    select(lead_state.c.record_id, lead_state.c.tier).where(
                        lead_state.c.connector == connector, lead_state.c.record_id.in_(chunk)
                    )
                ).all()
                if left:  # the tier history ends: "left the funnel" (to_tier NULL)
                    conn.execute(
                        insert(tier_changes),
                        [
                            {
                                "connector": connector,
                                "record_id": r.record_id,
                                "from_tier": r.tier,
                                "to_tier": None,
                                "at": self.store.now(),
                            }
                            for r in left
                        ],
                    )
                for table in (lead_cache, lead_state, outbox, push_failures, pushed_scores):
                    conn.execute(
                        delete(table).where(
                            table.c.connector == connector, table.c.record_id.in_(chunk)
                        )
                    )
        return known

    def lead_frame(
        self, connector: str, columns: Iterable[str], *, chunk: int = 50_000
    ) -> pd.DataFrame:
        """Every pulled lead (index: record id) with only ``columns`` of its attributes, read in
        chunks: repeated text values are shared (interned), so a million leads fit in a few
        hundred MB instead of the GBs of full copies (recalibration reads only what it needs)."""
        parts: list[pd.DataFrame] = []
        seen: set[str] = set()
        for part, carried in self.lead_frames(connector, columns, chunk=chunk):
            parts.append(part)
            seen.update(carried)
        if not parts:
            return pd.DataFrame(columns=[])
        frame = pd.concat(parts)
        return frame[[k for k in frame.columns if k in seen]]  # fields no lead carries: left out

    def lead_frames(
        self,
        connector: str,
        columns: Iterable[str],
        *,
        chunk: int = 50_000,
        kinds: Mapping[str, str] | None = None,
    ) -> Generator[tuple[pd.DataFrame, set[str]]]:
        """``lead_frame`` one chunk at a time: each chunk with every one of ``columns`` (sorted),
        and the columns its leads carry (a column no lead of any chunk carries is not a field).

        The values are read as ``read_table`` reads the same leads from one file
        (``service.data.io.read_values``): a column is numbers when every lead's value reads as
        a number, else text. That is decided over the whole copy (``field_kinds``, one more
        pass unless ``kinds`` gives its answer), so every chunk holds a column as the whole does:
        a chunk whose values happen to be all numbers is text where another chunk holds text.
        """
        wanted = sorted(set(columns))
        if kinds is None:
            kinds = self.field_kinds(connector, wanted, chunk=chunk)
        with closing(self._raw_chunks(connector, wanted, chunk)) as raw:
            for ids, cols, carried in raw:
                yield _read_chunk(ids, cols, wanted, kinds), carried

    def field_kinds(
        self, connector: str, columns: Iterable[str], *, chunk: int = 50_000
    ) -> dict[str, str]:
        """Each of ``columns`` over the whole lead copy as ``read_values`` reads it in one frame:
        ``number``, ``bool`` (every lead has a true or false) or ``text``. One pass, a chunk at a
        time: a chunk with no value in the column does not decide it."""
        wanted = sorted(set(columns))
        found: dict[str, set[str]] = {k: set() for k in wanted}
        with closing(self._raw_chunks(connector, wanted, chunk)) as raw:
            for ids, cols, _carried in raw:
                part = _read_chunk(ids, cols, wanted, None)
                for k in wanted:
                    found[k].add(_kind(part[k]))
        return {k: _whole_kind(v) for k, v in found.items()}

    def _raw_chunks(
        self, connector: str, wanted: list[str], chunk: int
    ) -> Generator[tuple[list[str], dict[str, list[Any]], set[str]]]:
        """The copy's ``wanted`` values (text interned) a chunk at a time, as lists per column,
        with the columns the chunk's leads carry."""
        c = lead_cache.c
        query = (
            select(c.record_id, c.attributes_json)
            .where(c.connector == connector)
            .order_by(c.record_id)
        )
        with (
            self.engine.connect() as conn,
            # closed explicitly: a pass left early (the first chunk only) would leave
            # PostgreSQL's server-side cursor open until the garbage collector finds it
            closing(conn.execution_options(yield_per=chunk).execute(query)) as result,
        ):
            for rows in result.partitions(chunk):
                absent = set(wanted)  # fields no lead of this chunk carries (yet)
                ids: list[str] = []
                cols: dict[str, list[Any]] = {k: [] for k in wanted}
                for r in rows:
                    attrs = read_attributes(r.attributes_json)
                    if absent:
                        absent.difference_update(attrs)
                    ids.append(r.record_id)
                    for k in wanted:
                        v = attrs.get(k)
                        cols[k].append(sys.intern(v) if type(v) is str else v)
                yield ids, cols, set(wanted) - absent

    # -- cadences ------------------------------------------------------------------------------
    def due_ids(
        self,
        connector: str,
        now: datetime,
        every_days: Mapping[str, float],
        version: str,
        *,
        after: str | None = None,
        limit: int | None = None,
        refused_since: datetime | None = None,
    ) -> list[str]:
        """Pulled leads never scored, scored with other rules, or whose tier's cadence is due,
        by id: those after ``after``, at most ``limit`` (keyset pages), without the leads the
        CRM refused at or after ``refused_since`` (this pass: they are retried by the next).

        ``every_days`` maps Hot/Warm/Cool/Cold to days; any other tier (Unscoreable) uses Cold's.
        """
        s = lead_state.c
        named = [t for t in every_days if t != "Cold"]
        due = [
            and_(s.tier == tier, s.scored_at <= now - timedelta(days=days))
            for tier, days in every_days.items()
            if tier != "Cold"
        ]
        cold = timedelta(days=every_days.get("Cold", 30))
        due.append(and_(or_(s.tier.is_(None), not_(s.tier.in_(named))), s.scored_at <= now - cold))
        query = (
            select(lead_cache.c.record_id)
            .select_from(
                lead_cache.outerjoin(
                    lead_state,
                    and_(
                        s.connector == lead_cache.c.connector,
                        s.record_id == lead_cache.c.record_id,
                    ),
                )
            )
            .where(
                lead_cache.c.connector == connector,
                or_(s.record_id.is_(None), s.model_version != version, *due),
            )
            .order_by(lead_cache.c.record_id)
        )
        if after is not None:
            query = query.where(lead_cache.c.record_id > after)
        if refused_since is not None:
            f = push_failures.c
            query = query.where(
                lead_cache.c.record_id.not_in(
                    select(f.record_id).where(
                        f.connector == connector, f.failed_at >= refused_since
                    )
                )
            )
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as conn:
            return list(conn.execute(query).scalars())

    # -- scores and Hot turns ------------------------------------------------------------------
    def record_scored(
        self,
        connector: str,
        scored: Sequence[Scored],
        version: str,
        at: datetime,
        *,
        quiet: str | None = None,
        news: set[str] | frozenset[str] = frozenset(),
    ) -> list[tuple[str, int]]:
        """Remember the new tiers (and each change of tier, in ``tier_changes``); return ``(id, turn)`` of the leads that turned Hot now (from
        any other tier or from never scored). Each turn has its own number and gets its outbox
        row in the same transaction (``quiet``: recorded as skipped with that reason), so a crash
        can neither lose nor repeat an alert. A turn of a lead scored before with other rules is
        put down to the rules change (summarised, not alerted alone) unless the lead is in
        ``news`` (it changed in the CRM, or has new activity). A score-history row is added only
        when the tier, the total or the rules changed (or the lead is new). Written in bulk."""
        turned: list[tuple[str, int]] = []
        if not scored:
            return turned
        s = lead_state.c
        with self.store.bulk() as conn:
            for chunk in chunks(list(scored), 10_000):
                ids = [x.record_id for x in chunk]
                rows = conn.execute(
                    select(s.record_id, s.tier, s.total, s.hot_turns, s.model_version).where(
                        s.connector == connector, among(self.dialect, s.record_id, ids)
                    )
                ).all()
                before = {r.record_id: (r.tier, r.hot_turns, r.model_version) for r in rows}
                before_scores = {r.record_id: (r.tier, canonical_value(r.total)) for r in rows}
                rows_out: list[dict[str, Any]] = []
                turns: list[tuple[str, int, str]] = []
                changes: list[dict[str, Any]] = []
                for x in chunk:
                    old_tier, n, old_version = before.get(x.record_id, (None, 0, None))
                    if x.record_id not in before or old_tier != x.tier:
                        changes.append(
                            {
                                "connector": connector,
                                "record_id": x.record_id,
                                "from_tier": old_tier,
                                "to_tier": x.tier,
                                "at": at,
                            }
                        )
                    if x.tier == HOT and old_tier != HOT:
                        n += 1
                        rules_change = (
                            old_version is not None
                            and old_version != version
                            and x.record_id not in news
                        )
                        turns.append((x.record_id, n, "rules" if rules_change else "news"))
                        turned.append((x.record_id, n))
                    values = {
                        "tier": x.tier,
                        "total": float(x.total),
                        "model_version": version,
                        "scored_at": at,
                        "hot_turns": n,
                    }
                    rows_out.append({"connector": connector, "record_id": x.record_id, **values})
                upsert(conn, lead_state, rows_out, ("connector", "record_id"))
                history = []
                for x in chunk:
                    total = canonical_value(x.total)
                    if (
                        x.record_id not in before
                        or before[x.record_id][2] != version
                        or before_scores.get(x.record_id) != (x.tier, total)
                    ):
                        history.append(
                            {
                                "record_id": x.record_id,
                                "model_version": version,
                                "total": total,
                                "tier": x.tier,
                                "at": at,
                            }
                        )
                upsert(conn, score_history, history, (), update=False)
                Outbox.add(conn, turn_rows(connector, turns, at, version, quiet))
                upsert(conn, tier_changes, changes, (), update=False)
        return turned

    def scored_at(self, connector: str, record_id: str) -> datetime | None:
        """When the lead was last scored (None when never)."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(lead_state.c.scored_at).where(
                    lead_state.c.connector == connector, lead_state.c.record_id == record_id
                )
            ).scalar_one_or_none()

    def tier_counts(self, connector: str) -> dict[str, int]:
        """Leads per tier as last scored."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(lead_state.c.tier, func.count())
                .where(lead_state.c.connector == connector)
                .group_by(lead_state.c.tier)
            )
            return {str(tier): int(n) for tier, n in rows}

    def pending_alerts(self, connector: str) -> list[tuple[str, int]]:
        """``(record_id, hot_turn)`` of turns into Hot whose alert is not sent yet."""
        c = outbox.c
        query = (
            select(c.record_id, c.hot_turn)
            .where(c.connector == connector, c.kind == HOT_KIND, c.status.in_(UNDELIVERED))
            .order_by(c.created_at, c.key)
        )
        with self.engine.connect() as conn:
            return [(r.record_id, int(r.hot_turn)) for r in conn.execute(query)]

    def hot_turn_of(self, connector: str, record_id: str) -> tuple[str | None, int]:
        """The lead's tier and its number of turns into Hot as last scored."""
        s = lead_state.c
        with self.engine.connect() as conn:
            row = conn.execute(
                select(s.tier, s.hot_turns).where(
                    s.connector == connector, s.record_id == record_id
                )
            ).one_or_none()
        return (None, 0) if row is None else (row.tier, int(row.hot_turns))

    def alerts_sent(self, connector: str) -> int:
        """Hot turns alerted (or deliberately skipped, or summarised) so far."""
        c = outbox.c
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).where(
                        c.connector == connector, c.kind == HOT_KIND, c.status.not_in(UNDELIVERED)
                    )
                ).scalar_one()
            )

    def prune_history(self, before: datetime) -> int:
        """Drop score-history rows older than ``before``, except each lead's latest row per rules
        version (the trend still has a reference). Returns the rows dropped."""
        h = score_history.c
        latest = select(func.max(h.id)).group_by(h.record_id, h.model_version)
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    delete(score_history).where(h.at < before, h.id.not_in(latest))
                ).rowcount
                or 0
            )

    # -- trend reference -----------------------------------------------------------------------
    def reference_totals(
        self, ids: Sequence[str], version: str, cutoff: datetime
    ) -> dict[str, float]:
        """Per lead, the total to measure the trend from, among scores by the rules ``version``:
        the last one at or before ``cutoff``, else the first one after it."""
        h = score_history.c
        out: dict[str, float] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(ids), 10_000):
                for pick, side in ((func.min, h.at > cutoff), (func.max, h.at <= cutoff)):
                    marks = (
                        select(h.record_id, pick(h.at).label("mark"))
                        .where(
                            among(self.dialect, h.record_id, chunk),
                            h.model_version == version,
                            side,
                        )
                        .group_by(h.record_id)
                        .subquery()
                    )
                    rows = conn.execute(
                        select(h.record_id, h.total)
                        .join(
                            marks,
                            and_(marks.c.record_id == h.record_id, marks.c.mark == h.at),
                        )
                        .where(h.model_version == version)
                    )
                    # the second pass (at or before the cutoff) overrides the first
                    out.update({r.record_id: r.total for r in rows if r.total is not None})
        return out

    # -- job runs ------------------------------------------------------------------------------
    def record_run(
        self, job: str, started: datetime, finished: datetime, ok: bool, detail: Mapping[str, Any]
    ) -> None:
        """Append one job run with its summary (or error) as JSON."""
        # scrubbed: an error's text may repeat what a server echoed, credentials included
        text = redact.scrub(json.dumps(dict(detail), default=plain_value, sort_keys=True))
        with self.engine.begin() as conn:
            conn.execute(
                insert(job_runs).values(
                    job=job, started_at=started, finished_at=finished, ok=ok, detail=text
                )
            )

    def last_runs(self) -> dict[str, dict[str, Any]]:
        """Per job: its last run, and when it last succeeded."""
        r = job_runs.c
        out: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for job in conn.execute(select(r.job).distinct().order_by(r.job)).scalars():
                row = conn.execute(
                    select(job_runs)
                    .where(r.job == job)
                    .order_by(r.started_at.desc(), r.id.desc())
                    .limit(1)
                ).one()
                success = conn.execute(
                    select(func.max(r.finished_at)).where(r.job == job, r.ok.is_(True))
                ).scalar_one_or_none()
                out[job] = {
                    "started_at": row.started_at,
                    "finished_at": row.finished_at,
                    "ok": bool(row.ok),
                    "detail": json.loads(row.detail),
                    "last_success": success,
                }
        return out


#: what a column of the lead copy holds, read by ``read_values``
NUMBER, BOOL, TEXT, EMPTY = "number", "bool", "text", "empty"


def _kind(series: pd.Series) -> str:
    if not series.notna().any():
        return EMPTY
    if pd.api.types.is_bool_dtype(series):
        return BOOL
    if pd.api.types.is_numeric_dtype(series):
        return NUMBER
    return TEXT


def _whole_kind(kinds: set[str]) -> str:
    """The kind of a column whose chunks hold ``kinds``: numbers beside chunks without a value
    are still numbers (a missing number is NaN), booleans only when every lead has one (a
    missing value makes the column text, as in one frame)."""
    if kinds <= {NUMBER, EMPTY} and NUMBER in kinds:
        return NUMBER
    if kinds == {BOOL}:
        return BOOL
    return TEXT


def _read_chunk(
    ids: list[str], cols: dict[str, list[Any]], wanted: list[str], kinds: Mapping[str, str] | None
) -> pd.DataFrame:
    """One chunk of the lead copy read by ``read_values``; with ``kinds`` (``field_kinds``) each
    column read as the whole copy holds it."""
    text = [] if kinds is None else [k for k in wanted if kinds.get(k, TEXT) == TEXT]
    part = pd.DataFrame(cols, index=pd.Index(ids), columns=wanted)
    for k in text:
        if not (pd.api.types.is_object_dtype(part[k]) or pd.api.types.is_string_dtype(part[k])):
            values = np.empty(len(ids), dtype=object)  # the values themselves, not as pandas
            values[:] = cols[k]  # inferred them (1200 beside None would read 1200.0)
            part[k] = values
    read_values(part, text=text)
    for k in wanted:
        if kinds is not None and kinds.get(k) == NUMBER and not is_numeric(part[k]):
            part[k] = part[k].astype("float64")  # no value in this chunk: NaN, as in the whole
    return part
