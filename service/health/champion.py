"""Champion (the live rules) against challenger (a candidate) on the same recent holdout deals.

Both are scored on exactly the deals the candidate was validated on (never trained on), so the
figures compare. Per model: the AUC with its 95% interval (Hanley and McNeil's standard error)
and the Hot tier's precision (share of Hot deals won) with its Wilson 95% interval.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from service.model.stats import wilson_interval
from service.scoring.engine import score_frame
from service.scoring.rules import Rules


def auc_interval(auc: float, n_pos: int, n_neg: int, z: float = 1.959964) -> tuple[float, float]:
    """95% interval of an AUC from Hanley and McNeil (1982), clipped to [0, 1]."""
    if n_pos < 1 or n_neg < 1:
        return 0.0, 1.0
    q1 = auc / (2 - auc)
    q2 = 2 * auc**2 / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc**2) + (n_neg - 1) * (q2 - auc**2)) / (
        n_pos * n_neg
    )
    se = math.sqrt(max(var, 0.0))
    return max(0.0, auc - z * se), min(1.0, auc + z * se)


def evaluate(rules: Rules, frame: pd.DataFrame, y: np.ndarray) -> dict[str, Any]:
    """AUC and Hot precision of ``rules`` on the deals ``frame`` (outcomes ``y``, 1 = won)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y, dtype=int)
    scores = score_frame(rules, frame).scores
    total = scores["total"].to_numpy(dtype=float)
    n_pos, n_neg = int(y.sum()), int(len(y) - y.sum())
    auc = float(roc_auc_score(y, total)) if n_pos and n_neg else None
    hot = (scores["tier"] == "Hot").to_numpy()
    hot_n, hot_won = int(hot.sum()), int(y[hot].sum())
    return {
        "version": rules.version,
        "deals": len(y),
        "auc": None if auc is None else round(auc, 4),
        "auc_ci": None if auc is None else [round(v, 4) for v in auc_interval(auc, n_pos, n_neg)],
        "hot_n": hot_n,
        "hot_precision": hot_won / hot_n if hot_n else None,
        "hot_precision_ci": list(wilson_interval(hot_won, hot_n)) if hot_n else None,
    }
