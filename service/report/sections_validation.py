"""Section 6 (validation methodology), one function per numbered subsection."""

from __future__ import annotations

from typing import Any

from service.model.analysis_schema import Analysis, Misclassified, TierRow, Validation
from service.report.fmt import NA, holdout_rate, num, pct, rate_noun, signed, table

PERCENT_METRICS = ("accuracy", "precision", "recall")


def _metric_value(metric: str, value: Any) -> str:
    if value is None:
        return NA
    return pct(value, 1) if metric.startswith(PERCENT_METRICS) else num(value, 2)


def _targets_table(val: Validation) -> str:
    rows = []
    for t in val.targets:
        metric = t.metric
        target = (
            f"> {pct(t.target)}" if metric.startswith(PERCENT_METRICS) else f"> {num(t.target, 2)}"
        )
        status = "Pass" if t.passed else ("Fail" if t.passed is False else NA)
        if t.note:
            status += f" ({t.note})"
        rows.append([t.label or metric, _metric_value(metric, t.value), target, status])
    return (
        table(["Metric", "Value", "Target", "Status"], rows)
        if rows
        else "Validation metrics are not available."
    )


def _driver_text(r: Misclassified) -> str:
    if r.why:
        return r.why
    drivers = [f"{d.label or d.signal} ({signed(d.points)})" for d in r.drivers]
    missing = list(r.missing)
    text = ("driven by " + ", ".join(drivers)) if drivers else "no signal fired"
    if missing:
        text += "; could not evaluate " + ", ".join(missing)
    return text


def _errors_table(rows: list[Misclassified], outcome: str) -> str:
    if not rows:
        return f"No deal fell in this group on the holdout ({outcome})."
    return table(
        ["Deal", "Score", "Tier", "Actual Outcome", "Why Model Was Wrong"],
        [[r.deal, num(r.score), r.tier, outcome, _driver_text(r)] for r in rows[:10]],
    )


def validation(analysis: Analysis, plots: dict[str, str]) -> str:
    """Section 6, one function per numbered subsection."""
    parts = ["## Section 6: Validation Methodology", ""]
    parts += _holdout_validation(analysis, plots)
    parts += _false_positives(analysis)
    parts += _false_negatives(analysis)
    parts += _monitoring(analysis)
    parts += _ab_testing(analysis)
    return "\n".join(parts)


_SPLITS = {
    "newest_by_date": "the newest deals by close date",
    "stratified_random": "randomly sampled, stratified by outcome",
}


def _holdout_validation(analysis: Analysis, plots: dict[str, str]) -> list[str]:
    """6.1: the holdout, the targets, the trust figures, the confusion matrix and the plots."""
    val = analysis.validation
    conf = val.confusion
    share = val.holdout_n / max(1, analysis.won + analysis.lost)
    parts = [
        "### 6.1 Holdout Validation (Initial)",
        "",
        f"Holdout Set: {num(val.holdout_n)} deals ({num(val.holdout_won)} won, {num(val.holdout_lost)} lost) "
        f"-- {pct(share)} of total historical data, {_SPLITS.get(str(val.split), str(val.split or NA))}. "
        "No held-out deal influenced binning, signal selection, points or thresholds.",
    ]
    if analysis.refit_all:
        parts.append(
            "\nAfter validation the final model was refitted on every deal with the same settings; the figures below are from the holdout, before the refit."
        )
    parts += ["", _targets_table(val), ""]
    parts += _trust_lines(analysis, val)
    parts += ["", "Confusion Matrix:", ""]
    parts.append(
        table(
            ["", "Predicted: Win (Hot/Warm)", "Predicted: Loss (Cool/Cold)"],
            [
                [
                    "Actual: Win",
                    f"{num(conf.tp)} (True Positive)",
                    f"{num(conf.fn)} (False Negative)",
                ],
                [
                    "Actual: Loss",
                    f"{num(conf.fp)} (False Positive)",
                    f"{num(conf.tn)} (True Negative)",
                ],
            ],
        )
    )
    for name, alt in (
        ("roc-curve.png", "ROC curve"),
        ("cumulative-gains.png", "Cumulative gains"),
        ("calibration.png", "Expected vs actual conversion per tier"),
    ):
        if plots.get(name):
            parts.append(f"\n![{alt}]({plots[name]})")
    return parts


def _false_positives(analysis: Analysis) -> list[str]:
    """6.2: holdout deals scored Hot or Warm that were lost."""
    val = analysis.validation
    parts = [
        "",
        "### 6.2 False Positive Analysis",
        "",
        "Deals scored as Hot or Warm that were actually lost.",
        "",
    ]
    parts.append(_errors_table(val.false_positives, "Lost"))
    parts.append(f"\nPattern in False Positives: {val.fp_pattern or NA}")
    parts.append(
        f"Recommended Fix: {val.fp_fix or 'review the signals named above with the reps who worked these deals; lower their points if the pattern holds at the next recalibration.'}"
    )
    return parts


def _false_negatives(analysis: Analysis) -> list[str]:
    """6.3: holdout deals scored Cool or Cold that were won."""
    val = analysis.validation
    parts = [
        "",
        "### 6.3 False Negative Analysis",
        "",
        "Deals scored as Cool or Cold that actually closed-won.",
        "",
    ]
    parts.append(_errors_table(val.false_negatives, "Won"))
    parts.append(f"\nPattern in False Negatives: {val.fn_pattern or NA}")
    parts.append(
        f"Recommended Fix: {val.fn_fix or 'capture the missing fields named above (enrichment or activity tracking) so these deals can earn the points they lack.'}"
    )
    return parts


def _hot_tier(analysis: Analysis) -> TierRow | None:
    return next((t for t in analysis.tiers if t.tier == "Hot"), None)


def _hot_rate(hot: TierRow | None) -> str:
    return holdout_rate(hot) if hot else f"{NA} (no holdout deal in this tier)"


def _monitoring(analysis: Analysis) -> list[str]:
    """6.4: what to watch weekly and monthly, and when to rebuild."""
    hot = _hot_tier(analysis)
    hot_rate = hot.holdout_win_rate if hot else None
    hot_share = (hot.share_of_leads if hot else None) or 0
    acc = analysis.validation.accuracy
    return [
        "",
        "### 6.4 Ongoing Monitoring Protocol",
        "",
        "Weekly for the first 90 days, then monthly:",
        f"1. {rate_noun(analysis).capitalize()} by tier: is Hot still at {pct(hot_rate * 0.8 if isinstance(hot_rate, float) else None)} or more (80% of its holdout rate {_hot_rate(hot)})?",
        f"2. Tier volume: is Hot still {pct(max(0.0, hot_share - 0.05))} to {pct(hot_share + 0.05)} of leads?",
        "3. Score distribution shape: a sudden shift usually means a data feed broke.",
        "4. New lead sources or segments that the model has no signal for.",
        "5. Rep feedback on score accuracy (a short survey every 2 weeks).",
        "",
        "Monthly recalibration review: re-run `leadscore build` on the last 90 days plus history, compare each "
        "signal's lift with the lift in Section 3, adjust points where a lift moved by more than 20%, and "
        "update thresholds if tier conversion has shifted.",
        "",
        "Rebuild from scratch if: accuracy drops below "
        f"{pct(acc - 0.10 if isinstance(acc, float) else None)} (10 points under this holdout's {pct(acc)}); "
        f"Hot falls below {pct(hot_rate * 0.5 if isinstance(hot_rate, float) else None)} (half of its holdout rate); "
        "a new product, market or segment is added; the competitive landscape changes; or new closed deals "
        "outnumber the deals this model was built on.",
    ]


def _ab_testing(analysis: Analysis) -> list[str]:
    """6.5: the control and treatment groups of the first 60 days and what counts as success."""
    hot = _hot_tier(analysis)
    hot_low = hot.holdout_ci[0] if hot and hot.holdout_ci else None
    return [
        "",
        "### 6.5 A/B Testing Protocol",
        "",
        "For the first 60 days: a control group (30% of leads, chosen at random) is worked as today without "
        "scores; the treatment group (70%) sees scores and follows the tier SLAs. Compare lead-to-opportunity "
        "conversion, time to first contact, sales cycle length, win rate, revenue per lead and rep adoption.",
        f"Success: the treatment group improves at least two of these by 10% or more with no degradation in the "
        f"others, and Hot leads reach a {rate_noun(analysis)} of at least {pct(hot_low)}: the low end of "
        f"the Hot tier's holdout interval ({_hot_rate(hot)}).",
    ]


def _trust_lines(analysis: Analysis, val: Validation) -> list[str]:
    """No-skill baseline, AUC interval, the models a data scientist would fit, per-tier
    precision and recall, and the decile lift table: what a reader needs to trust the AUC."""
    out = []
    acc, no_skill = val.accuracy, val.no_skill_accuracy
    out.append(
        f"- No-skill baseline: calling every holdout deal the commoner outcome scores "
        f"{pct(no_skill, 1)} accuracy; the model's accuracy is {pct(acc, 1)}."
    )
    low, high = val.auc_ci or (None, None)
    out.append(
        f"- Holdout AUC {num(val.auc, 3)}, bootstrap 95% interval {num(low, 3)} to "
        f"{num(high, 3)} (deals resampled 1,000 times)."
    )
    base = val.baselines
    out.append(
        "- The same training deals and fields fitted by scikit-learn, scored on the same holdout: "
        f"logistic regression AUC {num(base.logistic_regression, 3)}, gradient boosting "
        f"AUC {num(base.gradient_boosting, 3)}, against {num(val.auc, 3)} for the "
        "integer points."
    )
    rows = [
        [
            t.tier,
            num(t.holdout_n),
            num(t.holdout_won),
            pct(t.precision),
            pct(t.recall),
        ]
        for t in val.tiers
    ]
    if rows:
        out += [
            "",
            "Per tier on the holdout (precision: share of the tier's deals won; recall: share of all "
            "holdout wins that fell in the tier):",
            "",
            table(["Tier", "Deals", "Won", "Precision", "Recall"], rows),
        ]
    deciles = val.deciles
    if deciles:
        out += [
            "",
            "Decile lift (holdout deals in ten equal groups by score, highest first):",
            "",
            table(
                ["Decile", "Scores", "Deals", "Won", "Win Rate", "Lift"],
                [
                    [
                        d.decile,
                        f"{num(d.min_score)} to {num(d.max_score)}",
                        num(d.n),
                        num(d.won),
                        pct(d.win_rate),
                        f"{num(d.lift, 2)}x",
                    ]
                    for d in deciles
                ],
            ),
        ]
    return out
