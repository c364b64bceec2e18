"""The statistics of Step 2, pinned against hand computation, scipy and statsmodels."""

from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from service.model.stats import (
    benjamini_hochberg,
    interaction_test,
    two_proportion_test,
    wilson_interval,
)

Z975 = sps.norm.ppf(0.975)


def test_wilson_interval_matches_the_closed_form():
    """The Wilson 95% interval of 15 wins in 40 deals equals the textbook formula."""
    k, n = 15, 40
    p = k / n
    denom = 1 + Z975**2 / n
    centre = (p + Z975**2 / (2 * n)) / denom
    half = Z975 * math.sqrt(p * (1 - p) / n + Z975**2 / (4 * n * n)) / denom
    low, high = wilson_interval(k, n)
    assert low == pytest.approx(centre - half, abs=1e-9)
    assert high == pytest.approx(centre + half, abs=1e-9)


def test_wilson_interval_of_no_deals_is_uninformative():
    """With no deals the interval is the whole of [0, 1]."""
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_z_test_matches_the_pooled_formula():
    """30/60 against 20/80 gives the pooled two-proportion z and its two-sided p-value."""
    k1, n1, k2, n2 = 30, 60, 20, 80
    pooled = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    res = two_proportion_test(k1, n1, k2, n2)
    assert res.test == "z"
    assert res.statistic == pytest.approx(z, abs=1e-9)
    assert res.p_value == pytest.approx(2 * sps.norm.sf(abs(z)), abs=1e-9)


def test_chi_square_equals_z_squared_and_scipy():
    """Pearson's chi-square (no continuity correction) is z² with the same p-value."""
    z_res = two_proportion_test(30, 60, 20, 80)
    chi = two_proportion_test(30, 60, 20, 80, method="chi2")
    expected = sps.chi2_contingency(np.array([[30, 30], [20, 60]]), correction=False)
    assert chi.test == "chi2"
    assert chi.statistic == pytest.approx(z_res.statistic**2, abs=1e-9)
    assert chi.statistic == pytest.approx(expected.statistic, abs=1e-9)
    assert chi.p_value == pytest.approx(z_res.p_value, abs=1e-9)


def _fisher_by_hand(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p: the hypergeometric probabilities no larger than the observed one."""
    row1, col1, n = a + b, a + c, a + b + c + d

    def prob(x: int) -> float:
        return math.comb(col1, x) * math.comb(n - col1, row1 - x) / math.comb(n, row1)

    observed = prob(a)
    support = range(max(0, row1 + col1 - n), min(row1, col1) + 1)
    return sum(prob(x) for x in support if prob(x) <= observed * (1 + 1e-7))


def test_small_cells_use_fishers_exact_test():
    """3/5 against 1/10 has expected counts below 5, so the exact test is used and is exact."""
    res = two_proportion_test(3, 5, 1, 10)
    assert res.test == "fisher"
    assert res.p_value == pytest.approx(_fisher_by_hand(3, 2, 1, 9), abs=1e-9)
    assert res.p_value == pytest.approx(sps.fisher_exact([[3, 2], [1, 9]]).pvalue, abs=1e-12)


def test_large_cells_do_not_use_fisher():
    """When every expected count is at least 5 the z-test is used."""
    assert two_proportion_test(12, 40, 30, 60).test == "z"


@pytest.mark.parametrize(
    ("won_a", "n_a", "won_b", "n_b"),
    [(5, 10, 0, 0), (0, 0, 5, 10), (10, 10, 20, 20), (0, 10, 0, 20)],
)
def test_nothing_to_compare_gives_p_one(won_a, n_a, won_b, n_b):
    """An empty group, or one outcome for every deal, leaves nothing to test: p = 1."""
    assert two_proportion_test(won_a, n_a, won_b, n_b).p_value == 1.0


def test_impossible_counts_are_rejected():
    """More wins than deals is a programming error named in the message."""
    with pytest.raises(ValueError, match="wins cannot exceed deals"):
        two_proportion_test(11, 10, 1, 10)


def test_benjamini_hochberg_matches_a_hand_computed_example():
    """p = (0.01, 0.04, 0.03, 0.005) gives q = (0.02, 0.04, 0.04, 0.02)."""
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.005])
    np.testing.assert_allclose(q, [0.02, 0.04, 0.04, 0.02], atol=1e-12)


def test_benjamini_hochberg_of_nothing_is_empty_and_rejects_nan():
    """No p-values give no q-values; a missing p-value is an error."""
    assert benjamini_hochberg([]).size == 0
    with pytest.raises(ValueError, match="p-values"):
        benjamini_hochberg([0.1, float("nan")])


def _rows(won, n):
    a, b, y = [], [], []
    for (ai, bi), w, k in zip([(0, 0), (1, 0), (0, 1), (1, 1)], won, n, strict=True):
        a += [ai] * k
        b += [bi] * k
        y += [1] * w + [0] * (k - w)
    return np.array(a, float), np.array(b, float), np.array(y, float)


def test_interaction_test_equals_the_likelihood_ratio_of_row_level_logits():
    """The A:B likelihood-ratio statistic equals that of two statsmodels Logit fits on the rows."""
    won, n = [20, 30, 25, 45], [100, 80, 70, 60]
    a, b, y = _rows(won, n)
    ones = np.ones_like(a)
    full = sm.Logit(y, np.column_stack([ones, a, b, a * b])).fit(disp=0)
    reduced = sm.Logit(y, np.column_stack([ones, a, b])).fit(disp=0)
    lr = 2 * (full.llf - reduced.llf)
    res = interaction_test(np.array(won), np.array(n))
    assert res.test == "lr"
    assert res.statistic == pytest.approx(lr, abs=1e-6)
    assert res.p_value == pytest.approx(sps.chi2.sf(lr, 1), rel=1e-5)
    assert res.expected_both == pytest.approx(reduced.predict([[1, 1, 1]])[0], abs=1e-6)


def test_interaction_test_of_additive_cells_is_not_significant():
    """Cells generated exactly by an additive logit have no interaction (LR near 0, p near 1)."""
    logit = np.array([-1.0, -0.2, -0.5, 0.3])  # -1 + 0.8 A + 0.5 B, no A:B term
    n = np.array([1000, 1000, 1000, 1000])
    won = np.round(n / (1 + np.exp(-logit)))
    res = interaction_test(won, n)
    assert res.p_value > 0.9


def test_interaction_test_falls_back_to_fisher_on_separation():
    """Only the combination ever wins: the additive logit separates and Fisher's test decides."""
    res = interaction_test(np.array([0, 0, 0, 20]), np.array([20, 20, 20, 20]))
    assert res.test == "fisher"
    assert res.p_value == pytest.approx(sps.fisher_exact([[20, 0], [0, 60]]).pvalue, rel=1e-9)
