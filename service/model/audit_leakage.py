"""Leakage checks: fields that are known only after the outcome.

Three kinds of evidence, strongest first:

* populated for one outcome only (a loss reason is filled in for lost deals only);
* a close-time name (``sales_cycle_days``, ``duration``, ``closed_*``, ``loss_reason``, ``stage``);
* near-perfect separation judged out of sample: a one-column model's cross-validated AUC above
  0.95, on all rows and on the rows where the field is filled. Cross-validation is what keeps an
  ID column (unique per row, so perfect in sample) from looking perfect: an unseen ID predicts
  nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import TargetEncoder
from sklearn.tree import DecisionTreeClassifier

from service.model.audit_fields import as_numbers, name_tokens

NEAR_PERFECT_AUC = 0.95
MAX_ROWS = 20_000
_CLOSE_TIME_TOKENS = {
    "cycle": "sales-cycle length is known only when the deal closes",
    "duration": "a duration is known only when the activity or deal has ended",
    "closed": "a closed-* field is filled in at close",
    "closing": "a closing field is filled in at close",
    "close": "a close-time field is filled in at close",
    "reason": "a win/loss reason is recorded after the outcome",
    "stage": "the stage reached reflects the outcome",
    "won": "a won-* field is filled in after the deal is won",
    "lost": "a lost-* field is filled in after the deal is lost",
    "loss": "a loss field is filled in after the deal is lost",
    "win": "a win-* field (reason, probability) reflects the outcome",
    "probability": "CRM probability follows the stage, which reflects the outcome",
    "forecast": "the forecast category follows the stage, which reflects the outcome",
}


@dataclass
class Leak:
    """Why one field is suspected of leaking the outcome."""

    reason: str  # leakage_one_outcome_only | leakage_close_time | leakage_near_perfect
    detail: str


def close_time_name(name: str) -> str | None:
    """The explanation when the column name says it is recorded at or after close."""
    for token in name_tokens(name):
        if token in _CLOSE_TIME_TOKENS:
            return _CLOSE_TIME_TOKENS[token]
    return None


def one_outcome_only(series: pd.Series, y: np.ndarray) -> str | None:
    """Filled for (almost) only won or only lost deals: at least 20% of one, at most 2% of the other."""
    present = series.notna().to_numpy()
    n_won, n_lost = int((y == 1).sum()), int((y == 0).sum())
    if min(n_won, n_lost) < 5:
        return None
    share_won = present[y == 1].mean()
    share_lost = present[y == 0].mean()
    high, low = max(share_won, share_lost), min(share_won, share_lost)
    filled = "won" if share_won > share_lost else "lost"
    if high >= 0.2 and low <= 0.02 and present.sum() >= 5:
        return (
            f"filled in for {high:.0%} of {filled} deals and {low:.0%} of the others: "
            "it is recorded because of the outcome"
        )
    return None


def oos_auc(series: pd.Series, kind: str, y: np.ndarray, *, seed: int = 0) -> float | None:
    """Cross-validated AUC of a model that sees only this column (None when too few deals)."""
    y = np.asarray(y, dtype=int)
    minority = int(min((y == 1).sum(), (y == 0).sum()))
    if minority < 5 or len(y) < 20:
        return None
    if len(y) > MAX_ROWS:
        pick = np.sort(np.random.default_rng(seed).choice(len(y), MAX_ROWS, replace=False))
        series, y = series.iloc[pick], y[pick]
        minority = int(min((y == 1).sum(), (y == 0).sum()))
    cv = StratifiedKFold(n_splits=min(5, minority), shuffle=True, random_state=seed)
    if kind == "numeric" or pd.api.types.is_numeric_dtype(series):
        x = as_numbers(series).to_numpy(dtype=float).reshape(-1, 1)
        tree = DecisionTreeClassifier(
            max_leaf_nodes=16, min_samples_leaf=max(5, len(y) // 100), random_state=seed
        )
        scores = cross_val_predict(tree, x, y, cv=cv, method="predict_proba")[:, 1]
    else:
        text = series.astype("string").fillna("(missing)").astype(object)
        x = text.to_numpy().reshape(-1, 1)
        scores = TargetEncoder(target_type="binary", cv=cv).fit_transform(x, y)[:, 0]
    return float(roc_auc_score(y, scores))


def near_perfect(series: pd.Series, kind: str, y: np.ndarray) -> tuple[float | None, str | None]:
    """(out-of-sample AUC on all rows, detail when it or the filled rows' AUC exceeds 0.95)."""
    auc_all = oos_auc(series, kind, y)
    if auc_all is not None and auc_all > NEAR_PERFECT_AUC:
        return auc_all, (
            f"a model using only this field separates won from lost almost perfectly "
            f"out of sample (cross-validated AUC {auc_all:.2f})"
        )
    present = series.notna().to_numpy()
    if present.mean() < 0.95 and present.sum() >= max(30, 0.1 * len(y)):
        auc_present = oos_auc(series[present], kind, np.asarray(y)[present])
        if auc_present is not None and auc_present > NEAR_PERFECT_AUC:
            return auc_all, (
                f"where it is filled in ({present.mean():.0%} of deals) it separates won from "
                f"lost almost perfectly out of sample (cross-validated AUC {auc_present:.2f}); "
                "fields filled in after contact with sales usually do"
            )
    return auc_all, None


def find_leak(
    name: str, series: pd.Series, kind: str, y: np.ndarray
) -> tuple[Leak | None, float | None]:
    """The leak found for one field (strongest evidence first) and its out-of-sample AUC."""
    detail = one_outcome_only(series, y)
    if detail:
        return Leak("leakage_one_outcome_only", detail), None
    detail = close_time_name(name)
    if detail:
        return Leak("leakage_close_time", f"name suggests a close-time field: {detail}"), None
    if kind not in {"numeric", "category", "boolean"}:
        return None, None
    auc, detail = near_perfect(series, kind, y)
    return (Leak("leakage_near_perfect", detail) if detail else None), auc
