"""The models a data scientist would fit instead of integer points, on the same split.

``baseline_aucs(X_train, y_train, X_holdout, y_holdout)`` fits scikit-learn's logistic
regression and histogram gradient boosting on the same training deals and columns the builder
used, and returns their holdout AUCs, so the report itself shows what integer points cost (or
do not). Numbers are imputed with the median plus a missing indicator and scaled; every other
column is one-hot encoded with "missing" as a level and at most ``MAX_LEVELS`` levels (rarer
ones pooled). A model that cannot be fitted (one outcome, no columns) gives ``None``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import structlog
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from service.data.numbers import read_numbers

log = structlog.get_logger(__name__)

MAX_LEVELS = 50


def _prepare(frame: pd.DataFrame, numeric: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for c in out.columns:
        if c in numeric:
            out[c] = read_numbers(out[c]).astype("float64")
        else:
            text = out[c].astype("string").str.strip()
            out[c] = text.fillna("missing").astype(object)
    return out


def _encoder(numeric: list[str], other: list[str]) -> ColumnTransformer:
    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(
                    SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                    StandardScaler(),
                ),
                numeric,
            ),
            (
                "cat",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist",
                    max_categories=MAX_LEVELS,
                    sparse_output=False,
                ),
                other,
            ),
        ]
    )


def baseline_aucs(
    X_train: pd.DataFrame,
    y_train: np.ndarray,
    X_holdout: pd.DataFrame,
    y_holdout: np.ndarray,
    *,
    seed: int = 0,
) -> dict[str, Any]:
    """``{"logistic_regression": auc, "gradient_boosting": auc}`` on the holdout."""
    y_train = np.asarray(y_train, dtype=int)
    y_holdout = np.asarray(y_holdout, dtype=int)
    out: dict[str, Any] = {"logistic_regression": None, "gradient_boosting": None}
    if X_train.shape[1] == 0 or len(set(y_train)) < 2 or len(set(y_holdout)) < 2:
        return out
    numeric = [
        c
        for c in X_train.columns
        if pd.api.types.is_numeric_dtype(X_train[c]) and not pd.api.types.is_bool_dtype(X_train[c])
    ]
    other = [c for c in X_train.columns if c not in numeric]
    tr, te = _prepare(X_train, numeric), _prepare(X_holdout, numeric)
    models = {
        "logistic_regression": LogisticRegression(max_iter=2000),
        "gradient_boosting": HistGradientBoostingClassifier(random_state=seed),
    }
    for name, estimator in models.items():
        pipe = make_pipeline(_encoder(numeric, other), estimator)
        try:
            # one thread, as the rest of the build: OpenMP threads spin badly on a busy machine
            with warnings.catch_warnings(), threadpool_limits(limits=1):
                warnings.simplefilter("ignore")
                pipe.fit(tr, y_train)
                proba = pipe.predict_proba(te)[:, 1]
            out[name] = round(float(roc_auc_score(y_holdout, proba)), 4)
        except (ValueError, np.linalg.LinAlgError) as exc:
            log.warning("baseline_failed", model=name, error=str(exc)[:200])
    return out
