"""What each page shows, computed from ``queries`` (the state store) and the live model's files.

Every function returns the template context of one page: charts (``charts.Chart``), tables, and a
sentence for each figure the store cannot give yet, so an empty store renders and says what is
missing instead of drawing empty axes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from statsmodels.stats.proportion import proportion_confint

from service.dashboard import queries as q
from service.dashboard.charts import LOST, TIER_COLOURS, WON, Chart, Missing, bar, line, pie
from service.errors import RulesError
from service.health.psi import ACT, WATCH
from service.health.report import promised_rate
from service.model.analysis_schema import Analysis, read_analysis
from service.scoring.rules import Rules, load_rules

NO_SCORES = "no lead has been scored yet: run leadscore daemon once (or daemon run)"
NO_DEALS = (
    "no closed deal recorded yet: the daemon's deal_outcomes job records them (daemon once does "
    "too)"
)
PERIODS = (7, 30, 90, 365)


@dataclass(frozen=True)
class Site:
    """What the pages need besides a database connection."""

    connector: str
    clock: Callable[[], datetime]
    rules_path: Path
    models_dir: Path
    record_url: str | None = None

    def crm_link(self, record_id: str, object_type: str) -> str | None:
        """The lead's record in the CRM (None when no address is known)."""
        if not self.record_url:
            return None
        from urllib.parse import quote

        return self.record_url.replace("{id}", quote(record_id, safe="")).replace(
            "{object_type}", quote(object_type, safe="")
        )


def _tier_order(counts: dict[str, int]) -> list[str]:
    return [t for t in q.TIERS if t in counts] + sorted(t for t in counts if t not in q.TIERS)


def overview(conn: Connection, site: Site, days: int) -> dict[str, Any]:
    now = site.clock()
    key = q.source_key(conn, site.connector)
    summary = q.lead_summary(conn, site.connector, key)
    counts = summary.tiers
    charts: list[Chart] = []
    if not counts:
        for cid, title in (
            ("tiers", "Leads by tier"),
            ("histogram", "Score distribution"),
            ("sources", "Average score by lead source"),
            ("hot-volume", "Hot leads over time"),
        ):
            charts.append(Missing(cid, title, NO_SCORES))
        return {"charts": charts, "total": 0, "migration": None, "hot": [], "days": days}
    tiers = _tier_order(counts)
    charts.append(Chart("tiers", "Leads by tier", pie(tiers, [counts[t] for t in tiers])))
    hist = summary.histogram
    charts.append(
        Chart(
            "histogram",
            "Score distribution",
            bar(
                [f"{lo} to {lo + 4}" for lo, _ in hist],
                [("leads", [n for _, n in hist], "#1f77b4")],
                x="score",
                y="leads",
            ),
        )
        if hist
        else Missing("histogram", "Score distribution", "every scored lead is Unscoreable")
    )
    if key is None:
        charts.append(
            Missing(
                "sources",
                "Average score by lead source",
                f"the leads carry no source attribute (looked for {', '.join(q.SOURCE_KEYS)})",
            )
        )
    else:
        rows = summary.sources[:25]
        charts.append(
            Chart(
                "sources",
                f"Average score by lead source ({key})",
                bar(
                    [s for s, _, _ in rows],
                    [("average score", [a for _, a, _ in rows], "#17becf")],
                    x=key,
                    y="average score",
                ),
                note=", ".join(f"{s}: {n:,} leads" for s, _, n in rows),
            )
        )
    since = now - timedelta(days=days)
    charts.append(_hot_volume(conn, site, counts.get("Hot", 0), since, now))
    recorded = q.changes_since(conn, site.connector)
    flows = q.migration(conn, site.connector, since, counts)
    sources = [t for t in ("New", *q.TIERS) if any(k[0] == t for k in flows)]
    targets = [t for t in (*q.TIERS, q.LEFT) if any(k[1] == t for k in flows)]
    migration = {
        "rows": [(s, [flows.get((s, t), 0) for t in targets]) for s in sources],
        "targets": targets,
        "recorded": recorded,
        "partial": recorded is not None and recorded > since,
    }
    return {
        "charts": charts,
        "total": sum(counts.values()),
        "counts": counts,
        "migration": migration,
        "hot": q.hot_leads(conn, site.connector),
        "days": days,
    }


def _hot_volume(
    conn: Connection, site: Site, hot_now: int, since: datetime, now: datetime
) -> Chart:
    title = "Hot leads over time"
    if q.changes_since(conn, site.connector) is None:
        return Missing("hot-volume", title, "no tier change recorded yet")
    days = (now - since).days
    step = timedelta(days=1 if days <= 31 else 7)
    deltas, turns = q.hot_changes(conn, site.connector, since, now, step)
    marks = int((now - since) / step) + (1 if (now - since) % step else 0)
    # walk back from today's count: the count at the mark k steps back undoes every change
    # after it (periods 0 to k - 1, and any dated after now)
    values = []
    count = hot_now - deltas.get(-1, 0)
    for k in range(marks):
        values.append(max(count, 0))
        count -= deltas.get(k, 0)
    values.reverse()
    labels = [(now - k * step).strftime("%Y-%m-%d") for k in reversed(range(marks))]
    return Chart(
        "hot-volume",
        title,
        line(labels, "Hot leads", values, TIER_COLOURS["Hot"], x="date", y="Hot leads"),
        note=f"{turns:,} turns into Hot in the period",
    )


def _live_rules(site: Site) -> tuple[Rules | None, str]:
    try:
        return load_rules(site.rules_path), ""
    except RulesError as exc:
        return None, f"{site.rules_path}: {exc}".splitlines()[0]


def _analysis(site: Site, rules: Rules | None) -> Analysis | None:
    """The ``analysis.json`` beside the live rules, when it is theirs and loads."""
    analysis = read_analysis(site.rules_path.parent / "analysis.json")
    if analysis is None or (rules is not None and analysis.model_version != rules.version):
        return None
    return analysis


def _promised(site: Site, rules: Rules | None) -> dict[str, float]:
    """The win rate per tier the live model promised: its holdout's, as the health check reads
    it (the training rate only for a tier the build could not measure on held-out deals)."""
    data = _analysis(site, rules) if rules is not None else None
    if data is None:
        return {}
    out = {}
    for row in data.tiers:
        value, _, _ = promised_rate(row)
        if value is not None:
            out[row.tier] = float(value)
    return out


def _health(conn: Connection) -> Chart:
    """The last model health check: PSI per dimension and total, and its flags."""
    title = "Health check: score shift (PSI) and flags"
    last = q.last_health_check(conn)
    if last is None:
        return Missing(
            "psi",
            title,
            "no health check recorded yet: the weekly model_health job of the daemon (or "
            "leadscore model health) records one",
        )
    at, report = last
    groups = [(g, v.get("psi")) for g, v in (report.get("psi") or {}).items()]
    groups = [(g, v) for g, v in groups if v is not None]
    flags = report.get("flags") or []
    words = f"checked {at:%Y-%m-%d %H:%M} for model {report.get('model_version', '?')}: "
    words += (
        f"{len(flags)} flag(s): " + "; ".join(str(f.get("message", "")) for f in flags[:5])
        if flags
        else "no flag"
    )
    if not groups:
        return Missing("psi", title, words + "; no PSI measured (no reference in analysis.json)")
    colours = ["#d62728" if v >= ACT else "#ff7f0e" if v >= WATCH else WON for _, v in groups]
    return Chart(
        "psi",
        title,
        bar(
            [g for g, _ in groups],
            [("PSI", [round(float(v), 3) for _, v in groups], colours)],
            x="score",
            y=f"PSI ({WATCH} watch, {ACT} act)",
        ),
        note=words,
    )


def performance(conn: Connection, site: Site) -> dict[str, Any]:
    rows = q.outcomes_by_tier(conn, site.connector)
    meta = q.outcomes_meta(conn, site.connector)
    rules, _ = _live_rules(site)
    promised = _promised(site, rules)
    psi = _health(conn)
    if not rows:
        charts = [
            Missing(cid, title, NO_DEALS)
            for cid, title in (
                ("conversion", "Win rate by tier at close"),
                ("cycle", "Average days to close (won deals) by tier"),
                ("won-scores", "Score at conversion (won deals)"),
                ("lost-scores", "Score at disqualification (lost deals)"),
            )
        ]
        return {"charts": [*charts, psi], "table": [], "meta": meta, "rates": None}
    table: list[dict[str, Any]] = []
    for r in rows:
        low, high = proportion_confint(r.won, r.closed, method="wilson") if r.closed else (0, 0)
        table.append(
            {
                "tier": r.tier,
                "won": r.won,
                "closed": r.closed,
                "rate": r.won / r.closed if r.closed else None,
                "low": float(low),
                "high": float(high),
                "promised": promised.get(r.tier),
                "cycle": r.avg_cycle_won,
            }
        )
    tiers = [t["tier"] for t in table]
    conversion = bar(
        tiers,
        [
            ("win rate at close", [round(100 * (t["rate"] or 0), 1) for t in table], WON),
            (
                "promised by the model",
                [None if t["promised"] is None else round(100 * t["promised"], 1) for t in table],
                "#aec7e8",
            ),
        ],
        x="tier at close",
        y="% won",
    )
    charts = [
        Chart("conversion", "Win rate by tier at close, against the model's promise", conversion)
    ]
    with_cycle = [t for t in table if t["cycle"] is not None]
    charts.append(
        Chart(
            "cycle",
            "Average days to close (won deals) by tier",
            bar(
                [t["tier"] for t in with_cycle],
                [
                    (
                        "days",
                        [round(t["cycle"], 1) for t in with_cycle],
                        [TIER_COLOURS.get(t["tier"], "#17becf") for t in with_cycle],
                    )
                ],
                x="tier at close",
                y="days to close",
            ),
        )
        if with_cycle
        else Missing(
            "cycle",
            "Average days to close (won deals) by tier",
            "the closed deals carry no cycle length or creation date",
        )
    )
    hist = q.outcome_histogram(conn, site.connector)
    for won, cid, title, colour in (
        (True, "won-scores", "Score at conversion (won deals)", WON),
        (False, "lost-scores", "Score at disqualification (lost deals)", LOST),
    ):
        bins = hist[won]
        charts.append(
            Chart(
                cid,
                title,
                bar(
                    [f"{lo} to {lo + 4}" for lo, _ in bins],
                    [("deals", [n for _, n in bins], colour)],
                    x="score at close",
                    y="deals",
                ),
            )
            if bins
            else Missing(cid, title, f"no {'won' if won else 'lost'} deal recorded yet")
        )
    charts.append(psi)
    by = {t["tier"]: t for t in table}
    pos = [by[t] for t in q.POSITIVE if t in by]
    neg = [by[t] for t in q.NEGATIVE if t in by]
    pos_n, neg_n = sum(t["closed"] for t in pos), sum(t["closed"] for t in neg)
    rates = {
        "fp": (pos_n - sum(t["won"] for t in pos)) / pos_n if pos_n else None,
        "fp_n": pos_n,
        "fn": sum(t["won"] for t in neg) / neg_n if neg_n else None,
        "fn_n": neg_n,
    }
    return {"charts": charts, "table": table, "meta": meta, "rates": rates}


def model(site: Site) -> dict[str, Any]:
    rules, problem = _live_rules(site)
    analysis = _analysis(site, rules)
    live = None
    record = site.models_dir / "live.json"
    try:
        live = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        live = None
    if live and rules is not None and live.get("version") != rules.version:
        live = None
    validation = analysis.validation if analysis else None
    return {
        "rules": rules,
        "problem": problem,
        "rules_path": site.rules_path,
        "validation": validation,
        "promoted": live,
        "signals": sorted(rules.signals, key=lambda s: -abs(s.points)) if rules else [],
    }
