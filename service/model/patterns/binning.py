"""Cut a numeric field into data-driven ranges that a rep can read ("200-1,000 employees").

The cuts come from a supervised method: a scikit-learn decision tree grown on the single column
against the outcome, with at most ``max_bins`` leaves and at least ``min_leaf`` deals per leaf.
Each threshold is then moved to the "nicest" number (fewest significant digits: 200, 1,000, 2.5)
that moves at most 0.5% of the deals across the cut; when none exists (dense continuous data) it
is rounded to three significant digits.

The cuts are chosen on one half of the deals and confirmed on the other (a stratified split by
outcome, seeded): a cut stays only when the two bins it separates differ in the same direction
on both halves and the difference is significant on the half that did not choose it
(two-proportion test, p <= ``confirm_p``). The gap a tree finds is the largest in the deals it
was grown on, so testing it there overstates it; a cut that reverses on fresh deals is noise,
and shipping it would give neighbouring ranges points in the wrong order. Failing cuts are
removed one at a time (the weakest first), merging their two bins.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from service.model.stats import two_proportion_test

#: a "nicer" cut may move at most this share of the deals to the neighbouring bin
MAX_MOVED_SHARE = 0.005


def nice_number(threshold: float, sorted_values: np.ndarray, *, max_moved: int = 0) -> float:
    """The number with fewest significant digits that splits ``sorted_values`` like ``threshold``
    (values ``<= threshold`` below, the rest above) up to ``max_moved`` values changing side;
    when none has at most four digits, ``threshold`` rounded to three significant digits.
    """
    if threshold == 0 or not math.isfinite(threshold):
        return float(threshold)
    split = int(np.searchsorted(sorted_values, threshold, side="right"))
    magnitude = math.floor(math.log10(abs(threshold)))
    for digits in range(0, 5):  # digits 0: the next power of ten up (0.5 -> 1 for counts)
        step = 10.0 ** (magnitude - digits + 1)
        for raw in (round(threshold / step) * step, math.ceil(threshold / step) * step):
            candidate = float(f"{raw:.{digits + 3}g}")  # drop float noise (0.30000000000000004)
            # a bin is [low, high): the values below the candidate stay in the lower bin
            moved = abs(int(np.searchsorted(sorted_values, candidate, side="left")) - split)
            if moved <= max_moved:
                return candidate
    return float(f"{threshold:.3g}")


def supervised_cuts(
    values: np.ndarray,
    y: np.ndarray,
    *,
    max_bins: int = 5,
    min_leaf: int = 15,
    seed: int = 0,
    confirm_p: float = 0.05,
) -> list[float]:
    """Sorted cut points for ``values`` (no missing values) against 0/1 outcomes ``y``.

    A bin is ``[cut_i, cut_i+1)``: a value equal to a cut belongs to the upper bin, as in the rules
    file's ``range`` condition. Cuts are grown on one half of the deals and kept only when the
    other half confirms them (see the module docstring). Returns ``[]`` when no split holds.
    """
    if max_bins < 2:
        raise ValueError(f"max_bins must be at least 2; got {max_bins}.")
    values = np.asarray(values, dtype=float)
    y = np.asarray(y)
    if values.size != y.size:
        raise ValueError(f"values and y differ in length ({values.size} vs {y.size}).")
    if values.size < 2 * min_leaf or np.unique(values).size < 2 or np.unique(y).size < 2:
        return []
    counts = np.bincount(y.astype(int), minlength=2)
    if counts.min() < 2:
        return []
    choose, confirm = train_test_split(
        np.arange(values.size), test_size=0.5, stratify=y, random_state=seed
    )
    tree = DecisionTreeClassifier(
        max_leaf_nodes=max_bins, min_samples_leaf=max(1, min_leaf // 2), random_state=seed
    )
    tree.fit(values[choose].reshape(-1, 1), y[choose])
    internal = tree.tree_.children_left != -1
    thresholds = np.sort(tree.tree_.threshold[internal])
    if thresholds.size == 0:
        return []
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    max_moved = int(values.size * MAX_MOVED_SHARE)
    cuts: list[float] = []
    for thr in thresholds:
        cut = nice_number(float(thr), sorted_values, max_moved=max_moved)
        if (not cuts or cut > cuts[-1]) and sorted_values[0] < cut <= sorted_values[-1]:
            cuts.append(cut)
    return _confirmed(cuts, values, y, choose, confirm, confirm_p)


def _bin_counts(cuts: list[float], values: np.ndarray, y: np.ndarray) -> tuple[list, list]:
    """Wins and deals per bin ``[cut_i, cut_i+1)``."""
    which = np.searchsorted(np.asarray(cuts, dtype=float), values, side="right")
    n = np.bincount(which, minlength=len(cuts) + 1)
    won = np.bincount(which, weights=y.astype(float), minlength=len(cuts) + 1)
    return [int(v) for v in won], [int(v) for v in n]


def _confirmed(
    cuts: list[float],
    values: np.ndarray,
    y: np.ndarray,
    choose: np.ndarray,
    confirm: np.ndarray,
    confirm_p: float,
) -> list[float]:
    """Remove, one at a time, the weakest cut that the confirming half does not support."""
    cuts = list(cuts)
    while cuts:
        won_a, n_a = _bin_counts(cuts, values[choose], y[choose])
        won_b, n_b = _bin_counts(cuts, values[confirm], y[confirm])
        p = []
        for i in range(len(cuts)):
            if min(n_a[i], n_a[i + 1], n_b[i], n_b[i + 1]) == 0:
                p.append(2.0)  # an empty bin on either half: nothing to confirm
                continue
            step_a = won_a[i + 1] / n_a[i + 1] - won_a[i] / n_a[i]
            step_b = won_b[i + 1] / n_b[i + 1] - won_b[i] / n_b[i]
            if step_a * step_b <= 0:
                p.append(1.5)  # reverses (or vanishes) on the other half
                continue
            p.append(two_proportion_test(won_b[i], n_b[i], won_b[i + 1], n_b[i + 1]).p_value)
        worst = int(np.argmax(p))
        if p[worst] <= confirm_p:
            break
        del cuts[worst]
    return cuts


def bins_from_cuts(cuts: list[float]) -> list[tuple[float | None, float | None]]:
    """``[(None, c1), (c1, c2), ..., (ck, None)]``: the half-open ranges the cuts define."""
    edges: list[float | None] = [None, *cuts, None]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]


def format_number(value: float) -> str:
    """``1000.0`` -> ``1,000``; ``2.5`` -> ``2.5``; ``0.125`` -> ``0.125``."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"
