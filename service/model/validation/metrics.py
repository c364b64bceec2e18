"""What a reader needs to trust the holdout figures: the numbers beside the model's own.

- ``auc_interval``: a percentile bootstrap interval for the holdout AUC (deals resampled with
  replacement; resamples with one outcome only are skipped);
- ``no_skill_accuracy``: the accuracy of always predicting the commoner outcome, the bar any
  accuracy figure must clear;
- ``decile_table``: the holdout deals in ten equal groups by score, best first, with each
  group's win rate and its lift over the holdout's base rate;
- ``tier_holdout``: per tier, the holdout deals, wins, win rate with its Wilson 95% interval,
  and the tier's precision (its win rate) and recall (its share of the holdout's wins).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from service.model.stats import wilson_interval
from service.scoring.rules import TIERS

#: bootstrap resamples for the AUC interval
BOOTSTRAP_RESAMPLES = 1000
DECILES = 10


def auc_interval(
    scores: np.ndarray,
    won: np.ndarray,
    *,
    seed: int = 0,
    resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = 0.95,
) -> list[float] | None:
    """``[low, high]`` percentile bootstrap interval of the AUC; ``None`` with one outcome.

    Each resample is a multinomial count per deal; the AUC of a resample is computed from the
    won and lost counts at each distinct score (ties count half), which equals
    ``roc_auc_score`` on the resampled deals, for all resamples at once."""
    scores = np.asarray(scores, dtype=float)
    won = np.asarray(won, dtype=int)
    if won.size == 0 or won.min() == won.max():
        return None
    rng = np.random.default_rng(seed)
    n = won.size
    _, level_of = np.unique(scores, return_inverse=True)
    values: list[np.ndarray] = []
    chunk = max(1, min(resamples, 2_000_000 // n))
    for start in range(0, resamples, chunk):
        size = min(chunk, resamples - start)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(float)
        auc = weighted_aucs(counts, level_of, won)
        auc = auc[np.isfinite(auc)]
        values.append(auc)
    drawn = np.concatenate(values) if values else np.array([])
    if drawn.size == 0:
        return None
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(drawn, [tail, 100 - tail])
    return [round(float(low), 4), round(float(high), 4)]


def weighted_aucs(weights: np.ndarray, level_of: np.ndarray, won: np.ndarray) -> np.ndarray:
    """The AUC of each row of ``weights`` (deal weights) given each deal's score level
    (``np.unique(scores, return_inverse=True)[1]``) and outcome; NaN where a row has no
    weighted won-lost pair."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    levels = int(level_of.max()) + 1
    onehot = np.zeros((level_of.size, levels))
    onehot[np.arange(level_of.size), level_of] = 1.0
    c1 = (weights * (won == 1)) @ onehot
    c0 = (weights * (won == 0)) @ onehot
    below0 = np.cumsum(c0, axis=1) - c0
    pairs = c1.sum(axis=1) * c0.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((c1 * below0).sum(axis=1) + 0.5 * (c1 * c0).sum(axis=1)) / pairs


def no_skill_accuracy(won: np.ndarray) -> float | None:
    """Accuracy of predicting the commoner outcome for every deal (an "all lost" rule)."""
    won = np.asarray(won, dtype=int)
    if won.size == 0:
        return None
    rate = float(won.mean())
    return max(rate, 1 - rate)


def decile_table(scores: np.ndarray, won: np.ndarray) -> list[dict[str, Any]]:
    """Ten groups of (nearly) equal size by score, highest first: n, won, win rate, lift.

    Deals with equal scores are kept in their holdout order, so a tie may straddle two groups;
    each row gives its score range so a reader can see it."""
    scores = np.asarray(scores, dtype=float)
    won = np.asarray(won, dtype=int)
    if won.size < DECILES:
        return []
    base = float(won.mean())
    order = np.argsort(-scores, kind="stable")
    rows = []
    for k, part in enumerate(np.array_split(order, DECILES), 1):
        n, w = int(part.size), int(won[part].sum())
        rate = w / n if n else None
        rows.append(
            {
                "decile": k,
                "n": n,
                "won": w,
                "win_rate": rate,
                "lift": None if rate is None or base == 0 else rate / base,
                "min_score": float(scores[part].min()),
                "max_score": float(scores[part].max()),
            }
        )
    return rows


def tier_holdout(tiers: np.ndarray, won: np.ndarray) -> list[dict[str, Any]]:
    """Per tier on the holdout: n, won, win rate, Wilson 95% interval, precision and recall."""
    tiers = np.asarray(tiers)
    won = np.asarray(won, dtype=int)
    total_won = int(won.sum())
    rows = []
    for tier in TIERS:
        mask = tiers == tier
        n, w = int(mask.sum()), int(won[mask].sum())
        rate = w / n if n else None
        ci = list(wilson_interval(w, n)) if n else None
        rows.append(
            {
                "tier": tier,
                "holdout_n": n,
                "holdout_won": w,
                "holdout_win_rate": rate,
                "holdout_ci": ci,
                "precision": rate,
                "recall": w / total_won if total_won else None,
            }
        )
    return rows
