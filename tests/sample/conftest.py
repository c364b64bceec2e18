"""Shared sample data sets: the default one and a large one to measure planted effects on."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from service.sample import SampleData, generate

AS_OF = date(2026, 11, 28)


@pytest.fixture(scope="session")
def default_data() -> SampleData:
    return generate(seed=0, as_of=AS_OF)


@pytest.fixture(scope="session")
def large_data() -> SampleData:
    return generate(deals=5000, leads=20, seed=1, as_of=AS_OF)


def valid_deals(data: SampleData) -> pd.DataFrame:
    """The deals without the duplicate copies and outcome-typo rows truth.json lists."""
    problems = data.truth["problems"]
    drop = {d["row"] for d in problems["duplicates"]} | {
        d["row"] for d in problems["outcome_typos"]
    }
    keep = [i for i in range(len(data.deals)) if i + 1 not in drop]
    return data.deals.iloc[keep].reset_index(drop=True)


def attribute_mask(frame: pd.DataFrame, spec: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(holds, known)`` for a truth.json attribute, measured independently of the generator."""
    series = frame[spec["field"]]
    known = series.notna().to_numpy()
    if "range" in spec:
        low, high = spec["range"]
        values = pd.to_numeric(series, errors="coerce").to_numpy("float64", na_value=np.nan)
        holds = known.copy()
        if low is not None:
            holds &= np.nan_to_num(values, nan=-np.inf) >= low
        if high is not None:
            holds &= np.nan_to_num(values, nan=np.inf) < high
        return holds, known
    return (series == spec["value"]).fillna(False).to_numpy(bool) & known, known


def two_by_two(frame: pd.DataFrame, spec: dict[str, Any]) -> tuple[np.ndarray, float, float]:
    """The won/lost by present/absent table (rows with the field missing left out) and both
    win rates."""
    holds, known = attribute_mask(frame, spec)
    won = frame["outcome"].eq("won").to_numpy(bool)
    h, w = holds[known], won[known]
    table = np.array([[(h & w).sum(), (h & ~w).sum()], [(~h & w).sum(), (~h & ~w).sum()]])
    return table, w[h].mean(), w[~h].mean()
