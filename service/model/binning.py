"""Cut a numeric field into data-driven ranges that a rep can read ("200-1,000 employees").

The cuts come from a supervised method: a scikit-learn decision tree grown on the single column
against the outcome, with at most ``max_bins`` leaves and at least ``min_leaf`` deals per leaf.
Each threshold is then moved to the "nicest" number (fewest significant digits: 200, 1,000, 2.5)
that moves at most 0.5% of the deals across the cut; when none exists (dense continuous data) it
is rounded to three significant digits. Neighbouring bins whose win rates do not differ
significantly are then merged, so noise does not become a range.
"""

from __future__ import annotations

import math

import numpy as np
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
    merge_p: float = 0.01,
) -> list[float]:
    """Sorted cut points for ``values`` (no missing values) against 0/1 outcomes ``y``.

    A bin is ``[cut_i, cut_i+1)``: a value equal to a cut belongs to the upper bin, as in the rules
    file's ``range`` condition. Neighbouring bins whose win rates do not differ (two-proportion
    test p > ``merge_p``) are merged. Returns ``[]`` when no split is worth making.
    """
    if max_bins < 2:
        raise ValueError(f"max_bins must be at least 2; got {max_bins}.")
    values = np.asarray(values, dtype=float)
    y = np.asarray(y)
    if values.size != y.size:
        raise ValueError(f"values and y differ in length ({values.size} vs {y.size}).")
    if values.size < 2 * min_leaf or np.unique(values).size < 2 or np.unique(y).size < 2:
        return []
    tree = DecisionTreeClassifier(
        max_leaf_nodes=max_bins, min_samples_leaf=min_leaf, random_state=seed
    )
    tree.fit(values.reshape(-1, 1), y)
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
    return _merge_alike(cuts, sorted_values, np.asarray(y)[order], merge_p)


def _merge_alike(
    cuts: list[float], sorted_values: np.ndarray, sorted_y: np.ndarray, merge_p: float
) -> list[float]:
    """Remove, one at a time, the cut between the two neighbouring bins whose win rates differ
    least (largest p-value), while that p-value is above ``merge_p``."""
    cuts = list(cuts)
    wins = np.concatenate([[0], np.cumsum(sorted_y)])
    while cuts:
        edges = [
            0,
            *(int(np.searchsorted(sorted_values, c, side="left")) for c in cuts),
            sorted_values.size,
        ]
        won = [int(wins[edges[i + 1]] - wins[edges[i]]) for i in range(len(edges) - 1)]
        n = [edges[i + 1] - edges[i] for i in range(len(edges) - 1)]
        p = [
            two_proportion_test(won[i], n[i], won[i + 1], n[i + 1]).p_value
            for i in range(len(cuts))
        ]
        worst = int(np.argmax(p))
        if p[worst] <= merge_p:
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
