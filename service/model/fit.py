"""Steps 2 to 4 on one set of deals: patterns, points and thresholds, learned from those deals only.

``build`` fits the training deals (and, with ``--refit-all``, every deal) through ``fit_deals``;
the ``Fit`` it returns is what ``analysis`` assembles into ``analysis.json``.

Patterns and points are learned from the audited deals (impossible values blanked), but the
thresholds and every score the ``Fit`` keeps come from the engine on the deals as production
reads them (``raw``): production scores a lead's raw value, so the tiers are cut, and their
win rates promised, on the scores production will give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from service.config import BuildConfig
from service.model.patterns import Patterns, find_patterns
from service.model.points import PointsFitter
from service.model.specs import candidate_specs, indicators_for
from service.model.thresholds import choose_thresholds
from service.scoring.engine import score_frame
from service.scoring.rules import DimensionLimit, Rules, Thresholds

MODEL_VERSION = "1.0"
STEPS = (
    "Auditing the deals",
    "Splitting off the holdout",
    "Finding win/loss patterns",
    "Fitting points",
    "Setting thresholds",
    "Validating on the holdout",
    "Refitting on every deal",
    "Comparing with the ICP",
)
Progress = Callable[[str], None]


@dataclass
class Fit:
    """Everything Steps 2 to 4 learned from one set of deals."""

    patterns: Patterns
    points: PointsFitter
    rules: Rules
    scores: pd.DataFrame  # score_frame().scores of the deals fitted on, as production reads them
    y: np.ndarray
    fires: pd.DataFrame | None = None  # score_frame().fires of the deals fitted on


def fit_deals(
    X: pd.DataFrame,
    y: np.ndarray,
    config: BuildConfig,
    seed: int,
    *,
    C: float | None = None,
    scale: float | None = None,
    step: Progress | None = None,
    now: datetime,
    raw: pd.DataFrame | None = None,
) -> Fit:
    """Steps 2 to 4 on ``X``/``y``: patterns, points, thresholds (all from these deals only).

    ``raw``: the same deals (same index) as the file has them, before the audit blanked any
    value; the engine scores these for the thresholds and ``Fit.scores`` (``X`` when None)."""
    if raw is not None and not raw.index.equals(X.index):
        raise ValueError("raw must hold the same deals as X, in the same order")
    step = step or (lambda _name: None)
    step(STEPS[2])
    patterns = find_patterns(X, y, config, seed)

    step(STEPS[3])
    specs = candidate_specs(patterns)
    indicators = indicators_for(X, specs)
    fitter = PointsFitter(max_signals=config.max_signals, C=C, scale=scale, seed=seed)
    fitter.fit(indicators, y, specs)
    draft = Rules(
        version=MODEL_VERSION,
        model_name=f"Lead scoring model: {config.company}"
        if config.company
        else "Lead scoring model",
        built_at=now.date(),
        dimensions={d: DimensionLimit(max_points=p) for d, p in fitter.dimension_max_.items()},
        negative_max_points=fitter.negative_max_,
        signals=fitter.signals_,
        thresholds=Thresholds(hot=2, warm=1, cool=0),
    )

    step(STEPS[4])
    scored = score_frame(draft, X if raw is None else raw)
    total = scored.scores["total"].to_numpy(dtype=float)
    thresholds = choose_thresholds(total, y, config.tiers)
    rules = draft.model_copy(update={"thresholds": thresholds})
    scores = scored.scores.copy()
    return Fit(
        patterns=patterns, points=fitter, rules=rules, scores=scores, y=y, fires=scored.fires
    )
