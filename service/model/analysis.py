"""The assembly of ``analysis.json``.

Every number placed in the JSON is measured by the step that owns it and arrives here as a typed
block (``service.model.analysis_schema``); this module gathers the blocks the fit itself measures
and puts the whole ``Analysis`` together.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from service.config import BuildConfig
from service.model import analysis_schema as S
from service.model.patterns import (
    RANKING_FORMULA,
    loss_reason_table,
)
from service.model.reference import PopulationScores
from service.model.thresholds import distribution, separation, tier_table
from service.scoring.rules import DIMENSIONS, GROUPS

if TYPE_CHECKING:
    from service.model.fit import Fit


def dimensions_block(fit: Fit) -> dict[str, dict[str, Any]]:
    """Per group: maximum points, average points of won and lost deals, number of signals."""
    scores, y = fit.scores, fit.y
    out = {}
    for group in GROUPS:
        if group == "negative":
            max_points = fit.rules.negative_max_points
        else:
            limits: dict[str, Any] = {str(k): v for k, v in fit.rules.dimensions.items()}
            limit = limits.get(group)
            max_points = limit.max_points if limit else 0
        col = scores[group].to_numpy(dtype=float) if group in scores else np.zeros(len(y))
        out[group] = {
            "max_points": int(max_points),
            "avg_won": float(col[y == 1].mean()) if (y == 1).any() else None,
            "avg_lost": float(col[y == 0].mean()) if (y == 0).any() else None,
            "n_signals": sum(1 for s in fit.rules.signals if s.dimension == group),
        }
    return out


def score_range(fit: Fit) -> dict[str, int]:
    max_positive = int(sum(d.max_points for d in fit.rules.dimensions.values()))
    max_negative = int(fit.rules.negative_max_points)
    return {
        "min": -max_negative,
        "max": max_positive,
        "max_positive": max_positive,
        "max_negative": max_negative,
    }


def notes(fit: Fit, validation: S.Validation, confidence: S.Confidence) -> list[str]:
    """Plain statements about what the data could not support."""
    out = []
    significant = sum(1 for s in fit.patterns.stats if s.significant)
    if not fit.rules.signals:
        out.append(
            "No attribute predicts winning reliably in these deals: the model has no signals and "
            "scores every lead 0. Collect more deals or more informative fields before relying on it."
        )
    elif significant == 0:
        out.append("No attribute was significant after the false-discovery correction.")
    for d in DIMENSIONS:
        if not any(s.dimension == d for s in fit.rules.signals):
            out.append(
                f"No {d} signal earned points: the data gives no evidence for that dimension."
            )
    auc = validation.auc
    if auc is not None and auc < 0.6:
        out.append(
            f"The holdout AUC is {auc:.2f}, close to 0.5 (chance): the scores barely rank won above lost."
        )
    if confidence.level == "Low":
        out.append("Model confidence is Low; treat the tiers as a rough guide only.")
    return out


def tier_rows(
    fit: Fit, validation: S.Validation, leads: PopulationScores | None
) -> list[S.TierRow]:
    """Each tier on the training deals, with the holdout rate beside it and, when leads were
    given (scored by ``score_population``), the tier's share of the current leads."""
    total = fit.scores["total"].to_numpy(dtype=float)
    held = {t.tier: t for t in validation.tiers}
    rows = []
    for row in tier_table(total, fit.y, fit.rules.thresholds, fit.rules.tiers):
        # the rate a reader acts on is the one measured on deals the model never saw
        if row["tier"] in held:
            measured = held[row["tier"]].model_dump(exclude_unset=True)
            row.update({k: v for k, v in measured.items() if k.startswith("holdout_")})
        row["training_win_rate"] = row["expected_conversion"]
        if leads is not None:
            row["share_of_current_leads"] = float(leads.tiers.get(row["tier"], 0) / max(1, leads.n))
        rows.append(S.TierRow.measured(row))
    return rows


def assemble(
    *,
    now: datetime,
    version: str,
    config: BuildConfig,
    source: S.Source,
    y: np.ndarray,
    train_n: int,
    holdout_n: int,
    audit: S.Audit,
    fit: Fit,
    validation: S.Validation,
    confidence: S.Confidence,
    excluded: list[Any],
    icp: list[S.IcpRow],
    refit_all: bool,
    all_scores: pd.DataFrame,
    loss_reasons: pd.Series | None,
    split_note: str | None,
    loss_attributes: pd.DataFrame | None = None,
    capacity: S.Capacity | None,
    leakage_warning: S.LeakageWarning | None,
    headline: S.Headline | None,
    outcome_unit: str,
    leads: PopulationScores | None,
    health_reference: S.HealthReference,
    fields_not_in_leads: list[str],
    more_notes: list[str],
) -> S.Analysis:
    """The ``analysis.json`` document from the typed blocks of each step."""
    total = fit.scores["total"].to_numpy(dtype=float)
    losses = []
    if loss_reasons is not None:
        losses = loss_reason_table(
            loss_reasons.reset_index(drop=True),
            pd.Series(y),
            all_scores["total"].reset_index(drop=True),
            loss_attributes,
        )
    zeroed = [
        d
        for d in fit.points.dropped_
        if d["reason"] != "not significantly above or below the base rate"
    ]
    optional: dict[str, Any] = {}
    if leakage_warning is not None:
        optional["leakage_warning"] = leakage_warning
    if leads is not None:
        optional["current_leads"] = S.CurrentLeads(
            n=leads.n, unscoreable=int(leads.tiers.get("Unscoreable", 0))
        )
    if fields_not_in_leads:
        optional["fields_not_in_leads"] = fields_not_in_leads
    return S.Analysis(
        model_version=version,
        built_at=now.isoformat(timespec="seconds"),
        company=config.company,
        source=source,
        base_rate=float(np.mean(y)) if len(y) else None,
        won=int(np.sum(y)),
        lost=int(len(y) - np.sum(y)),
        train_n=int(train_n),
        holdout_n=int(holdout_n),
        fitted_on="every deal (refit after validation)" if refit_all else "training deals",
        audit=audit,
        attributes=[S.Attribute.measured(s.to_dict()) for s in fit.patterns.stats],
        ranking_formula=RANKING_FORMULA,
        interactions=[
            S.Interaction.measured(
                i.to_dict(
                    scored=i.id in fit.points.points_,
                    adds_both=i.a.id in fit.points.points_ and i.b.id in fit.points.points_,
                )
            )
            for i in fit.patterns.interactions
        ],
        non_predictors=[S.NonPredictor.measured(n) for n in fit.patterns.non_predictors],
        insufficient_data=[S.Insufficient.measured(n) for n in fit.patterns.insufficient],
        loss_reasons=[S.LossReason.measured(r) for r in losses],
        signals=[S.SignalDetail.measured(d) for d in fit.points.details_],
        signals_without_points=[S.DroppedSignal.measured(d) for d in zeroed],
        points_fit=S.PointsFit.measured(
            {
                "method": "L1-penalised logistic regression on the candidate signals, C by 3-fold "
                "cross-validation (log loss) on the training deals; points = round(coefficient x scale)",
                "C": fit.points.C_,
                "scale": fit.points.scale_,
                "rank_fidelity": fit.points.spearman_,
            }
        ),
        dimensions={k: S.Dimension.measured(v) for k, v in dimensions_block(fit).items()},
        score_range=S.ScoreRange(**score_range(fit)),
        distributions=S.Distributions.measured(
            {
                "won": distribution(total[fit.y == 1]),
                "lost": distribution(total[fit.y == 0]),
            }
        ),
        separation=(
            S.Separation.measured(separation(total, fit.y)) if len(set(fit.y)) == 2 else None
        ),
        thresholds=S.Thresholds.measured(fit.rules.thresholds.model_dump()),
        tiers=tier_rows(fit, validation, leads),
        capacity=capacity,
        validation=validation,
        split_note=split_note,
        confidence=confidence,
        excluded=[S.Excluded(field=e.field, reason=e.reason, detail=e.detail) for e in excluded],
        icp_comparison=icp,
        refit_all=refit_all,
        notes=[*notes(fit, validation, confidence), *more_notes],
        suspected_leakage=audit.suspected_leakage,
        headline=headline,
        outcome_unit=outcome_unit,
        health_reference=health_reference,
        transitions=S.Transitions.measured(fit.rules.transitions()),
        **optional,
    )
