"""Does adding a term improve the joint main-effects model? Score screen, then likelihood ratio.

``joint_pair_tests(main, pairs, y)``: ``main`` is the rows x attributes 0/1 design of the
main-effects model (every significant attribute), ``pairs`` the rows x pairs 0/1 columns of the
A AND B terms to test. The main-effects model is one logistic regression (a weak ridge penalty,
``RIDGE_C``, keeps it finite when attributes separate the outcome or are collinear, as the
levels of one field are). For every pair at once, Rao's score statistic for adding its column
is computed from that single fit. The pairs whose verdict is in doubt (Benjamini-Hochberg q of
the score test between ``CLEAR_Q`` and ``SCREEN_Q``, at most ``MAX_LR`` of them, strongest first)
are then refitted with their column, warm-started from the main-effects fit, and tested by the
likelihood ratio (twice the gain in log-likelihood, chi-square with one degree of freedom); the
others keep the score test, which the likelihood-ratio test agrees with asymptotically (a pair far
past the threshold either way is not moved across it by the choice of test). Each refit is a full
fit of the joint model, so on a large file they are most of the step's time. Identical rows are
fitted once with their count as weight; on more than ``MAX_ROWS`` deals the tests run on a
stratified sample of that many (seeded), which keeps a 40,000-deal build fast and leaves the
tests ample power.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from statsmodels.stats.multitest import multipletests

#: the main-effects model's inverse ridge penalty (per deal-weighted log loss): weak
RIDGE_C = 10.0
#: pairs whose score-test q-value lies in [CLEAR_Q, SCREEN_Q) get the likelihood-ratio test
CLEAR_Q, SCREEN_Q = 0.001, 0.2
#: at most this many likelihood-ratio refits (each is a full fit of the joint model)
MAX_LR = 4
#: the tests run on at most this many deals (a stratified sample)
MAX_ROWS = 15000


@dataclass(frozen=True)
class JointTest:
    """One pair's test against the joint main-effects model."""

    p_value: float
    statistic: float
    test: str  # "lr" or "score"
    #: the pair term's coefficient: refitted (lr) or one Newton step from the main-effects fit
    #: (score), whose sign is the direction of the interaction either way
    coefficient: float | None


def _model(warm: LogisticRegression | None = None) -> LogisticRegression:
    model = LogisticRegression(C=RIDGE_C, max_iter=2000, tol=1e-5, warm_start=True)
    if warm is not None:
        # start from the main-effects fit with the pair term at 0: a few steps from the optimum
        model.coef_ = np.column_stack([warm.coef_, np.zeros((1, 1))])
        model.intercept_ = warm.intercept_.copy()
    return model


def _loglik(model: LogisticRegression, X: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    p = np.clip(model.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    return float((w * (y * np.log(p) + (1 - y) * np.log1p(-p))).sum())


def joint_pair_tests(
    main: np.ndarray, pairs: np.ndarray, y: np.ndarray, *, seed: int = 0
) -> list[JointTest]:
    """One ``JointTest`` per column of ``pairs``; see the module docstring."""
    main = np.asarray(main, dtype=float).reshape(len(y), -1)
    pairs = np.asarray(pairs, dtype=float).reshape(len(y), -1)
    y = np.asarray(y, dtype=float)
    if len(y) > MAX_ROWS and len(np.unique(y)) == 2:
        keep, _ = train_test_split(
            np.arange(len(y)), train_size=MAX_ROWS, stratify=y, random_state=seed
        )
        main, pairs, y = main[keep], pairs[keep], y[keep]
    m = pairs.shape[1]
    if m == 0:
        return []
    if len(np.unique(y)) < 2:
        return [JointTest(1.0, 0.0, "score", None) for _ in range(m)]
    rows, counts = np.unique(np.column_stack([main, pairs, y]), axis=0, return_counts=True)
    k = main.shape[1]
    Xm, Z, yy, w = rows[:, :k], rows[:, k : k + m], rows[:, -1], counts.astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        main_fit = _model().fit(Xm, yy, sample_weight=w)
    ll0 = _loglik(main_fit, Xm, yy, w)
    p = np.clip(main_fit.predict_proba(Xm)[:, 1], 1e-12, 1 - 1e-12)
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
    q_score = multipletests(p_score, method="fdr_bh")[1]
    doubtful = [j for j in np.argsort(p_score, kind="stable") if CLEAR_Q <= q_score[j] < SCREEN_Q]
    refit = set(doubtful[:MAX_LR])
    out = []
    for j in range(m):
        if j not in refit:
            step = float(u[j] / var[j]) if var[j] > 1e-9 else None
            out.append(JointTest(float(p_score[j]), float(score[j]), "score", step))
            continue
        Xj = np.column_stack([Xm, Z[:, j]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            full = _model(main_fit).fit(Xj, yy, sample_weight=w)
        ll1 = _loglik(full, Xj, yy, w)
        lr = max(0.0, 2.0 * (ll1 - ll0))
        out.append(JointTest(float(sps.chi2.sf(lr, df=1)), lr, "lr", float(full.coef_.ravel()[-1])))
    return out
