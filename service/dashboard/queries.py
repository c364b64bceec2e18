"""Every read the dashboard makes of the state store, in one place (SQLAlchemy Core, parameterised).

Each function takes a ``Connection`` and the connector name and returns plain Python data; none
writes. Aggregation happens in the database (group by, counts, averages), so a page costs the same
few queries with one lead or 100,000. Tables come from ``service.state.tables``: when the daemon's
tables change, only this module follows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    Integer,
    and_,
    bindparam,
    case,
    cast,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.sql.elements import ColumnElement

from service.state.tables import (
    NOT_JSON_TOKENS,
    SOURCE_PATHS,
    SOURCE_SQLITE,
    UTCDateTime,
    deal_outcomes,
    health_checks,
    job_runs,
    lead_cache,
    lead_facts,
    lead_state,
    outbox,
    read_attributes,
    rep_activity,
    score_history,
    tier_changes,
)

TIERS = ("Hot", "Warm", "Cool", "Cold", "Unscoreable")
POSITIVE = ("Hot", "Warm")
NEGATIVE = ("Cool", "Cold")
NEW, LEFT = "New", "Left"
#: attribute names a lead's source goes by in the CRMs and files we read
SOURCE_KEYS = tuple(p.removeprefix("$.") for p in SOURCE_PATHS)
_NAME_KEYS = ("company", "Company", "company_name", "account_name", "name", "contact_name")


def tier_counts(conn: Connection, connector: str) -> dict[str, int]:
    """Leads per tier as last scored."""
    s = lead_state.c
    rows = conn.execute(
        select(s.tier, func.count()).where(s.connector == connector).group_by(s.tier)
    )
    return {str(tier): int(n) for tier, n in rows}


def _bucket(conn: Connection, value: Any, base: int, width: int) -> ColumnElement[Any]:
    """``floor((value - base) / width)``: PostgreSQL rounds a float cast to integer, SQLite
    truncates (and may lack ``floor``); ``value - base`` is never negative, so truncation floors."""
    if conn.dialect.name == "postgresql":
        return cast(func.floor((value - base) / width), Integer)
    return cast((value - base) / width, Integer)


def source_key(conn: Connection, connector: str) -> str | None:
    """Which attribute holds the lead source in this CRM's leads (looked up on one lead)."""
    c = lead_cache.c
    text = conn.execute(
        select(c.attributes_json).where(c.connector == connector).limit(1)
    ).scalar_one_or_none()
    if text is None:
        return None
    attributes = read_attributes(text)
    return next((k for k in SOURCE_KEYS if k in attributes), None)


@dataclass(frozen=True)
class LeadSummary:
    """The open leads in one pass: per tier, per score bin, per source."""

    tiers: dict[str, int]
    #: ``(bin start, leads)`` in bins of ``width`` points, lowest first
    histogram: list[tuple[int, int]]
    #: ``(source, average total, leads)``, most leads first
    sources: list[tuple[str, float, int]]


def lead_summary(
    conn: Connection, connector: str, source: str | None, width: int = 5
) -> LeadSummary:
    """Tier counts and score histogram, and the average score by the attribute ``source``
    (None: skipped). The leads are counted per distinct ``(tier, total)``, read in the order of
    ``ix_leadscore_lead_state_score`` (no sort, no table read); totals are sums of whole points,
    so there are a few hundred such pairs however many leads, binned here."""
    s = lead_state.c
    tiers: dict[str, int] = {}
    bins: dict[int, int] = {}
    rows = conn.execute(
        select(s.tier, s.total, func.count())
        .where(s.connector == connector)
        .group_by(s.tier, s.total)
    )
    for tier, total, n in rows:
        tiers[str(tier)] = tiers.get(str(tier), 0) + int(n)
        if total is not None:
            start = math.floor(float(total) / width) * width
            bins[start] = bins.get(start, 0) + int(n)
    sources = source_scores(conn, connector, source) if source is not None and tiers else []
    return LeadSummary(tiers, sorted(bins.items()), sources)


#: SQLite: the leads' scores joined to their pulled copies in id order (both primary keys read
#: in step, so each probe lands next to the last; the planner, left alone, may walk one side by
#: tier and seek the other at random, three times slower at 100,000 leads). ``{value}``: what to
#: group by, ``{cache_index}``: the index of the pulled copies that holds it.
_SQLITE_JOIN = (
    "SELECT {value} AS k, s.tier AS tier, count(*) AS n, sum(s.total) AS total, "
    "count(s.total) AS scored "
    "FROM leadscore_lead_state AS s INDEXED BY sqlite_autoindex_leadscore_lead_state_1 "
    "CROSS JOIN leadscore_lead_cache AS c INDEXED BY {cache_index} "
    "ON c.connector = s.connector AND c.record_id = s.record_id "
    "WHERE s.connector = :connector GROUP BY 1{by_tier}"
)


def _by_lead_attribute(
    conn: Connection, connector: str, what: str, by_tier: bool
) -> list[tuple[Any, str | None, int, float, int]]:
    """``(value, tier or None, leads, sum of totals, scored leads)`` of the leads grouped by
    ``what``: ``owner`` or ``source`` (on SQLite the array of ``SOURCE_SQLITE``, on PostgreSQL
    the JSON of the attributes, decoded by the caller)."""
    c, s = lead_cache.c, lead_state.c
    if conn.dialect.name == "sqlite":
        value, index = (
            ("c.owner", "sqlite_autoindex_leadscore_lead_cache_1")
            if what == "owner"
            else (SOURCE_SQLITE.replace("attributes_json", "c.attributes_json"),
                  "ix_leadscore_lead_cache_source")
        )  # fmt: skip
        sql = _SQLITE_JOIN.format(value=value, cache_index=index, by_tier=", 2" if by_tier else "")
        rows = conn.execute(text(sql), {"connector": connector})
        return [(k, tier if by_tier else None, int(n), float(t or 0), int(m))
                for k, tier, n, t, m in rows]  # fmt: skip
    key: ColumnElement[Any] = c.owner if what == "owner" else c.attributes_json
    cols: list[Any] = [key, s.tier] if by_tier else [key]
    rows = conn.execute(
        select(*cols, func.count(), func.sum(s.total), func.count(s.total))
        .select_from(
            lead_state.join(
                lead_cache, and_(c.connector == s.connector, c.record_id == s.record_id)
            )
        )
        .where(s.connector == connector)
        .group_by(*cols)
    )
    return [
        (r[0], r[1] if by_tier else None, int(r[-3]), float(r[-2] or 0), int(r[-1])) for r in rows
    ]


def source_scores(conn: Connection, connector: str, key: str) -> list[tuple[str, float, int]]:
    """``(source, average total, leads)`` of the scored leads by their ``key`` attribute, most
    leads first. SQLite groups by the expression ``ix_leadscore_lead_cache_source`` holds (no
    JSON parsed at read; an old copy that is not JSON counts under "(none)"); PostgreSQL reads
    the one key from each lead's JSON, and from an old copy holding ``Infinity`` or ``NaN``
    (which its JSON refuses) here."""
    sums: dict[str, list[float]] = {}

    def add(name: Any, total: float, n: int) -> None:
        acc = sums.setdefault("(none)" if name is None else str(name), [0.0, 0])
        acc[0] += total
        acc[1] += n

    if conn.dialect.name == "sqlite":
        at = SOURCE_KEYS.index(key)
        for raw, _, _, total, n in _by_lead_attribute(conn, connector, "source", False):
            add(json.loads(raw)[at] if raw is not None else None, total, n)
    else:
        c, s = lead_cache.c, lead_state.c
        # a guard, not a test: copies that merely mention the words are read here too, exactly
        old = or_(*(c.attributes_json.contains(t, autoescape=True) for t in NOT_JSON_TOKENS))
        value = case(
            (old, c.attributes_json),
            else_=func.coalesce(cast(c.attributes_json, JSON)[key].as_string(), "(none)"),
        )
        for is_old, name, total, n in conn.execute(
            select(old, value, func.sum(s.total), func.count(s.total))
            .select_from(
                lead_state.join(
                    lead_cache, and_(c.connector == s.connector, c.record_id == s.record_id)
                )
            )
            .where(s.connector == connector, s.total.is_not(None))
            .group_by(old, value)
        ):
            if is_old:
                name = read_attributes(name).get(key)
                name = name if name is None or isinstance(name, str) else json.dumps(name)
            add(name, float(total or 0), int(n))
    return sorted(
        ((k, round(t / n, 1), int(n)) for k, (t, n) in sums.items() if n),
        key=lambda x: (-x[2], x[0]),
    )


def migration(
    conn: Connection, connector: str, since: datetime, counts: dict[str, int] | None = None
) -> dict[tuple[str, str], int]:
    """``(tier at `since`, tier now) -> leads`` from the tier changes after ``since``; leads that
    did not change are on the diagonal. A lead first scored after ``since`` comes from "New"; one
    that left the funnel since (converted, deleted: retired by the daemon) goes to "Left"."""
    t = tier_changes.c
    window = and_(t.connector == connector, t.at > since)
    first = (
        select(t.record_id, func.min(t.id).label("first"), func.max(t.id).label("last"))
        .where(window)
        .group_by(t.record_id)
        .subquery()
    )
    a, b = tier_changes.alias("a"), tier_changes.alias("b")
    rows = conn.execute(
        select(a.c.from_tier, b.c.to_tier, func.count())
        .select_from(first.join(a, a.c.id == first.c.first).join(b, b.c.id == first.c.last))
        .group_by(a.c.from_tier, b.c.to_tier)
    )
    out: dict[tuple[str, str], int] = {}
    moved_to: dict[str, int] = {}
    for src, dst, n in rows:
        key = (str(src) if src is not None else NEW, str(dst) if dst is not None else LEFT)
        out[key] = out.get(key, 0) + int(n)
        moved_to[key[1]] = moved_to.get(key[1], 0) + int(n)
    for tier, n in (counts if counts is not None else tier_counts(conn, connector)).items():
        stayed = n - moved_to.get(tier, 0)
        if stayed > 0:
            out[(tier, tier)] = out.get((tier, tier), 0) + stayed
    return out


def changes_since(conn: Connection, connector: str) -> datetime | None:
    """When tier changes started being recorded (None: not yet)."""
    t = tier_changes.c
    return conn.execute(select(func.min(t.at)).where(t.connector == connector)).scalar_one_or_none()


def _periods_before(conn: Connection, now: datetime, at: Any, step: timedelta) -> Any:
    """How many whole ``step`` periods ``at`` lies before ``now`` (0: within the last one;
    -1: after ``now``)."""
    when = bindparam("now", now, type_=UTCDateTime)
    if conn.dialect.name == "postgresql":
        # floor: PostgreSQL rounds a numeric cast to integer
        seconds: Any = func.extract("epoch", when - at)
        whole = cast(func.floor(seconds / step.total_seconds()), Integer)
    else:
        # to the millisecond: a day between two julian day numbers is 86399.99999 seconds; the
        # cast truncates, which is a floor for the periods before now
        seconds = func.round((func.julianday(when) - func.julianday(at)) * 86400.0, 3)
        whole = cast(seconds / step.total_seconds(), Integer)
    return case((seconds < 0, -1), else_=whole)


def hot_changes(
    conn: Connection, connector: str, since: datetime, now: datetime, step: timedelta
) -> tuple[dict[int, int], int]:
    """The net change of the Hot count in each ``step`` period counted back from ``now`` (see
    ``_periods_before``) over the changes after ``since``, and how many of them were turns into
    Hot: two grouped range reads, on ``ix_leadscore_tier_changes_to`` and ``_from``."""
    t = tier_changes.c
    into = and_(t.to_tier == "Hot", func.coalesce(t.from_tier, "") != "Hot")
    out_of = and_(t.from_tier == "Hot", func.coalesce(t.to_tier, "") != "Hot")
    deltas: dict[int, int] = {}
    turns = 0
    for turn, sign in ((into, 1), (out_of, -1)):
        period = _periods_before(conn, now, t.at, step)
        rows = conn.execute(
            select(period, func.count())
            .where(t.connector == connector, t.at > since, turn)
            .group_by(period)
        )
        for k, n in rows:
            deltas[int(k)] = deltas.get(int(k), 0) + sign * int(n)
            turns += int(n) if sign > 0 else 0
    return deltas, turns


@dataclass(frozen=True)
class HotLead:
    record_id: str
    object_type: str
    name: str
    owner: str | None
    total: float | None
    scored_at: datetime
    alerted: str | None


def hot_leads(conn: Connection, connector: str, limit: int = 200) -> list[HotLead]:
    """The Hot leads, highest score first (at most ``limit``), with who owns them and the alert."""
    s, c, a = lead_state.c, lead_cache.c, outbox.c
    rows = conn.execute(
        select(
            s.record_id,
            c.object_type,
            c.owner,
            c.attributes_json,
            s.total,
            s.scored_at,
            a.status,
            a.reason,
            a.sent_at,
        )
        .select_from(
            lead_state.outerjoin(
                lead_cache, and_(c.connector == s.connector, c.record_id == s.record_id)
            ).outerjoin(
                outbox,
                and_(
                    a.kind == "hot",
                    a.connector == s.connector,
                    a.record_id == s.record_id,
                    a.hot_turn == s.hot_turns,
                ),
            )
        )
        .where(s.connector == connector, s.tier == "Hot")
        .order_by(s.total.desc(), s.record_id)
        .limit(limit)
    )
    out = []
    for r in rows:
        attributes = read_attributes(r.attributes_json) if r.attributes_json else {}
        name = next((str(attributes[k]) for k in _NAME_KEYS if attributes.get(k)), r.record_id)
        if r.status == "sent" and r.sent_at is not None:
            alerted = f"sent {r.sent_at:%Y-%m-%d %H:%M}"
        elif r.status in ("skipped", "summarised", "awaiting_summary"):
            alerted = r.reason or (
                "in the rules-change summary" if r.status != "skipped" else "not sent"
            )
        else:
            alerted = None
        out.append(
            HotLead(
                r.record_id, r.object_type or "Lead", name, r.owner, r.total, r.scored_at, alerted
            )
        )
    return out


def lead(conn: Connection, connector: str, record_id: str) -> dict[str, Any] | None:
    """One lead's pulled copy and current score, or None."""
    c, s = lead_cache.c, lead_state.c
    row = conn.execute(
        select(c.record_id, c.object_type, c.owner, c.attributes_json, c.pulled_at, s.tier, s.total)
        .select_from(
            lead_cache.outerjoin(
                lead_state, and_(s.connector == c.connector, s.record_id == c.record_id)
            )
        )
        .where(c.connector == connector, c.record_id == record_id)
    ).one_or_none()
    if row is None:
        return None
    return {**row._asdict(), "attributes": read_attributes(row.attributes_json)}


def lead_history(conn: Connection, record_id: str, limit: int = 400) -> list[tuple[datetime, Any]]:
    """``(at, total)`` of a lead's last ``limit`` scores, oldest first."""
    h = score_history.c
    rows = conn.execute(
        select(h.at, h.total, h.tier, h.model_version)
        .where(h.record_id == record_id)
        .order_by(h.at.desc(), h.id.desc())
        .limit(limit)
    ).all()
    return [tuple(r) for r in reversed(rows)]


# -- model performance ------------------------------------------------------------------------


@dataclass(frozen=True)
class TierOutcome:
    tier: str
    won: int
    lost: int
    avg_cycle_won: float | None

    @property
    def closed(self) -> int:
        return self.won + self.lost


def outcomes_by_tier(conn: Connection, connector: str) -> list[TierOutcome]:
    """Won and lost deals per tier (at close), and the average days to close of the won ones."""
    d = deal_outcomes.c
    won = case((d.won.is_(True), 1), else_=0)
    cycle = case((d.won.is_(True), d.cycle_days), else_=None)
    rows = conn.execute(
        select(d.tier, func.sum(won), func.count(), func.avg(cycle))
        .where(d.connector == connector)
        .group_by(d.tier)
    )
    out = {
        str(tier): TierOutcome(
            str(tier), int(w or 0), int(n) - int(w or 0), None if c is None else float(c)
        )
        for tier, w, n, c in rows
    }
    return [out[t] for t in TIERS if t in out] + [v for k, v in out.items() if k not in TIERS]


def outcome_histogram(
    conn: Connection, connector: str, width: int = 5
) -> dict[bool, list[tuple[int, int]]]:
    """Per outcome (True = won), ``(bin start, deals)`` of the score at close."""
    d = deal_outcomes.c
    where = and_(d.connector == connector, d.total.is_not(None))
    low = conn.execute(select(func.min(d.total)).where(where)).scalar_one_or_none()
    if low is None:
        return {True: [], False: []}
    base = int(low // width) * width
    bucket = _bucket(conn, d.total, base, width)
    rows = conn.execute(
        select(d.won, bucket, func.count()).where(where).group_by(d.won, bucket).order_by(bucket)
    )
    out: dict[bool, list[tuple[int, int]]] = {True: [], False: []}
    for won, b, n in rows:
        out[bool(won)].append((base + int(b) * width, int(n)))
    return out


def outcomes_meta(conn: Connection, connector: str) -> dict[str, Any]:
    """How many deals are recorded, how many were backfilled, and the close-date range."""
    d = deal_outcomes.c
    row = conn.execute(
        select(
            func.count(),
            func.sum(case((d.backfill.is_(True), 1), else_=0)),
            func.min(d.closed_at),
            func.max(d.closed_at),
            func.count(d.cycle_days),
            func.count(d.owner),
        ).where(d.connector == connector)
    ).one()
    return {
        "deals": int(row[0]),
        "backfill": int(row[1] or 0),
        "first": row[2],
        "last": row[3],
        "with_cycle": int(row[4]),
        "with_owner": int(row[5]),
    }


# -- reps -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RepLeads:
    """One rep's open leads: how many per tier, and their average score."""

    rep: str
    tiers: dict[str, int]
    average: float | None

    @property
    def leads(self) -> int:
        return sum(self.tiers.values())


def rep_leads(conn: Connection, connector: str) -> list[RepLeads]:
    """Per owner of open leads (one grouped join over the leads), most leads first."""
    tiers: dict[str, dict[str, int]] = {}
    sums: dict[str, list[float]] = {}
    for rep, tier, n, total, scored in _by_lead_attribute(conn, connector, "owner", True):
        name = "(no owner)" if rep is None else str(rep)
        tiers.setdefault(name, {})[str(tier)] = n
        acc = sums.setdefault(name, [0.0, 0])
        acc[0] += total
        acc[1] += scored
    out = [
        RepLeads(rep, tiers[rep], round(sums[rep][0] / sums[rep][1], 1) if sums[rep][1] else None)
        for rep in tiers
    ]
    return sorted(out, key=lambda r: (-r.leads, r.rep))


def rep_activity_tiers(conn: Connection, connector: str) -> list[tuple[str, dict[str, int]]]:
    """Per rep, the activities they logged by the tier the lead had then (``None``: not yet
    scored), most active rep first; reps are named as the leads they own name them."""
    r, f = rep_activity.c, lead_facts.c
    rows = conn.execute(
        select(r.rep_id, r.tier, func.count())
        .where(r.connector == connector)
        .group_by(r.rep_id, r.tier)
    ).all()
    if not rows:
        return []
    reps = list({str(rep) for rep, _tier, _n in rows})
    names = dict(
        conn.execute(
            select(f.owner_id, func.max(f.owner_name))
            .where(f.connector == connector, f.owner_id.in_(reps), f.owner_name.is_not(None))
            .group_by(f.owner_id)
        ).all()
    )
    out: dict[str, dict[str, int]] = {}
    for rep, tier, n in rows:
        name = str(names.get(rep) or rep)
        key = "not scored" if tier is None else str(tier)
        out.setdefault(name, {})[key] = out.get(name, {}).get(key, 0) + int(n)
    return sorted(out.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))


def rep_outcomes(conn: Connection, connector: str) -> dict[str, dict[str, tuple[int, int]]]:
    """Per owner of closed deals, per tier at close: ``(won, closed)``."""
    d = deal_outcomes.c
    won = case((d.won.is_(True), 1), else_=0)
    rows = conn.execute(
        select(d.owner, d.tier, func.sum(won), func.count())
        .where(d.connector == connector, d.owner.is_not(None))
        .group_by(d.owner, d.tier)
    )
    out: dict[str, dict[str, tuple[int, int]]] = {}
    for rep, tier, w, n in rows:
        out.setdefault(str(rep), {})[str(tier)] = (int(w or 0), int(n))
    return out


# -- the service ------------------------------------------------------------------------------


def last_health_check(conn: Connection) -> tuple[datetime, dict[str, Any]] | None:
    """When the last model health check ran, and its report (``HealthReport.to_dict``)."""
    h = health_checks.c
    row = conn.execute(
        select(h.checked_at, h.report_json).order_by(h.checked_at.desc(), h.id.desc()).limit(1)
    ).one_or_none()
    return None if row is None else (row.checked_at, json.loads(row.report_json))


def store_version(conn: Connection, connector: str) -> tuple[Any, ...]:
    """A cheap mark that moves whenever the daemon records something the pages show: its last
    job run (each pass ends with one), the last tier change, the closed deals recorded."""
    return (
        conn.execute(select(func.max(job_runs.c.id))).scalar_one_or_none(),
        conn.execute(select(func.max(health_checks.c.id))).scalar_one_or_none(),
        conn.execute(select(func.max(tier_changes.c.id))).scalar_one_or_none(),
        conn.execute(
            select(func.count()).where(deal_outcomes.c.connector == connector)
        ).scalar_one(),
        conn.execute(select(func.count()).where(lead_state.c.connector == connector)).scalar_one(),
    )


def last_runs(conn: Connection, jobs: Sequence[str]) -> dict[str, tuple[datetime, bool]]:
    """Per job: when its last run finished and whether it succeeded."""
    r = job_runs.c
    out = {}
    for job in jobs:
        row = conn.execute(
            select(r.finished_at, r.ok)
            .where(r.job == job)
            .order_by(r.started_at.desc(), r.id.desc())
            .limit(1)
        ).one_or_none()
        if row is not None:
            out[job] = (row.finished_at, bool(row.ok))
    return out
