"""The report tests' way into an analysis (tests/report/analysis.py) reads and changes a plain
JSON document and a frozen pydantic one alike, and never touches the original."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from service.data.json_file import read_json
from tests.report.analysis import at, find, keys, modified, without, write


class Signal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str
    points: int
    points_uncapped: int | None = None


class Confidence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    level: str
    reasons: tuple[str, ...] = ()


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    signals: tuple[Signal, ...]
    confidence: Confidence | None = None


PLAIN = {
    "signals": [{"label": "Demo", "points": 18}, {"label": "Student", "points": -7}],
    "confidence": {"level": "Low", "reasons": ["few deals"]},
}


@pytest.fixture(params=["json", "typed"])
def doc(request: pytest.FixtureRequest) -> object:
    """The same document as plain JSON and as a frozen pydantic model."""
    return PLAIN if request.param == "json" else Doc.model_validate(PLAIN)


class TestPaths:
    def test_keys(self) -> None:
        """A path names keys and list positions."""
        assert keys("signals[1].label") == ["signals", 1, "label"]
        assert keys("validation.targets[-1]") == ["validation", "targets", -1]

    def test_at_reads_keys_and_attributes(self, doc: object) -> None:
        """``at`` follows a path through mappings, sequences and attributes."""
        assert at(doc, "signals[1].points") == -7
        assert at(doc, "confidence.reasons[0]") == "few deals"
        assert find(doc, "signals", points=-7) == at(doc, "signals[1]")

    def test_missing_is_an_error_or_the_default(self, doc: object) -> None:
        """A missing value raises a KeyError naming the path unless a default is given."""
        assert at(doc, "signals[0].points_uncapped", "none") == "none"
        with pytest.raises(KeyError, match=re.escape("signals[0].points_uncapped")):
            at(doc, "signals[0].points_uncapped")
        with pytest.raises(LookupError, match="no item"):
            find(doc, "signals", points=99)


class TestChanges:
    def test_modified_changes_one_value_in_a_copy(self, doc: object) -> None:
        """The copy has the new value, everything else as before; the original is unchanged."""
        changed = modified(doc, "signals[0].points_uncapped", 50)
        assert at(changed, "signals[0].points_uncapped") == 50
        assert at(changed, "signals[1]") == at(doc, "signals[1]")
        assert at(doc, "signals[0].points_uncapped", None) is None
        assert type(changed) is type(doc)

    def test_modified_takes_plain_json_for_a_block(self, doc: object) -> None:
        """A block given as plain JSON becomes the document's own type."""
        changed = modified(doc, "confidence", {"level": "High", "reasons": ["because"]})
        assert at(changed, "confidence.level") == "High"
        if isinstance(doc, Doc):
            assert isinstance(changed.confidence, Confidence)
        assert at(doc, "confidence.level") == "Low"

    def test_without_leaves_blocks_out(self, doc: object) -> None:
        """A block left out reads as missing; the original keeps it."""
        assert at(without(doc, ["confidence"]), "confidence", None) is None
        assert at(doc, "confidence.level") == "Low"


class TestFiles:
    def test_write_then_load(self, doc: object, tmp_path: Path) -> None:
        """A document written and read back holds the same values as plain JSON (``load``
        itself reads only a real ``analysis.json``: ``load_analysis``)."""
        back = read_json(write(doc, tmp_path / "analysis.json"))
        assert at(back, "signals[1]") == {"label": "Student", "points": -7} | (
            {} if doc is PLAIN else {"points_uncapped": None}
        )
        assert at(back, "confidence") == PLAIN["confidence"]
