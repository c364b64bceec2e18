"""Section 4 (threshold definitions): distributions, tiers, transitions, volume and capacity."""

from __future__ import annotations

from typing import Any

from service.model.analysis_schema import Analysis, TierRow
from service.report.fmt import NA, holdout_rate, num, pct, plain, rate_noun, table
from service.report.transitions import sla_sentence, stale_sentence


def tier_range(t: TierRow) -> str:
    low, high = t.min_score, t.max_score
    if low is None and high is None:
        return "any score"
    if high is None:
        return f"{num(low)}+ points"
    if low is None:
        return f"below {num(high + 1)} points"
    return f"{num(low)} to {num(high)} points"


def thresholds(analysis: Analysis, plots: dict[str, str]) -> str:
    """Section 4, one function per numbered subsection."""
    parts = ["## Section 4: Threshold Definitions", ""]
    parts += _distribution(analysis, plots)
    parts += _tier_definitions(analysis, plots)
    parts += _transitions(analysis)
    parts += _capacity(analysis)
    return "\n".join(parts)


def _distribution(analysis: Analysis, plots: dict[str, str]) -> list[str]:
    """4.1: won and lost score quartiles and the separation point."""
    dist = analysis.distributions
    sep = analysis.separation
    parts = ["### 4.1 Score Distribution Analysis", ""]
    parts.append(
        table(
            ["Deals", "Minimum", "25th percentile", "Median", "75th percentile", "Maximum"],
            [
                [
                    name.title(),
                    *(num(d, 1) for d in (q.min, q.p25, q.median, q.p75, q.max)),
                ]
                for name, q in (("won", dist.won), ("lost", dist.lost))
            ],
        )
    )
    parts.append(
        f"\nSeparation point: {num(sep.score if sep else None, 1)} points, where the share of won deals above the score "
        f"exceeds the share of lost deals by the most (Kolmogorov-Smirnov distance {num(sep.ks if sep else None, 2)})."
    )
    if plots.get("score-distribution.png"):
        parts.append(
            f"\n![Score distribution of won and lost deals]({plots['score-distribution.png']})"
        )
    return parts


def _tier_definitions(analysis: Analysis, plots: dict[str, str]) -> list[str]:
    """4.2: each tier's range, holdout rate, shares, SLA and action."""
    parts = ["", "### 4.2 Tier Definitions", ""]
    tiers = analysis.tiers
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
                    t.tier,
                    tier_range(t),
                    holdout_rate(t),
                    pct(t.share_of_leads),
                    pct(t.share_of_current_leads)
                    if t.share_of_current_leads is not None
                    else "not available (build with --leads)",
                    t.sla or NA,
                    t.action or NA,
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
    if analysis.refit_all:
        parts.append(
            "The holdout rates are those of the model validated before the refit on every deal."
        )
    if plots.get("tier-volumes.png"):
        parts.append(f"\n![Tier volumes]({plots['tier-volumes.png']})")
    return parts


def _transitions(analysis: Analysis) -> list[str]:
    """4.3: what moves a lead between tiers and how often each tier is re-scored."""
    tiers = analysis.tiers
    parts = [
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
        every = t.rescore_every_days
        parts.append(
            f"- {t.tier} leads: re-score every {num(every)} day{'s' if every != 1 else ''}, and at once on new activity."
        )
    parts.append(
        f"\nA move into Hot alerts the channel and the owner on Slack, and {sla_sentence(analysis)}; "
        "any other change of tier is sent to the owner (Rule 3). Trend compares the total with its value 14 days "
        "earlier: Rising (+5 or more), Falling (−5 or more), Stable otherwise."
    )
    return parts


def _capacity(analysis: Analysis) -> list[str]:
    """4.4: expected monthly volume per tier against the reps' capacity."""
    tiers = analysis.tiers
    parts = ["", "### 4.4 Volume and Capacity Validation", ""]
    cap = analysis.capacity
    weekly = cap.new_leads_per_week if cap else None
    per_rep = cap.leads_per_rep_per_week if cap else None
    rows = []
    for t in tiers:
        share = (
            t.share_of_current_leads if t.share_of_current_leads is not None else t.share_of_leads
        )
        monthly = (share * weekly * 52 / 12) if isinstance(share, float) and weekly else None
        rows.append(
            [
                t.tier,
                pct(share),
                f"{num(monthly)} leads/month"
                if monthly is not None
                else "not available (no lead volume configured)",
                _capacity_required(t.tier, monthly, per_rep),
            ]
        )
    parts.append(
        table(
            ["Tier", "Target % of Leads", "Expected Monthly Volume", "Rep Capacity Required"], rows
        )
    )
    current = analysis.current_leads
    if current:
        parts.append(
            f"\nShares are those of the {num(current.n)} current leads scored at build time "
            f"({num(current.unscoreable)} of them Unscoreable); historical deal shares are in 4.2."
        )
    if cap:
        parts.append("")
        parts.append(
            "\n".join(
                f"- {str(k).replace('_', ' ').capitalize()}: {_cap_value(k, v)}"
                for k, v in cap.model_dump(exclude_unset=True).items()
            )
        )
    else:
        parts.append(
            "\nCapacity Check: not available, because the configuration gives no rep capacity. Add "
            "`capacity: {reps: N, leads_per_rep_per_week: M, new_leads_per_week: V}` to check that Hot + Warm "
            "volume fits the team."
        )
    return parts


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
