"""From measured patterns to the candidate signals the points fit chooses among.

A significant attribute becomes a candidate signal with its own direction (above or below the
base rate); a significant interaction whose combination wins more than its parts predict becomes
an AND-signal. Everything else is still passed on, marked ``none``, so the points step can list
why it got no points. The indicators come from the shared condition evaluator, so a signal
fires on exactly the deals the scoring engine will say it fires on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from service.model.points import SignalSpec
from service.scoring.conditions import evaluate_all

if TYPE_CHECKING:
    from service.model.patterns import Patterns


def _direction(significant: bool, lift: float) -> str:
    if not significant or not np.isfinite(lift):
        return "none"
    return "positive" if lift > 1 else "negative"


def candidate_specs(patterns: Patterns) -> list[SignalSpec]:
    """Signal specs for every measured attribute and every significant positive interaction."""
    specs = []
    for s in patterns.stats:
        c = s.candidate
        specs.append(
            SignalSpec(
                id=c.id,
                label=c.label,
                dimension=c.dimension,
                direction=_direction(s.significant, s.lift),
                conditions=tuple(c.conditions),
                lift=float(s.lift) if np.isfinite(s.lift) else 0.0,
                n=int(s.n),
                win_rate_present=float(s.win_rate_present)
                if np.isfinite(s.win_rate_present)
                else 0.0,
                win_rate_absent=float(s.win_rate_absent)
                if np.isfinite(s.win_rate_absent)
                else None,
                q_value=float(s.q_value),
            )
        )
    base = patterns.base_rate
    for it in patterns.interactions:
        positive = (
            it.joint_coefficient > 0
            if it.joint_coefficient is not None
            else it.interaction_lift > 1
        )
        if not (it.significant and positive and it.win_rate_both > base):
            continue
        specs.append(
            SignalSpec(
                id=it.id,
                label=it.label,
                dimension=_stronger(patterns, it.a.id, it.b.id).candidate.dimension,
                direction="positive",
                conditions=tuple(it.conditions),
                lift=float(it.win_rate_both / base) if base else 0.0,
                n=int(it.n_both),
                win_rate_present=float(it.win_rate_both),
                win_rate_absent=None,
                q_value=float(it.q_value),
                kind="pair",
            )
        )
    return specs


def _stronger(patterns: Patterns, a: str, b: str):
    by_id = {s.id: s for s in patterns.stats}
    return max((by_id[a], by_id[b]), key=lambda s: s.power)


def indicators_for(X: pd.DataFrame, specs: Sequence[SignalSpec]) -> pd.DataFrame:
    """Rows x spec id: the signal fires (unknown counts as not firing, as when scoring)."""
    data = {s.id: evaluate_all(X, list(s.conditions))[0] for s in specs}
    return pd.DataFrame(data, index=X.index, columns=[s.id for s in specs])
