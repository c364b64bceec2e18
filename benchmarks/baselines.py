"""The baselines a data scientist would fit instead of our rules, each returning a holdout AUC.

Every function takes the features ``X``, the 0/1 outcome ``y`` and the positions of the training
and holdout rows, so all of them (and our builder) are compared on the same split. LightGBM and
optbinning come from the ``bench`` extra and are imported only when their baseline runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

__all__ = ["BASELINES", "fit_lightgbm", "fit_logistic", "fit_scorecard"]


def _categorical(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]


def fit_logistic(X: pd.DataFrame, y: pd.Series, train: np.ndarray, test: np.ndarray) -> float:
    """Holdout AUC of one-hot + scaled logistic regression."""
    cat = _categorical(X)
    num = [c for c in X.columns if c not in cat]
    Xc = X.copy()
    for c in cat:
        Xc[c] = Xc[c].astype(object).where(Xc[c].notna(), "missing")
    numeric = make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler())
    pre = ColumnTransformer(
        [("num", numeric, num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)]
    )
    model = make_pipeline(pre, LogisticRegression(max_iter=2000))
    model.fit(Xc.iloc[train], y.iloc[train])
    return float(roc_auc_score(y.iloc[test], model.predict_proba(Xc.iloc[test])[:, 1]))


def fit_lightgbm(X: pd.DataFrame, y: pd.Series, train: np.ndarray, test: np.ndarray) -> float:
    """Holdout AUC of LightGBM: native categoricals, default parameters, one thread like ours."""
    import lightgbm as lgb

    Xl = X.copy()
    for c in _categorical(X):
        Xl[c] = Xl[c].astype("category")
    model = lgb.LGBMClassifier(verbose=-1, random_state=0, n_jobs=1)
    model.fit(Xl.iloc[train], y.iloc[train])
    return float(roc_auc_score(y.iloc[test], model.predict_proba(Xl.iloc[test])[:, 1]))


def fit_scorecard(X: pd.DataFrame, y: pd.Series, train: np.ndarray, test: np.ndarray) -> float:
    """Holdout AUC of an optbinning scorecard (optimal binning + logistic regression)."""
    from optbinning import BinningProcess, Scorecard

    cat = _categorical(X)
    Xo = X.copy()
    for c in cat:
        Xo[c] = Xo[c].astype(object)
    binning = BinningProcess(list(X.columns), categorical_variables=cat)
    card = Scorecard(
        binning_process=binning, estimator=LogisticRegression(max_iter=1000), scaling_method=None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        card.fit(Xo.iloc[train], y.iloc[train])
        proba = card.predict_proba(Xo.iloc[test])[:, 1]
    return float(roc_auc_score(y.iloc[test], proba))


BASELINES: dict[str, Callable[[pd.DataFrame, pd.Series, np.ndarray, np.ndarray], float]] = {
    "logistic": fit_logistic,
    "lightgbm": fit_lightgbm,
    "scorecard": fit_scorecard,
}
