"""Step 5: hold deals out, score them with the finished rules, and measure how well the rules rank.

Two public functions the build pipeline calls:

- ``split_holdout`` decides which deals are held out. Without usable dates it is exactly
  scikit-learn's ``train_test_split(np.arange(n), test_size=holdout, stratify=y,
  random_state=seed)``, the split the reference figures in ``../shared/data/README.md`` use.
  With a date column it holds out the newest deals, the honest test for a model that will
  score future leads.
- ``validate`` turns the holdout scores into the ``validation`` block of ``analysis.json``.
  The build passes the production engine's own output (``score_frame`` on the held-out deals'
  raw values), and each deal's tier is the engine's, so every figure is what production gives.

A deal counts as a predicted win when its tier is Hot or Warm (the accuracy, the confusion
matrix) or, for the "Hot" figures, when it is Hot. Metrics that a degenerate holdout cannot
support (no Hot deals, one outcome only, constant scores) are ``None`` and ``unavailable``
says why, instead of a crash or an invented number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import structlog
from scipy.stats import spearmanr
from sklearn.metrics import (
    confusion_matrix,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)
from sklearn.model_selection import train_test_split

from service.data.dates import parse_dates
from service.errors import InputError
from service.model.validation.confidence import assess_confidence
from service.model.validation.metrics import (
    auc_interval,
    decile_table,
    no_skill_accuracy,
    tier_holdout,
)
from service.model.validation.misclassified import misclassified_block
from service.scoring.engine import assign_tiers, evaluate_signals
from service.scoring.rules import TIERS, Rules

__all__ = ["HoldoutSplit", "assess_confidence", "split_holdout", "validate"]

log = structlog.get_logger(__name__)

#: share of rows whose date must parse before the split goes by date
DATE_SHARE = 0.9
ROC_POINTS = 200
#: the tier separation target, as a share of the model's score range (max positive + max negative)
SEPARATION_SHARE = 0.2


class HoldoutSplit(tuple):
    """``(train_idx, test_idx, kind)`` that also carries ``note``: what was done, in words."""

    note: str

    def __new__(cls, train: np.ndarray, test: np.ndarray, kind: str, note: str) -> HoldoutSplit:
        obj = super().__new__(cls, (train, test, kind))
        obj.note = note
        return obj

    @property
    def train(self) -> np.ndarray:
        return self[0]

    @property
    def test(self) -> np.ndarray:
        return self[1]

    @property
    def kind(self) -> str:
        return self[2]


def _parse_dates(dates: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(dates):
        return dates
    return parse_dates(dates)  # the column's one format, as the audit reads it


def _stratified(n: int, y: np.ndarray, holdout: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    train, test = train_test_split(np.arange(n), test_size=holdout, stratify=y, random_state=seed)
    return np.asarray(train), np.asarray(test)


def split_holdout(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    holdout: float = 0.25,
    seed: int = 0,
    dates: pd.Series | None = None,
) -> HoldoutSplit:
    """Positions (0..n-1) of the training and holdout deals, and how they were chosen."""
    if not (isinstance(holdout, int | float) and 0 < holdout <= 0.5):
        raise InputError(f"holdout must be in (0, 0.5]; got {holdout}.")
    n = len(X)
    if len(y) != n:
        raise InputError(f"the outcome has {len(y)} rows but the deals have {n}; they must match.")
    labels = np.asarray(y).astype(int)
    counts = np.bincount(labels, minlength=2)
    n_test = math.ceil(holdout * n)
    if counts.min() < 2 or n_test < 2 or n - n_test < 2:
        raise InputError(
            f"cannot hold out {holdout:.0%} of {n} deals ({counts[1]} won, {counts[0]} lost): "
            "a holdout needs at least 2 won and 2 lost deals; add closed deals."
        )
    reason = ""
    if dates is not None:
        if len(dates) != n:
            raise InputError(f"the date column has {len(dates)} rows but the deals have {n}.")
        parsed = _parse_dates(pd.Series(np.asarray(dates), dtype=dates.dtype))
        dated = parsed.notna().to_numpy()
        share = dated.mean() if n else 0.0
        if share >= DATE_SHARE:
            naive = parsed if parsed.dt.tz is None else parsed.dt.tz_convert(None)
            keys = naive.to_numpy(dtype="datetime64[ns]").astype(np.int64)
            order = np.lexsort((np.arange(n), keys))  # oldest first, ties by position
            order = order[dated[order]]
            test = np.sort(order[-n_test:])
            test_y = labels[test]
            if test_y.min() != test_y.max():
                train = np.setdiff1d(np.arange(n), test)
                undated = int((~dated).sum())
                note = (
                    f"held out the newest {len(test)} of {n} deals by date (from "
                    f"{parsed.iloc[test].min():%Y-%m-%d}); "
                    f"{undated} undated deals went to training."
                )
                log.info("holdout_split", kind="newest_by_date", test_n=len(test), undated=undated)
                return HoldoutSplit(train, test, "newest_by_date", note)
            outcome = "won" if test_y[0] == 1 else "lost"
            reason = (
                f"the newest {len(test)} deals are all {outcome}, so they cannot test ranking; "
            )
        else:
            reason = f"only {share:.0%} of the dates could be read (need {DATE_SHARE:.0%}); "
    train, test = _stratified(n, labels, holdout, seed)
    note = (
        f"{reason}held out a stratified random {holdout:.0%} "
        f"({len(test)} of {n} deals, seed {seed})."
    )
    log.info("holdout_split", kind="stratified_random", test_n=len(test), reason=reason or None)
    return HoldoutSplit(train, test, "stratified_random", note[0].upper() + note[1:])


def _num(value: float | None, digits: int = 4) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)


def _prf(y: np.ndarray, pred: np.ndarray) -> tuple[float | None, float | None, float | None]:
    p, r, f, _ = precision_recall_fscore_support(
        y, pred, average="binary", pos_label=1, zero_division=np.nan
    )
    return _num(p), _num(r), _num(f)


def _thin(fpr: np.ndarray, tpr: np.ndarray) -> dict[str, list[float]]:
    if len(fpr) > ROC_POINTS:
        keep = np.unique(np.linspace(0, len(fpr) - 1, ROC_POINTS).round().astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    return {"fpr": [round(float(v), 4) for v in fpr], "tpr": [round(float(v), 4) for v in tpr]}


def _target(metric: str, value: float | None, target: float, label: str) -> dict[str, Any]:
    passed = None if value is None else bool(value > target)
    return {"metric": metric, "label": label, "value": value, "target": target, "passed": passed}


def validate(
    scores: pd.DataFrame,
    y: pd.Series,
    rules: Rules,
    *,
    names: pd.Series | None = None,
    fires: pd.DataFrame | None = None,
    known: pd.DataFrame | None = None,
    frame: pd.DataFrame | None = None,
    tier_expectations: Mapping[str, float] | None = None,
    split: str | None = None,
    split_note: str | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The ``validation`` block of ``analysis.json`` for holdout ``scores`` and outcomes ``y``.

    ``scores`` is ``score_frame(...).scores``: its ``tier`` column (the engine's, ``Unscoreable``
    included) is each deal's tier; without one the tiers come from the totals.
    ``fires``/``known`` (rows x signal names) explain each misclassified deal; without them they
    are computed from ``frame`` when given. ``tier_expectations`` maps a tier to the conversion
    rate the model promised for it (from the training data) for the calibration table.
    """
    if len(scores) != len(y):
        raise ValueError(f"scores has {len(scores)} rows but y has {len(y)}")
    if fires is None and frame is not None:
        fires, known = _fires_known(frame, rules)
    total = scores["total"].to_numpy(dtype=float)
    won = np.asarray(y).astype(int)
    if "tier" in scores:
        tier = scores["tier"].to_numpy(dtype=object).astype(str)
    else:
        tier = assign_tiers(total, rules)
    n, n_won = len(won), int(won.sum())
    unavailable: dict[str, str] = {}
    hot, hot_warm = tier == "Hot", np.isin(tier, ["Hot", "Warm"])

    one_class = n_won in (0, n)
    if one_class:
        which = "won" if n_won else "lost"
        why = f"every holdout deal was {which}, so ranking cannot be measured"
        unavailable.update(auc=why, spearman=why)
    elif np.ptp(total) == 0:
        unavailable["spearman"] = "every holdout deal has the same score"
    auc = None if one_class else _num(roc_auc_score(won, total))
    rho = None if "spearman" in unavailable else _num(spearmanr(total, won).statistic)
    p_hot, r_hot, f_hot = _prf(won, hot.astype(int))
    p_hw, r_hw, f_hw = _prf(won, hot_warm.astype(int))
    if not hot.any():
        unavailable["precision_hot"] = "no holdout deal scored Hot"
    if not hot_warm.any():
        unavailable["precision_hot_warm"] = "no holdout deal scored Hot or Warm"
    if n_won == 0:
        unavailable["recall_hot"] = unavailable["recall_hot_warm"] = "no holdout deal was won"
    tn, fp, fn, tp = (
        int(v) for v in confusion_matrix(won, hot_warm.astype(int), labels=[0, 1]).ravel()
    )
    accuracy = _num((tp + tn) / n) if n else None

    cold = tier == "Cold"
    separation = None
    if hot.any() and cold.any():
        separation = _num(total[hot].mean() - total[cold].mean(), 2)
    else:
        unavailable["tier_separation"] = "the holdout has no Hot or no Cold deal"
    sep_target = round(SEPARATION_SHARE * (rules.max_total + rules.negative_max_points), 1)

    expectations = tier_expectations or {}
    calibration = []
    for t in TIERS:
        mask = tier == t
        calibration.append(
            {
                "tier": t,
                "expected": _num(expectations.get(t)),
                "actual": _num(won[mask].mean()) if mask.any() else None,
                "n": int(mask.sum()),
                "won": int(won[mask].sum()),
            }
        )

    targets = [
        _target("accuracy", accuracy, 0.70, "Accuracy (Hot/Warm as predicted win)"),
        _target("precision_hot", p_hot, 0.60, "Precision for Hot tier"),
        _target("recall_hot", r_hot, 0.50, "Recall for Hot tier"),
        _target("f1_hot", f_hot, 0.55, "F1 score (Hot tier)"),
        _target("auc", auc, 0.70, "AUC-ROC"),
        _target(
            "tier_separation", separation, sep_target, "Tier separation (avg Hot - avg Cold, pts)"
        ),
        _target("spearman", rho, 0.40, "Spearman rank correlation, score vs outcome"),
    ]
    n_hot = int(hot.sum())
    if n_won and n_hot / n_won <= 0.5:
        ceiling = n_hot / n_won
        targets[2]["note"] = (
            f"With {n_hot} Hot deals for {n_won} won deals, Hot recall cannot exceed {ceiling:.0%} "
            "even if every Hot deal is won: the cap on the Hot share makes this target unreachable."
        )
    roc: dict[str, list[float]] = {"fpr": [], "tpr": []}
    if not one_class:
        fpr, tpr, _ = roc_curve(won, total)
        roc = _thin(fpr, tpr)

    labels = _deal_labels(scores.index, names)
    cases = misclassified_block(
        total=total, tier=tier, won=won, labels=labels, rules=rules, fires=fires, known=known
    )
    block: dict[str, Any] = {
        "holdout_n": n,
        "holdout_won": n_won,
        "holdout_lost": n - n_won,
        "split": split,
        "split_note": split_note,
        "auc": auc,
        "auc_ci": None if one_class else auc_interval(total, won, seed=seed),
        "accuracy": accuracy,
        "no_skill_accuracy": no_skill_accuracy(won),
        "baselines": {"logistic_regression": None, "gradient_boosting": None},
        "deciles": decile_table(total, won),
        "tiers": tier_holdout(tier, won),
        "precision_hot": p_hot,
        "recall_hot": r_hot,
        "f1_hot": f_hot,
        "precision_hot_warm": p_hw,
        "recall_hot_warm": r_hw,
        "f1_hot_warm": f_hw,
        "spearman": rho,
        "tier_separation": separation,
        "confusion": {"tp": tp, "fn": fn, "fp": fp, "tn": tn},
        "calibration": calibration,
        "targets": targets,
        "targets_passed": sum(1 for t in targets if t["passed"]),
        **cases,
        "roc": roc,
        "holdout_scores": [
            {"score": _score(s), "tier": str(t), "won": int(w)}
            for s, t, w in zip(total, tier, won, strict=True)
        ],
        "unscoreable_n": int((scores["tier"] == "Unscoreable").sum()) if "tier" in scores else 0,
        "unavailable": unavailable,
    }
    log.info(
        "holdout_validated",
        holdout_n=n,
        auc=auc,
        accuracy=accuracy,
        targets_passed=block["targets_passed"],
    )
    return block


def _score(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(float(value), 2)


def _deal_labels(index: pd.Index, names: pd.Series | None) -> list[str]:
    if names is None:
        return [f"row {i}" for i in index]
    if names.index.equals(index):
        aligned = names
    elif index.isin(names.index).all():
        aligned = names.reindex(index)
    else:  # given in the same order as the scores
        aligned = pd.Series(np.asarray(names), index=index)
    text = aligned.astype("string").fillna("").str.strip()
    return [str(v) if v else f"row {i}" for i, v in zip(index, text, strict=True)]


def _fires_known(frame: pd.DataFrame, rules: Rules) -> tuple[pd.DataFrame, pd.DataFrame]:
    fires, known, _ = evaluate_signals(rules, frame)
    names = [s.name for s in rules.signals]
    return (
        pd.DataFrame(fires, index=frame.index, columns=names),
        pd.DataFrame(known, index=frame.index, columns=names),
    )
