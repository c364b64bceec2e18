"""The rep productivity page: each rep's open leads by tier and their average score, win rate
by rep by tier at close, and SLA compliance (Hot leads contacted within the SLA)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from service.dashboard import queries as q
from service.dashboard.charts import TIER_COLOURS, Chart, Missing, bar
from service.dashboard.pages import NO_DEALS, NO_SCORES, Site


def reps(conn: Connection, site: Site) -> dict[str, Any]:
    reps_ = q.rep_leads(conn, site.connector)
    charts: list[Chart] = []
    if not reps_:
        charts.append(Missing("rep-tiers", "Each rep's open leads by tier", NO_SCORES))
        charts.append(Missing("rep-scores", "Average lead score of each rep's pipeline", NO_SCORES))
    else:
        shown = reps_[:30]
        shares = []
        for tier in q.TIERS:
            values = [round(100 * r.tiers.get(tier, 0) / max(r.leads, 1), 1) for r in shown]
            if any(values):
                shares.append((tier, values, TIER_COLOURS[tier]))
        charts.append(
            Chart(
                "rep-tiers",
                "Each rep's open leads by tier (Hot/Warm against Cool/Cold)",
                bar(
                    [r.rep for r in shown],
                    shares,
                    x="rep",
                    y="% of the rep's open leads",
                    stacked=True,
                ),
                note="Share of the leads each rep owns; the share of their activity is the "
                "next chart.",
            )
        )
        top = sorted((r for r in reps_ if r.average is not None), key=lambda r: -(r.average or 0))[
            :30
        ]
        charts.append(
            Chart(
                "rep-scores",
                "Average lead score of each rep's pipeline",
                bar(
                    [r.rep for r in top],
                    [("average score", [r.average for r in top], "#9467bd")],
                    x="rep",
                    y="average score",
                ),
                note=", ".join(f"{r.rep}: {r.leads:,} leads" for r in top),
            )
        )
    outcomes = q.rep_outcomes(conn, site.connector)
    conversion = [
        (rep, [(t, *tiers[t]) for t in q.TIERS if t in tiers])
        for rep, tiers in sorted(outcomes.items())
    ]
    meta = q.outcomes_meta(conn, site.connector)
    if not conversion:
        reason = (
            NO_DEALS
            if meta["deals"] == 0
            else f"not recorded: none of the {meta['deals']:,} closed deals carries an owner"
        )
        charts.append(Missing("rep-conversion", "Win rate by rep by tier", reason))
    else:
        charts.append(
            Chart(
                "rep-conversion",
                "Win rate by rep by tier",
                bar(
                    [rep for rep, _ in conversion],
                    [
                        (
                            tier,
                            [
                                next((round(100 * w / n, 1) for t, w, n in rows if t == tier), None)
                                for _, rows in conversion
                            ],
                            TIER_COLOURS[tier],
                        )
                        for tier in q.TIERS
                        if any(t == tier for _, rows in conversion for t, _, _ in rows)
                    ],
                    x="rep",
                    y="% won",
                ),
            )
        )
    charts.append(_activity_chart(conn, site.connector))
    charts.append(_sla_chart(conn, site.connector))
    return {"charts": charts, "conversion": conversion}


def _activity_chart(conn: Connection, connector: str) -> Chart:
    """Section 5.3: the Hot/Warm against Cool/Cold share of each rep's logged activity, by the
    tier the lead had when the daemon read the activity (``leadscore_rep_activity``)."""
    title = "Each rep's activity by the lead's tier (Hot/Warm against Cool/Cold)"
    rows = q.rep_activity_tiers(conn, connector)[:30]
    if not rows:
        return Missing(
            "rep-activity",
            title,
            "no activity by a rep recorded yet: the daemon keeps the calls, meetings and e-mails "
            "reps log from its second pass on",
        )
    totals = [max(sum(tiers.values()), 1) for _rep, tiers in rows]
    series = []
    for tier in (*q.TIERS, "not scored"):
        values = [
            round(100 * tiers.get(tier, 0) / n, 1)
            for (_rep, tiers), n in zip(rows, totals, strict=True)
        ]
        if any(values):
            series.append((tier, values, TIER_COLOURS.get(tier, "#7f7f7f")))
    hot_warm = [
        round(100 * (tiers.get("Hot", 0) + tiers.get("Warm", 0)) / n)
        for (_rep, tiers), n in zip(rows, totals, strict=True)
    ]
    return Chart(
        "rep-activity",
        title,
        bar([rep for rep, _ in rows], series, x="rep", y="% of the rep's activities", stacked=True),
        note=", ".join(
            f"{rep}: {sum(tiers.values()):,} activities, {share}% on Hot/Warm"
            for (rep, tiers), share in zip(rows, hot_warm, strict=True)
        ),
    )


def _sla_chart(conn: Connection, connector: str) -> Chart:
    """Rule 2's SLA compliance per rep, from ``leadscore_sla_clocks`` (``service.state.sla``)."""
    from service.state.sla import compliance

    title = "SLA compliance (Hot leads contacted within the SLA)"
    rows = [r for r in compliance(conn, connector) if r.rate is not None]
    if not rows:
        return Missing("sla", title, "no Hot lead's SLA clock has finished yet (met or breached)")
    return Chart(
        "sla",
        title,
        bar(
            [r.owner for r in rows],
            [("% within the SLA", [round(100 * (r.rate or 0), 1) for r in rows], "#2ca02c")],
            x="rep",
            y="% of Hot leads contacted in time",
        ),
        note=", ".join(
            f"{r.owner}: {r.met} met, {r.breached} breached, {r.running} running" for r in rows
        ),
    )
