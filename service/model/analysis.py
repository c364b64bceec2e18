"""The assembly of ``analysis.json``.

Every number placed in the JSON is measured by the step that owns it; this module only gathers
them under the keys of the contract (see the build brief) and makes them JSON-safe.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from service.config import BuildConfig
from service.model.patterns import (
    RANKING_FORMULA,
    loss_reason_table,
)
from service.model.thresholds import distribution, separation, tier_table
from service.scoring.rules import DIMENSIONS, GROUPS

if TYPE_CHECKING:
    from service.model.fit import Fit


def json_safe(value: Any) -> Any:
    """Plain JSON types: numpy scalars unwrapped, NaN and infinity as ``None``."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, datetime):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


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


def notes(fit: Fit, validation: dict[str, Any], confidence: dict[str, Any]) -> list[str]:
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
    auc = validation.get("auc")
    if auc is not None and auc < 0.6:
        out.append(
            f"The holdout AUC is {auc:.2f}, close to 0.5 (chance): the scores barely rank won above lost."
        )
    if confidence.get("level") == "Low":
        out.append("Model confidence is Low; treat the tiers as a rough guide only.")
    return out


def assemble(
    *,
    now: datetime,
    version: str,
    config: BuildConfig,
    source: dict[str, Any],
    y: np.ndarray,
    train_n: int,
    holdout_n: int,
    audit: dict[str, Any],
    fit: Fit,
    validation: dict[str, Any],
    confidence: dict[str, Any],
    excluded: list[Any],
    icp: list[dict[str, Any]],
    refit_all: bool,
    all_scores: pd.DataFrame,
    loss_reasons: pd.Series | None,
    split_note: str | None,
    loss_attributes: pd.DataFrame | None = None,
    capacity: dict[str, Any] | None,
) -> dict[str, Any]:
    """The ``analysis.json`` document."""
    total = fit.scores["total"].to_numpy(dtype=float)
    tiers = tier_table(total, fit.y, fit.rules.thresholds, fit.rules.tiers)
    held = {t["tier"]: t for t in validation.get("tiers") or []}
    for row in tiers:
        # the rate a reader acts on is the one measured on deals the model never saw
        row.update({k: v for k, v in held.get(row["tier"], {}).items() if k.startswith("holdout_")})
        row["training_win_rate"] = row["expected_conversion"]
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
    return {
        "model_version": version,
        "built_at": now.isoformat(timespec="seconds"),
        "company": config.company,
        "source": source,
        "base_rate": float(np.mean(y)) if len(y) else None,
        "won": int(np.sum(y)),
        "lost": int(len(y) - np.sum(y)),
        "train_n": int(train_n),
        "holdout_n": int(holdout_n),
        "fitted_on": "every deal (refit after validation)" if refit_all else "training deals",
        "audit": audit,
        "attributes": [s.to_dict() for s in fit.patterns.stats],
        "ranking_formula": RANKING_FORMULA,
        "interactions": [
            i.to_dict(
                scored=i.id in fit.points.points_,
                adds_both=i.a.id in fit.points.points_ and i.b.id in fit.points.points_,
            )
            for i in fit.patterns.interactions
        ],
        "non_predictors": fit.patterns.non_predictors,
        "insufficient_data": fit.patterns.insufficient,
        "loss_reasons": losses,
        "signals": fit.points.details_,
        "signals_without_points": zeroed,
        "points_fit": {
            "method": "L1-penalised logistic regression on the candidate signals, C by 3-fold "
            "cross-validation (log loss) on the training deals; points = round(coefficient x scale)",
            "C": fit.points.C_,
            "scale": fit.points.scale_,
            "rank_fidelity": fit.points.spearman_,
        },
        "dimensions": dimensions_block(fit),
        "score_range": score_range(fit),
        "distributions": {
            "won": distribution(total[fit.y == 1]),
            "lost": distribution(total[fit.y == 0]),
        },
        "separation": separation(total, fit.y) if len(set(fit.y)) == 2 else None,
        "thresholds": fit.rules.thresholds.model_dump(),
        "tiers": tiers,
        "capacity": capacity,
        "validation": validation,
        "split_note": split_note,
        "confidence": confidence,
        "excluded": [{"field": e.field, "reason": e.reason, "detail": e.detail} for e in excluded],
        "icp_comparison": icp,
        "refit_all": refit_all,
        "notes": notes(fit, validation, confidence),
    }
