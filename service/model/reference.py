"""What the leads looked like when the model was built: the baseline of the weekly health check.

Recorded in ``analysis.json`` under ``health_reference``:

- ``scores``: per dimension and for the total, the share of leads in each score bin. A score with
  few distinct values (most dimensions) gets one bin per value; otherwise the bins are the
  deciles. The edges are kept so that later leads fall into the same bins (the first and last bin
  are open-ended); the population stability index compares the shares.
- ``signals``: per signal, the share of leads it fired for and the share that had the data to
  decide it (a field that later goes empty shows as a drop in ``known_rate``).
- ``values``: per text field the model was built from, each value the deals had and its share
  (a lead source or segment not in this list is new to the model).

The population is the current leads when the build was given them (``--leads``, and the daemon's
recalibration), else the deals themselves; ``population`` says which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.data.numbers import read_numbers
from service.scoring.engine import score_frame
from service.scoring.rules import DIMENSIONS, Rules

#: one bin per distinct score when there are at most this many; else decile bins
MAX_VALUE_BINS = 12
#: a text field with more distinct values than this is an identifier or free text, not a segment
MAX_CATEGORIES = 100
SCORE_GROUPS = ("total", *DIMENSIONS)


def score_bins(values: np.ndarray) -> list[float]:
    """Inner bin edges for ``values``: between distinct values when they are few, else deciles.

    A value ``v`` falls into bin ``searchsorted(edges, v, side="right")``, so there are
    ``len(edges) + 1`` bins and values outside the recorded range land in the end bins.
    """
    values = np.asarray(values, dtype=float)
    distinct = np.unique(values)
    if len(distinct) <= 1:
        return []
    if len(distinct) <= MAX_VALUE_BINS:
        return [float(v) for v in (distinct[:-1] + distinct[1:]) / 2]
    cuts = np.unique(np.quantile(values, np.linspace(0.1, 0.9, 9)))
    # a cut equal to a value would put that value above it: move it half a point up
    return [float(c) + 0.5 if float(c).is_integer() else float(c) for c in cuts]


def bin_shares(values: np.ndarray, edges: list[float]) -> list[float]:
    """Share of ``values`` in each of the ``len(edges) + 1`` bins."""
    values = np.asarray(values, dtype=float)
    counts = np.bincount(
        np.searchsorted(np.asarray(edges, dtype=float), values, side="right"),
        minlength=len(edges) + 1,
    )
    return [float(c) for c in counts / max(len(values), 1)]


def text_fields(frame: pd.DataFrame) -> list[str]:
    """Columns holding text categories (not numbers, flags, dates or identifiers)."""
    out = []
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            continue
        if pd.api.types.is_datetime64_any_dtype(series):
            continue
        known = series.dropna()
        if known.empty:
            continue
        if read_numbers(known).notna().mean() > 0.9:
            continue  # numbers stored as text
        text = known.astype(str).str.strip().str.casefold()
        if text.isin(["true", "false", "yes", "no", "y", "n", "0", "1"]).all():
            continue
        if text.nunique() > MAX_CATEGORIES or text.nunique() > 0.5 * len(text):
            continue
        out.append(str(col))
    return out


def normalise(series: pd.Series) -> pd.Series:
    """Text values as compared: stripped and case-folded, missing and empty dropped."""
    text = series.dropna().astype(str).str.strip()
    return text[text != ""].str.casefold()


def value_shares(frame: pd.DataFrame, fields: list[str]) -> dict[str, dict[str, float]]:
    """Per field: each (normalised) value's share of the rows that have one."""
    out = {}
    for field in fields:
        text = normalise(frame[field])
        out[field] = {str(k): float(v) for k, v in text.value_counts(normalize=True).items()}
    return out


@dataclass
class PopulationScores:
    """How a model scores a population, in the few figures the build keeps: each score group's
    values, each tier's count, each signal's fire and known counts."""

    n: int
    scores: dict[str, np.ndarray]
    tiers: dict[str, int]
    fires: dict[str, int]
    known: dict[str, int]


def score_population(rules: Rules, frames: Iterable[pd.DataFrame]) -> PopulationScores:
    """Score ``frames`` (chunks of one population) one at a time and keep only the figures."""
    groups: dict[str, list[np.ndarray]] = {g: [] for g in SCORE_GROUPS}
    tiers: Counter[str] = Counter()
    fires: Counter[str] = Counter()
    known: Counter[str] = Counter()
    n = 0
    for frame in frames:
        scored = score_frame(rules, frame)
        n += len(frame)
        for group in SCORE_GROUPS:
            groups[group].append(scored.scores[group].to_numpy(dtype=float))
        tiers.update({str(k): int(v) for k, v in scored.scores["tier"].value_counts().items()})
        for s in rules.signals:
            fires[s.name] += int(scored.fires[s.name].sum())
            known[s.name] += int(scored.known[s.name].sum())
    return PopulationScores(
        n=n,
        scores={g: np.concatenate(v) if v else np.zeros(0) for g, v in groups.items()},
        tiers=dict(tiers),
        fires=dict(fires),
        known=dict(known),
    )


def health_reference(
    rules: Rules, deals: pd.DataFrame, leads: PopulationScores | None
) -> dict[str, Any]:
    """The ``health_reference`` block of ``analysis.json`` (see the module docstring);
    ``leads``: the current leads scored by ``rules`` (``score_population``)."""
    on_leads = leads is not None and leads.n > 0
    scored = leads if leads is not None and on_leads else score_population(rules, [deals])
    scores = {}
    for group in SCORE_GROUPS:
        values = scored.scores[group]
        edges = score_bins(values)
        scores[group] = {"edges": edges, "shares": bin_shares(values, edges)}
    n = max(scored.n, 1)
    signals = {
        s.name: {
            "dimension": s.dimension,
            "fire_rate": float(scored.fires[s.name] / n),
            "known_rate": float(scored.known[s.name] / n),
        }
        for s in rules.signals
    }
    return {
        "population": "leads" if on_leads else "deals",
        "n": scored.n,
        "deals_n": len(deals),
        "scores": scores,
        "signals": signals,
        "values": value_shares(deals, text_fields(deals)),
    }
