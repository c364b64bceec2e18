"""Known answers for the PSI, the AUC interval, decay and the rules diff."""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml

from service.health.champion import auc_interval
from service.health.diff import diff_rules
from service.health.lifts import SignalLift
from service.health.psi import level, psi
from service.model.reference import bin_shares, score_bins
from service.scoring.rules import parse_rules


class TestPsi:
    def test_known_value(self) -> None:
        """Four equal bins against 10/20/30/40%: sum((a-e) ln(a/e)) = 0.2283 by hand."""
        expected = (
            -0.15 * math.log(0.4)
            - 0.05 * math.log(0.8)
            + 0.05 * math.log(1.2)
            + 0.15 * math.log(1.6)
        )
        assert psi([0.25] * 4, [0.1, 0.2, 0.3, 0.4]) == pytest.approx(expected)
        assert expected == pytest.approx(0.2283, abs=1e-4)

    def test_identical_is_zero_and_symmetric(self) -> None:
        """The same shares give 0; swapping the two sides gives the same value."""
        assert psi([0.2, 0.8], [0.2, 0.8]) == 0
        assert psi([0.3, 0.7], [0.6, 0.4]) == pytest.approx(psi([0.6, 0.4], [0.3, 0.7]))

    def test_empty_bin_stays_finite(self) -> None:
        """A bin empty on one side counts heavily but finitely."""
        value = psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2])
        assert math.isfinite(value) and value > 0.25

    def test_levels(self) -> None:
        """Below 0.1 stable, 0.1 to 0.25 watch, 0.25 and above act."""
        assert [level(v) for v in (0.05, 0.1, 0.2, 0.25, 1.0, None)] == [
            "stable",
            "watch",
            "watch",
            "act",
            "act",
            "unknown",
        ]

    def test_mismatched_bins_are_an_error(self) -> None:
        with pytest.raises(ValueError, match="3 reference bins but 2"):
            psi([0.2, 0.3, 0.5], [0.5, 0.5])


class TestBins:
    def test_few_values_get_one_bin_each(self) -> None:
        """Scores 0, 10, 25: edges half-way between, one bin per value; new values fall into
        the end bins."""
        values = np.array([0, 0, 10, 25, 25, 25])
        edges = score_bins(values)
        assert edges == [5.0, 17.5]
        assert bin_shares(values, edges) == pytest.approx([2 / 6, 1 / 6, 3 / 6])
        assert bin_shares(np.array([-40, 99]), edges) == [0.5, 0.0, 0.5]

    def test_many_values_get_deciles(self) -> None:
        """A continuous score gets at most ten bins of about a tenth each."""
        values = np.arange(1000, dtype=float)
        shares = bin_shares(values, score_bins(values))
        assert len(shares) == 10 and max(shares) < 0.11


class TestAucInterval:
    def test_hanley_mcneil_known_answer(self) -> None:
        """AUC 0.8 on 50 won and 50 lost: SE 0.0445 by Hanley and McNeil's formula."""
        low, high = auc_interval(0.8, 50, 50)
        se = math.sqrt((0.16 + 49 * (0.8 / 1.2 - 0.64) + 49 * (2 * 0.64 / 1.8 - 0.64)) / 2500)
        assert se == pytest.approx(0.0445, abs=1e-4)
        assert (low, high) == pytest.approx((0.8 - 1.959964 * se, 0.8 + 1.959964 * se))

    def test_wider_with_fewer_deals(self) -> None:
        narrow = auc_interval(0.75, 500, 500)
        wide = auc_interval(0.75, 20, 20)
        assert wide[1] - wide[0] > narrow[1] - narrow[0]


def _lift(**kw: object) -> SignalLift:
    base: dict[str, object] = dict(
        name="s",
        label="S",
        dimension="behavioral",
        points=10,
        old_lift=1.6,
        new_lift=1.6,
        n_present=100,
        won_present=55,
        n_absent=300,
        won_absent=90,
        p_value=0.0001,
        ci_low=None,
        ci_high=None,
        old_n=100,
        old_win_rate=0.55,
    )
    base.update(kw)
    return SignalLift(**base)  # type: ignore[arg-type]


class TestDecay:
    def test_a_signal_that_still_predicts_holds(self) -> None:
        assert not _lift().decayed and not _lift().changed

    def test_a_lift_back_at_one_with_a_different_win_rate_decays(self) -> None:
        """Not significant now, lift back near 1, win rate clearly below the model's."""
        gone = _lift(new_lift=1.02, won_present=35, p_value=0.7)
        assert gone.decayed and gone.changed and gone.change == pytest.approx(1.02 / 1.6 - 1)

    def test_a_noisy_small_signal_is_not_called_decayed(self) -> None:
        """Near 1 now, but the new win rate does not differ from the model's: not decay."""
        noisy = _lift(new_lift=1.1, won_present=30, n_present=50, p_value=0.3, old_win_rate=0.62)
        assert not noisy.decayed

    def test_too_few_deals_is_never_decay(self) -> None:
        assert not _lift(new_lift=1.0, n_present=10, won_present=3, p_value=0.9).decayed


RULES = """\
version: "a"
dimensions: {firmographic: {max_points: 30}, behavioral: {max_points: 40}}
signals:
  - {name: software, label: "Software", dimension: firmographic, points: 20,
     when: [{kind: field_in, field: industry, values: [Software]}]}
  - {name: demo, label: "Demo", dimension: behavioral, points: 40,
     when: [{kind: flag, field: demo_requested}]}
thresholds: {hot: 60, warm: 30, cool: 15}
"""


def test_diff_lists_added_removed_repointed_and_thresholds() -> None:
    """Every kind of change is one line; identical rules say so."""
    a = parse_rules(yaml.safe_load(RULES))
    b_text = (
        RULES.replace('"a"', '"b"')
        .replace("points: 40", "points: 30")
        .replace("hot: 60", "hot: 55")
        .replace("name: software", "name: healthcare")
        .replace('"Software"', '"Healthcare"')
    )
    b = parse_rules(yaml.safe_load(b_text))
    d = diff_rules(a, b)
    assert d.added == ["+ Healthcare (firmographic, +20)"]
    assert d.removed == ["- Software (firmographic, +20)"]
    assert d.repointed == ["Demo: +40 -> +30"]
    assert d.thresholds == ["Hot >= 60 -> >= 55"]
    assert diff_rules(a, a).empty


def test_evaluate_gives_auc_and_hot_precision_with_intervals() -> None:
    """Four deals: the two Software demo deals score Hot (60) and one of them won."""
    import pandas as pd

    from service.health.champion import evaluate

    rules = parse_rules(yaml.safe_load(RULES))
    frame = pd.DataFrame(
        {
            "industry": ["Software", "Software", "Retail", "Retail"],
            "demo_requested": [True, True, False, False],
        }
    )
    y = np.array([1, 0, 1, 0])
    out = evaluate(rules, frame, y)
    # scores 60, 60, 0, 0: won (60, 0) vs lost (60, 0): P(won > lost) + ties/2 = 0.5
    assert out["auc"] == 0.5 and out["deals"] == 4
    assert out["hot_n"] == 2 and out["hot_precision"] == 0.5
    low, high = out["hot_precision_ci"]
    assert low < 0.5 < high
    y2 = np.array([1, 1, 0, 0])
    assert evaluate(rules, frame, y2)["auc"] == 1.0
