"""``lead-scoring-model.md``: every section of the specification's document structure.

Built from ``analysis.json`` alone (plus the Section 7 markdown when leads were scored), so the
report can be rebuilt at any time and every number in it is one the builder measured. A value that
cannot be computed says "not available" and why; no placeholder survives.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from service.model.analysis_schema import Analysis
from service.report import (
    sections_leakage,
    sections_model,
    sections_ops,
    sections_tiers,
    sections_validation,
)
from service.report.fmt import NA, num, pct, rate_noun, signed, table

DIMENSION_TITLES = {
    "firmographic": "Firmographic Fit",
    "behavioral": "Behavioral Signals",
    "engagement": "Engagement Depth",
    "intent": "Intent Indicators",
    "negative": "Negative Signals",
}


def _built(analysis: Analysis) -> date:
    try:
        return datetime.fromisoformat(analysis.built_at).date()
    except ValueError:
        return date.today()


def _date_range(analysis: Analysis) -> str:
    dr = analysis.audit.date_range
    start, end = (dr.start, dr.end) if dr else (None, None)
    if start and end:
        return f"{str(start)[:10]} to {str(end)[:10]}"
    return "date range not available (no close-date column)"


def _date_phrase(analysis: Analysis) -> str:
    text = _date_range(analysis)
    return f"(closed {text})" if text[:1].isdigit() else "(the deals carry no close date)"


def header(analysis: Analysis) -> str:
    built = _built(analysis)
    conf = analysis.confidence
    reasons = (
        " ".join(r if r.endswith(".") else r + "." for r in conf.reasons) or "no reasons recorded"
    )
    company = analysis.company or (
        f"{Path(analysis.source.path or 'deals').stem} "
        "(set `company:` in the build configuration to name it)"
    )
    return "\n".join(
        [
            f"# Lead Scoring Model: {company}",
            "",
            f"**Model Version:** {analysis.model_version}  ",
            f"**Built:** {built.isoformat()}  ",
            f"**Data Basis:** {num(analysis.won)} closed-won deals, "
            f"{num(analysis.lost)} closed-lost deals, {_date_range(analysis)}  ",
            f"**Base Conversion Rate:** {pct(analysis.base_rate, 1)} "
            "(closed-won / total closed deals analyzed)  ",
            f"**Model Confidence:** {conf.level} -- {reasons}  ",
            f"**Next Recalibration:** {(built + timedelta(days=90)).isoformat()} (90 days out)",
        ]
    )


def executive_summary(analysis: Analysis) -> str:
    val = analysis.validation
    signals = analysis.signals
    tiers = {t.tier: t for t in analysis.tiers}
    score_range = analysis.score_range
    p1 = (
        f"This model ranks leads by how much they resemble the deals you actually won. It was built "
        f"from {num(analysis.won)} won and {num(analysis.lost)} lost deals "
        f"{_date_phrase(analysis)}, where {pct(analysis.base_rate, 1)} of closed deals were won. "
        f"It uses {len(signals)} signals across four dimensions plus negative signals, for a score from "
        f"{num(score_range.min)} to {num(score_range.max)} points, and it was checked on "
        f"{num(val.holdout_n)} deals it never saw while being built."
    )
    top = analysis.headline
    if top:
        p2 = (
            f"The single strongest predictor of a closed-won deal in the fitted model is "
            f"**{top.label}** ({signed(top.points)} points, the largest contribution "
            f"to the score): on the {num(val.holdout_n)} held-out deals, those with it won "
            f"{pct(top.holdout_win_rate)} of the time ({num(top.holdout_n)} deals) "
            f"against {pct(top.holdout_win_rate_without)} without it."
        )
    else:
        p2 = (
            "No signal of the fitted model held up on the held-out deals (or none earned points), so "
            "there is no strongest predictor to name: collect more closed deals or richer fields "
            "before relying on the model."
        )
    if tiers:
        rates = ", ".join(f"{name} {pct(tiers[name].holdout_win_rate)}" for name in tiers)
        p2 += (
            f" The model assigns leads to four tiers; on the held-out deals the "
            f"{rate_noun(analysis)} per tier was {rates} (Section 4.2 gives the intervals)."
        )
    share_leads = None
    conf = val.confusion
    if val.holdout_n:
        share_leads = (conf.tp + conf.fp) / val.holdout_n
    recall = val.recall_hot_warm
    if isinstance(recall, int | float) and share_leads:
        gain = recall / share_leads if share_leads else None
        p3 = (
            f"On the held-out deals, the top two tiers (Hot and Warm) held {pct(share_leads)} of the "
            f"deals and {pct(recall)} of the eventual wins: a rep working only those tiers reaches "
            f"{num(gain, 1)} times as many wins per lead worked as working leads at random. "
            f"Discrimination (AUC) on the holdout was {num(val.auc, 2)}."
        )
    else:
        p3 = (
            "The share of eventual wins in the top two tiers is not available: the holdout had no "
            "Hot or Warm deals, or no wins."
        )
    return "\n\n".join(["## Executive Summary", p1, p2, p3])


def _key_fields(analysis: Analysis, dimension: str) -> list[str]:
    fields = {a.field for a in analysis.attributes if a.dimension == dimension}
    return sorted(f for f in fields if f)


def data_foundation(analysis: Analysis) -> str:
    audit = analysis.audit
    completeness = {f.name: f.completeness for f in audit.fields}
    rows = []
    sources = [
        ("CRM Closed Deals", None),
        ("Marketing Automation", "behavioral"),
        ("Engagement Data", "engagement"),
        ("Enrichment Data", "firmographic"),
        ("Intent Data", "intent"),
    ]
    for name, dim in sources:
        fields = sorted(completeness) if dim is None else _key_fields(analysis, dim)
        values = [completeness[f] for f in fields if isinstance(completeness.get(f), int | float)]
        if not fields:
            rows.append([name, 0, NA, "not available: no such fields in the data", "none"])
            continue
        avg = sum(values) / len(values) if values else None
        shown = ", ".join(fields[:6]) + (f" and {len(fields) - 6} more" if len(fields) > 6 else "")
        rows.append(
            [
                name,
                num(audit.closed_deals),
                _date_range(analysis),
                f"{pct(avg)} complete",
                shown,
            ]
        )
    parts = ["## Section 1: Data Foundation", "", "### 1.1 Data Sources Analyzed", ""]
    parts.append(
        table(["Source", "Records", "Date Range", "Completeness", "Key Fields Used"], rows)
    )
    parts += ["", "### 1.2 Data Quality Notes", ""]
    notes = sections_leakage.leakage_notes(analysis) + sections_model.quality_notes(analysis)
    parts += [f"- {n}" for n in notes] or ["- No data-quality problems were found."]
    parts += ["", "### 1.3 Known Limitations", ""]
    parts += [f"- {n}" for n in sections_model.limitations(analysis)]
    parts += ["", "### 1.4 Stated ICP Compared With the Data", ""]
    parts += sections_model.icp_comparison(analysis)
    return "\n".join(parts)


def render_report(
    analysis: Analysis,
    *,
    batch_section: str | None = None,
    plots: dict[str, str] | None = None,
) -> str:
    """The whole document, section by section, in the specification's order."""
    plots = plots or {}
    sections = [
        header(analysis),
        executive_summary(analysis),
        data_foundation(analysis),
        sections_model.win_loss(analysis),
        sections_model.scoring_model(analysis, DIMENSION_TITLES),
        sections_tiers.thresholds(analysis, plots),
        sections_ops.crm_implementation(analysis),
        sections_validation.validation(analysis, plots),
        sections_ops.batch(batch_section),
        sections_ops.maintenance(analysis),
    ]
    return "\n\n".join(s.strip() for s in sections) + "\n"
