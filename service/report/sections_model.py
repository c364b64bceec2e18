"""Sections 1.2-1.3 notes, 2 (win/loss patterns), 3 (scoring model) and 4 (thresholds)."""

from __future__ import annotations

from typing import Any

from service.model.analysis_schema import Analysis, Attribute, SignalDetail
from service.report.fmt import NA, attribute_name, lift, num, pct, signed, table

REASON_WORDS = {
    "identifier": "an identifier (every value distinct), so it cannot generalise",
    "constant": "constant (one value), so it cannot separate won from lost",
    "leakage_one_outcome_only": "filled in for one outcome only, so it is known only after the deal closes",
    "leakage_close_time": "recorded at or after close, so it leaks the outcome",
    "leakage_near_perfect": "separates won from lost almost perfectly out of sample: suspected leakage",
    "leakage_outcome_coded": "recorded because of the outcome: suspected leakage",
    "leakage_process_field": "filled in during the sales process: suspected leakage",
    "leakage_strong_single_field": "separates won from lost implausibly well: suspected leakage",
    "leakage_name_cue": "its name describes the sales process or the result: suspected leakage",
    "leakage_same_as_suspect": "carries the same information as a suspected field",
    "configured_exclude": "excluded in the configuration",
    "sales_process": "it describes the sales process (who owns or works the deal), not the lead; scoring "
    "it would feed itself once Hot leads go to the top sellers (name it under `keep:` to score it anyway)",
}


SKIP_EXCLUDED = {"outcome", "date"}


def quality_notes(analysis: Analysis) -> list[str]:
    audit = analysis.audit
    notes = []
    for p in audit.problems:
        detail = p.detail or p.kind
        rows = p.rows
        if rows and "row" not in detail:
            shown = ", ".join(str(r) for r in rows[:8]) + (" ..." if len(rows) > 8 else "")
            detail += f" (rows {shown})"
        field = p.field
        if field and not detail.startswith(f"{field}:"):
            detail = f"{field}: {detail}"
        notes.append(detail if detail.endswith(".") else detail + ".")
    placeholders = audit.placeholders
    if placeholders:
        counts = ", ".join(
            f"{col} ({', '.join(f'{k!s} x{v}' for k, v in vals.items())})"
            for col, vals in list(placeholders.items())[:6]
        )
        notes.append(f"Placeholder values were treated as missing: {counts}.")
    excluded = analysis.excluded or audit.excluded
    excluded_fields = {e.field for e in excluded}
    for f in audit.fields:
        c = f.completeness
        if c < 0.8 and f.name not in excluded_fields:
            notes.append(
                f"{f.name} is only {pct(c)} complete; missing values count as 'not evaluated'."
            )
    listed = {s.field for s in analysis.suspected_leakage}
    for e in excluded:
        if e.reason in SKIP_EXCLUDED or e.field in listed:
            continue  # suspects are listed with their evidence by sections_leakage
        notes.append(
            f"{e.field} was left out of the model: {REASON_WORDS.get(e.reason, e.reason)}."
        )
    return notes


def icp_comparison(analysis: Analysis) -> list[str]:
    """Stated ICP against what the won deals show; never a source of points."""
    rows = analysis.icp_comparison
    if not rows:
        return [
            "No stated ICP was given (`--icp icp.yaml`), so there is nothing to compare the data with."
        ]
    out = [
        table(
            ["ICP criterion", "Stated", "What the data shows", "Verdict"],
            [[r.criterion, r.stated, r.observed, r.verdict] for r in rows],
        ),
        "",
        "The stated ICP never sets points: the data does. Criteria marked 'not confirmed' or 'cannot check' "
        "are ones your won and lost deals do not support (or do not record).",
    ]
    return out


def limitations(analysis: Analysis) -> list[str]:
    audit = analysis.audit
    out = []
    surv = audit.survivorship.note
    out.append(
        surv
        if surv
        else "The model is trained on deals that reached a closed outcome; leads that never became "
        "opportunities are not in the data, so scores on raw top-of-funnel leads are an extrapolation."
    )
    entries = analysis.insufficient_data
    # a whole field skipped for its shape (free text, a counter) is not a value with too few deals
    skipped = [t for t in entries if t.value is None and t.range is None]
    thin = [t for t in entries if t not in skipped]
    if thin:
        names = ", ".join(attribute_name(t) + f" ({num(t.n)} deals)" for t in thin[:8])
        out.append(
            f"Too few deals to judge {len(thin)} attribute "
            + ("value, which gets" if len(thin) == 1 else "values, which get")
            + f" no points: {names}."
        )
    for t in skipped:
        out.append(f"{t.field} gets no points: {t.reason or NA}.")
    for m in audit.missing_inputs:
        dims = ", ".join(m.dimensions_affected)
        out.append(
            f"{m.input} was not available ({m.impact or 'not scored'}){'; affects ' + dims if dims else ''}."
        )
    if audit.adequacy.message:
        out.append(audit.adequacy.message)
    return out


def win_loss(analysis: Analysis) -> str:
    """Section 2, one function per numbered subsection."""
    parts = ["## Section 2: Win/Loss Pattern Analysis", ""]
    for subsection in (_top_attributes, _non_predictors, _interactions, _loss_reasons):
        parts += subsection(analysis)
    return "\n".join(parts)


def _top_attributes(analysis: Analysis) -> list[str]:
    """2.1: the significant attributes, ranked, with their win rates and lift."""
    attrs = sorted(
        (a for a in analysis.attributes if a.significant),
        key=lambda a: a.rank or 10**9,
    )
    parts = [
        "### 2.1 Top Predictive Attributes (Ranked by Lift)",
        "",
    ]
    formula = analysis.ranking_formula
    if formula:
        parts += [f"Ranked by predictive power: {formula}", ""]
    if attrs:
        parts.append(
            table(
                [
                    "Rank",
                    "Attribute",
                    "Win Rate When Present",
                    "Win Rate When Absent",
                    "Lift",
                    "Sample Size",
                    "Confidence",
                ],
                [
                    [
                        i,
                        attribute_name(a),
                        pct(a.win_rate_present),
                        pct(a.win_rate_absent),
                        lift(a.lift),
                        f"{num(a.n)} deals",
                        a.confidence,
                    ]
                    for i, a in enumerate(attrs[:20], 1)
                ],
            )
        )
        if len(attrs) > 20:
            parts.append(
                f"\n{len(attrs) - 20} more significant attributes are listed in analysis.json."
            )
    else:
        parts.append(
            "No attribute was significantly associated with winning (q < 0.05 after Benjamini-Hochberg)."
        )
    return parts


def _non_predictors(analysis: Analysis) -> list[str]:
    """2.2: attributes with no measurable effect on winning."""
    parts = ["", "### 2.2 Attributes That Do NOT Predict Winning", ""]
    parts.append(
        "These attributes are commonly assumed to matter but showed no statistical correlation with deal outcomes in your data:\n"
    )
    nons = analysis.non_predictors
    if nons:
        parts.append(
            table(
                ["Attribute", "Win Rate When Present", "Win Rate When Absent", "Lift", "Note"],
                [
                    [
                        attribute_name(a),
                        pct(a.win_rate_present),
                        pct(a.win_rate_absent),
                        lift(a.lift),
                        a.note or f"p = {num(a.p_value, 2)}: no measurable effect",
                    ]
                    for a in nons[:15]
                ],
            )
        )
    else:
        parts.append("Every attribute tested showed some association; none sat at a lift near 1.")
    return parts


def _interactions(analysis: Analysis) -> list[str]:
    """2.3: pairs of attributes tested against the joint model."""
    parts = ["", "### 2.3 Interaction Effects", ""]
    inter = analysis.interactions
    labels = {a.id: attribute_name(a) for a in analysis.attributes}
    if inter:
        parts.append(
            table(
                ["Combination", "Win Rate", "Individual Rates", "Interaction Lift", "Note"],
                [
                    [
                        f"{labels.get(i.a, i.a)} + {labels.get(i.b, i.b)}",
                        pct(i.win_rate_both),
                        f"A: {pct(i.win_rate_a)}, B: {pct(i.win_rate_b)}",
                        lift(i.interaction_lift),
                        (i.note or "")
                        + (
                            f" (q {_q(i.q_value)} against the joint model"
                            + ("; scored as a pair)" if i.scored else ")")
                        ),
                    ]
                    for i in inter[:10]
                ],
            )
        )
    else:
        parts.append(
            "No pair of strong attributes had enough deals together to test an interaction."
        )
    return parts


def _loss_reasons(analysis: Analysis) -> list[str]:
    """2.4: how often each loss reason occurs and the average score at loss."""
    parts = ["", "### 2.4 Loss Reason Analysis", ""]
    losses = analysis.loss_reasons
    if losses:
        parts.append(
            table(
                ["Loss Reason", "Frequency", "Avg Score at Loss", "Pattern"],
                [
                    [
                        r.reason,
                        f"{pct(r.share_of_losses)} of losses",
                        f"{num(r.avg_score, 1)} points",
                        r.pattern or NA,
                    ]
                    for r in losses
                ],
            )
        )
    else:
        parts.append("Not available: the data has no loss-reason field.")
    return parts


def scoring_model(analysis: Analysis, titles: dict[str, str]) -> str:
    sr = analysis.score_range
    dims = analysis.dimensions
    signals = analysis.signals
    parts = [
        "## Section 3: Scoring Model",
        "",
        "### 3.0 Score Range and Structure",
        "",
        f"- Total Possible Points: {num(sr.max_positive)} (positive signals) to "
        f"{num(sr.min)} (with negative signals applied)",
        f"- Maximum Positive Score: {num(sr.max_positive)} points",
        f"- Maximum Negative Deductions: {num(sr.max_negative)} points",
        f"- Effective Range: {num(sr.min)} to {num(sr.max)}",
        "- Points come from a joint (penalised logistic) fit of the selected signals, so two signals that "
        "measure the same thing do not both collect full points; each row shows the signal's own lift "
        "next to its points so the two can be checked against each other.",
        "- Cap: no single positive signal may carry more than 35% of the maximum positive score; a signal "
        "held to that cap shows the points its fit earned beside the points it ships with.",
    ]
    for i, dim in enumerate(("firmographic", "behavioral", "engagement", "intent"), 1):
        info = dims.get(dim)
        rows = [
            s
            for s in signals
            if s.dimension == dim or (s.dimension == "negative" and s.source_dimension == dim)
        ]
        parts += [
            "",
            f"### 3.{i} Dimension {i}: {titles[dim]} (0 to {num(info and info.max_points)} points max)",
            "",
        ]
        if rows:
            parts.append(_signal_table(rows))
            if any(s.dimension == "negative" for s in rows):
                parts.append(
                    "\nRows marked (deduction) come off the total score; they are counted in the "
                    "negative subtotal (3.5), not in this dimension's maximum."
                )
        else:
            parts.append(
                f"No {titles[dim].lower()} signal earned points: either no such field was in the data or none "
                "predicted winning with enough confidence. This dimension is not scored rather than guessed."
            )
        parts.append(
            f"\n{titles[dim]} Dimension Max: {num(info and info.max_points)} points  \n"
            f"Average score for closed-won deals: {num(info and info.avg_won, 1)} points  \n"
            f"Average score for closed-lost deals: {num(info and info.avg_lost, 1)} points"
        )
    neg = [s for s in signals if s.dimension == "negative"]
    # a signal carries its lift; its win rate is in the attribute it was made from
    measured = {a.id: a for a in analysis.attributes if a.id}
    parts += ["", "### 3.5 Negative Scoring (Deductions Summary)", ""]
    if neg:
        parts.append(
            table(
                ["Signal", "Deduction", "Dimension", "Rationale"],
                [
                    [
                        s.label or s.name,
                        signed(s.points),
                        f"{titles.get(s.source_dimension, 'Other').split()[0]} (deduction)",
                        f"won {pct(_win_rate(s, measured))} "
                        f"of the time vs {pct(analysis.base_rate)} overall "
                        f"({lift(s.lift)}, {num(s.n)} deals)",
                    ]
                    for s in neg
                ],
            )
        )
        parts.append(f"\nMax Total Deduction: −{num(sr.max_negative)} points")
    else:
        parts.append(
            "No attribute had a win rate significantly below the base rate; no points are deducted."
        )
    return "\n".join(parts)


def _q(value: Any) -> str:
    if isinstance(value, int | float) and value < 0.001:
        return "< 0.001"
    return f"= {num(value, 3)}"


def _win_rate(s: SignalDetail, measured: dict[str, Attribute]) -> float | None:
    """A signal's win rate: that of the attribute it was made from."""
    attribute = measured.get(s.id)
    return attribute.win_rate_present if attribute else None


def points_text(s: SignalDetail) -> str:
    """The points a signal ships with, the cap that held them down, and deductions named."""
    text = signed(s.points)
    if s.dimension == "negative":
        text += " (deduction)"
    uncapped = s.points_uncapped
    if isinstance(uncapped, int | float) and uncapped != s.points:
        text += (
            f" (capped from {signed(uncapped)}: no signal may exceed 35% of the positive maximum)"
        )
    return text


def _signal_table(rows: list[SignalDetail]) -> str:
    return table(
        ["Signal", "Points", "Criteria", "Data Source", "Lift Basis"],
        [
            [
                s.label or s.name,
                points_text(s),
                s.criteria or NA,
                ", ".join(s.fields or [s.field]),
                f"{lift(s.lift)} lift ({num(s.n)} deals)",
            ]
            for s in rows
        ],
    )
