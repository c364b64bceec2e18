"""Score a whole DataFrame of leads against a rules file at once.

The hot path has no Python loop per lead: each signal is evaluated once over every row (through
``service.scoring.conditions.evaluate_all``, the one definition of a condition), the fired
signals form a boolean matrix, and every dimension is that matrix times a points vector.

To keep the condition code fast on millions of rows, a signal is evaluated on the distinct
values of its fields and the answer is mapped back to the rows by their codes; the result is the
same as evaluating every row, because a condition depends only on the row's values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from service.scoring.conditions import evaluate_all
from service.scoring.factors import join_labels, potential_points, top_factors
from service.scoring.rules import DIMENSIONS, Rules, Signal

SCORE_COLUMNS = ("total", *DIMENSIONS, "negative")
UNSCOREABLE = "Unscoreable"
#: evaluate per distinct value when a field has at most this share of distinct values
_FACTORIZE_MAX_SHARE = 0.5


@dataclass
class ScoredFrame:
    """The scores of every lead and the matrices they came from."""

    #: same index as the input: total, the four dimensions, negative, tier, top_factors,
    #: missing, potential, unscoreable
    scores: pd.DataFrame
    #: rows x signal names: the signal fired
    fires: pd.DataFrame
    #: rows x signal names: the lead has the data to decide the signal
    known: pd.DataFrame
    #: signals whose fields no column of the frame feeds (missing for every lead)
    unmapped_signals: list[str] = field(default_factory=list)


def unmapped_signals(rules: Rules, columns: pd.Index | list[str]) -> list[str]:
    """Names of the signals that read a field no column provides."""
    present = set(columns)
    return [s.name for s in rules.signals if any(f not in present for f in s.fields)]


class _Codes:
    """Per-field factorization, computed once and shared by every signal reading the field."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._cache: dict[str, tuple[np.ndarray, pd.Series] | None] = {}

    def get(self, name: str) -> tuple[np.ndarray, pd.Series] | None:
        """``(codes, distinct values)`` with missing values as the last distinct value, or
        ``None`` when the field has too many distinct values for this to pay off."""
        if name not in self._cache:
            series = self.frame[name]
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            if len(uniques) > _FACTORIZE_MAX_SHARE * max(len(series), 1):
                self._cache[name] = None
            else:
                values = pd.Series(uniques, dtype=series.dtype)
                if (codes < 0).any():
                    values = values.reindex(range(len(uniques) + 1))
                    codes = np.where(codes < 0, len(uniques), codes)
                self._cache[name] = (codes.astype(np.int64), values.reset_index(drop=True))
        return self._cache[name]


def _evaluate_signal(
    signal: Signal, frame: pd.DataFrame, codes: _Codes
) -> tuple[np.ndarray, np.ndarray]:
    fields = list(dict.fromkeys(signal.fields))
    parts = [codes.get(f) for f in fields]
    sizes = [len(p[1]) for p in parts if p is not None]
    if any(p is None for p in parts) or float(np.prod(sizes, dtype=float)) > 2**62:
        return evaluate_all(frame, signal.when)
    combined = np.zeros(len(frame), np.int64)
    for codes_f, values in parts:  # type: ignore[misc]
        combined = combined * len(values) + codes_f
    row_codes, distinct = pd.factorize(combined)
    small = {}
    rest = np.asarray(distinct, np.int64)
    for name, (_, values) in reversed(list(zip(fields, parts, strict=True))):
        rest, idx = np.divmod(rest, len(values))
        small[name] = values.take(idx).reset_index(drop=True)
    fires_u, known_u = evaluate_all(pd.DataFrame(small), signal.when)
    return fires_u[row_codes], known_u[row_codes]


def evaluate_signals(rules: Rules, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``(fires, known, unmapped)``: two rows x signals boolean matrices and the unmapped names."""
    n, s = len(frame), len(rules.signals)
    fires = np.zeros((n, s), bool)
    known = np.zeros((n, s), bool)
    unmapped = unmapped_signals(rules, frame.columns)
    codes = _Codes(frame)
    for j, signal in enumerate(rules.signals):
        if signal.name in unmapped:
            continue  # no column feeds it: not known for anyone
        fires[:, j], known[:, j] = _evaluate_signal(signal, frame, codes)
    return fires, known, unmapped


def assign_tiers(total: np.ndarray, rules: Rules) -> np.ndarray:
    """Hot / Warm / Cool / Cold from the thresholds (a total equal to a threshold reaches it)."""
    t = rules.thresholds
    return np.select(
        [total >= t.hot, total >= t.warm, total >= t.cool], ["Hot", "Warm", "Cool"], "Cold"
    )


def score_frame(
    rules: Rules,
    frame: pd.DataFrame,
    *,
    top_n: int = 3,
    stale_levels: np.ndarray | None = None,
) -> ScoredFrame:
    """Score every row of ``frame``; see ``service.scoring.rules`` for what the rules mean.

    ``stale_levels`` (one int per row, Rule 5): the signals of the dimensions
    ``rules.lapsed_dimensions(level)`` do not fire for that row (no activity for that long)."""
    fires, known, unmapped = evaluate_signals(rules, frame)
    if stale_levels is not None and len(rules.signals):
        dims = np.array([s.dimension for s in rules.signals])
        for level in sorted({int(v) for v in stale_levels if v > 0}):
            lapsed = np.isin(dims, rules.lapsed_dimensions(level))
            rows = np.asarray(stale_levels) == level
            fires[np.ix_(rows, lapsed)] = False
    points = np.array([s.points for s in rules.signals], dtype=np.int64)
    groups = np.array([s.dimension for s in rules.signals])
    fired_int = fires.astype(np.int32)
    raw: dict[str, np.ndarray] = {}
    capped: dict[str, np.ndarray] = {}
    for dim in DIMENSIONS:
        mask = groups == dim
        raw[dim] = fired_int[:, mask] @ points[mask]  # zeros when the dimension has no signal
        limit = rules.dimensions[dim].max_points if dim in rules.dimensions else 0
        capped[dim] = np.minimum(raw[dim], limit)
    neg_mask = groups == "negative"
    negative = fired_int[:, neg_mask] @ points[neg_mask]
    negative = np.maximum(negative, -rules.negative_max_points)
    total = sum(capped.values(), np.zeros(len(frame), np.int64)) + negative

    weights = np.abs(points).astype(np.float64)
    missing_weight = (~known).astype(np.float64) @ weights if len(points) else np.zeros(len(frame))
    share = missing_weight / weights.sum() if weights.sum() > 0 else np.zeros(len(frame))
    unscoreable = share >= rules.unscoreable_missing_share
    tier = np.where(unscoreable, UNSCOREABLE, assign_tiers(total, rules))

    labels = [s.label or s.name for s in rules.signals]
    data: dict[str, object] = {"total": total}
    data.update(capped)
    data["negative"] = negative
    data["tier"] = pd.array(tier, dtype="str")
    data["top_factors"] = top_factors(fires, points, labels, top_n=top_n)
    data["missing"] = join_labels(~known, labels)
    data["potential"] = potential_points(~known, points, groups, raw, capped, rules)
    data["unscoreable"] = unscoreable
    scores = pd.DataFrame(data, index=frame.index)
    for col in (*SCORE_COLUMNS, "potential"):
        scores[col] = scores[col].astype(np.int64)
    names = [s.name for s in rules.signals]
    return ScoredFrame(
        scores=scores,
        fires=pd.DataFrame(fires, index=frame.index, columns=names),
        known=pd.DataFrame(known, index=frame.index, columns=names),
        unmapped_signals=unmapped,
    )
