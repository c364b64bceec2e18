"""``rep-guide.md``: one page for reps on reading the score and acting on each tier."""

from __future__ import annotations

from service.model.analysis_schema import Analysis, SignalDetail
from service.report.fmt import NA, holdout_rate, rate_noun, signed, table
from service.report.sections_tiers import tier_range
from service.report.transitions import rescore_sentence


def render_rep_guide(analysis: Analysis) -> str:
    tiers = analysis.tiers
    signals = sorted(analysis.signals, key=lambda s: -abs(s.points))
    positives = [s for s in signals if s.points > 0][:6]
    negatives = [s for s in signals if s.points < 0][:3]
    company = analysis.company or "our"
    lines = [
        f"# Lead score: a one-page guide for reps ({company})",
        "",
        "**What the score is.** Every lead gets a score from the deals we actually won and lost: the more a "
        "lead looks like our past wins, the higher it is. It is the sum of four parts you see on the record: "
        "Firmographic (is this our kind of company), Behavioral (what they did: demo, pricing), Engagement "
        "(how often and how many people), Intent (are they shopping now), minus points for signs that "
        "usually end in a loss.",
        "",
        "**What each tier means and what to do.**",
        "",
        table(
            [
                "Tier",
                "Score",
                f"Held-out deals like these: {rate_noun(analysis)}",
                "What to do",
                "Respond within",
            ],
            [
                [
                    t.tier,
                    tier_range(t),
                    holdout_rate(t),
                    t.action or NA,
                    t.sla or NA,
                ]
                for t in tiers
            ],
        ),
        "",
        "**Reading `Lead_Score_Top_Factors`.** It lists the signals that gave this lead the most points"
        + (
            f", for example `{_example(positives)}`. Open the call with them: they are "
            "why the lead is in its tier."
            if positives
            else ". This model has found no signal that adds points yet, so the field lists only "
            "what pulled the score down."
        )
        + " A factor with a minus sign pulled the score down.",
        "",
        "**The signals worth the most points:**",
        "",
    ]
    lines += [
        f"- {s.label or s.name}: {signed(s.points)}"
        + (
            f" (capped from {signed(s.points_uncapped)}: no signal may exceed 35% of the maximum)"
            if s.points_uncapped not in (None, s.points)
            else ""
        )
        for s in positives
    ] or ["- none yet"]
    if negatives:
        lines += ["", "**Signals that subtract points:**", ""]
        lines += [f"- {s.label or s.name}: {signed(s.points)}" for s in negatives]
    lines += [
        "",
        "**Trend and freshness.** `Lead_Score_Trend` says whether the score rose or fell over the last 14 days; "
        "`Lead_Score_Last_Calculated` says when it was computed. " + rescore_sentence(analysis),
        "",
        "**When the score looks wrong,** tell RevOps with the lead's link: a Hot lead that is obviously not a "
        "real opportunity, or a Cold one that is, is exactly the feedback the monthly recalibration uses.",
    ]
    return "\n".join(lines) + "\n"


def _example(positives: list[SignalDetail]) -> str:
    """A ``Lead_Score_Top_Factors`` value as this model writes it (its two biggest signals)."""
    shown = [f"{s.label or s.name} ({signed(s.points)})" for s in positives[:2]]
    return "; ".join(shown)
