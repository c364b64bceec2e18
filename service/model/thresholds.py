"""Step 4: Hot / Warm / Cool / Cold cut-offs from the training deals' scores.

- Distributions of won and lost scores (min, p25, median, p75, max) and the separation point,
  the score where the empirical CDFs of lost and won differ most (the Kolmogorov-Smirnov distance).
- Hot: the cut with the best F1 for "won" among cuts that keep Hot at most ``hot_max_share``.
- Cool (the floor of Cool, below which is Cold): the lowest cut that puts at least
  ``cold_min_share`` of deals in Cold.
- Warm: the KS separation point when it lies between the two; otherwise the cut between them
  with the largest KS distance.

All cuts are whole scores; a tier is ``score >= cut``. Per tier: expected conversion with a
Wilson 95% interval, share, SLA, action and re-scoring cadence, and a capacity check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy.stats import ks_2samp
from statsmodels.stats.proportion import proportion_confint

from service.config import CapacityConfig, TierPolicy
from service.errors import InsufficientDataError
from service.scoring.rules import TIERS, Thresholds, TierPlaybook, default_playbook


def distribution(scores: np.ndarray) -> dict:
    """Minimum, quartiles and maximum of a set of scores."""
    if len(scores) == 0:
        return {k: None for k in ("min", "p25", "median", "p75", "max")}
    q = np.percentile(scores, [0, 25, 50, 75, 100])
    return {k: float(v) for k, v in zip(("min", "p25", "median", "p75", "max"), q, strict=True)}


def separation(scores: np.ndarray, y: np.ndarray) -> dict:
    """The score with the largest gap between the lost and won CDFs, and that gap (KS)."""
    won, lost = scores[y == 1], scores[y == 0]
    cuts = np.unique(scores)
    # share of lost below the cut minus share of won below the cut: high when the cut separates
    gap = _cdf_below(lost, cuts) - _cdf_below(won, cuts)
    best = int(np.argmax(gap))
    ks = ks_2samp(won, lost)
    return {"score": float(cuts[best]), "ks": float(ks.statistic), "p_value": float(ks.pvalue)}


def _cdf_below(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.sort(values), cuts, side="left") / max(len(values), 1)


def choose_thresholds(scores: np.ndarray, y: np.ndarray, policy: TierPolicy) -> Thresholds:
    """Integer cut-offs ``hot > warm > cool`` under the share constraints of ``policy``."""
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y, dtype=int)
    if len(scores) == 0:
        raise InsufficientDataError("no scored deals to set thresholds from.")
    cuts = np.arange(np.floor(scores.min()), np.ceil(scores.max()) + 2)
    sorted_scores = np.sort(scores)
    n = len(scores)
    share_at_or_above = 1 - np.searchsorted(sorted_scores, cuts, side="left") / n
    wins = y.sum()
    sorted_won = np.sort(scores[y == 1])
    won_above = len(sorted_won) - np.searchsorted(sorted_won, cuts, side="left")
    flagged = share_at_or_above * n
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, won_above / flagged, 0.0)
        recall = won_above / wins if wins else np.zeros_like(cuts)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    allowed = share_at_or_above <= policy.hot_max_share + 1e-12
    hot = float(cuts[allowed][np.argmax(f1[allowed])])
    cold_ok = (1 - share_at_or_above) >= policy.cold_min_share - 1e-12
    cool = float(cuts[cold_ok][0])
    if hot - cool < 2:
        # the constraints leave no room for Warm: keep Cold's share, push Hot up
        hot = cool + 2
    inside = np.arange(cool + 1, hot)
    gap = _cdf_below(scores[y == 0], inside) - _cdf_below(scores[y == 1], inside)
    warm = float(inside[int(np.argmax(gap))])
    return Thresholds(hot=hot, warm=warm, cool=cool)


def assign_tiers(scores: np.ndarray, thresholds: Thresholds) -> np.ndarray:
    """The tier name of each score (``>= hot`` Hot, ``>= warm`` Warm, ``>= cool`` Cool)."""
    scores = np.asarray(scores, dtype=float)
    return np.select(
        [scores >= thresholds.hot, scores >= thresholds.warm, scores >= thresholds.cool],
        ["Hot", "Warm", "Cool"],
        default="Cold",
    )


def tier_table(
    scores: np.ndarray,
    y: np.ndarray,
    thresholds: Thresholds,
    playbook: Mapping[Any, TierPlaybook] | None = None,
    lead_scores: np.ndarray | None = None,
) -> list[dict]:
    """Per tier: score range, expected conversion (Wilson 95%), share, SLA, action, cadence.

    ``share_of_leads`` is measured on ``lead_scores`` when given (current leads), else on the
    deals themselves.
    """
    book_of: Mapping[Any, TierPlaybook] = playbook or default_playbook()
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(y, dtype=int)
    tiers = assign_tiers(scores, thresholds)
    share_tiers = tiers if lead_scores is None else assign_tiers(lead_scores, thresholds)
    bounds = {
        "Hot": (thresholds.hot, None),
        "Warm": (thresholds.warm, thresholds.hot - 1),
        "Cool": (thresholds.cool, thresholds.warm - 1),
        "Cold": (None, thresholds.cool - 1),
    }
    rows = []
    for tier in TIERS:
        mask = tiers == tier
        n, won = int(mask.sum()), int(y[mask].sum())
        if n:
            low, high = proportion_confint(won, n, alpha=0.05, method="wilson")
            rate = won / n
        else:
            low = high = rate = None
        book = book_of[tier]
        rows.append(
            {
                "tier": tier,
                "min_score": bounds[tier][0],
                "max_score": bounds[tier][1],
                "expected_conversion": rate,
                "ci_low": None if low is None else float(low),
                "ci_high": None if high is None else float(high),
                "share_of_leads": float(np.mean(share_tiers == tier)) if len(share_tiers) else 0.0,
                "n": n,
                "won_n": won,
                "sla": book.sla,
                "action": book.action,
                "rescore_every_days": book.rescore_every_days,
            }
        )
    return rows


def capacity_check(tiers: Sequence[dict], capacity: CapacityConfig | None) -> dict | None:
    """Can the reps work every Hot and Warm lead each week? ``None`` without a capacity config."""
    if capacity is None:
        return None
    weekly_capacity = capacity.reps * capacity.leads_per_rep_per_week
    share = {t["tier"]: t["share_of_leads"] for t in tiers}
    out: dict = {
        "reps": capacity.reps,
        "leads_per_rep_per_week": capacity.leads_per_rep_per_week,
        "capacity_per_week": weekly_capacity,
        "new_leads_per_week": capacity.new_leads_per_week,
        "hot_share": share["Hot"],
        "hot_warm_share": share["Hot"] + share["Warm"],
    }
    if capacity.new_leads_per_week is None:
        out.update(
            hot_per_week=None,
            hot_warm_per_week=None,
            utilisation=None,
            ok=None,
            message="Give new_leads_per_week in the capacity config to check rep capacity.",
        )
        return out
    hot = share["Hot"] * capacity.new_leads_per_week
    hot_warm = out["hot_warm_share"] * capacity.new_leads_per_week
    utilisation = hot_warm / weekly_capacity
    ok = utilisation <= 1.0
    if ok:
        message = (
            f"{hot_warm:.0f} Hot and Warm leads a week fit the reps' {weekly_capacity} "
            f"({utilisation:.0%} of capacity)."
        )
    elif hot <= weekly_capacity:
        message = (
            f"{hot_warm:.0f} Hot and Warm leads a week exceed the reps' {weekly_capacity}; "
            "Hot fits, so work Warm by score order or raise the Warm threshold."
        )
    else:
        message = (
            f"{hot:.0f} Hot leads a week alone exceed the reps' {weekly_capacity}; "
            "raise the Hot threshold or add reps."
        )
    out.update(
        hot_per_week=hot,
        hot_warm_per_week=hot_warm,
        utilisation=utilisation,
        ok=ok,
        message=message,
    )
    return out
