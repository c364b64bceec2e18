"""Sections 5 (CRM implementation), 6 (validation), 7 (batch scoring) and 8 (maintenance)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from service.report.fmt import NA, holdout_rate, num, pct, rate_noun, signed, table
from service.report.transitions import sla_sentence, stale_sentence

FIELDS = [
    ("Lead_Score_Total", "Number (integer)", "Total lead score"),
    ("Lead_Score_Firmographic", "Number (integer)", "Firmographic dimension subtotal"),
    ("Lead_Score_Behavioral", "Number (integer)", "Behavioral dimension subtotal"),
    ("Lead_Score_Engagement", "Number (integer)", "Engagement dimension subtotal"),
    ("Lead_Score_Intent", "Number (integer)", "Intent dimension subtotal"),
    (
        "Lead_Score_Tier",
        "Picklist (Hot/Warm/Cool/Cold/Unscoreable)",
        "Current tier assignment (Unscoreable: too little data to score)",
    ),
    ("Lead_Score_Last_Calculated", "DateTime", "Timestamp of last score calculation"),
    ("Lead_Score_Trend", "Picklist (Rising/Stable/Falling)", "Score direction over last 14 days"),
    ("Lead_Score_Version", "Text", "Model version (for recalibration tracking)"),
    (
        "Lead_Score_Top_Factors",
        "Long text",
        "The signals that contributed most, in words a rep understands",
    ),
]


def _crm_mappings() -> dict[str, dict[str, str]]:
    """Attribute -> CRM field, from the connectors' default mappings where they exist."""
    root = Path(__file__).resolve().parents[2] / "connectors"
    found: dict[str, dict[str, str]] = {}
    for crm in ("salesforce", "hubspot"):
        path = root / crm / "default_mapping.yaml"
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        fields = ((data.get("leads") or {}).get("fields")) or {}
        found[crm] = {str(k): str(v) for k, v in fields.items()}
    return found


def crm_implementation(analysis: dict[str, Any]) -> str:
    th = analysis.get("thresholds") or {}
    parts = [
        "## Section 5: CRM Implementation Guide",
        "",
        "### 5.1 Required CRM Fields",
        "",
        "Create the following custom fields in your CRM:",
        "",
    ]
    parts.append(
        table(
            ["Field Name", "Field Type", "Location", "Purpose"],
            [[name, kind, "Lead/Contact record", desc] for name, kind, desc in FIELDS],
        )
    )
    parts.append(
        "\nIn Salesforce the fields are custom fields (`Lead_Score_Total__c`, ...; `deploy/salesforce/` "
        "holds their metadata); in HubSpot they are contact properties (`lead_score_total`, ...) that "
        "`leadscore crm setup` creates."
    )
    mappings = _crm_mappings()
    parts += ["", "Each signal reads these fields:", ""]
    rows = []
    for s in analysis.get("signals") or []:
        fields = s.get("fields") or [s.get("field")]
        sf = ", ".join(
            mappings.get("salesforce", {}).get(f, "map it in the field mapping") for f in fields
        )
        hs = ", ".join(
            mappings.get("hubspot", {}).get(f, "map it in the field mapping") for f in fields
        )
        rows.append([s.get("label") or s.get("name"), ", ".join(fields), sf, hs])
    parts.append(
        table(["Signal", "Data field", "Salesforce field", "HubSpot property"], rows)
        if rows
        else "No signals."
    )
    hot, warm = num(th.get("hot")), num(th.get("warm"))
    parts += [
        "",
        "### 5.2 Automation Rules",
        "",
        "- Rule 1, real-time recalculation: any tracked activity (form fill, email open, page view, meeting, "
        "enrichment update) re-scores the lead and updates the total, the dimension fields, the tier and "
        "`Lead_Score_Last_Calculated`. The daemon also re-scores on each tier's cadence (Section 4.3).",
        f"- Rule 2, Hot lead alert: when `Lead_Score_Tier` changes to Hot (total {hot} or more), the assigned "
        "rep is alerted on Slack with the lead, company, score breakdown, top factors and the first action; "
        f"{sla_sentence(analysis)}; the first rep activity stops it, a breach is escalated once.",
        "- Rule 3, tier change notification: any tier change notifies the owner with the previous and new "
        f"tier and what caused it; an upgrade to Hot or Warm (total {warm} or more) assigns an unassigned lead.",
        "- Rule 4, assignment by tier: new Hot and Warm leads are assigned round-robin, weighted by territory, "
        "industry expertise and current Hot + Warm queue.",
        "- Rule 5, stale lead downgrade: " + stale_sentence(analysis),
        "- Rule 6, trend: a daily job compares the total with its value 14 days ago: Rising (+5 or more), "
        "Stable, Falling (−5 or more), written to `Lead_Score_Trend`.",
        "",
        "### 5.3 Dashboard and Reporting Setup",
        "",
        "- Dashboard 1, Lead Scoring Overview: leads by tier, score histogram, tier migration this period, "
        "average score by lead source, Hot volume over time.",
        "- Dashboard 2, Model Performance: conversion by tier (the key metric), time to conversion by tier, "
        "score at conversion and at disqualification, false positive rate (Hot/Warm lost) and false negative "
        "rate (Cool/Cold won).",
        "- Dashboard 3, Rep Productivity Impact: time on Hot/Warm vs Cool/Cold, conversion by rep by tier, "
        "Hot SLA compliance, average score in each rep's pipeline.",
        "",
        "### 5.4 Integration Points",
        "",
        table(
            ["System", "Integration Type", "Data Flow", "Purpose"],
            [
                [
                    "CRM (Salesforce or HubSpot)",
                    "Bidirectional",
                    "Deals, leads, activity -> leadscore; Lead_Score_* -> CRM",
                    "Train, score, write back",
                ],
                [
                    "Marketing Automation",
                    "Inbound to CRM",
                    "Engagement events -> CRM",
                    "Behavioral and engagement signals",
                ],
                [
                    "Enrichment Platform",
                    "Inbound to CRM",
                    "Firmographics, tech stack -> CRM",
                    "Firmographic signals",
                ],
                [
                    "Intent Data Provider",
                    "Inbound to CRM",
                    "Intent topics -> CRM",
                    "Intent signals",
                ],
                ["Slack", "Outbound", "Hot lead alerts -> channel", "Real-time rep notification"],
            ],
        ),
    ]
    return "\n".join(parts)


PERCENT_METRICS = ("accuracy", "precision", "recall")


def _metric_value(metric: str, value: Any) -> str:
    if value is None:
        return NA
    return pct(value, 1) if metric.startswith(PERCENT_METRICS) else num(value, 2)


def _targets_table(val: dict[str, Any]) -> str:
    rows = []
    for t in val.get("targets") or []:
        metric = str(t.get("metric") or "")
        target = t.get("target")
        if isinstance(target, int | float):
            target = (
                f"> {pct(target)}" if metric.startswith(PERCENT_METRICS) else f"> {num(target, 2)}"
            )
        status = "Pass" if t.get("passed") else ("Fail" if t.get("passed") is False else NA)
        if t.get("note"):
            status += f" ({t['note']})"
        rows.append(
            [t.get("label") or metric, _metric_value(metric, t.get("value")), target, status]
        )
    return (
        table(["Metric", "Value", "Target", "Status"], rows)
        if rows
        else "Validation metrics are not available."
    )


def _driver_text(r: dict[str, Any]) -> str:
    if r.get("why"):
        return str(r["why"])
    drivers = [
        f"{d.get('label') or d.get('signal')} ({signed(d.get('points'))})"
        if isinstance(d, dict)
        else str(d)
        for d in r.get("drivers") or []
    ]
    missing = [str(m.get("label") if isinstance(m, dict) else m) for m in r.get("missing") or []]
    text = ("driven by " + ", ".join(drivers)) if drivers else "no signal fired"
    if missing:
        text += "; could not evaluate " + ", ".join(missing)
    return text


def _errors_table(rows: list[dict[str, Any]], outcome: str) -> str:
    if not rows:
        return f"No deal fell in this group on the holdout ({outcome})."
    return table(
        ["Deal", "Score", "Tier", "Actual Outcome", "Why Model Was Wrong"],
        [
            [r.get("deal"), num(r.get("score")), r.get("tier"), outcome, _driver_text(r)]
            for r in rows[:10]
        ],
    )


def validation(analysis: dict[str, Any], plots: dict[str, str]) -> str:
    val = analysis.get("validation") or {}
    conf = val.get("confusion") or {}
    tiers = {t["tier"]: t for t in analysis.get("tiers") or []}
    split = {
        "newest_by_date": "the newest deals by close date",
        "stratified_random": "randomly sampled, stratified by outcome",
    }
    share = val.get("holdout_n", 0) / max(
        1, (analysis.get("won") or 0) + (analysis.get("lost") or 0)
    )
    parts = [
        "## Section 6: Validation Methodology",
        "",
        "### 6.1 Holdout Validation (Initial)",
        "",
        f"Holdout Set: {num(val.get('holdout_n'))} deals ({num(val.get('holdout_won'))} won, {num(val.get('holdout_lost'))} lost) "
        f"-- {pct(share)} of total historical data, {split.get(str(val.get('split')), str(val.get('split') or NA))}. "
        "No held-out deal influenced binning, signal selection, points or thresholds.",
    ]
    if analysis.get("refit_all"):
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
                    f"{num(conf.get('tp'))} (True Positive)",
                    f"{num(conf.get('fn'))} (False Negative)",
                ],
                [
                    "Actual: Loss",
                    f"{num(conf.get('fp'))} (False Positive)",
                    f"{num(conf.get('tn'))} (True Negative)",
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
    parts += [
        "",
        "### 6.2 False Positive Analysis",
        "",
        "Deals scored as Hot or Warm that were actually lost.",
        "",
    ]
    parts.append(_errors_table(val.get("false_positives") or [], "Lost"))
    parts.append(f"\nPattern in False Positives: {val.get('fp_pattern') or NA}")
    parts.append(
        f"Recommended Fix: {val.get('fp_fix') or 'review the signals named above with the reps who worked these deals; lower their points if the pattern holds at the next recalibration.'}"
    )
    parts += [
        "",
        "### 6.3 False Negative Analysis",
        "",
        "Deals scored as Cool or Cold that actually closed-won.",
        "",
    ]
    parts.append(_errors_table(val.get("false_negatives") or [], "Won"))
    parts.append(f"\nPattern in False Negatives: {val.get('fn_pattern') or NA}")
    parts.append(
        f"Recommended Fix: {val.get('fn_fix') or 'capture the missing fields named above (enrichment or activity tracking) so these deals can earn the points they lack.'}"
    )
    hot = tiers.get("Hot", {})
    hot_rate = hot.get("holdout_win_rate")
    hot_low = (hot.get("holdout_ci") or [None])[0]
    acc = val.get("accuracy")
    parts += [
        "",
        "### 6.4 Ongoing Monitoring Protocol",
        "",
        "Weekly for the first 90 days, then monthly:",
        f"1. {rate_noun(analysis).capitalize()} by tier: is Hot still at {pct(hot_rate * 0.8 if isinstance(hot_rate, float) else None)} or more (80% of its holdout rate {holdout_rate(hot)})?",
        f"2. Tier volume: is Hot still {pct(max(0.0, (hot.get('share_of_leads') or 0) - 0.05))} to {pct((hot.get('share_of_leads') or 0) + 0.05)} of leads?",
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
        "",
        "### 6.5 A/B Testing Protocol",
        "",
        "For the first 60 days: a control group (30% of leads, chosen at random) is worked as today without "
        "scores; the treatment group (70%) sees scores and follows the tier SLAs. Compare lead-to-opportunity "
        "conversion, time to first contact, sales cycle length, win rate, revenue per lead and rep adoption.",
        f"Success: the treatment group improves at least two of these by 10% or more with no degradation in the "
        f"others, and Hot leads reach a {rate_noun(analysis)} of at least {pct(hot_low)}: the low end of "
        f"the Hot tier's holdout interval ({holdout_rate(hot)}).",
    ]
    return "\n".join(parts)


def _trust_lines(analysis: dict[str, Any], val: dict[str, Any]) -> list[str]:
    """No-skill baseline, AUC interval, the models a data scientist would fit, per-tier
    precision and recall, and the decile lift table: what a reader needs to trust the AUC."""
    out = []
    acc, no_skill = val.get("accuracy"), val.get("no_skill_accuracy")
    out.append(
        f"- No-skill baseline: calling every holdout deal the commoner outcome scores "
        f"{pct(no_skill, 1)} accuracy; the model's accuracy is {pct(acc, 1)}."
    )
    ci = val.get("auc_ci") or [None, None]
    out.append(
        f"- Holdout AUC {num(val.get('auc'), 3)}, bootstrap 95% interval {num(ci[0], 3)} to "
        f"{num(ci[1], 3)} (deals resampled 1,000 times)."
    )
    base = val.get("baselines") or {}
    out.append(
        "- The same training deals and fields fitted by scikit-learn, scored on the same holdout: "
        f"logistic regression AUC {num(base.get('logistic_regression'), 3)}, gradient boosting "
        f"AUC {num(base.get('gradient_boosting'), 3)}, against {num(val.get('auc'), 3)} for the "
        "integer points."
    )
    rows = [
        [
            t.get("tier"),
            num(t.get("holdout_n")),
            num(t.get("holdout_won")),
            pct(t.get("precision")),
            pct(t.get("recall")),
        ]
        for t in val.get("tiers") or []
    ]
    if rows:
        out += [
            "",
            "Per tier on the holdout (precision: share of the tier's deals won; recall: share of all "
            "holdout wins that fell in the tier):",
            "",
            table(["Tier", "Deals", "Won", "Precision", "Recall"], rows),
        ]
    deciles = val.get("deciles") or []
    if deciles:
        out += [
            "",
            "Decile lift (holdout deals in ten equal groups by score, highest first):",
            "",
            table(
                ["Decile", "Scores", "Deals", "Won", "Win Rate", "Lift"],
                [
                    [
                        d.get("decile"),
                        f"{num(d.get('min_score'))} to {num(d.get('max_score'))}",
                        num(d.get("n")),
                        num(d.get("won")),
                        pct(d.get("win_rate")),
                        f"{num(d.get('lift'), 2)}x",
                    ]
                    for d in deciles
                ],
            ),
        ]
    return out


def batch(section: str | None) -> str:
    if section:
        body = section.strip()
        if not body.startswith("## Section 7"):
            body = "## Section 7: Batch Scoring Current Leads\n\n" + body
        return body
    return (
        "## Section 7: Batch Scoring Current Leads\n\n"
        "No current leads were scored with this build. Score them with "
        "`leadscore score leads.csv --model model/model.yaml --report model/batch.md`; "
        "`leadscore build --leads leads.csv` puts the results here."
    )


def maintenance(analysis: dict[str, Any]) -> str:
    raw = analysis.get("built_at")
    try:
        built = datetime.fromisoformat(str(raw)).date()
    except ValueError:
        built = date.today()
    val = analysis.get("validation") or {}
    return "\n".join(
        [
            "## Section 8: Model Maintenance Runbook",
            "",
            "### 8.1 Weekly Tasks (15 minutes)",
            "",
            "1. Check Dashboard 2 (Model Performance) for any metric that moved more than 10% from this report's figures.",
            "2. Review Hot leads that were lost: which signal misled the model?",
            "3. Review Cold leads that were won: which signal did the model miss?",
            "4. Spot-check 5 recent leads: are the `Lead_Score_*` fields current (`Lead_Score_Last_Calculated`)?",
            "",
            "### 8.2 Monthly Tasks (1 hour)",
            "",
            "1. Re-run the win/loss analysis on the last 90 days (`leadscore build`).",
            "2. Compare the lift of the top 10 signals with Section 3.",
            "3. Look for new fields that could improve the model (`leadscore audit`).",
            "4. Review rep feedback on score accuracy.",
            "5. Adjust points where a signal's lift changed by 20% or more (edit the rules YAML, then `leadscore rules check`).",
            "6. Update this document and increment the version.",
            "",
            "### 8.3 Quarterly Tasks (Half day)",
            "",
            "1. Full rebuild if a trigger in Section 6.4 fired.",
            "2. Validate against last quarter's closed deals.",
            "3. Present model performance to sales leadership.",
            "4. Collect structured feedback from reps.",
            "5. Evaluate new data sources (intent providers, enrichment tools).",
            "6. Update the ICP definition if the target market shifted.",
            "",
            "### 8.4 Version History",
            "",
            table(
                ["Version", "Date", "Changes", "Impact"],
                [
                    [
                        analysis.get("model_version", "1.0"),
                        built.isoformat(),
                        "Initial model build",
                        f"Baseline: holdout AUC {num(val.get('auc'), 2)}, accuracy {pct(val.get('accuracy'))}",
                    ]
                ],
            ),
        ]
    )


__all__ = ["batch", "crm_implementation", "maintenance", "signed", "validation"]
