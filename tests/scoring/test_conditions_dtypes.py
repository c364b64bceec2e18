"""A condition means the same whatever dtype the column arrived in (CSV text, Parquet, in memory)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from service.scoring.conditions import evaluate_all
from service.scoring.rules import FieldIn, Flag, Missing, Range

FLAGS = [True, False, None, True]
COUNTS = [3, None, 0, 12]


def _frames() -> dict[str, pd.DataFrame]:
    """The same four leads with their columns in the dtypes real inputs produce."""
    text = pd.DataFrame(
        {
            "demo": pd.Series(["true", "false", None, "TRUE"], dtype="str"),
            "visits": pd.Series(["3", None, "0", "12"], dtype="str"),
        }
    )
    return {
        "text": text,
        "nullable": pd.DataFrame(
            {"demo": pd.array(FLAGS, dtype="boolean"), "visits": pd.array(COUNTS, dtype="Int64")}
        ),
        "numpy": pd.DataFrame(
            {"demo": pd.Series(FLAGS, dtype=object), "visits": pd.Series(COUNTS, dtype=float)}
        ),
        "arrow": pd.DataFrame(
            {
                "demo": pd.Series(FLAGS, dtype="bool[pyarrow]"),
                "visits": pd.Series(COUNTS, dtype="int64[pyarrow]"),
            }
        ),
    }


CASES = [
    ([Flag(kind="flag", field="demo")], [True, False, False, True], [True, True, False, True]),
    (
        [Range(kind="range", field="visits", min=3)],
        [True, False, False, True],
        [True, False, True, True],
    ),
    (
        [FieldIn(kind="field_in", field="visits", values=[0, 12])],
        [False, False, True, True],
        [True, False, True, True],
    ),
    ([Missing(kind="missing", field="demo")], [False, False, True, False], [True] * 4),
]


@pytest.mark.parametrize("kind", ["text", "nullable", "numpy", "arrow"])
@pytest.mark.parametrize(("conditions", "fires", "known"), CASES)
def test_same_answer_for_every_dtype(kind, conditions, fires, known) -> None:
    """fires and known agree with the text reading for booleans, counts and missing values."""
    got_fires, got_known = evaluate_all(_frames()[kind], conditions)
    assert got_fires.dtype == np.bool_ and got_known.dtype == np.bool_
    assert got_fires.tolist() == fires
    assert got_known.tolist() == known


def test_engine_scores_every_dtype_alike() -> None:
    """score_frame gives the same totals and tiers on text, nullable, numpy and Arrow columns."""
    from service.scoring.engine import score_frame
    from service.scoring.rules import parse_rules

    rules = parse_rules(
        {
            "version": "t",
            "dimensions": {"behavioral": {"max_points": 20}, "engagement": {"max_points": 20}},
            "signals": [
                {
                    "name": "demo",
                    "dimension": "behavioral",
                    "points": 10,
                    "when": [CASES[0][0][0].model_dump()],
                },
                {
                    "name": "visits",
                    "dimension": "engagement",
                    "points": 5,
                    "when": [CASES[1][0][0].model_dump()],
                },
            ],
            "thresholds": {"hot": 15, "warm": 10, "cool": 5},
        }
    )
    results = {k: score_frame(rules, f).scores[["total", "tier"]] for k, f in _frames().items()}
    for kind, scores in results.items():
        assert scores["total"].tolist() == [15, 0, 0, 15], kind
        assert scores["tier"].tolist() == results["text"]["tier"].tolist(), kind


def test_field_not_in_fires_for_any_other_value_and_is_unknown_when_missing() -> None:
    """``field_not_in`` (the pooled "other" values) holds for a value that is none of the named
    ones, new values included; text ignores case; a missing value cannot be judged."""
    from service.scoring.conditions import evaluate_condition
    from service.scoring.rules import FieldNotIn

    frame = pd.DataFrame({"campaign": ["Spring", "spring ", "Rare-7", "Brand new", None]})
    cond = FieldNotIn(kind="field_not_in", field="campaign", values=["Spring", "Summer"])
    fires, known = evaluate_condition(frame, cond)
    assert fires.tolist() == [False, False, True, True, False]
    assert known.tolist() == [True, True, True, True, False]
