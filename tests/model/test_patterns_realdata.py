"""Step 2 on the public data sets in ../shared/data (skipped where they are absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.data.io import read_table
from service.model.patterns import find_interactions, measure_attributes, scan_attributes

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"

pytestmark = pytest.mark.realdata


def _load(relative: str):
    path = DATA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared data sets sit beside the repository)")
    return read_table(path).frame


@pytest.mark.slow
def test_bank_marketing_finds_the_known_strong_attributes():
    """A previous successful campaign is among the strongest positives; rare levels are listed."""
    frame = _load("bank_marketing/bank-additional-full.csv")
    y = (frame["y"] == "yes").astype(int)
    X = frame.drop(columns=["y", "duration"])  # duration is known only after the call
    scan = scan_attributes(X, y)
    stats = measure_attributes(X, y, scan.candidates)
    top = {s.id: s for s in stats[:10]}
    assert "poutcome = success" in top and top["poutcome = success"].direction == 1
    assert top["poutcome = success"].confidence == "High"
    assert any(r["field"] == "default" for r in scan.insufficient)
    assert find_interactions(X, y, stats)


def test_xeducation_skips_identifiers_and_free_text():
    """Prospect ID and Lead Number are identifiers, never attributes."""
    frame = _load("xeducation/Leads.csv")
    y = frame["Converted"].astype(int)
    X = frame.drop(columns=["Converted"])
    scan = scan_attributes(X, y)
    fields = {c.field for c in scan.candidates}
    assert "Prospect ID" not in fields and "Lead Number" not in fields
    skipped = {r["field"] for r in scan.insufficient if r.get("value") is None}
    assert {"Prospect ID", "Lead Number"} <= skipped
    assert "Lead Origin" in fields
