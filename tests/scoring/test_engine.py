"""The engine against scores computed by hand on the tiny rules set in conftest.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from service.scoring.engine import assign_tiers, score_frame
from service.scoring.rules import parse_rules
from tests.scoring.conftest import tiny_rules_data

COLUMNS = ["industry", "employees", "pricing_views", "webinar", "demo", "careers_only", "student"]


def _frame(rows: dict[str, list[object]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index", columns=COLUMNS)


HAND = _frame(
    {
        # every positive signal; firmographic 9 + 15 capped at 20
        "all": ["Healthcare", 500, 5, "yes", "yes", "no", "no"],
        # cap (20) and negative floor (-6 - 8 = -14 floored at -10): 20 + 12 + 18 - 10 = 40, Hot
        "at_hot": ["healthcare", 500, 4, "no", "yes", "yes", "yes"],
        # 15 + 18 - 8 = 25 exactly Warm; employees 200 is inside [200, ...)
        "at_warm": ["Retail", 200, 0, "no", "yes", "no", "yes"],
        # 12 + 18 - 6 = 24, one below Warm; employees 199 is outside
        "below_warm": ["Retail", 199, 3, "no", "true", "1", "no"],
        # 18 - 8 = 10 exactly Cool
        "at_cool": ["Retail", 10, 0, "no", "Y", "no", "yes"],
        # 9, Cold
        "cold": ["HEALTHCARE", 10, 2, "no", "no", "no", "no"],
    }
)


def test_hand_computed_scores_caps_floor_and_tiers(tiny_rules):
    """Dimension caps, the negative floor and tier boundaries give the hand-computed results."""
    s = score_frame(tiny_rules, HAND).scores
    expected = {
        "all": (56, 20, 12, 6, 18, 0, "Hot"),
        "at_hot": (40, 20, 12, 0, 18, -10, "Hot"),
        "at_warm": (25, 15, 0, 0, 18, -8, "Warm"),
        "below_warm": (24, 0, 12, 0, 18, -6, "Cool"),
        "at_cool": (10, 0, 0, 0, 18, -8, "Cool"),
        "cold": (9, 9, 0, 0, 0, 0, "Cold"),
    }
    cols = ["total", "firmographic", "behavioral", "engagement", "intent", "negative", "tier"]
    got = {row: tuple(s.loc[row, cols]) for row in expected}
    assert got == expected
    assert not s["unscoreable"].any()
    assert (s["missing"] == "").all() and (s["potential"] == 0).all()


def test_assign_tiers_boundaries(tiny_rules):
    """A total equal to a threshold reaches that tier; one below does not."""
    totals = np.array([40, 39, 25, 24, 10, 9, -5])
    assert list(assign_tiers(totals, tiny_rules)) == [
        "Hot",
        "Warm",
        "Warm",
        "Cool",
        "Cool",
        "Cold",
        "Cold",
    ]


def test_top_factors_in_rep_words(tiny_rules):
    """Top factors list the largest fired signals by size, with signed points in words."""
    s = score_frame(tiny_rules, HAND).scores
    assert s.loc["all", "top_factors"] == (
        "Requested a demo (+18); 200+ employees (+15); Viewed pricing 3+ times (+12)"
    )
    assert s.loc["below_warm", "top_factors"] == (
        "Requested a demo (+18); Viewed pricing 3+ times (+12); Careers page only (\u22126)"
    )
    assert s.loc["cold", "top_factors"] == "Healthcare industry (+9)"
    one = score_frame(tiny_rules, HAND, top_n=1).scores
    assert one.loc["at_warm", "top_factors"] == "Requested a demo (+18)"


def test_missing_fields_listed_with_potential(tiny_rules):
    """A lead lacking fields lists the signals it cannot evaluate and the points they could add."""
    frame = _frame(
        {
            # industry and employees unknown: firmographic could reach its cap of 20
            "no_firmo": [None, None, 5, "no", "yes", "no", "no"],
            # demo unknown (18 of 74 points), behavioral 12 already, webinar unknown
            "no_demo": ["Retail", 10, 9, None, None, "no", "no"],
        }
    )
    s = score_frame(tiny_rules, frame).scores
    assert s.loc["no_firmo", "missing"] == "Healthcare industry; 200+ employees"
    assert s.loc["no_firmo", "potential"] == 20
    assert s.loc["no_firmo", "total"] == 30
    assert s.loc["no_demo", "missing"] == "Attended a webinar; Requested a demo"
    assert s.loc["no_demo", "potential"] == 24
    assert not s["unscoreable"].any()


def test_unscoreable_share_boundary():
    """A lead is Unscoreable when the missing share of signal points reaches the setting exactly."""
    # industry + employees + pricing_views = 9 + 15 + 12 = 36 of 74 points
    rules = parse_rules(tiny_rules_data(unscoreable_missing_share=36 / 74))
    frame = _frame(
        {
            "at_share": [None, None, None, "yes", "yes", "no", "no"],
            "below_share": [None, None, 1, "yes", "yes", "no", "no"],
        }
    )
    s = score_frame(rules, frame).scores
    assert s.loc["at_share", "unscoreable"] and s.loc["at_share", "tier"] == "Unscoreable"
    assert not s.loc["below_share", "unscoreable"]
    assert s.loc["below_share", "tier"] == "Cool"  # 6 + 18 = 24
    # the score is still computed from what is known
    assert s.loc["at_share", "total"] == 24


def test_unmapped_signals_count_as_missing_for_everyone(tiny_rules):
    """Signals whose field no column feeds are named and count as missing for every lead."""
    frame = HAND.drop(columns=["webinar", "student"])
    res = score_frame(tiny_rules, frame)
    assert res.unmapped_signals == ["webinar", "student"]
    assert not res.known[["webinar", "student"]].any().any()
    assert res.scores["missing"].str.contains("Attended a webinar; Student email").all()
    # engagement could add its 6 points wherever the webinar signal was unknown
    assert (res.scores["potential"] >= 6).all()
    assert res.scores.loc["at_warm", "total"] == 15 + 18


def test_fires_and_known_matrices(tiny_rules):
    """``fires`` and ``known`` are rows x signal names, aligned with the input index."""
    res = score_frame(tiny_rules, HAND)
    assert list(res.fires.columns) == [s.name for s in tiny_rules.signals]
    assert list(res.fires.index) == list(HAND.index)
    assert res.fires.loc["all"].tolist() == [True, True, True, True, True, False, False]
    assert res.known.all().all()


def test_empty_frame_scores_to_empty(tiny_rules):
    """An empty frame gives an empty score table with the same columns."""
    s = score_frame(tiny_rules, HAND.iloc[0:0]).scores
    assert len(s) == 0
    assert "top_factors" in s.columns and "tier" in s.columns


@pytest.mark.parametrize("top_n", [0, 2, 10])
def test_top_n_limits_factor_count(tiny_rules, top_n):
    """No lead lists more than ``top_n`` factors."""
    s = score_frame(tiny_rules, HAND, top_n=top_n).scores
    counts = s["top_factors"].map(lambda t: 0 if t == "" else t.count("; ") + 1)
    assert counts.max() == min(top_n, 6)  # "at_hot" fires six signals
