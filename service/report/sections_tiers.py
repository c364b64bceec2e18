"""Section 4 (threshold definitions): distributions, tiers, transitions, volume and capacity."""

from __future__ import annotations

from typing import Any

from service.report.fmt import NA, holdout_rate, num, pct, plain, rate_noun, table
from service.report.transitions import sla_sentence, stale_sentence


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
                f"Holdout {rate_noun(analysis)} (95% CI)",
                "Share of Historical Deals",
                "Share of Current Leads",
                "Response SLA",
                "Recommended Action",
            ],
            [
                [
                    t.get("tier"),
                    tier_range(t),
                    holdout_rate(t),
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
    parts.append(
        "\nEach rate is measured on held-out deals the model never saw, with its Wilson 95% "
        "interval: the rate to expect from new leads. The rates of the training deals, which the "
        "points were fitted to, are in analysis.json (`training_win_rate`) for comparison only."
    )
    if analysis.get("refit_all"):
        parts.append(
            "The holdout rates are those of the model validated before the refit on every deal."
        )
    if plots.get("tier-volumes.png"):
        parts.append(f"\n![Tier volumes]({plots['tier-volumes.png']})")
    parts += [
        "",
        "### 4.3 Tier Transition Rules",
        "",
        "Upgrade triggers: the score crosses a higher threshold at a re-score (for example after a demo or "
        "pricing request, a new stakeholder engaging, or an intent signal arriving).  ",
        "Downgrade triggers: a re-score after the lead's data changes, such as an unsubscribe or a negative "
        "signal appearing. " + stale_sentence(analysis),
        "",
        "Re-Scoring Frequency:",
    ]
    for t in tiers:
        every = t.get("rescore_every_days")
        parts.append(
            f"- {t.get('tier')} leads: re-score every {num(every)} day{'s' if every != 1 else ''}, and at once on new activity."
        )
    parts.append(
        f"\nA move into Hot alerts the channel and the owner on Slack, and {sla_sentence(analysis)}; "
        "any other change of tier is sent to the owner (Rule 3). Trend compares the total with its value 14 days "
        "earlier: Rising (+5 or more), Falling (−5 or more), Stable otherwise."
    )
    parts += ["", "### 4.4 Volume and Capacity Validation", ""]
    cap = analysis.get("capacity") or {}
    weekly = cap.get("new_leads_per_week")
    per_rep = cap.get("leads_per_rep_per_week")
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
                _capacity_required(t.get("tier"), monthly, per_rep),
            ]
        )
    parts.append(
        table(
            ["Tier", "Target % of Leads", "Expected Monthly Volume", "Rep Capacity Required"], rows
        )
    )
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
                f"- {str(k).replace('_', ' ').capitalize()}: {_cap_value(k, v)}"
                for k, v in cap.items()
            )
        )
    else:
        parts.append(
            "\nCapacity Check: not available, because the configuration gives no rep capacity. Add "
            "`capacity: {reps: N, leads_per_rep_per_week: M, new_leads_per_week: V}` to check that Hot + Warm "
            "volume fits the team."
        )
    return "\n".join(parts)


def _capacity_required(tier: Any, monthly: float | None, per_rep_week: Any) -> str:
    """Rep time a tier needs each month, in rep-weeks of lead work (the configured leads a rep
    works per week); Cool is nurtured automatically and Cold gets no rep time."""
    if tier == "Cold":
        return "0 (marketing only)"
    if tier == "Cool":
        return "automated nurture (rep touches only)"
    if monthly is None or not isinstance(per_rep_week, int | float) or per_rep_week <= 0:
        return "not available (give capacity in the configuration)"
    return f"{num(monthly / per_rep_week, 1)} rep-weeks/month"


def _cap_value(key: str, value: Any) -> str:
    if value is None:
        return NA
    if key.endswith(("share", "utilisation")) and isinstance(value, float):
        return pct(value)
    return plain(value)
