"""``deals_from_frame``: CRM records become deals exactly as the same records written to CSV."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from connectors.base import DealRecord
from connectors.frames import deals_frame
from service.data.deals import deals_from_frame, load_deals
from service.errors import DataFileError


def records() -> list[DealRecord]:
    """Deals with the awkward values a CRM hands back: padded text, placeholders, numbers
    with gaps, booleans, a comma inside a value, timestamps."""
    at = datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    attrs = [
        {
            "industry": " Software",
            "employees": 250,
            "revenue": 0.1,
            "trial": True,
            "note": "a, b",
            "region": "N/A",
            "seen": at,
            "big": 1e16,
        },
        {
            "industry": "Retail ",
            "employees": None,
            "revenue": np.nan,
            "trial": None,
            "note": " c",
            "region": "EMEA",
            "seen": None,
            "big": 3,
        },
        {
            "industry": "Software",
            "employees": 40,
            "revenue": 2.5,
            "trial": False,
            "note": "",
            "region": "select",
            "seen": at,
            "big": 7,
        },
    ]
    return [
        DealRecord(id=f"D{i}", won=i % 2 == 0, closed_at=at, modified_at=at, attributes=a)
        for i, a in enumerate(attrs)
    ]


class TestDealsFromFrame:
    """``deals_from_frame(frame, source, config)``."""

    def test_same_table_and_outcome_as_the_csv_round_trip(self, tmp_path: Path) -> None:
        """Values, dtypes, placeholders found and outcomes equal those of ``load_deals`` on the
        frame written with ``to_csv``."""
        frame = deals_frame(records())
        path = tmp_path / "deals.csv"
        frame.to_csv(path, index=False)
        via_file = load_deals(path, None)
        direct = deals_from_frame(frame, "the local CRM's closed deals", None)
        pd.testing.assert_frame_equal(direct.table.frame, via_file.table.frame)
        assert direct.table.placeholders == via_file.table.placeholders
        assert direct.table.placeholders["region"] == {"N/A": 1, "select": 1}
        assert list(direct.outcome.y) == list(via_file.outcome.y) == [1, 0, 1]
        assert direct.config == via_file.config.model_copy()
        assert str(direct.table.path) == "the local CRM's closed deals"

    def test_no_deals_is_a_clear_error(self) -> None:
        """An empty pull names its source instead of building on nothing."""
        with pytest.raises(DataFileError, match="the x CRM's closed deals: no rows"):
            deals_from_frame(deals_frame([]), "the x CRM's closed deals", None)
