"""Step 2 on the sample data: every planted effect is found, the nulls mostly are not."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from service import sample
from service.config import BuildConfig, resolve_outcome
from service.data.io import read_table
from service.model.patterns import (
    AttributeStat,
    find_candidates,
    find_interactions,
    measure_attributes,
)
from service.scoring.conditions import evaluate_all
from service.scoring.rules import FieldIn, Range

# on one xdist worker: the module-scoped build runs once, not once per worker
pytestmark = pytest.mark.xdist_group("patterns-sample")

NOT_ATTRIBUTES = ("deal_id", "company", "closed_at", "outcome")


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    data = sample.generate(deals=2000, leads=20, seed=2)
    paths = data.write(tmp_path_factory.mktemp("sample"))
    frame = read_table(paths["deals.csv"]).frame
    outcome = resolve_outcome(frame, BuildConfig(), "deals.csv")
    keep = outcome.y.notna().to_numpy()
    drop = [*NOT_ATTRIBUTES, *data.truth["leakage"]]
    X = frame[keep].drop(columns=drop).reset_index(drop=True)
    y = outcome.y[keep].reset_index(drop=True)
    stats = measure_attributes(X, y, find_candidates(X, y))
    return data.truth, X, y, stats


def _planted_mask(X: pd.DataFrame, planted: dict[str, Any]) -> np.ndarray:
    if "range" in planted:
        low, high = planted["range"]
        cond = Range(kind="range", field=planted["field"], min=low, max=high)
    elif planted["value"] is True:
        cond = FieldIn(kind="field_in", field=planted["field"], values=["true"])
    else:
        cond = FieldIn(kind="field_in", field=planted["field"], values=[planted["value"]])
    return evaluate_all(X, [cond])[0]


def _matches(X: pd.DataFrame, planted: dict[str, Any], stats: list[AttributeStat]):
    """Attributes on the planted field whose deals mostly (>= 60%) lie in the planted set."""
    mask = _planted_mask(X, planted)
    out = []
    for s in stats:
        if s.field != planted["field"]:
            continue
        fires = evaluate_all(X, s.candidate.conditions)[0]
        if fires.sum() and (fires & mask).sum() / fires.sum() >= 0.6:
            out.append(s)
    return out


def test_every_planted_effect_is_significant_with_its_sign(measured):
    """Each planted real and negative effect matches a significant attribute of the same sign."""
    truth, X, _, stats = measured
    for planted in [*truth["effects"], *truth["negative_effects"]]:
        sign = 1 if planted["direction"] == "positive" else -1
        found = [s for s in _matches(X, planted, stats) if s.significant and s.direction == sign]
        assert found, planted


def test_at_most_one_planted_null_is_significant(measured):
    """Attributes planted without an effect are (almost) never flagged."""
    truth, X, _, stats = measured
    flagged = [n for n in truth["nulls"] if any(s.significant for s in _matches(X, n, stats))]
    assert len(flagged) <= 1, flagged


def test_the_planted_interaction_is_found(measured):
    """Inbound AND hiring HR roles is a significant interaction with lift above 1."""
    truth, X, y, stats = measured
    planted = truth["interactions"][0]
    fields = {planted["a"]["field"], planted["b"]["field"]}
    found = [
        it
        for it in find_interactions(X, y, stats)
        if {it.a.field, it.b.field} == fields and it.significant and it.interaction_lift > 1
    ]
    assert found
