"""False positives and false negatives on the holdout: drivers, missing signals, and patterns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from service.model.validation.holdout import validate
from service.scoring.engine import score_frame
from service.scoring.rules import Rules

RULES = Rules.model_validate(
    {
        "version": "1.0",
        "dimensions": {
            "firmographic": {"max_points": 30},
            "behavioral": {"max_points": 30},
            "intent": {"max_points": 30},
        },
        "negative_max_points": 20,
        "signals": [
            {
                "name": "big",
                "label": "500+ employees",
                "dimension": "firmographic",
                "points": 20,
                "when": [{"kind": "range", "field": "employees", "min": 500}],
            },
            {
                "name": "pricing",
                "label": "Viewed pricing",
                "dimension": "behavioral",
                "points": 10,
                "when": [{"kind": "flag", "field": "pricing"}],
            },
            {
                "name": "demo",
                "label": "Requested a demo",
                "dimension": "intent",
                "points": 15,
                "when": [{"kind": "flag", "field": "demo"}],
            },
            {
                "name": "student",
                "label": "Student email",
                "dimension": "negative",
                "points": -15,
                "when": [{"kind": "flag", "field": "student"}],
            },
        ],
        "thresholds": {"hot": 35, "warm": 20, "cool": 10},
    }
)


def _deals() -> tuple[pd.DataFrame, pd.Series]:
    rows = [
        # name,        employees, pricing, demo,  student, won
        ("Acme", 900, True, True, False, 0),  # 45 Hot, lost: FP
        ("Birch", 800, False, True, False, 0),  # 35 Hot, lost: FP
        ("Cedar", 600, True, False, None, 0),  # 30 Warm, lost, student unknown: FP
        ("Delta", 700, True, True, False, 1),  # 45 Hot, won: TP
        ("Elm", 50, True, True, False, 1),  # 25 Warm, won: TP
        ("Fir", None, False, False, False, 1),  # 0 Cold, won, employees unknown: FN
        ("Gum", 100, True, False, True, 1),  # -5 Cold, won, student: FN
        ("Hazel", 90, False, False, False, 0),  # 0 Cold, lost: TN
        ("Ivy", 40, True, False, False, 0),  # 10 Cool, lost: TN
        ("Jade", 30, False, True, True, 1),  # 0 Cold, won: FN
    ]
    frame = pd.DataFrame(rows, columns=["name", "employees", "pricing", "demo", "student", "won"])
    frame.index = pd.Index([101 + i for i in range(len(frame))])
    return frame.drop(columns="won"), frame["won"]


@pytest.fixture
def validation() -> dict:
    frame, won = _deals()
    scored = score_frame(RULES, frame)
    return validate(
        scored.scores,
        won,
        RULES,
        names=frame["name"],
        fires=scored.fires,
        known=scored.known,
    )


def test_false_positives_are_lost_hot_or_warm_deals_highest_score_first(validation: dict) -> None:
    """False positives are the lost Hot/Warm deals, ordered from the highest score down."""
    fps = validation["false_positives"]
    assert [(c["deal"], c["score"], c["tier"]) for c in fps] == [
        ("Acme", 45, "Hot"),
        ("Birch", 35, "Hot"),
        ("Cedar", 30, "Warm"),
    ]
    assert validation["confusion"]["fp"] == validation["false_positive_n"] == 3


def test_false_negatives_are_won_cool_or_cold_deals_lowest_score_first(validation: dict) -> None:
    """False negatives are the won Cool/Cold deals, ordered from the lowest score up."""
    fns = validation["false_negatives"]
    assert [(c["deal"], c["score"]) for c in fns] == [("Gum", -5), ("Fir", 0), ("Jade", 0)]


def test_drivers_are_the_fired_signals_largest_points_first(validation: dict) -> None:
    """Each case lists the signals that fired with their points, largest effect first."""
    acme = validation["false_positives"][0]
    assert acme["drivers"] == [
        {"signal": "big", "label": "500+ employees", "points": 20},
        {"signal": "demo", "label": "Requested a demo", "points": 15},
        {"signal": "pricing", "label": "Viewed pricing", "points": 10},
    ]
    assert acme["missing"] == []
    gum = validation["false_negatives"][0]
    assert [d["signal"] for d in gum["drivers"]] == ["student", "pricing"]
    assert gum["why"] == (
        "Scored -5 (Cold) from Viewed pricing (+10), held back by Student email (-15); won."
    )


def test_missing_lists_signals_that_could_not_be_evaluated(validation: dict) -> None:
    """A deal with an empty field lists the signals reading that field as missing."""
    cases = {c["deal"]: c for c in validation["false_positives"] + validation["false_negatives"]}
    assert cases["Cedar"]["missing"] == ["Student email"]
    assert cases["Fir"]["missing"] == ["500+ employees"]
    assert "could not be evaluated: 500+ employees" in cases["Fir"]["why"]


def test_patterns_name_the_signal_that_differs_most(validation: dict) -> None:
    """The FP pattern names the signal over-represented among FPs; the FN one the penalty on wins."""
    # big fires in 3/3 FPs vs 1/2 TPs (gap 0.5), more than any other positive signal
    assert "'500+ employees'" in validation["fp_pattern"]
    assert "100% of the 3 false positives" in validation["fp_pattern"]
    assert "Lower the points of '500+ employees' (+20)" in validation["fp_fix"]
    # student fires for 2/3 FNs vs 0/2 TPs: the penalty holds back winners (gap 0.67)
    assert "'Student email'" in validation["fn_pattern"]
    assert "Reduce the penalty" in validation["fn_fix"]


def test_cases_are_capped_at_ten() -> None:
    """At most ten false positives are listed, though the count covers all of them."""
    n = 30
    frame = pd.DataFrame(
        {"employees": np.arange(n) * 0 + 900, "pricing": True, "demo": True, "student": False}
    )
    won = pd.Series([0] * 25 + [1] * 5)
    scored = score_frame(RULES, frame)
    v = validate(scored.scores, won, RULES, fires=scored.fires, known=scored.known)
    assert len(v["false_positives"]) == 10
    assert v["false_positive_n"] == 25
    assert v["false_positives"][0]["deal"] == "row 0"


def test_fires_are_computed_from_the_frame_when_not_given() -> None:
    """Given the holdout frame instead of fires, the drivers are the same."""
    frame, won = _deals()
    scored = score_frame(RULES, frame)
    a = validate(scored.scores, won, RULES, fires=scored.fires, known=scored.known)
    b = validate(scored.scores, won, RULES, frame=frame)
    assert a["false_positives"] == b["false_positives"]
    assert a["false_negatives"] == b["false_negatives"]


def test_without_signal_detail_the_pattern_says_so() -> None:
    """Without fires or the frame, no pattern is invented; the text says the detail is missing."""
    frame, won = _deals()
    scored = score_frame(RULES, frame)
    v = validate(scored.scores, won, RULES)
    assert v["false_positives"][0]["drivers"] == []
    assert "was not recorded" in v["fp_pattern"]
    assert "was not recorded" in v["fn_pattern"]
