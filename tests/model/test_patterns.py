"""Step 2 win/loss patterns on a synthetic frame with planted effects."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from service.model.patterns import (
    RANKING_FORMULA,
    find_candidates,
    find_interactions,
    indicator_frames,
    insufficient_attributes,
    loss_reason_table,
    measure_attributes,
    non_predictors,
    scan_attributes,
)
from service.model.stats import benjamini_hochberg
from service.scoring.conditions import evaluate_all

N = 3000

POSITIVE = ("industry = Healthcare", "demo_requested")
NEGATIVE = ("industry = Retail", "careers_page_only")
NULLS = ("industry = Other", "newsletter", "region = EMEA")


def _planted(seed: int = 7) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    industry = rng.choice(
        ["Healthcare", "Retail", "Tech", "Other", "Mining"], N, p=[0.25, 0.25, 0.3, 0.196, 0.004]
    )
    employees = np.round(np.exp(rng.uniform(np.log(10), np.log(5000), N)))
    demo = rng.choice(["Yes", "No"], N, p=[0.3, 0.7])
    careers = rng.random(N) < 0.15
    newsletter = rng.random(N) < 0.4
    region = rng.choice(["EMEA", "NA", "APAC"], N).astype(object)
    region[rng.random(N) < 0.3] = None  # missing at random: not informative
    tech = rng.choice(["Workday", "SAP", "Spreadsheets"], N).astype(object)
    tech_missing = rng.random(N) < 0.3
    tech[tech_missing] = None  # missing, and the missing deals win less (planted below)
    a = rng.random(N) < 0.35
    b = rng.random(N) < 0.35
    logit = (
        -1.0
        + 1.2 * (industry == "Healthcare")
        - 1.2 * (industry == "Retail")
        + 1.3 * (employees >= 200)
        + 1.2 * (demo == "Yes")
        - 1.5 * careers
        - 0.9 * tech_missing
        + 0.1 * a
        + 0.1 * b
        + 1.8 * (a & b)
    )
    y = (rng.random(N) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame(
        {
            "industry": industry,
            "employee_count": employees,
            "demo_requested": demo,
            "careers_page_only": careers,
            "newsletter": newsletter,
            "region": pd.array(region, dtype="str"),
            "tech_stack": pd.array(tech, dtype="str"),
            "inbound": a,
            "hiring": b,
            "notes": [f"call back re quote {i}" for i in range(N)],
        }
    )
    return frame, pd.Series(y)


@pytest.fixture(scope="module")
def planted():
    X, y = _planted()
    scan = scan_attributes(X, y, min_deals=15)
    stats = measure_attributes(X, y, scan.candidates)
    return X, y, scan, {s.id: s for s in stats}, stats


def test_planted_effects_are_significant_with_the_right_sign(planted):
    """Planted positive attributes are significant and positive, negative ones negative."""
    _, _, _, by_id, _ = planted
    for ident in POSITIVE:
        assert by_id[ident].significant and by_id[ident].direction == 1, ident
    for ident in NEGATIVE:
        assert by_id[ident].significant and by_id[ident].direction == -1, ident


def test_planted_nulls_are_not_significant(planted):
    """Attributes with no planted effect are not flagged."""
    _, _, _, by_id, _ = planted
    for ident in NULLS:
        assert not by_id[ident].significant, (ident, by_id[ident].q_value)


def test_the_planted_step_becomes_a_range_near_200(planted):
    """Employee count is cut within ±10% of 200, where the planted win rate jumps."""
    _, _, scan, by_id, _ = planted
    ranges = [c for c in scan.candidates if c.field == "employee_count"]
    assert ranges and all(c.kind == "range" for c in ranges)
    edges = {e for c in ranges for e in c.range if e is not None}
    assert any(180 <= e <= 220 for e in edges), edges
    below = next(c for c in ranges if c.range[0] is None)
    assert by_id[below.id].direction == -1 and by_id[below.id].significant


def test_rare_levels_and_free_text_are_listed_not_guessed(planted):
    """A level with fewer than 15 deals and a free-text field land in insufficient data."""
    _, _, scan, by_id, _ = planted
    assert "industry = Mining" not in by_id
    rare = {(r["field"], r.get("value")): r for r in scan.insufficient}
    mining = rare[("industry", "Mining")]
    assert mining["n"] < 15 and "fewer than 15" in mining["reason"]
    assert "free text" in rare[("notes", None)]["reason"]
    assert not any(c.field == "notes" for c in scan.candidates)


def test_insufficient_attributes_agrees_with_the_scan(planted):
    """The stand-alone function lists the same attributes as the scan."""
    X, y, scan, _, _ = planted
    assert insufficient_attributes(X, y, 15) == scan.insufficient


def test_missing_is_a_level_only_where_informative(planted):
    """Informative missingness becomes a candidate; missing at random does not."""
    _, _, _, by_id, _ = planted
    assert by_id["tech_stack is missing"].direction == -1
    assert by_id["tech_stack is missing"].significant
    assert "region is missing" not in by_id


def test_candidates_have_readable_ids_labels_and_dimensions(planted):
    """Ids name the field and level; labels read as words; dimensions follow the field names."""
    _, _, scan, _, _ = planted
    by_id = {c.id: c for c in scan.candidates}
    assert by_id["industry = Healthcare"].label == "Industry: Healthcare"
    assert by_id["industry = Healthcare"].dimension == "firmographic"
    assert by_id["demo_requested"].kind == "boolean"
    assert by_id["demo_requested"].dimension == "behavioral"
    assert by_id["tech_stack is missing"].kind == "missing"


def test_indicator_frames_agree_with_the_shared_evaluator(planted):
    """Each indicator column is exactly ``evaluate_all`` of the candidate's conditions."""
    X, _, scan, _, _ = planted
    fires, known = indicator_frames(X, scan.candidates)
    assert list(fires.columns) == [c.id for c in scan.candidates]
    for cand in scan.candidates:
        f, k = evaluate_all(X, cand.conditions)
        np.testing.assert_array_equal(fires[cand.id].to_numpy(), f)
        np.testing.assert_array_equal(known[cand.id].to_numpy(), k)


def test_counts_and_rates_match_a_direct_computation(planted):
    """n, wins, rates and lift for Healthcare equal a plain pandas count."""
    X, y, _, by_id, _ = planted
    s = by_id["industry = Healthcare"]
    mask = X["industry"] == "Healthcare"
    assert s.n == int(mask.sum()) and s.won_n == int(y[mask].sum())
    assert s.win_rate_present == pytest.approx(y[mask].mean())
    assert s.win_rate_absent == pytest.approx(y[~mask].mean())
    assert s.lift == pytest.approx(y[mask].mean() / y.mean())
    assert s.ci_low < s.win_rate_present < s.ci_high


def test_q_values_adjust_over_every_attribute(planted):
    """q-values are Benjamini-Hochberg over all attributes tested, and rank follows power."""
    _, _, _, _, stats = planted
    np.testing.assert_allclose(
        [s.q_value for s in stats], benjamini_hochberg([s.p_value for s in stats])
    )
    assert [s.rank for s in stats] == list(range(1, len(stats) + 1))
    assert [s.power for s in stats] == sorted((s.power for s in stats), reverse=True)
    assert "q" in RANKING_FORMULA and "power" in RANKING_FORMULA


def test_attribute_entries_follow_the_analysis_contract(planted):
    """``to_dict`` has every key analysis.json promises and is strict JSON."""
    _, _, _, by_id, stats = planted
    keys = {"id", "field", "kind", "dimension", "n", "won_n", "win_rate_present",
            "win_rate_absent", "lift", "p_value", "q_value", "test", "ci_low", "ci_high",
            "significant", "direction", "power", "confidence", "rank"}  # fmt: skip
    for s in stats:
        entry = s.to_dict()
        assert keys <= entry.keys()
        assert ("value" in entry) != ("range" in entry)
        json.dumps(entry, allow_nan=False)
    assert by_id["industry = Healthcare"].to_dict()["value"] == "Healthcare"
    ranged = next(s for s in stats if s.candidate.kind == "range").to_dict()
    assert len(ranged["range"]) == 2


def test_confidence_reflects_sample_size_and_q(planted):
    """Strong, well-supported attributes are High; non-significant ones are Low."""
    _, _, _, by_id, _ = planted
    assert by_id["demo_requested"].confidence == "High"
    assert by_id["newsletter"].confidence == "Low"


def test_a_planted_interaction_is_found_and_an_additive_pair_is_not(planted):
    """Inbound AND hiring (weak alone, strong together) is significant; demo + industry is not."""
    X, y, _, _, stats = planted
    found = {(i.a.id, i.b.id): i for i in find_interactions(X, y, stats, top=8)}
    pair = found.get(("inbound", "hiring")) or found.get(("hiring", "inbound"))
    assert pair is not None and pair.significant and pair.interaction_lift > 1
    assert pair.win_rate_both > max(pair.win_rate_a, pair.win_rate_b)
    assert len(pair.conditions) == 2
    for (a, b), it in found.items():
        if {a, b} == {"demo_requested", "industry = Healthcare"}:
            assert not it.significant
    json.dumps(pair.to_dict(), allow_nan=False)


def test_interactions_need_enough_deals_in_the_combination(planted):
    """No pair is reported whose combination has fewer than ``min_deals`` deals."""
    X, y, _, _, stats = planted
    for it in find_interactions(X, y, stats, min_deals=200):
        assert it.n_both >= 200


def test_non_predictors_are_the_flat_attributes(planted):
    """Null attributes are listed as non-predictors with a plain note; strong ones are not."""
    _, _, _, _, stats = planted
    listed = {np_["id"]: np_ for np_ in non_predictors(stats)}
    assert "newsletter" in listed and "no measurable effect" in listed["newsletter"]["note"]
    for ident in (*POSITIVE, *NEGATIVE):
        assert ident not in listed


def test_loss_reasons_count_losses_and_compare_scores():
    """Counts and shares are among losses only; a reason scoring high is called out."""
    reasons = pd.Series(["Price", "Price", None, "Timing", "Price", "Timing"])
    y = pd.Series([0, 0, 0, 0, 1, 0])
    scores = pd.Series([80, 70, 20, 30, 90, 30])
    table = {r["reason"]: r for r in loss_reason_table(reasons, y, scores)}
    assert table["Price"]["count"] == 2 and table["Timing"]["count"] == 2
    assert table["(not recorded)"]["count"] == 1
    assert table["Price"]["share_of_losses"] == pytest.approx(0.4)
    assert table["Price"]["avg_score"] == pytest.approx(75)
    assert "good fits" in table["Price"]["pattern"]
    assert "ranks these low" in table["Timing"]["pattern"]
    assert loss_reason_table(reasons, y)[0]["avg_score"] is None


def test_outcomes_must_be_zero_or_one():
    """A missing or non-binary outcome is refused with a message saying what is expected."""
    X = pd.DataFrame({"industry": ["A", "B", "A"]})
    with pytest.raises(ValueError, match="1 \\(won\\) and 0 \\(lost\\)"):
        find_candidates(X, pd.Series([1, float("nan"), 0]))
    with pytest.raises(ValueError, match="one 1 \\(won\\) or 0 \\(lost\\)"):
        measure_attributes(X, pd.Series([1, 2, 0]), [])


def test_measuring_on_other_deals_handles_absent_attributes(planted):
    """Measured on deals where an attribute never occurs, its rates are empty, not errors."""
    X, y, scan, _, _ = planted
    hc = next(c for c in scan.candidates if c.id == "industry = Healthcare")
    subset = X["industry"] != "Healthcare"
    stats = measure_attributes(X[subset], y[subset], [hc])
    assert stats[0].n == 0 and stats[0].p_value == 1.0 and not stats[0].significant
    assert math.isnan(stats[0].win_rate_present)
    assert stats[0].to_dict()["win_rate_present"] is None


def test_unique_whole_amounts_are_measured_and_a_row_counter_is_not() -> None:
    """Revenue in whole dollars, different in every deal, is a numeric attribute (the audit keeps
    it); only a consecutive counter is skipped as an identifier."""
    rng = np.random.default_rng(5)
    n = 240
    revenue = rng.choice(np.arange(1_000_000, 90_000_000, 1_000), n, replace=False)
    win = rng.random(n) < np.where(revenue > 45_000_000, 0.6, 0.2)
    X = pd.DataFrame({"annual_revenue": revenue, "seq": np.arange(1, n + 1)})
    y = pd.Series(win.astype(int))
    scan = scan_attributes(X, y)
    assert any(c.field == "annual_revenue" for c in scan.candidates)
    skipped = {r["field"]: r["reason"] for r in scan.insufficient if r.get("value") is None}
    assert "annual_revenue" not in skipped
    assert "row counter" in skipped["seq"]


def test_a_closed_range_label_says_its_upper_end_is_excluded() -> None:
    """A middle bin reads '15 to under 16' (the condition is 15 <= x < 16), and negative bounds
    read '-37 to under -35', never '15–16' or '-37–-35'."""
    from service.model.patterns.candidates import _range_candidate

    assert _range_candidate("score", 15.0, 16.0, "engagement").label == "Score 15 to under 16"
    assert _range_candidate("cons.conf", -37.0, -35.0, "intent").label == (
        "Cons conf -37 to under -35"
    )
