"""Every effect truth.json claims is measured directly on a large sample (5000 deals, seed 1)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy.stats import chi2_contingency
from sklearn.metrics import roc_auc_score
from statsmodels.stats.multitest import multipletests

from service.sample import generate
from tests.sample.conftest import AS_OF, attribute_mask, two_by_two, valid_deals

DIMENSIONS = {"firmographic", "behavioral", "engagement", "intent"}


def _p(table: np.ndarray) -> float:
    return float(chi2_contingency(table, correction=False).pvalue)


def test_truth_declares_enough_effects_over_all_dimensions(large_data) -> None:
    """truth.json plants >= 6 positive effects covering all four dimensions, >= 2 negatives,
    one interaction and >= 4 nulls, none of the nulls part of the interaction."""
    truth = large_data.truth
    assert len(truth["effects"]) >= 6
    assert {e["dimension"] for e in truth["effects"]} == DIMENSIONS
    assert all(e["direction"] == "positive" for e in truth["effects"])
    assert len(truth["negative_effects"]) >= 2
    assert all(e["direction"] == "negative" for e in truth["negative_effects"])
    assert len(truth["interactions"]) == 1
    assert len(truth["nulls"]) >= 4
    parts = [
        (p["field"], str(p.get("value", p.get("range"))))
        for p in truth["interactions"][0].values()
        if isinstance(p, dict)
    ]
    nulls = [(n["field"], str(n.get("value", n.get("range")))) for n in truth["nulls"]]
    assert not set(parts) & set(nulls)
    for spec in [*truth["effects"], *truth["negative_effects"], *truth["nulls"]]:
        assert ("value" in spec) != ("range" in spec), spec


def test_positive_effects_raise_the_win_rate(large_data) -> None:
    """Each planted positive effect has a higher win rate when present, p < 0.01."""
    deals = valid_deals(large_data)
    for spec in large_data.truth["effects"]:
        table, present, absent = two_by_two(deals, spec)
        assert present > absent, spec
        assert _p(table) < 0.01, spec


def test_negative_effects_lower_the_win_rate(large_data) -> None:
    """Each planted negative signal has a lower win rate when present, p < 0.01."""
    deals = valid_deals(large_data)
    for spec in large_data.truth["negative_effects"]:
        table, present, absent = two_by_two(deals, spec)
        assert present < absent, spec
        assert _p(table) < 0.01, spec


def test_null_attributes_do_not_move_the_win_rate(large_data) -> None:
    """No null attribute differs in win rate at p < 0.01, and none by more than 4 points."""
    deals = valid_deals(large_data)
    for spec in large_data.truth["nulls"]:
        table, present, absent = two_by_two(deals, spec)
        assert _p(table) > 0.01, spec
        assert abs(present - absent) < 0.04, spec


def test_interaction_beats_each_part_alone(large_data) -> None:
    """The pair converts better than either part without the other and than either part
    overall, and a logistic model finds the a×b term (p < 0.01) with small main effects."""
    deals = valid_deals(large_data)
    inter = large_data.truth["interactions"][0]
    a, known_a = attribute_mask(deals, inter["a"])
    b, known_b = attribute_mask(deals, inter["b"])
    keep = known_a & known_b
    won = deals["outcome"].eq("won").to_numpy(bool)[keep]
    a, b = a[keep], b[keep]
    both = won[a & b].mean()
    assert both > won[a & ~b].mean() + 0.15
    assert both > won[~a & b].mean() + 0.15
    assert both > won[a].mean() and both > won[b].mean()
    frame = pd.DataFrame({"y": won.astype(int), "a": a.astype(int), "b": b.astype(int)})
    fit = smf.logit("y ~ a * b", data=frame).fit(disp=0)
    assert fit.params["a:b"] > 0.8 and fit.pvalues["a:b"] < 0.01
    assert abs(fit.params["a"]) < 0.5 and abs(fit.params["b"]) < 0.5


def test_leakage_fields_leak(large_data) -> None:
    """loss_reason is filled for every lost deal and no won one; sales_cycle_days separates
    won from lost almost perfectly (AUC > 0.95)."""
    deals = valid_deals(large_data)
    assert large_data.truth["leakage"] == ["loss_reason", "sales_cycle_days"]
    won = deals["outcome"].eq("won")
    assert deals.loc[won, "loss_reason"].isna().all()
    assert deals.loc[~won, "loss_reason"].notna().all()
    auc = roc_auc_score(~won, deals["sales_cycle_days"])
    assert auc > 0.95


def test_every_planted_effect_survives_benjamini_hochberg_at_2000_deals() -> None:
    """With 2000 deals, every planted effect has q < 0.05 with the right sign after BH."""
    data = generate(deals=2000, leads=0, seed=2, as_of=AS_OF)
    deals = valid_deals(data)
    specs = [*data.truth["effects"], *data.truth["negative_effects"], *data.truth["nulls"]]
    measured = [two_by_two(deals, s) for s in specs]
    _, q, _, _ = multipletests([_p(t) for t, _, _ in measured], method="fdr_bh")
    planted = len(data.truth["effects"]) + len(data.truth["negative_effects"])
    for spec, (_, present, absent), q_value in zip(specs[:planted], measured, q, strict=False):
        assert q_value < 0.05, spec
        assert (present > absent) == (spec["direction"] == "positive"), spec
    assert all(q_value > 0.05 for q_value in q[planted:])


def test_strongest_effects_visible_in_the_default_sample(default_data) -> None:
    """At the default 180 deals, at least three planted effects are significant (p < 0.01)
    and at least three quarters of them point the right way."""
    deals = valid_deals(default_data)
    specs = [*default_data.truth["effects"], *default_data.truth["negative_effects"]]
    results = [two_by_two(deals, s) for s in specs]
    assert sum(_p(t) < 0.01 for t, _, _ in results) >= 3
    right = sum(
        (p > a) == (s["direction"] == "positive")
        for s, (_, p, a) in zip(specs, results, strict=True)
    )
    assert right >= 0.75 * len(specs)
