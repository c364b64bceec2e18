"""Step 3: joint fit of points on candidate indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr

from service.errors import ConfigError
from service.model.points import PointsFitter, SignalSpec, describe, slug
from service.scoring.rules import Flag, Range


def _spec(i: str, direction: str = "positive", dimension: str = "behavioral") -> SignalSpec:
    return SignalSpec(
        id=i,
        label=f"{i} label",
        dimension=dimension,
        direction=direction,
        conditions=(Flag(kind="flag", field=i),),
        lift=1.5 if direction == "positive" else 0.5,
        n=100,
        win_rate_present=0.5,
        win_rate_absent=0.3,
        q_value=0.001,
    )


def _planted(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, dict[str, float]]:
    """Indicators with known log-odds effects, one exact copy and one pure-noise column."""
    rng = np.random.default_rng(seed)
    effects = {"a": 1.6, "b": 1.0, "c": 0.6, "neg": -1.2, "noise": 0.0}
    X = pd.DataFrame({k: rng.random(n) < 0.3 for k in effects})
    X["a_copy"] = X["a"]
    logit = -1.0 + sum(v * X[k].to_numpy() for k, v in effects.items())
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y, effects


def _specs() -> list[SignalSpec]:
    return [
        _spec("a"),
        _spec("b", dimension="firmographic"),
        _spec("c", dimension="engagement"),
        _spec("neg", direction="negative"),
        _spec("noise", direction="none"),
        _spec("a_copy"),
    ]


def test_points_follow_planted_effects_and_signs():
    """Stronger planted effects get more points; the negative one lands in `negative`."""
    X, y, _ = _planted()
    fit = PointsFitter(seed=0).fit(X, y, _specs())
    by_id = {d["id"]: d for d in fit.details_}
    pts = {k: by_id[k]["points"] for k in by_id}
    assert ("a" in pts) != ("a_copy" in pts)  # exactly one of the duplicates keeps points
    strong = pts.get("a", pts.get("a_copy"))
    assert strong > pts["b"] > pts["c"] > 0
    assert pts["neg"] < 0 and by_id["neg"]["dimension"] == "negative"
    assert by_id["b"]["dimension"] == "firmographic"
    assert "noise" not in pts
    assert 15 <= strong <= 50


def test_duplicate_indicator_is_listed_as_redundant():
    """An exact copy of a signal gets no points and its reason names the signal it copies."""
    X, y, _ = _planted()
    fit = PointsFitter(seed=0).fit(X, y, _specs())
    dropped = {d["id"]: d["reason"] for d in fit.dropped_}
    copy = "a_copy" if "a_copy" in dropped else "a"
    other = "a" if copy == "a_copy" else "a_copy"
    assert f"redundant with {other} label" in dropped[copy]
    assert "not significantly" in dropped["noise"]


def test_integer_total_ranks_deals_like_the_fitted_logit():
    """Rounding to whole points keeps the ranking: Spearman with the logit above 0.97."""
    rng = np.random.default_rng(3)
    n, k = 5000, 25
    X = pd.DataFrame(rng.random((n, k)) < 0.25, columns=[f"s{i}" for i in range(k)])
    beta = rng.uniform(0.1, 1.5, k)
    y = (rng.random(n) < 1 / (1 + np.exp(-(X.to_numpy() @ beta - 3)))).astype(int)
    fit = PointsFitter(seed=0).fit(X, y, [_spec(c) for c in X.columns])
    coef = np.array([fit.coef_.get(c, 0.0) for c in X.columns])
    pts = np.array([fit.points_.get(c, 0) for c in X.columns])
    rho = spearmanr(X.to_numpy() @ pts, X.to_numpy() @ coef).statistic
    assert rho > 0.97
    assert fit.spearman_ == pytest.approx(rho)


def test_at_most_max_signals_keep_points():
    """With more real effects than allowed only `max_signals` get points, the rest say why."""
    rng = np.random.default_rng(4)
    n, k = 4000, 12
    X = pd.DataFrame(rng.random((n, k)) < 0.3, columns=[f"s{i}" for i in range(k)])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X.to_numpy() @ np.linspace(0.5, 1.5, k) - 3)))).astype(
        int
    )
    fit = PointsFitter(max_signals=5, seed=0).fit(X, y, [_spec(c) for c in X.columns])
    assert len(fit.signals_) <= 5
    assert any("5 strongest" in d["reason"] for d in fit.dropped_)
    # the strongest planted effects are the ones kept
    assert {"s11", "s10"} <= set(fit.points_)


def test_a_sign_that_flips_in_the_joint_fit_gets_no_points():
    """A signal marked negative whose joint coefficient is positive is dropped, not inverted."""
    X, y, _ = _planted()
    specs = [_spec("a"), _spec("b", direction="negative")]
    fit = PointsFitter(seed=0).fit(X, y, specs)
    assert "b" not in fit.points_
    assert any(d["id"] == "b" and "reverses" in d["reason"] for d in fit.dropped_)
    assert fit.points_["a"] > 0


def test_no_single_signal_exceeds_the_share_of_the_positive_maximum():
    """One dominant effect is capped at 35% of the sum of positive points."""
    rng = np.random.default_rng(5)
    n = 4000
    X = pd.DataFrame({f"s{i}": rng.random(n) < 0.3 for i in range(4)})
    beta = np.array([4.0, 0.8, 0.7, 0.6])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X.to_numpy() @ beta - 2)))).astype(int)
    fit = PointsFitter(seed=0).fit(X, y, [_spec(c) for c in X.columns])
    positive = [p for p in fit.points_.values() if p > 0]
    assert max(positive) <= 0.35 * sum(positive) + 1e-9
    assert fit.dimension_max_["behavioral"] == sum(positive)


def test_refit_with_fixed_C_and_scale_reuses_them():
    """Passing the fitted C and scale back in reproduces the same points (used by --refit-all)."""
    X, y, _ = _planted()
    first = PointsFitter(seed=0).fit(X, y, _specs())
    again = PointsFitter(C=first.C_, scale=first.scale_, seed=0).fit(X, y, _specs())
    assert again.C_ == first.C_ and again.scale_ == first.scale_
    assert again.points_ == first.points_


def test_shuffled_labels_give_few_or_no_points():
    """With outcomes unrelated to the indicators the fit keeps almost nothing."""
    X, _, _ = _planted()
    y = np.random.default_rng(9).permutation(np.r_[np.ones(1200), np.zeros(2800)]).astype(int)
    fit = PointsFitter(seed=0).fit(X, y, _specs())
    assert len(fit.signals_) <= 2


def test_bad_parameters_are_reported_at_fit_time():
    """An impossible parameter raises a ConfigError naming it and the value."""
    X, y, _ = _planted(n=200)
    with pytest.raises(ConfigError, match=r"max_signal_share must be in \(0, 1\]; got 1.5"):
        PointsFitter(max_signal_share=1.5).fit(X, y, _specs())
    with pytest.raises(ConfigError, match="C must be above 0; got -1"):
        PointsFitter(C=-1).fit(X, y, _specs())


def test_rules_signals_carry_conditions_and_evidence():
    """Each fitted signal becomes a valid rules Signal with its lift as evidence."""
    X, y, _ = _planted()
    fit = PointsFitter(seed=0).fit(X, y, _specs())
    sig = next(s for s in fit.signals_ if s.name == "b_label")
    assert sig.when[0].field == "b" and sig.evidence.lift == 1.5
    assert sig.points == fit.points_["b"]


def test_describe_and_slug():
    """Conditions read as plain words and candidate ids become safe names."""
    cond = (
        Range(kind="range", field="Employees", min=200, max=1000),
        Flag(kind="flag", field="Demo"),
    )
    assert describe(cond) == "Employees 200 to < 1000 and Demo is true"
    assert describe((Range(kind="range", field="Visits", min=2.5),)) == "Visits >= 2.5"
    assert slug("Industry = SaaS & Co.") == "industry_saas_co"
