"""The current leads read in chunks mean what the one frame they concatenate to means."""

from __future__ import annotations

import pandas as pd
import pytest

from service.data.current_leads import CurrentLeads, LeadColumn


def store_chunks(rows: list[dict[str, object]], size: int) -> list[pd.DataFrame]:
    """Chunks as the state store builds them: each frame's dtypes inferred from its own rows."""
    return [pd.DataFrame(rows[i : i + size]) for i in range(0, len(rows), size)]


ROWS: list[dict[str, object]] = [
    # ints, then a chunk with a hole (float), then one with text: int64, float64, object
    *({"n": 12, "flag": True, "text": "A"} for _ in range(3)),
    *({"n": None if i == 0 else 12, "flag": None, "text": " a "} for i in range(3)),
    *({"n": "12", "flag": False, "text": None} for _ in range(3)),
]


class TestSurvey:
    @pytest.mark.parametrize("size", [1, 2, 3, 4, 9])
    def test_chunks_count_as_the_whole_frame(self, size: int) -> None:
        """Filled counts, numeric and the values no deal shows are those of the concatenated
        frame, whatever the chunks' own dtypes (``12`` reads ``12.0`` where the whole is float)."""
        chunks = store_chunks(ROWS, size)
        known = {"n": {"12"}, "flag": {"true"}, "text": {"a"}}
        whole = CurrentLeads.of_frame(pd.concat(chunks)).survey(known)
        chunked = CurrentLeads(lambda: [(c, list(c.columns)) for c in chunks]).survey(known)
        assert chunked == whole
        assert whole["text"] == LeadColumn(n=9, filled=6, numeric=False, unseen=0)

    def test_int_and_float_chunks_read_as_float(self) -> None:
        """An int chunk beside a float chunk: the whole column is float, so ``12`` is ``12.0``,
        a value no deal with ``12`` shows; the chunks are scored as the whole holds them."""
        chunks = store_chunks([{"n": 12}, {"n": 12}, {"n": None}, {"n": 12}], 2)
        assert [str(c["n"].dtype) for c in chunks] == ["int64", "float64"]
        leads = CurrentLeads(lambda: [(c, ["n"]) for c in chunks])
        assert leads.survey({"n": {"12"}})["n"] == LeadColumn(n=4, filled=3, numeric=True, unseen=3)
        assert [str(f["n"].dtype) for f in leads.frames()] == ["float64", "float64"]

    def test_numeric_fields_of_numeric_deals_are_not_compared_as_text(self) -> None:
        """A field numeric on the deals and on the leads is not counted as text (``unseen`` is
        None), as the audit never compares numbers as text."""
        chunks = store_chunks([{"n": 1}, {"n": 2}, {"n": 3}, {"n": None}], 2)
        leads = CurrentLeads(lambda: [(c, ["n"]) for c in chunks])
        assert leads.survey({"n": {"1"}}, numeric=["n"])["n"].unseen is None

    def test_a_field_no_lead_carries_is_not_a_column(self) -> None:
        """A column every chunk has but no lead carries (the store asked for it) is left out,
        as ``lead_frame`` leaves it out."""
        chunks = store_chunks([{"a": 1, "b": None}, {"a": 2, "b": None}], 1)
        leads = CurrentLeads(lambda: [(c, ["a"]) for c in chunks])
        assert leads.columns == ["a"] and leads.n == 2
        assert all(list(f.columns) == ["a"] for f in leads.frames())
