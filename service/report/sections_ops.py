"""Sections 5 (CRM implementation), 7 (batch scoring) and 8 (maintenance); Section 6 is in
``sections_validation``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import yaml

from service.model.analysis_schema import Analysis
from service.report.fmt import num, pct, signed, table
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


def crm_implementation(analysis: Analysis) -> str:
    """Section 5, one function per numbered subsection."""
    parts = ["## Section 5: CRM Implementation Guide", ""]
    parts += _crm_fields(analysis)
    parts += _automation_rules(analysis)
    parts += _dashboards()
    parts += _integration_points()
    return "\n".join(parts)


def _crm_fields(analysis: Analysis) -> list[str]:
    """5.1: the score fields to create and the CRM field each signal reads."""
    parts = [
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
    for s in analysis.signals:
        fields = s.fields or [s.field]
        sf = ", ".join(
            mappings.get("salesforce", {}).get(f, "map it in the field mapping") for f in fields
        )
        hs = ", ".join(
            mappings.get("hubspot", {}).get(f, "map it in the field mapping") for f in fields
        )
        rows.append([s.label or s.name, ", ".join(fields), sf, hs])
    parts.append(
        table(["Signal", "Data field", "Salesforce field", "HubSpot property"], rows)
        if rows
        else "No signals."
    )
    return parts


def _automation_rules(analysis: Analysis) -> list[str]:
    """5.2: re-scoring, alerts, notifications, assignment, stale leads and trend."""
    hot, warm = num(analysis.thresholds.hot), num(analysis.thresholds.warm)
    return [
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
    ]


def _dashboards() -> list[str]:
    """5.3: the three dashboards."""
    return [
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
    ]


def _integration_points() -> list[str]:
    """5.4: the systems leadscore exchanges data with."""
    return [
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


def maintenance(analysis: Analysis) -> str:
    try:
        built = datetime.fromisoformat(analysis.built_at).date()
    except ValueError:
        built = date.today()
    val = analysis.validation
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
                        analysis.model_version,
                        built.isoformat(),
                        "Initial model build",
                        f"Baseline: holdout AUC {num(val.auc, 2)}, accuracy {pct(val.accuracy)}",
                    ]
                ],
            ),
        ]
    )


__all__ = ["batch", "crm_implementation", "maintenance", "signed"]
