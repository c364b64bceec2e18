"""A model built once on the sample data, and later batches with and without a market shift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from service.data.deals import load_deals
from service.model.analysis_schema import Analysis
from service.model.build import build_model
from service.sample import generate
from service.sample.drift import Drift, later_batch
from service.scoring.rules import Rules

BUILT_ON = date(2026, 6, 1)
CHECKED_ON = date(2026, 9, 1)
NOW = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)


@dataclass
class Batch:
    deals: pd.DataFrame
    y: np.ndarray
    leads: pd.DataFrame
    dates: pd.Series


@dataclass
class Built:
    rules: Rules
    analysis: Analysis
    deals: pd.DataFrame
    y: np.ndarray


def _read(tmp: Path, name: str, frame: pd.DataFrame, leads: pd.DataFrame) -> Batch:
    """Write the batch as files and read it back as ``leadscore model health`` would."""
    from service.data.io import read_table

    frame.to_csv(tmp / f"{name}-deals.csv", index=False)
    leads.to_csv(tmp / f"{name}-leads.csv", index=False)
    loaded = load_deals(tmp / f"{name}-deals.csv", None)
    return Batch(
        deals=loaded.table.frame,
        y=loaded.outcome.y.to_numpy().astype(int),
        leads=read_table(tmp / f"{name}-leads.csv").frame,
        dates=loaded.table.frame["closed_at"],
    )


@pytest.fixture(scope="session")
def health_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("health")


@pytest.fixture(scope="session")
def built(health_dir: Path) -> Built:
    """The sample's 600 deals (seed 0) built with its 2,000 leads, as recalibration builds."""
    data = generate(deals=600, leads=2000, seed=0, as_of=BUILT_ON)
    data.write(health_dir / "sample")
    deals = load_deals(health_dir / "sample" / "deals.csv", None)
    leads = pd.read_csv(health_dir / "sample" / "leads.csv")
    result = build_model(deals, now=datetime(2026, 6, 1, tzinfo=UTC), leads=leads)
    known = deals.outcome.y.notna().to_numpy()
    return Built(
        rules=result.rules,
        analysis=result.analysis,
        deals=deals.table.frame.loc[known],
        y=deals.outcome.y.to_numpy()[known].astype(int),
    )


def batch(health_dir: Path, name: str, drift: Drift | None, seed: int = 100) -> Batch:
    b = later_batch(deals=500, leads=2000, seed=seed, since=BUILT_ON, as_of=CHECKED_ON, drift=drift)
    return _read(health_dir, name, b.deals, b.leads)


@pytest.fixture(scope="session")
def steady(health_dir: Path) -> Batch:
    """A later batch from the same market."""
    return batch(health_dir, "steady", None)


@pytest.fixture(scope="session")
def drifted(health_dir: Path) -> Batch:
    """A later batch where demo requests stopped predicting and a new source took 40%."""
    return batch(health_dir, "drifted", Drift())
