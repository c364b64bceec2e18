"""Step 4: thresholds, tier table and capacity check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import ks_2samp

from service.config import CapacityConfig, TierPolicy
from service.model.thresholds import (
    assign_tiers,
    capacity_check,
    choose_thresholds,
    distribution,
    separation,
    tier_table,
)
from service.scoring.rules import Thresholds


def _planted(seed: int, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 80, n).astype(float)
    p = 1 / (1 + np.exp(-(scores - 50) / 8))
    return scores, (rng.random(n) < p).astype(int)


def test_distribution_matches_numpy_percentiles():
    """The five-number summary is the 0/25/50/75/100th percentile of the scores."""
    scores = np.array([0, 10, 20, 30, 40, 55.0])
    got = distribution(scores)
    assert got == {"min": 0.0, "p25": 12.5, "median": 25.0, "p75": 37.5, "max": 55.0}
    assert distribution(np.array([]))["median"] is None


def test_separation_point_and_ks_on_disjoint_scores():
    """Won scores all above lost scores: KS is 1 and the separation point is the lowest won."""
    scores = np.array([1, 2, 3, 4, 10, 11, 12.0])
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    sep = separation(scores, y)
    assert sep["ks"] == pytest.approx(1.0)
    assert sep["score"] == 10.0


def test_separation_ks_equals_scipy_on_overlapping_scores():
    """The KS distance is scipy's two-sample statistic and the point attains it."""
    scores, y = _planted(1)
    sep = separation(scores, y)
    assert sep["ks"] == pytest.approx(ks_2samp(scores[y == 1], scores[y == 0]).statistic)
    cut = sep["score"]
    gap = np.mean(scores[y == 0] < cut) - np.mean(scores[y == 1] < cut)
    assert gap == pytest.approx(sep["ks"])


@pytest.mark.parametrize("seed", range(5))
def test_thresholds_respect_share_constraints(seed):
    """Hot holds at most 15% of deals, Cold at least 30%, and hot > warm > cool."""
    scores, y = _planted(seed)
    t = choose_thresholds(scores, y, TierPolicy())
    assert t.hot > t.warm > t.cool
    assert np.mean(scores >= t.hot) <= 0.15
    assert np.mean(scores < t.cool) >= 0.30
    # Cool's floor is the lowest cut giving Cold 30%: one point lower would give less
    assert np.mean(scores < t.cool - 1) < 0.30


def test_hot_cut_has_best_f1_within_the_share_limit():
    """No other cut allowed by the Hot share limit gives a higher F1 for won deals."""
    scores, y = _planted(7)
    t = choose_thresholds(scores, y, TierPolicy(hot_max_share=0.2, cold_min_share=0.3))

    def f1(cut):
        pred = scores >= cut
        tp = (pred & (y == 1)).sum()
        return 0.0 if tp == 0 else 2 * tp / (pred.sum() + y.sum())

    allowed = [c for c in range(0, 82) if np.mean(scores >= c) <= 0.2]
    assert f1(t.hot) == pytest.approx(max(f1(c) for c in allowed))


def test_tied_scores_put_everyone_in_cold_rather_than_break_the_limits():
    """When every deal has the same score there is nothing to separate: all deals are Cold."""
    scores = np.zeros(100)
    y = np.r_[np.ones(30), np.zeros(70)].astype(int)
    t = choose_thresholds(scores, y, TierPolicy())
    assert t.hot > t.warm > t.cool
    assert set(assign_tiers(scores, t)) == {"Cold"}


def test_assign_tiers_boundaries_are_inclusive():
    """A score equal to a cut belongs to the higher tier."""
    t = Thresholds(hot=60, warm=40, cool=20)
    got = assign_tiers(np.array([60, 59, 40, 39, 20, 19, -5]), t)
    assert list(got) == ["Hot", "Warm", "Warm", "Cool", "Cool", "Cold", "Cold"]


def _wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def test_tier_table_conversion_and_wilson_interval():
    """Each tier's conversion is its won share with the hand-computed Wilson 95% interval."""
    scores = np.array([70] * 10 + [50] * 20 + [30] * 30 + [0] * 40, dtype=float)
    y = np.array([1] * 8 + [0] * 2 + [1] * 10 + [0] * 10 + [1] * 6 + [0] * 24 + [1] * 2 + [0] * 38)
    rows = tier_table(scores, y, Thresholds(hot=60, warm=40, cool=20))
    by = {r["tier"]: r for r in rows}
    assert [r["n"] for r in rows] == [10, 20, 30, 40]
    assert by["Hot"]["expected_conversion"] == pytest.approx(0.8)
    low, high = _wilson(8, 10)
    assert by["Hot"]["ci_low"] == pytest.approx(low)
    assert by["Hot"]["ci_high"] == pytest.approx(high)
    assert by["Cold"]["expected_conversion"] == pytest.approx(0.05)
    assert sum(r["share_of_leads"] for r in rows) == pytest.approx(1.0)
    assert by["Hot"]["sla"] == "1 hour" and by["Cold"]["rescore_every_days"] == 30
    assert by["Warm"]["min_score"] == 40 and by["Warm"]["max_score"] == 59


def test_tier_table_shares_come_from_current_leads_when_given():
    """With lead scores the share column describes the leads, not the training deals."""
    scores = np.array([70, 0, 0, 0], dtype=float)
    y = np.array([1, 0, 0, 0])
    leads = np.array([70, 70, 50, 0], dtype=float)
    rows = tier_table(scores, y, Thresholds(hot=60, warm=40, cool=20), lead_scores=leads)
    assert rows[0]["share_of_leads"] == pytest.approx(0.5)
    assert rows[0]["n"] == 1


def _tiers(hot: float, warm: float) -> list[dict]:
    return [
        {"tier": "Hot", "share_of_leads": hot},
        {"tier": "Warm", "share_of_leads": warm},
        {"tier": "Cool", "share_of_leads": 0.3},
        {"tier": "Cold", "share_of_leads": 1 - hot - warm - 0.3},
    ]


def test_capacity_check_flags_overload_and_passes_when_it_fits():
    """Hot+Warm leads per week are compared with reps x leads per rep."""
    fits = capacity_check(
        _tiers(0.1, 0.2), CapacityConfig(reps=3, leads_per_rep_per_week=40, new_leads_per_week=300)
    )
    assert fits["ok"] is True
    assert fits["hot_warm_per_week"] == pytest.approx(90)
    over = capacity_check(
        _tiers(0.1, 0.2), CapacityConfig(reps=1, leads_per_rep_per_week=20, new_leads_per_week=300)
    )
    assert over["ok"] is False
    assert "raise the Hot threshold" in over["message"]
    assert capacity_check(_tiers(0.1, 0.2), None) is None
