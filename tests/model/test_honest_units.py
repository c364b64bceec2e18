"""Issue 10, unit by unit: joint-model pair tests, confirmed cuts, pair signals that must help,
the trust figures (AUC interval, deciles, no-skill, per tier), sales-process fields."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sklearn.metrics import roc_auc_score

from service.audit.process_fields import sales_process_field
from service.model.patterns.binning import supervised_cuts
from service.model.patterns.joint_tests import joint_pair_tests
from service.model.points import PointsFitter, SignalSpec
from service.model.validation.metrics import (
    auc_interval,
    decile_table,
    no_skill_accuracy,
    tier_holdout,
    weighted_aucs,
)
from service.scoring.rules import Flag
from tests.audit.audit_support import audit, deals_frame, reasons


def _logit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


class TestJointPairTests:
    """A pair is tested against every main effect together, by likelihood ratio."""

    @pytest.mark.parametrize(("effect", "test"), [(0.3, "lr"), (1.2, "score")])
    def test_statistic_matches_statsmodels_likelihood_ratio(self, effect, test):
        """A pair in doubt gets the likelihood-ratio test: twice the log-likelihood gain of adding
        the pair term (known answer from statsmodels' unpenalised GLMs; the weak ridge moves it
        by under 1%). A clear pair keeps the score test, within 15% of the same statistic."""
        rng = np.random.default_rng(0)
        n = 3000
        M = rng.random((n, 4)) < 0.4
        pair = M[:, 0] & M[:, 1]
        y = (rng.random(n) < _logit(-1 + M @ [0.4, 0.3, 1.0, -0.8] + effect * pair)).astype(int)
        (res,) = joint_pair_tests(M, pair[:, None], y)
        X0 = sm.add_constant(M.astype(float))
        ll0 = sm.GLM(y, X0, family=sm.families.Binomial()).fit().llf
        full = sm.GLM(y, np.column_stack([X0, pair]), family=sm.families.Binomial()).fit()
        assert res.test == test
        assert res.statistic == pytest.approx(
            2 * (full.llf - ll0), rel=0.01 if test == "lr" else 0.15
        )
        assert res.p_value < 0.01 and res.coefficient > 0
        if test == "lr":
            assert res.coefficient == pytest.approx(full.params[-1], rel=0.02)

    def test_other_main_effects_make_a_real_pair_visible(self):
        """Strong other effects hide a pair tested in isolation; the joint test finds it."""
        from service.model.stats import interaction_test

        rng = np.random.default_rng(2)
        n = 2000
        a, b = rng.random(n) < 0.3, rng.random(n) < 0.3
        others = rng.random((n, 6)) < 0.35
        u = -2.0 + 0.3 * a + 0.3 * b + 1.5 * (a & b) + others @ [2.5, -2.5, 2.0, -2.0, 2.0, 2.0]
        y = (rng.random(n) < _logit(u)).astype(int)
        cells = [~a & ~b, a & ~b, ~a & b, a & b]
        alone = interaction_test(
            np.array([y[c].sum() for c in cells], float), np.array([c.sum() for c in cells], float)
        )
        (joint,) = joint_pair_tests(np.column_stack([a, b, others]), (a & b)[:, None], y)
        assert joint.p_value < alone.p_value / 10

    def test_no_interaction_gives_uniform_p_values(self):
        """With no pair term planted, few pairs are significant (the test holds its size)."""
        rng = np.random.default_rng(5)
        n = 1000
        M = rng.random((n, 6)) < 0.4
        y = (rng.random(n) < _logit(-0.5 + M @ [1.0, -1.0, 0.5, 0.0, 0.8, -0.3])).astype(int)
        pairs = np.column_stack([M[:, i] & M[:, j] for i in range(6) for j in range(i + 1, 6)])
        ps = [t.p_value for t in joint_pair_tests(M, pairs, y)]
        assert sum(p < 0.05 for p in ps) <= 2


class TestConfirmedCuts:
    """Cuts are chosen on one half and must hold on the other."""

    def test_noise_gets_no_cut(self):
        rng = np.random.default_rng(1)
        values = rng.integers(1, 5000, 1500).astype(float)
        y = (rng.random(1500) < 0.35).astype(int)
        assert supervised_cuts(values, y, min_leaf=75) == []

    def test_planted_step_is_cut_where_it_is(self):
        rng = np.random.default_rng(2)
        values = rng.integers(20, 2000, 1500).astype(float)
        y = (rng.random(1500) < np.where(values < 200, 0.08, 0.40)).astype(int)
        cuts = supervised_cuts(values, y, min_leaf=75)
        assert len(cuts) == 1 and 150 <= cuts[0] <= 260

    def test_a_cut_inside_a_flat_region_is_merged_away(self):
        """Under 200 is one effect: no cut below 200 survives, whatever the tree finds."""
        for seed in range(5):
            rng = np.random.default_rng(seed)
            values = rng.integers(20, 3000, 1500).astype(float)
            y = (rng.random(1500) < np.where(values < 200, 0.10, 0.40)).astype(int)
            cuts = supervised_cuts(values, y, min_leaf=75, seed=seed)
            assert all(c >= 150 for c in cuts), (seed, cuts)


class TestPairSignals:
    """A pair signal is kept only when it improves the cross-validated fit."""

    def _specs(self) -> list[SignalSpec]:
        def spec(i: str, kind: str = "attribute") -> SignalSpec:
            return SignalSpec(
                i, i, "behavioral", "positive", (Flag(kind="flag", field=i),), 1.5, 100, 0.5,
                q_value=0.001, kind=kind,
            )  # fmt: skip

        return [spec("a"), spec("b"), spec("a AND b", "pair")]

    def test_real_pair_is_scored_and_noise_pair_is_not(self):
        """Over five samples, a planted pair always earns points; a pair with no effect is
        dropped (with its reason) in at least four: chance gains do not hold on every fold."""
        noise_kept = 0
        for seed in range(5):
            rng = np.random.default_rng(seed)
            n = 3000
            a, b = rng.random(n) < 0.4, rng.random(n) < 0.4
            frame = pd.DataFrame({"a": a, "b": b, "a AND b": a & b})
            real = (rng.random(n) < _logit(-1.5 + 0.3 * a + 0.3 * b + 2.0 * (a & b))).astype(int)
            fitted = PointsFitter(seed=0).fit(frame, real, self._specs())
            assert fitted.points_.get("a AND b", 0) > 0
            noise = (rng.random(n) < _logit(-1.0 + 0.9 * a + 0.9 * b)).astype(int)
            fitted = PointsFitter(seed=0).fit(frame, noise, self._specs())
            if "a AND b" in fitted.points_:
                noise_kept += 1
            else:
                assert any(
                    d["id"] == "a AND b" and "cross-validated fit" in d["reason"]
                    for d in fitted.dropped_
                )
        assert noise_kept <= 1


class TestTrustFigures:
    """The figures printed beside the AUC, from known answers."""

    def test_weighted_auc_equals_sklearn_with_weights(self):
        rng = np.random.default_rng(0)
        won = rng.integers(0, 2, 300)
        scores = np.round(won * 2 + rng.normal(size=300) * 3)
        w = rng.integers(0, 4, (3, 300)).astype(float)
        _, level_of = np.unique(scores, return_inverse=True)
        got = weighted_aucs(w, level_of, won)
        for row, value in zip(w, got, strict=True):
            assert value == pytest.approx(roc_auc_score(won, scores, sample_weight=row))

    def test_auc_interval_brackets_the_auc_and_narrows_with_more_deals(self):
        rng = np.random.default_rng(1)
        widths = []
        for n in (400, 4000):
            won = rng.integers(0, 2, n)
            scores = won + rng.normal(size=n) * 1.5
            low, high = auc_interval(scores, won, seed=0)
            assert low < roc_auc_score(won, scores) < high
            widths.append(high - low)
        assert widths[1] < widths[0] / 2
        assert auc_interval(np.arange(5.0), np.ones(5)) is None

    def test_deciles_no_skill_and_tiers(self):
        won = np.array([1] * 30 + [0] * 70)
        scores = np.arange(100, 0, -1, dtype=float)  # the wins have the top 30 scores
        rows = decile_table(scores, won)
        assert [r["n"] for r in rows] == [10] * 10
        assert [r["won"] for r in rows] == [10, 10, 10, 0, 0, 0, 0, 0, 0, 0]
        assert rows[0]["lift"] == pytest.approx(1 / 0.3)
        assert no_skill_accuracy(won) == pytest.approx(0.7)
        tiers = np.array(["Hot"] * 20 + ["Warm"] * 20 + ["Cool"] * 30 + ["Cold"] * 30)
        by = {t["tier"]: t for t in tier_holdout(tiers, won)}
        assert by["Hot"]["holdout_win_rate"] == 1.0 and by["Hot"]["recall"] == pytest.approx(2 / 3)
        assert by["Warm"]["holdout_won"] == 10 and by["Warm"]["precision"] == 0.5
        assert by["Warm"]["holdout_ci"][0] < 0.5 < by["Warm"]["holdout_ci"][1]


class TestSalesProcessFields:
    """Owner, seller, sales-rep and assigned-to fields are excluded by default; keep overrides."""

    @pytest.mark.parametrize(
        "name",
        ["Seller", "Owner", "OwnerId", "Lead Owner", "Sales Rep", "assigned_to", "AssignedTo"],
    )
    def test_names_that_describe_the_sales_process(self, name):
        assert sales_process_field(name)

    @pytest.mark.parametrize(
        "name", ["Lead Source", "Product", "Client", "Reporter", "Sales Cycle"]
    )
    def test_names_that_do_not(self, name):
        assert not sales_process_field(name)

    def test_seller_is_excluded_with_its_reason_and_keep_restores_it(self):
        frame = deals_frame(300, seed=3)
        won = frame["outcome"] == "won"
        rng = np.random.default_rng(0)
        frame["Seller"] = np.where(won & (rng.random(300) < 0.6), "Seller 1", "Seller 2")
        report = audit(frame)
        assert reasons(report)["Seller"] == "sales_process"
        x, _ = report.modelling_data()
        assert "Seller" not in x.columns
        x, _ = audit(frame, keep=["Seller"]).modelling_data()
        assert "Seller" in x.columns


class TestRanking:
    """Section 2.1's ranking does not favour small extreme groups."""

    def test_large_solid_effect_outranks_a_small_extreme_one(self):
        from service.model.patterns import find_candidates, measure_attributes

        rng = np.random.default_rng(0)
        n = 1200
        big = rng.random(n) < 0.5
        small = np.zeros(n, bool)
        small[rng.choice(np.flatnonzero(~big), 21, replace=False)] = True
        p = np.where(big, 0.45, 0.15)
        p[small] = 0.9
        y = pd.Series((rng.random(n) < p).astype(int))
        X = pd.DataFrame(
            {
                "segment": np.where(big, "Mid-market", "Other"),
                "source": np.where(small, "Referral", rng.choice(["Web", "Event"], n)),
            }
        )
        stats = measure_attributes(X, y, find_candidates(X, y))
        by = {s.id: s for s in stats}
        assert by["source = Referral"].lift > by["segment = Mid-market"].lift
        assert by["segment = Mid-market"].rank < by["source = Referral"].rank
