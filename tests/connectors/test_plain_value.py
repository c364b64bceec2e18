"""``plain_value``: the one numpy-to-plain conversion for score values."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from connectors.base import plain_value, plain_values
from service.state.store import canonical_values


@pytest.mark.parametrize(
    ("value", "plain"),
    [
        (np.int64(7), 7),
        (np.float64(72.5), 72.5),
        (np.bool_(True), True),
        (np.str_("Hot"), "Hot"),
        (np.float64("nan"), None),
        (float("nan"), None),
        ("Warm", "Warm"),
        (None, None),
        (datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 1, tzinfo=UTC)),
    ],
)
def test_plain_value(value: object, plain: object) -> None:
    """numpy scalars become the Python value they hold (of its Python type); NaN is None."""
    got = plain_value(value)
    assert got == plain and type(got) is type(plain)


def test_the_state_store_compares_numpy_and_python_values_alike() -> None:
    """A numpy score and the same Python score are the same written value."""
    assert canonical_values({"Total": np.int64(72), "Tier": np.str_("Hot")}) == canonical_values(
        {"Total": 72.0, "Tier": "Hot"}
    )
    assert canonical_values({"Total": np.float64("nan")}) == canonical_values({"Total": None})


def test_plain_values_converts_only_what_is_not_plain() -> None:
    """A mapping's numpy values become plain; plain ones are passed through as they are."""
    text = "Warm"
    got = plain_values({"Total": np.int64(72), "Tier": text, "Intent": np.float64("nan"), "n": 3})
    assert got == {"Total": 72, "Tier": "Warm", "Intent": None, "n": 3}
    assert type(got["Total"]) is int and got["Tier"] is text
