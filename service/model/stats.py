"""The statistics of the win/loss analysis, each one a thin call into scipy or statsmodels.

- ``wilson_interval``: the Wilson score interval of a win rate (``proportion_confint``).
- ``two_proportion_test``: present against absent as a 2x2 table. Fisher's exact test when any
  expected cell count is below 5; otherwise the pooled two-proportion z-test (``proportions_ztest``)
  or, on request, Pearson's chi-square without continuity correction (the same p-value: chi2 = z²).
- ``benjamini_hochberg``: q-values over every attribute tested (``multipletests(method="fdr_bh")``).
- ``interaction_test``: does the pair A AND B win more (or less) than A and B alone predict?
  A likelihood-ratio test of the A:B term in a logistic model of the outcome on the two indicators.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest
from statsmodels.tools.sm_exceptions import (
    ConvergenceWarning,
    PerfectSeparationError,
    PerfectSeparationWarning,
)

TestName = Literal["z", "chi2", "fisher"]

#: below this expected count in any cell of the 2x2 table, the exact test is used
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class TestResult:
    """The outcome of comparing two win rates."""

    p_value: float
    test: TestName
    statistic: float | None  # z, chi2 or the sample odds ratio (Fisher)


def wilson_interval(won: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval for ``won`` wins out of ``n`` deals; (0, 1) when ``n`` is 0."""
    if n <= 0:
        return 0.0, 1.0
    low, high = proportion_confint(int(won), int(n), alpha=alpha, method="wilson")
    return float(max(0.0, low)), float(min(1.0, high))


def _table(won_a: int, n_a: int, won_b: int, n_b: int) -> np.ndarray:
    return np.array([[won_a, n_a - won_a], [won_b, n_b - won_b]], dtype=np.int64)


def expected_counts(table: np.ndarray) -> np.ndarray:
    """Expected cell counts of a 2x2 table under independence of row and outcome."""
    rows = table.sum(axis=1, keepdims=True)
    cols = table.sum(axis=0, keepdims=True)
    return rows * cols / table.sum()


def two_proportion_test(
    won_a: int,
    n_a: int,
    won_b: int,
    n_b: int,
    *,
    method: Literal["auto", "z", "chi2", "fisher"] = "auto",
) -> TestResult:
    """Test whether ``won_a / n_a`` differs from ``won_b / n_b`` (two-sided).

    ``auto`` picks Fisher's exact test when any expected count is below 5, else the z-test.
    When one group is empty or every deal has the same outcome there is nothing to test: p = 1.
    """
    for name, value in (("won_a", won_a), ("n_a", n_a), ("won_b", won_b), ("n_b", n_b)):
        if value < 0:
            raise ValueError(f"{name} must be >= 0; got {value}.")
    if won_a > n_a or won_b > n_b:
        raise ValueError(f"wins cannot exceed deals; got {won_a}/{n_a} and {won_b}/{n_b}.")
    table = _table(won_a, n_a, won_b, n_b)
    if n_a == 0 or n_b == 0 or table[:, 0].sum() == 0 or table[:, 1].sum() == 0:
        return TestResult(1.0, "fisher" if method == "fisher" else "z", None)
    if method == "auto":
        method = "fisher" if expected_counts(table).min() < MIN_EXPECTED else "z"
    if method == "fisher":
        res = sps.fisher_exact(table, alternative="two-sided")
        return TestResult(float(res.pvalue), "fisher", float(res.statistic))
    if method == "chi2":
        res = sps.chi2_contingency(table, correction=False)
        return TestResult(float(res.pvalue), "chi2", float(res.statistic))
    z, p = proportions_ztest(np.array([won_a, won_b]), np.array([n_a, n_b]))
    return TestResult(float(p), "z", float(z))


def benjamini_hochberg(p_values: np.ndarray | list[float]) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values), in the order given."""
    p = np.asarray(p_values, dtype=float)
    if p.size == 0:
        return p
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must lie in [0, 1] with none missing.")
    return multipletests(p, method="fdr_bh")[1]


@dataclass(frozen=True)
class InteractionResult:
    """Likelihood-ratio test of the A:B term, with the win rate the additive model expects."""

    p_value: float
    statistic: float
    #: the win rate of A AND B that A and B alone predict (logistic model without the A:B term)
    expected_both: float
    test: Literal["lr", "fisher"]


def _binomial_loglik(won: np.ndarray, n: np.ndarray, p: np.ndarray) -> float:
    lost = n - won
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(won > 0, won * np.log(p), 0.0) + np.where(lost > 0, lost * np.log1p(-p), 0.0)
    return float(ll.sum())


def interaction_test(won: np.ndarray, n: np.ndarray) -> InteractionResult:
    """Test the interaction of two indicators from the four cells' wins and deals.

    ``won`` and ``n`` are in the order (neither, A only, B only, both). The full model (with A:B)
    fits each cell's own win rate; the reduced model ``logit p = b0 + b1 A + b2 B`` is fitted by
    statsmodels (binomial GLM on the aggregated cells). The statistic is twice the difference of
    log-likelihoods, referred to chi-square with one degree of freedom. When the reduced model
    cannot be fitted (perfect separation), Fisher's exact test of "both" against the rest decides.
    """
    won = np.asarray(won, dtype=float)
    n = np.asarray(n, dtype=float)
    if won.shape != (4,) or n.shape != (4,) or (n <= 0).any():
        raise ValueError("interaction_test needs wins and deals for 4 non-empty cells.")
    design = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 1], [1, 1, 1]], dtype=float)
    endog = np.column_stack([won, n - won])
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("error", PerfectSeparationWarning)
            warnings.simplefilter("error", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            fit = sm.GLM(endog, design, family=sm.families.Binomial()).fit()
        fitted = np.clip(np.asarray(fit.fittedvalues, dtype=float), 1e-12, 1 - 1e-12)
        if not np.isfinite(fitted).all():
            raise ValueError("non-finite fit")
    except (
        ValueError,
        np.linalg.LinAlgError,
        PerfectSeparationError,
        PerfectSeparationWarning,
        ConvergenceWarning,
    ):
        res = two_proportion_test(
            int(won[3]), int(n[3]), int(won[:3].sum()), int(n[:3].sum()), method="fisher"
        )
        return InteractionResult(
            res.p_value, float("nan"), float(won[:3].sum() / n[:3].sum()), "fisher"
        )
    observed = won / n
    ll_full = _binomial_loglik(won, n, observed)
    ll_reduced = _binomial_loglik(won, n, fitted)
    lr = max(0.0, 2.0 * (ll_full - ll_reduced))
    return InteractionResult(float(sps.chi2.sf(lr, df=1)), lr, float(fitted[3]), "lr")
