"""Step 3: turn significant attributes into integer points, fitted jointly.

The candidate signals (significant attributes and significant interactions) are 0/1 indicators.
An L1-penalised logistic regression fits them together, so two attributes that carry the same
information do not both earn points; its penalty ``C`` is chosen by cross-validation on the
training deals only. Coefficients become integer points on one common scale, chosen so that the
integer total ranks deals almost exactly as the fitted linear predictor does (Spearman >= 0.98
when the scale allows). Positive coefficients go to the signal's dimension; negative ones, for
attributes whose own win rate is significantly below the base rate, go to ``negative``. A signal
whose sign flips in the joint fit, or that the fit zeroes, gets no points and is listed with the
reason.

Estimator style: ``PointsFitter(...).fit(indicators, y, specs)`` stores only parameters in
``__init__`` and puts what it learned in attributes ending in ``_``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression, LogisticRegressionCV
from sklearn.metrics import log_loss
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold, train_test_split

from service.errors import ConfigError
from service.scoring.rules import (
    DIMENSIONS,
    Condition,
    Evidence,
    FieldIn,
    FieldNotIn,
    Flag,
    Missing,
    Range,
    Signal,
)

#: candidate penalties for the cross-validated L1 fit (inverse regularisation strength)
DEFAULT_CS = tuple(np.logspace(-2.5, 1.0, 6))
#: the penalty is chosen on at most this many deals (a stratified sample): the choice is stable
#: well before that, and it keeps a 40,000-deal build fast
CV_MAX_ROWS = 8000
#: liblinear's stopping tolerance: coefficients to about 3 digits, far finer than whole points
TOL = 1e-3
#: the largest positive signal gets about this many points before the rank check
DEFAULT_TOP_POINTS = 20
#: scales tried (as the largest positive signal's points) until the ranking is kept
TOP_POINTS_STEPS = (20, 25, 30, 40, 50)
#: the integer total must rank the deals like the fitted logit at least this well
MIN_RANK_FIDELITY = 0.98
#: indicators this correlated are one signal: only the best-evidenced one is fitted
DUPLICATE_CORRELATION = 0.95


@dataclass(frozen=True)
class SignalSpec:
    """One candidate signal: what fires it and the univariate evidence behind it."""

    id: str
    label: str
    dimension: str
    direction: str  # "positive" (win rate above base), "negative" or "none"
    conditions: tuple[Condition, ...]
    lift: float
    n: int
    win_rate_present: float
    win_rate_absent: float | None = None
    q_value: float | None = None
    #: "attribute", or "pair" for an A AND B interaction signal (scored only when it improves
    #: the cross-validated fit)
    kind: str = "attribute"

    @property
    def fields(self) -> list[str]:
        return list(dict.fromkeys(c.field for c in self.conditions))


def describe(conditions: Sequence[Condition]) -> str:
    """Plain words for a list of conditions: ``Industry is SaaS and Employees 200 to < 1000``."""
    parts = []
    for c in conditions:
        if isinstance(c, FieldIn):
            parts.append(f"{c.field} is {' or '.join(map(str, c.values))}")
        elif isinstance(c, FieldNotIn):
            parts.append(f"{c.field} is another value (not {len(c.values)} named ones)")
        elif isinstance(c, Range):
            if c.min is not None and c.max is not None:
                parts.append(f"{c.field} {_num(c.min)} to < {_num(c.max)}")
            elif c.min is not None:
                parts.append(f"{c.field} >= {_num(c.min)}")
            else:
                parts.append(f"{c.field} < {_num(c.max)}")
        elif isinstance(c, Flag):
            parts.append(f"{c.field} is true")
        elif isinstance(c, Missing):
            parts.append(f"{c.field} is missing")
    return " and ".join(parts)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def slug(text: str) -> str:
    """A signal name from a candidate id: lower case, ``_`` between words."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "signal"


class PointsFitter:
    """Fit integer points for candidate signals; see the module docstring."""

    def __init__(
        self,
        *,
        max_signals: int = 30,
        max_signal_share: float = 0.35,
        C: float | None = None,
        scale: float | None = None,
        Cs: Sequence[float] = DEFAULT_CS,
        cv: int = 3,
        seed: int = 0,
    ) -> None:
        self.max_signals = max_signals
        self.max_signal_share = max_signal_share
        self.C = C
        self.scale = scale
        self.Cs = Cs
        self.cv = cv
        self.seed = seed

    # --- fitting -------------------------------------------------------------------------
    def _check(self, indicators: pd.DataFrame, y: np.ndarray, specs: Sequence[SignalSpec]) -> None:
        if not 1 <= self.max_signals <= 100:
            raise ConfigError(f"max_signals must be in [1, 100]; got {self.max_signals}.")
        if not 0 < self.max_signal_share <= 1:
            raise ConfigError(f"max_signal_share must be in (0, 1]; got {self.max_signal_share}.")
        if self.C is not None and not self.C > 0:
            raise ConfigError(f"C must be above 0; got {self.C}.")
        if self.scale is not None and not self.scale > 0:
            raise ConfigError(f"scale must be above 0; got {self.scale}.")
        if len(indicators) != len(y):
            raise ValueError(f"{len(indicators)} indicator rows but {len(y)} outcomes")
        missing = [s.id for s in specs if s.id not in indicators.columns]
        if missing:
            raise ValueError(f"no indicator column for candidates {missing[:5]}")

    def _choose_C(self, X: np.ndarray, y: np.ndarray) -> float:
        if len(y) > CV_MAX_ROWS:
            keep, _ = train_test_split(
                np.arange(len(y)), train_size=CV_MAX_ROWS, stratify=y, random_state=self.seed
            )
            X, y = X[keep], y[keep]
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.seed)
        cv = LogisticRegressionCV(
            tol=TOL,
            Cs=list(self.Cs),
            l1_ratios=(1.0,),
            cv=folds,
            solver="liblinear",
            scoring="neg_log_loss",
            max_iter=300,
            random_state=self.seed,
            use_legacy_attributes=False,
        ).fit(X, y)
        return float(np.ravel(cv.C_)[0])

    def _fit_l1(self, X: np.ndarray, y: np.ndarray, C: float | None) -> np.ndarray:
        assert C is not None
        # identical (indicators, outcome) rows fitted once with their count as weight: the same
        # objective, fewer rows
        rows, counts = np.unique(np.column_stack([X, y]), axis=0, return_counts=True)
        model = LogisticRegression(
            C=C, l1_ratio=1.0, solver="liblinear", tol=TOL, max_iter=300, random_state=self.seed
        ).fit(rows[:, :-1], rows[:, -1].astype(int), sample_weight=counts)
        return model.coef_.ravel()

    def fit(
        self, indicators: pd.DataFrame, y: Sequence[int] | np.ndarray, specs: Sequence[SignalSpec]
    ) -> PointsFitter:
        """Fit on training deals: ``indicators`` is rows x candidate id (bool), ``y`` 0/1."""
        y = np.asarray(y, dtype=int)
        self._check(indicators, y, specs)
        self.specs_ = list(specs)
        self.dropped_: list[dict] = []
        by_id = {s.id: s for s in specs}
        active = [s.id for s in specs if s.direction in ("positive", "negative")]
        for s in specs:
            if s.id not in active:
                self.dropped_.append(_dropped(s, "not significantly above or below the base rate"))
        X_all = indicators[[s.id for s in specs]].to_numpy(dtype=float) if specs else None
        col = {s.id: i for i, s in enumerate(specs)}
        coefs: dict[str, float] = {}
        self.C_ = self.C
        if active and len(np.unique(y)) == 2:
            assert X_all is not None
            active = self._dedupe(X_all, col, active, by_id)
            singles = [a for a in active if by_id[a].kind != "pair"]
            if self.C_ is None:
                self.C_ = self._choose_C(X_all[:, [col[a] for a in singles or active]], y)
            active = self._pairs_that_help(X_all, y, active, col, by_id)
            coefs = self._fit_consistent(X_all, y, active, col, by_id)
        self.coef_ = coefs
        self._to_points(X_all, col, by_id)
        return self

    def _cv_losses(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Held-out log loss of the L1 fit at ``C_`` on each fold of a twice-repeated stratified
        ``cv``-fold split (the same folds for every call)."""
        if len(y) > CV_MAX_ROWS:
            keep, _ = train_test_split(
                np.arange(len(y)), train_size=CV_MAX_ROWS, stratify=y, random_state=self.seed
            )
            X, y = X[keep], y[keep]
        folds = RepeatedStratifiedKFold(n_splits=self.cv, n_repeats=2, random_state=self.seed)
        losses = []
        for train, test in folds.split(X, y):
            model = LogisticRegression(
                C=self.C_,
                l1_ratio=1.0,
                solver="liblinear",
                tol=TOL,
                max_iter=300,
                random_state=self.seed,
            ).fit(X[train], y[train])
            losses.append(log_loss(y[test], model.predict_proba(X[test])[:, 1], labels=[0, 1]))
        return np.asarray(losses)

    def _pairs_that_help(self, X_all, y, active, col, by_id) -> list[str]:
        """Keep a pair signal only when adding it lowers the held-out log loss of the joint fit
        on every fold of a repeated cross-validation (an improvement that chance alone gives
        on some folds, not on all); strongest evidence first, each judged against the signals
        kept so far."""
        pairs = sorted(
            (a for a in active if by_id[a].kind == "pair"),
            key=lambda i: by_id[i].q_value if by_id[i].q_value is not None else 1.0,
        )
        if not pairs:
            return active
        kept = [a for a in active if by_id[a].kind != "pair"]
        current = self._cv_losses(X_all[:, [col[i] for i in kept]], y) if kept else None
        for pair in pairs:
            trial = [*kept, pair]
            losses = self._cv_losses(X_all[:, [col[i] for i in trial]], y)
            if current is None or bool((losses < current).all()):
                kept, current = trial, losses
            else:
                self.dropped_.append(
                    _dropped(
                        by_id[pair], "scoring the pair does not improve the cross-validated fit"
                    )
                )
        return [a for a in active if a in kept]

    def _dedupe(self, X_all, col, active, by_id) -> list[str]:
        """Keep one of each group of (near) identical indicators: the best-evidenced one."""
        # best evidence first; between complements (same test) the positive side reads better
        order = sorted(
            active,
            key=lambda i: (
                by_id[i].q_value if by_id[i].q_value is not None else 1.0,
                by_id[i].direction != "positive",
                -by_id[i].n,
            ),
        )
        M = X_all[:, [col[i] for i in order]]
        Mc = M - M.mean(axis=0)
        norm = np.sqrt((Mc**2).sum(axis=0))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.nan_to_num((Mc.T @ Mc) / np.outer(norm, norm))
        kept: list[int] = []
        for j, i in enumerate(order):
            twin = next((k for k in kept if abs(corr[j, k]) >= DUPLICATE_CORRELATION), None)
            if twin is None:
                kept.append(j)
            else:
                self.dropped_.append(
                    _dropped(
                        by_id[i],
                        f"redundant with {by_id[order[twin]].label}, "
                        f"correlation {corr[j, twin]:+.2f} (nearly the same deals)",
                    )
                )
        return [order[j] for j in sorted(kept)]

    def _fit_consistent(self, X_all, y, active, col, by_id) -> dict[str, float]:
        """Refit until every remaining coefficient has its attribute's own direction."""
        ids = list(active)
        for _ in range(10):
            if not ids:
                return {}
            coef = self._fit_l1(X_all[:, [col[i] for i in ids]], y, self.C_)
            nonzero = {i: c for i, c in zip(ids, coef, strict=True) if c != 0}
            if len(nonzero) > self.max_signals:
                # keep the strongest (coefficient times the indicator's spread), refit those
                spread = {i: X_all[:, col[i]].std() for i in nonzero}
                keep = sorted(nonzero, key=lambda i: -abs(nonzero[i]) * spread[i])
                for i in keep[self.max_signals :]:
                    self.dropped_.append(
                        _dropped(
                            by_id[i], f"beyond the {self.max_signals} strongest signals", nonzero[i]
                        )
                    )
                ids = keep[: self.max_signals]
                continue
            flipped = [
                i for i, c in nonzero.items() if (c > 0) != (by_id[i].direction == "positive")
            ]
            zeroed = [i for i in ids if i not in nonzero]
            for i in zeroed:
                self.dropped_.append(_dropped(by_id[i], self._redundancy(X_all, col, i, nonzero)))
            if not flipped:
                return nonzero
            for i in flipped:
                self.dropped_.append(
                    _dropped(
                        by_id[i],
                        "its effect reverses once the other signals are counted "
                        + self._redundancy(X_all, col, i, nonzero, prefix="(overlaps "),
                        nonzero[i],
                    )
                )
            ids = [i for i in nonzero if i not in flipped]
        return {}

    def _redundancy(self, X_all, col, i, kept, prefix: str = "redundant with ") -> str:
        others = [k for k in kept if k != i]
        if not others:
            return "the joint fit gives it no weight"
        x = X_all[:, col[i]]
        M = X_all[:, [col[k] for k in others]]
        with np.errstate(invalid="ignore", divide="ignore"):
            xc, Mc = x - x.mean(), M - M.mean(axis=0)
            corr = (Mc.T @ xc) / (np.sqrt((Mc**2).sum(axis=0) * (xc**2).sum()))
        corr = np.nan_to_num(corr)
        j = int(np.argmax(np.abs(corr)))
        name = self._spec(others[j]).label
        text = f"{prefix}{name}, correlation {corr[j]:+.2f}"
        return text + (")" if prefix.startswith("(") else "")

    def _spec(self, i: str) -> SignalSpec:
        return next(s for s in self.specs_ if s.id == i)

    # --- points --------------------------------------------------------------------------
    def _to_points(self, X_all, col, by_id) -> None:
        ids = list(self.coef_)
        coef = np.array([self.coef_[i] for i in ids])
        self.spearman_ = None
        if not ids:
            self.scale_ = self.scale or 0.0
            self.points_: dict[str, int] = {}
            self.uncapped_: dict[str, int] = {}
        else:
            X = X_all[:, [col[i] for i in ids]]
            logit = X @ coef
            if self.scale is not None:
                self.scale_ = float(self.scale)
            else:
                top = max(abs(coef.max()), abs(coef.min()) if coef.max() <= 0 else 0.0)
                for top_points in TOP_POINTS_STEPS:
                    self.scale_ = top_points / top
                    pts = self._capped(np.rint(coef * self.scale_), ids)
                    if _rank_fidelity(X @ pts, logit) >= MIN_RANK_FIDELITY:
                        break
            raw = np.rint(coef * self.scale_)
            pts = self._capped(raw, ids)
            self.uncapped_ = {i: int(r) for i, r in zip(ids, raw, strict=True)}
            self.spearman_ = _rank_fidelity(X @ pts, logit)
            self.points_ = {}
            for i, p, c in zip(ids, pts, coef, strict=True):
                if p == 0:
                    self.dropped_.append(
                        _dropped(by_id[i], "effect too small for a whole point", c)
                    )
                else:
                    self.points_[i] = int(p)
        self._build_signals(by_id)

    def _capped(self, pts: np.ndarray, ids: list[str]) -> np.ndarray:
        """No single positive signal above ``max_signal_share`` of the positive maximum."""
        pts = pts.copy()
        positive = pts > 0
        if positive.sum() < 3 or self.max_signal_share >= 1:
            return pts
        share = self.max_signal_share
        for _ in range(len(pts)):
            total = pts[positive].sum()
            worst = int(np.argmax(np.where(positive, pts, -np.inf)))
            if pts[worst] <= share * total + 1e-9:
                break
            rest = total - pts[worst]
            pts[worst] = math.floor(share / (1 - share) * rest)
        return pts

    def _build_signals(self, by_id) -> None:
        self.signals_: list[Signal] = []
        self.details_: list[dict] = []
        names: set[str] = set()
        for i, p in self.points_.items():
            s = by_id[i]
            dim = (
                "negative"
                if p < 0
                else (s.dimension if s.dimension in DIMENSIONS else "firmographic")
            )
            name = slug(s.label or s.id)
            while name in names:
                name += "_2"
            names.add(name)
            self.signals_.append(
                Signal(
                    name=name,
                    label=s.label,
                    dimension=dim,
                    points=p,
                    when=list(s.conditions),
                    evidence=Evidence(
                        lift=round(float(s.lift), 4),
                        win_rate_present=round(float(s.win_rate_present), 4),
                        win_rate_absent=None
                        if s.win_rate_absent is None
                        else round(float(s.win_rate_absent), 4),
                        n=int(s.n),
                        q_value=None if s.q_value is None else float(s.q_value),
                    ),
                )
            )
            self.details_.append(
                {
                    "name": name,
                    "id": s.id,
                    "label": s.label,
                    "field": s.fields[0],
                    "fields": s.fields,
                    "dimension": dim,
                    "points": p,
                    "lift": float(s.lift),
                    "n": int(s.n),
                    "q_value": s.q_value,
                    "coefficient": float(self.coef_[i]),
                    "criteria": describe(s.conditions),
                    "kind": s.kind,
                    "source_dimension": s.dimension,
                    **(
                        {"points_uncapped": int(self.uncapped_[i])}
                        if self.uncapped_.get(i, p) != p
                        else {}
                    ),
                }
            )
        self.dimension_max_ = {
            d: int(sum(x.points for x in self.signals_ if x.dimension == d))
            for d in DIMENSIONS
            if any(x.dimension == d for x in self.signals_)
        }
        self.negative_max_ = int(-sum(x.points for x in self.signals_ if x.dimension == "negative"))


def _rank_fidelity(total: np.ndarray, logit: np.ndarray) -> float:
    if np.ptp(total) == 0 or np.ptp(logit) == 0:
        return 1.0 if np.ptp(total) == np.ptp(logit) == 0 else 0.0
    return float(spearmanr(total, logit).statistic)


def _dropped(spec: SignalSpec, reason: str, coefficient: float | None = None) -> dict:
    return {
        "id": spec.id,
        "label": spec.label,
        "dimension": spec.dimension,
        "lift": float(spec.lift),
        "n": int(spec.n),
        "coefficient": None if coefficient is None else float(coefficient),
        "reason": reason,
    }
