"""Does adding a term improve the joint main-effects model? Score screen, then likelihood ratio.

``joint_pair_tests(main, pairs, y)``: ``main`` is the rows x attributes 0/1 design of the
main-effects model (every significant attribute), ``pairs`` the rows x pairs 0/1 columns of the
A AND B terms to test. The main-effects model is one logistic regression (a weak ridge penalty,
``RIDGE_C``, keeps it finite when attributes separate the outcome or are collinear, as the
levels of one field are). For every pair at once, Rao's score statistic for adding its column
is computed from that single fit; a pair whose score p-value is below ``SCREEN_P`` is then refitted
with its column and tested by the likelihood ratio (twice the gain in log-likelihood, chi-square
with one degree of freedom). Identical rows are fitted once with their count as weight.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from sklearn.linear_model import LogisticRegression

#: the main-effects model's inverse ridge penalty (per deal-weighted log loss): weak
RIDGE_C = 10.0
#: pairs whose score-test p-value is below this get the likelihood-ratio test (no pair above
#: it can reach q < 0.05, since a q-value is never below its p-value)
SCREEN_P = 0.05


@dataclass(frozen=True)
class JointTest:
    """One pair's test against the joint main-effects model."""

    p_value: float
    statistic: float
    test: str  # "lr" or "score"
    coefficient: float | None  # the pair term's coefficient when refitted (lr only)


def _fit(X: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, float]:
    """Fitted win probabilities and the (unpenalised) log-likelihood of a weighted fit."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=RIDGE_C, solver="newton-cholesky", max_iter=200, tol=1e-7).fit(
            X, y, sample_weight=w
        )
    p = np.clip(model.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    ll = float((w * (y * np.log(p) + (1 - y) * np.log1p(-p))).sum())
    return p, ll


def joint_pair_tests(main: np.ndarray, pairs: np.ndarray, y: np.ndarray) -> list[JointTest]:
    """One ``JointTest`` per column of ``pairs``; see the module docstring."""
    main = np.asarray(main, dtype=float).reshape(len(y), -1)
    pairs = np.asarray(pairs, dtype=float).reshape(len(y), -1)
    y = np.asarray(y, dtype=float)
    m = pairs.shape[1]
    if m == 0:
        return []
    if len(np.unique(y)) < 2:
        return [JointTest(1.0, 0.0, "score", None) for _ in range(m)]
    rows, counts = np.unique(np.column_stack([main, pairs, y]), axis=0, return_counts=True)
    k = main.shape[1]
    Xm, Z, yy, w = rows[:, :k], rows[:, k : k + m], rows[:, -1], counts.astype(float)
    p, ll0 = _fit(Xm, yy, w)
    # Rao's score test for each pair column, from the one main-effects fit
    design = np.column_stack([np.ones(len(yy)), Xm])
    wv = w * p * (1 - p)
    info = design.T @ (design * wv[:, None]) + np.diag([0.0] + [1.0 / RIDGE_C] * k)
    cross = design.T @ (Z * wv[:, None])
    solved = np.linalg.lstsq(info, cross, rcond=None)[0]
    var = (Z * Z * wv[:, None]).sum(axis=0) - (cross * solved).sum(axis=0)
    u = (Z * (w * (yy - p))[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(var > 1e-9, u * u / var, 0.0)
    p_score = sps.chi2.sf(score, df=1)
    out = []
    for j in range(m):
        if p_score[j] >= SCREEN_P:
            out.append(JointTest(float(p_score[j]), float(score[j]), "score", None))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            full = LogisticRegression(
                C=RIDGE_C, solver="newton-cholesky", max_iter=200, tol=1e-7
            ).fit(np.column_stack([Xm, Z[:, j]]), yy, sample_weight=w)
        q = np.clip(full.predict_proba(np.column_stack([Xm, Z[:, j]]))[:, 1], 1e-12, 1 - 1e-12)
        ll1 = float((w * (yy * np.log(q) + (1 - yy) * np.log1p(-q))).sum())
        lr = max(0.0, 2.0 * (ll1 - ll0))
        out.append(JointTest(float(sps.chi2.sf(lr, df=1)), lr, "lr", float(full.coef_.ravel()[-1])))
    return out
