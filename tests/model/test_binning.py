"""Data-driven ranges for numeric fields: supervised cuts at readable numbers."""

from __future__ import annotations

import numpy as np
import pytest

from service.model.patterns.binning import (
    bins_from_cuts,
    format_number,
    nice_number,
    supervised_cuts,
)


def _step(seed: int, n: int = 3000, at: float = 200.0):
    """Company sizes spread over 10 to 5,000 (log-uniform); win rate 10% below ``at``, 45% above."""
    rng = np.random.default_rng(seed)
    x = np.round(np.exp(rng.uniform(np.log(10), np.log(5000), n)))
    y = (rng.random(n) < np.where(x >= at, 0.45, 0.10)).astype(int)
    return x, y


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_planted_step_is_found_within_ten_percent(seed):
    """When the win rate jumps at 200 employees, one cut lies within ±10% of 200."""
    x, y = _step(seed)
    cuts = supervised_cuts(x, y, max_bins=5, min_leaf=150)
    assert any(180 <= c <= 220 for c in cuts), cuts


def test_no_relationship_gives_few_or_no_cuts():
    """A numeric field unrelated to winning is not chopped into noise ranges."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 0.3).astype(int)
    assert len(supervised_cuts(x, y, max_bins=5, min_leaf=150)) <= 1


def test_every_bin_keeps_the_minimum_number_of_deals():
    """Each range the cuts define holds at least the leaf minimum (up to the 0.5% nudge)."""
    x, y = _step(4)
    cuts = supervised_cuts(x, y, max_bins=5, min_leaf=150)
    for low, high in bins_from_cuts(cuts):
        inside = np.ones(x.size, bool)
        if low is not None:
            inside &= x >= low
        if high is not None:
            inside &= x < high
        assert inside.sum() >= 150 - 0.005 * x.size


@pytest.mark.parametrize(
    ("threshold", "values", "expected"),
    [
        (199.5, np.arange(0, 5000.0), 200.0),
        (999.5, np.arange(0, 5000.0), 1000.0),
        (0.5, np.array([0, 0, 1, 1, 2, 3.0]), 1.0),
        (2.47, np.array([1.0, 2.4, 2.55, 3.0]), 2.5),
        (-36.45, np.array([-40, -36.5, -36.4, -30.0]), -36.4),
    ],
)
def test_thresholds_move_to_the_nicest_number_that_splits_the_same_deals(
    threshold, values, expected
):
    """A tree threshold becomes the number with fewest digits that keeps every deal's side."""
    assert nice_number(threshold, np.sort(values)) == expected


def test_dense_data_rounds_to_three_significant_digits():
    """Where no short number splits the same deals, the cut is rounded to 3 significant digits."""
    values = np.linspace(0, 1, 1_000_001)
    assert nice_number(0.123456, values) == 0.123


def test_bins_cover_the_line_with_open_ends():
    """Two cuts make three half-open ranges, the outer ones open."""
    assert bins_from_cuts([200.0, 1000.0]) == [(None, 200.0), (200.0, 1000.0), (1000.0, None)]


def test_numbers_are_formatted_for_people():
    """Whole numbers get thousands separators; fractions keep their digits."""
    assert format_number(1000.0) == "1,000"
    assert format_number(2.5) == "2.5"


def test_bad_parameters_are_refused():
    """Fewer than two bins, or values and outcomes of different lengths, are errors."""
    with pytest.raises(ValueError, match="max_bins"):
        supervised_cuts(np.arange(10.0), np.arange(10) % 2, max_bins=1)
    with pytest.raises(ValueError, match="differ in length"):
        supervised_cuts(np.arange(10.0), np.arange(9) % 2)
