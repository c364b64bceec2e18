"""Step 2 of the analysis: win/loss patterns of closed deals.

``find_patterns`` runs the step on one set of deals: candidate attributes (``candidates``), each
measured against the base win rate (``attributes``), pairs of strong attributes tested jointly
(``interactions``), the attributes that do not predict winning and those with too few deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.config import BuildConfig
from service.model.patterns.attributes import (
    RANKING_FORMULA,
    AttributeStat,
    loss_reason_table,
    measure_attributes,
    non_predictors,
)
from service.model.patterns.candidates import (
    Candidate,
    CandidateScan,
    find_candidates,
    indicator_frames,
    insufficient_attributes,
    scan_attributes,
)
from service.model.patterns.interactions import Interaction, find_interactions

__all__ = [
    "RANKING_FORMULA",
    "AttributeStat",
    "Candidate",
    "CandidateScan",
    "Interaction",
    "Patterns",
    "find_candidates",
    "find_interactions",
    "find_patterns",
    "indicator_frames",
    "insufficient_attributes",
    "loss_reason_table",
    "measure_attributes",
    "non_predictors",
    "scan_attributes",
]


@dataclass
class Patterns:
    """What Step 2 measured on one set of deals."""

    base_rate: float
    stats: list[AttributeStat]
    interactions: list[Interaction]
    non_predictors: list[dict[str, Any]]
    insufficient: list[dict[str, Any]]


def find_patterns(X: pd.DataFrame, y: np.ndarray, config: BuildConfig, seed: int) -> Patterns:
    """Candidates, their statistics, interactions, non-predictors and too-small attributes."""
    y_s = pd.Series(y, index=X.index)
    scan = scan_attributes(
        X, y_s, min_deals=config.min_attribute_deals, dimensions=config.dimensions, seed=seed
    )
    stats = measure_attributes(X, y_s, scan.candidates)
    interactions = find_interactions(X, y_s, stats, min_deals=config.min_attribute_deals)
    return Patterns(
        base_rate=float(np.mean(y)) if len(y) else 0.0,
        stats=stats,
        interactions=interactions,
        non_predictors=non_predictors(stats),
        insufficient=list(scan.insufficient),
    )
