"""Section 4 (threshold definitions): distributions, tiers, transitions, volume and capacity."""

from __future__ import annotations

from typing import Any

from service.report.fmt import NA, cell, num, pct, table


def tier_range(t: dict[str, Any]) -> str:
    low, high = t.get("min_score"), t.get("max_score")
    if low is None and high is None:
        return "any score"
    if high is None:
        return f"{num(low)}+ points"
    if low is None:
        return f"below {num(high + 1 if isinstance(high, int | float) else high)} points"
    return f"{num(low)} to {num(high)} points"


def thresholds(analysis: dict[str, Any], plots: dict[str, str]) -> str:
    dist = analysis.get("distributions") or {}
    sep = analysis.get("separation") or {}
    parts = ["## Section 4: Threshold Definitions", "", "### 4.1 Score Distribution Analysis", ""]
    parts.append(
        table(
            ["Deals", "Minimum", "25th percentile", "Median", "75th percentile", "Maximum"],
            [
                [
                    name.title(),
                    *(
                        num((dist.get(name) or {}).get(k), 1)
                        for k in ("min", "p25", "median", "p75", "max")
                    ),
                ]
                for name in ("won", "lost")
            ],
        )
    )
    parts.append(
        f"\nSeparation point: {num(sep.get('score'), 1)} points, where the share of won deals above the score "
        f"exceeds the share of lost deals by the most (Kolmogorov-Smirnov distance {num(sep.get('ks'), 2)})."
    )
    if plots.get("score-distribution.png"):
        parts.append(
            f"\n![Score distribution of won and lost deals]({plots['score-distribution.png']})"
        )
    parts += ["", "### 4.2 Tier Definitions", ""]
    tiers = analysis.get("tiers") or []
    parts.append(
        table(
            [
                "Tier",
                "Score Range",
                "Expected Conversion",
                "Share of Historical Deals",
                "Share of Current Leads",
                "Response SLA",
                "Recommended Action",
            ],
            [
                [
                    t.get("tier"),
                    tier_range(t),
                    f"{pct(t.get('expected_conversion'))} ({pct(t.get('ci_low'))} to {pct(t.get('ci_high'))})",
                    pct(t.get("share_of_leads")),
                    pct(t["share_of_current_leads"])
                    if "share_of_current_leads" in t
                    else "not available (build with --leads)",
                    t.get("sla") or NA,
                    t.get("action") or NA,
                ]
                for t in tiers
            ],
        )
    )
    if plots.get("tier-volumes.png"):
        parts.append(f"\n![Tier volumes]({plots['tier-volumes.png']})")
    parts += [
        "",
        "### 4.3 Tier Transition Rules",
        "",
        "Upgrade triggers: the score crosses a higher threshold at a re-score (for example after a demo or "
        "pricing request, a new stakeholder engaging, or an intent signal arriving).  ",
        "Downgrade triggers: no activity for 30 days or more (engagement points lapse), an unsubscribe or a "
        "negative signal appearing.",
        "",
        "Re-Scoring Frequency:",
    ]
    for t in tiers:
        every = t.get("rescore_every_days")
        parts.append(
            f"- {t.get('tier')} leads: re-score every {num(every)} day{'s' if every != 1 else ''}, and at once on new activity."
        )
    parts.append(
        "\nA move into Hot alerts the owner on Slack. Trend compares the total with its value 14 days "
        "earlier: Rising (+5 or more), Falling (−5 or more), Stable otherwise."
    )
    parts += ["", "### 4.4 Volume and Capacity Validation", ""]
    cap = analysis.get("capacity") or {}
    weekly = cap.get("new_leads_per_week")
    rows = []
    for t in tiers:
        share = t.get("share_of_current_leads", t.get("share_of_leads"))
        monthly = (share * weekly * 52 / 12) if isinstance(share, float) and weekly else None
        rows.append(
            [
                t.get("tier"),
                pct(share),
                f"{num(monthly)} leads/month"
                if monthly is not None
                else "not available (no lead volume configured)",
            ]
        )
    parts.append(table(["Tier", "Target % of Leads", "Expected Monthly Volume"], rows))
    current = analysis.get("current_leads")
    if current:
        parts.append(
            f"\nShares are those of the {num(current.get('n'))} current leads scored at build time "
            f"({num(current.get('unscoreable'))} of them Unscoreable); historical deal shares are in 4.2."
        )
    if cap:
        parts.append("")
        parts.append(
            "\n".join(
                f"- {cell(k).replace('_', ' ').capitalize()}: {cell(v)}" for k, v in cap.items()
            )
        )
    else:
        parts.append(
            "\nCapacity Check: not available, because the configuration gives no rep capacity. Add "
            "`capacity: {reps: N, leads_per_rep_per_week: M, new_leads_per_week: V}` to check that Hot + Warm "
            "volume fits the team."
        )
    return "\n".join(parts)
