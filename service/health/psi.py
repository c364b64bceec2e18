"""The population stability index (PSI) of a distribution against a reference.

``PSI = sum((a_i - e_i) * ln(a_i / e_i))`` over the bins, with ``e`` the reference shares and
``a`` the current ones. Read as usual: below 0.1 stable, 0.1 to 0.25 worth watching, 0.25 or more
a shift to act on. A bin empty on one side is given ``EPSILON`` instead of 0 so the index stays
finite (the usual convention; an empty bin then still counts heavily).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EPSILON = 1e-4
WATCH, ACT = 0.10, 0.25


def psi(expected: Sequence[float], actual: Sequence[float]) -> float:
    """The PSI of ``actual`` shares against ``expected`` shares (same bins, each summing to 1)."""
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if e.shape != a.shape:
        raise ValueError(f"psi: {len(e)} reference bins but {len(a)} current bins.")
    e = np.clip(e, EPSILON, None)
    a = np.clip(a, EPSILON, None)
    return float(np.sum((a - e) * np.log(a / e)))


def level(value: float | None) -> str:
    """``stable``, ``watch`` or ``act`` for a PSI value (``unknown`` when there is none)."""
    if value is None:
        return "unknown"
    if value >= ACT:
        return "act"
    if value >= WATCH:
        return "watch"
    return "stable"
