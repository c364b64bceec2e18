"""The single strongest predictor the executive summary names.

It must be a signal the model actually scores, and its effect must hold on deals the model
never saw. Among the positive signals of the validated model, the contribution of a signal is
its points times the spread (standard deviation) of its indicator on the training deals: how
much it moves scores across the deals, so a large group with solid points outranks a tiny
group with extreme points. The headline is the signal with the largest contribution whose
holdout win rate with it is above the holdout win rate without it; ``None`` when no signal holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from service.model.stats import wilson_interval
from service.scoring.rules import Rules


def choose_headline(
    rules: Rules,
    train_fires: pd.DataFrame,
    holdout_fires: pd.DataFrame,
    y_holdout: np.ndarray,
    final_rules: Rules | None = None,
) -> dict[str, Any] | None:
    """The headline predictor, with its points (in ``final_rules`` when given) and holdout
    win rates; signals absent from ``final_rules`` (dropped by a refit) are passed over."""
    y = np.asarray(y_holdout, dtype=int)
    final = {tuple(map(repr, s.when)): s for s in (final_rules or rules).signals}
    ranked = []
    for s in rules.signals:
        if s.points <= 0 or s.name not in train_fires or s.name not in holdout_fires:
            continue
        spread = float(train_fires[s.name].to_numpy(dtype=float).std())
        ranked.append((s.points * spread, s))
    ranked.sort(key=lambda t: -t[0])
    for contribution, s in ranked:
        shipped = final.get(tuple(map(repr, s.when)))
        if shipped is None or shipped.points <= 0:
            continue
        fires = holdout_fires[s.name].to_numpy(dtype=bool)
        n_with, n_without = int(fires.sum()), int((~fires).sum())
        if not n_with or not n_without:
            continue
        won_with, won_without = int(y[fires].sum()), int(y[~fires].sum())
        rate_with, rate_without = won_with / n_with, won_without / n_without
        if rate_with <= rate_without:
            continue
        low, high = wilson_interval(won_with, n_with)
        return {
            "name": shipped.name,
            "label": shipped.label or shipped.name,
            "dimension": shipped.dimension,
            "points": int(shipped.points),
            "contribution": round(float(contribution), 4),
            "holdout_n": n_with,
            "holdout_won": won_with,
            "holdout_win_rate": rate_with,
            "holdout_ci": [low, high],
            "holdout_win_rate_without": rate_without,
            "holdout_n_without": n_without,
        }
    return None
