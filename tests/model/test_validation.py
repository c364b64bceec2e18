"""Step 5 validation: the holdout split and the holdout metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from structlog.testing import capture_logs

from service.errors import InputError
from service.model.validation.holdout import split_holdout, validate
from service.scoring.engine import assign_tiers
from service.scoring.rules import Rules


def _rules(hot: float = 30, warm: float = 20, cool: float = 10) -> Rules:
    return Rules.model_validate(
        {
            "version": "1.0",
            "dimensions": {"firmographic": {"max_points": 40}, "intent": {"max_points": 40}},
            "negative_max_points": 20,
            "signals": [
                {
                    "name": "big",
                    "dimension": "firmographic",
                    "points": 20,
                    "when": [{"kind": "range", "field": "employees", "min": 500}],
                },
                {
                    "name": "demo",
                    "dimension": "intent",
                    "points": 15,
                    "when": [{"kind": "flag", "field": "demo"}],
                },
            ],
            "thresholds": {"hot": hot, "warm": warm, "cool": cool},
        }
    )


def _frame(n: int, won_share: float = 0.3, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.integers(0, 5, n)})
    y = pd.Series((rng.random(n) < won_share).astype(int))
    return X, y


def _scores(totals: list[float]) -> pd.DataFrame:
    """Scores shaped like ``score_frame``'s: every deal scoreable, tiered by its total."""
    return pd.DataFrame({"total": totals, "tier": assign_tiers(np.asarray(totals), _rules())})


# ---- the split ----------------------------------------------------------------------------


def test_split_reproduces_train_test_split_exactly() -> None:
    """Without dates the split is sklearn's stratified train_test_split on row positions."""
    X, y = _frame(403)
    train, test, kind = split_holdout(X, y, holdout=0.25, seed=0)
    ref_train, ref_test = train_test_split(
        np.arange(403), test_size=0.25, stratify=y, random_state=0
    )
    assert kind == "stratified_random"
    np.testing.assert_array_equal(train, ref_train)
    np.testing.assert_array_equal(test, ref_test)


def test_split_is_disjoint_complete_and_stratified() -> None:
    """Training and holdout never share a deal, cover every deal, and keep the win rate."""
    X, y = _frame(1000, won_share=0.2, seed=3)
    train, test, _ = split_holdout(X, y, holdout=0.3, seed=7)
    assert set(train).isdisjoint(test)
    assert sorted([*train, *test]) == list(range(1000))
    assert len(test) == 300
    assert abs(y.iloc[test].mean() - y.mean()) < 0.005
    assert abs(y.iloc[train].mean() - y.mean()) < 0.005


def test_split_depends_on_seed() -> None:
    """A different seed holds out different deals."""
    X, y = _frame(200)
    assert set(split_holdout(X, y, seed=0)[1]) != set(split_holdout(X, y, seed=1)[1])


@pytest.mark.parametrize("holdout", [0.7, 0.51, 0, -0.1])
def test_split_rejects_holdout_outside_range(holdout: float) -> None:
    """A holdout share outside (0, 0.5] is an input error that states the range and the value."""
    X, y = _frame(100)
    with pytest.raises(InputError, match=r"holdout must be in \(0, 0\.5\]; got "):
        split_holdout(X, y, holdout=holdout)
    with pytest.raises(InputError) as err:
        split_holdout(X, y, holdout=0.7)
    assert str(err.value) == "holdout must be in (0, 0.5]; got 0.7."


def test_split_refuses_too_few_of_one_outcome() -> None:
    """With a single won deal there is nothing to stratify; the error says what to add."""
    X = pd.DataFrame({"a": range(60)})
    y = pd.Series([1] + [0] * 59)
    with pytest.raises(InputError, match="at least 2 won and 2 lost"):
        split_holdout(X, y)


def test_split_by_date_holds_out_the_newest_deals() -> None:
    """With dates, the newest quarter is held out and undated deals go to training."""
    n = 100
    X, y = _frame(n, won_share=0.5, seed=1)
    rng = np.random.default_rng(5)
    dates = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.permutation(n), unit="D"))
    dates = dates.astype("string")
    dates.iloc[[3, 17, 42]] = pd.NA  # 97% parseable
    with capture_logs() as logs:
        split = split_holdout(X, y, holdout=0.25, dates=dates)
    train, test, kind = split
    assert kind == "newest_by_date"
    assert len(test) == 25
    parsed = pd.to_datetime(dates)
    assert parsed.iloc[test].min() > parsed.iloc[train].max()
    assert {3, 17, 42} <= set(train)
    assert "3 undated deals went to training" in split.note
    assert any(e["event"] == "holdout_split" and e["undated"] == 3 for e in logs)


def test_split_by_date_falls_back_when_newest_are_one_outcome() -> None:
    """When the newest deals are all lost, the split falls back to stratified and says why."""
    n = 80
    X = pd.DataFrame({"a": range(n)})
    y = pd.Series([1, 0] * 30 + [0] * 20)  # the last 20 (newest) are all lost
    dates = pd.Series(pd.date_range("2024-01-01", periods=n, freq="D"))
    split = split_holdout(X, y, holdout=0.25, dates=dates)
    assert split.kind == "stratified_random"
    assert "all lost" in split.note
    assert y.iloc[split.test].sum() > 0


def test_split_ignores_dates_that_mostly_fail_to_parse() -> None:
    """Dates under 90% readable are not trusted: the split is stratified and the note says so."""
    X, y = _frame(50, won_share=0.5)
    dates = pd.Series(["2024-01-05"] * 40 + ["not a date"] * 10)
    split = split_holdout(X, y, dates=dates)
    assert split.kind == "stratified_random"
    assert "only 80% of the dates could be read" in split.note.lower()


# ---- the metrics ----------------------------------------------------------------------------

# Ten deals; thresholds hot 30, warm 20, cool 10.
#   totals: 40 H, 35 H, 32 H, 25 W, 22 W, 15 C, 12 C, 5 Cold, 0 Cold, -5 Cold
#   won:     1     1     0     1     0     1     0     0      1      0
# Hot/Warm as predicted win: tp = 3 (40,35,25), fp = 2 (32,22), fn = 2 (15,0), tn = 3
# Hot only: tp = 2, fp = 1, fn = 3 -> precision 2/3, recall 2/5, f1 = 2pr/(p+r) = 0.5
TOTALS = [40, 35, 32, 25, 22, 15, 12, 5, 0, -5]
WON = [1, 1, 0, 1, 0, 1, 0, 0, 1, 0]


def test_metrics_match_a_hand_computed_confusion_table() -> None:
    """Accuracy, precision, recall and F1 equal the hand-computed table above."""
    v = validate(_scores(TOTALS), pd.Series(WON), _rules())
    assert v["confusion"] == {"tp": 3, "fn": 2, "fp": 2, "tn": 3}
    assert v["accuracy"] == pytest.approx(0.6)
    assert v["precision_hot"] == pytest.approx(2 / 3, abs=1e-4)
    assert v["recall_hot"] == pytest.approx(0.4)
    assert v["f1_hot"] == pytest.approx(0.5)
    assert v["precision_hot_warm"] == pytest.approx(0.6)
    assert v["recall_hot_warm"] == pytest.approx(0.6)
    assert v["f1_hot_warm"] == pytest.approx(0.6)
    assert (v["holdout_n"], v["holdout_won"], v["holdout_lost"]) == (10, 5, 5)
    # avg Hot (40+35+32)/3 minus avg Cold (5+0-5)/3
    assert v["tier_separation"] == pytest.approx(107 / 3 - 0, abs=0.01)


def test_auc_and_spearman_match_sklearn_scipy_and_pair_counting() -> None:
    """AUC equals the share of (won, lost) pairs ranked correctly, and sklearn; Spearman scipy's."""
    v = validate(_scores(TOTALS), pd.Series(WON), _rules())
    t, w = np.array(TOTALS), np.array(WON)
    pairs = [(a > b) + 0.5 * (a == b) for a in t[w == 1] for b in t[w == 0]]
    assert v["auc"] == pytest.approx(np.mean(pairs), abs=1e-4)
    assert v["auc"] == pytest.approx(roc_auc_score(w, t), abs=1e-4)
    rho = np.corrcoef(rankdata(t), rankdata(w))[0, 1]
    assert v["spearman"] == pytest.approx(rho, abs=1e-4)
    assert v["spearman"] == pytest.approx(spearmanr(t, w).statistic, abs=1e-4)


def test_targets_pass_and_fail_by_value() -> None:
    """Each target passes exactly when its value beats the stated threshold."""
    v = validate(_scores(TOTALS), pd.Series(WON), _rules())
    targets = {t["metric"]: t for t in v["targets"]}
    assert set(targets) == {
        "accuracy",
        "precision_hot",
        "recall_hot",
        "f1_hot",
        "auc",
        "tier_separation",
        "spearman",
    }
    assert targets["accuracy"]["passed"] is False  # 0.6 vs 0.7
    assert targets["precision_hot"]["passed"] is True  # 0.667 vs 0.6
    assert targets["recall_hot"]["passed"] is False  # 0.4 vs 0.5
    assert targets["tier_separation"]["target"] == pytest.approx(0.2 * (80 + 20))
    assert targets["tier_separation"]["passed"] is True
    assert v["targets_passed"] == sum(t["passed"] is True for t in v["targets"])


def test_calibration_compares_expected_with_actual_per_tier() -> None:
    """Calibration lists each tier's promised and observed conversion and its count."""
    expected = {"Hot": 0.7, "Warm": 0.45, "Cool": 0.2, "Cold": 0.05}
    v = validate(_scores(TOTALS), pd.Series(WON), _rules(), tier_expectations=expected)
    cal = {c["tier"]: c for c in v["calibration"]}
    assert cal["Hot"] == {
        "tier": "Hot",
        "expected": 0.7,
        "actual": pytest.approx(2 / 3, abs=1e-4),
        "n": 3,
        "won": 2,
    }
    assert (cal["Warm"]["actual"], cal["Warm"]["n"]) == (0.5, 2)
    assert (cal["Cool"]["actual"], cal["Cool"]["n"]) == (0.5, 2)
    assert cal["Cold"]["actual"] == pytest.approx(1 / 3, abs=1e-4)


def test_one_outcome_holdout_gives_null_metrics_with_reasons() -> None:
    """A holdout of only lost deals yields null AUC, Spearman and recall, each with a reason."""
    v = validate(_scores(TOTALS), pd.Series([0] * 10), _rules())
    assert v["auc"] is None and v["spearman"] is None and v["recall_hot"] is None
    assert "every holdout deal was lost" in v["unavailable"]["auc"]
    assert v["roc"] == {"fpr": [], "tpr": []}
    assert {t["metric"]: t["passed"] for t in v["targets"]}["auc"] is None


def test_no_hot_deals_gives_null_hot_precision_with_reason() -> None:
    """When no holdout deal reaches Hot, Hot precision is null and says why; nothing crashes."""
    v = validate(_scores([25, 22, 15, 5, 0, 12]), pd.Series([1, 0, 1, 0, 0, 1]), _rules())
    assert v["precision_hot"] is None
    assert v["unavailable"]["precision_hot"] == "no holdout deal scored Hot"
    assert v["recall_hot"] == 0.0
    assert v["tier_separation"] is None
    assert v["accuracy"] == pytest.approx(3 / 6)


def test_constant_scores_give_null_spearman_and_half_auc() -> None:
    """Identical scores for every deal rank nothing: AUC 0.5, Spearman null with a reason."""
    v = validate(_scores([10] * 6), pd.Series([1, 0, 1, 0, 0, 1]), _rules())
    assert v["auc"] == 0.5
    assert v["spearman"] is None
    assert "same score" in v["unavailable"]["spearman"]


def test_roc_is_thinned_and_holdout_scores_are_complete() -> None:
    """The ROC curve keeps at most 200 points from (0,0) to (1,1); every holdout score is listed."""
    rng = np.random.default_rng(2)
    n = 3000
    won = (rng.random(n) < 0.4).astype(int)
    totals = np.round(rng.normal(size=n) * 20 + won * 10, 2)
    v = validate(_scores(list(totals)), pd.Series(won), _rules())
    roc = v["roc"]
    assert 50 < len(roc["fpr"]) <= 200 and len(roc["fpr"]) == len(roc["tpr"])
    assert (roc["fpr"][0], roc["tpr"][0]) == (0.0, 0.0)
    assert (roc["fpr"][-1], roc["tpr"][-1]) == (1.0, 1.0)
    assert np.all(np.diff(roc["fpr"]) >= 0)
    assert len(v["holdout_scores"]) == n
    tier = assign_tiers(totals[:1], _rules())[0]
    assert v["holdout_scores"][0] == {"score": float(totals[0]), "tier": tier, "won": int(won[0])}


def test_validate_logs_a_summary_event() -> None:
    """Validation logs one holdout_validated event with the AUC and the targets passed."""
    with capture_logs() as logs:
        validate(_scores(TOTALS), pd.Series(WON), _rules())
    events = [e for e in logs if e["event"] == "holdout_validated"]
    assert len(events) == 1
    assert events[0]["holdout_n"] == 10 and events[0]["auc"] == pytest.approx(0.72, abs=1e-4)


def test_split_by_date_accepts_timezone_aware_datetimes() -> None:
    """A datetime column with a time zone splits by date like naive dates do."""
    n = 40
    X, y = _frame(n, won_share=0.5, seed=4)
    dates = pd.Series(pd.date_range("2025-01-01", periods=n, freq="D", tz="Europe/Berlin"))
    _train, test, kind = split_holdout(X, y, dates=dates)
    assert kind == "newest_by_date"
    assert sorted(test) == list(range(30, 40))


def test_unscoreable_deals_keep_the_engines_tier_and_are_counted_apart() -> None:
    """A deal the engine marked Unscoreable is in no tier and not a predicted win, as production
    tiers it (a won one is a missed win), while its total still counts for the AUC."""
    scores = pd.DataFrame(
        {"total": [40, 0, 35, 5], "tier": ["Hot", "Unscoreable", "Unscoreable", "Cold"]}
    )
    v = validate(scores, pd.Series([1, 0, 1, 0]), _rules())
    assert v["unscoreable_n"] == 2
    assert v["confusion"] == {"tp": 1, "fn": 1, "fp": 0, "tn": 2}
    assert {c["tier"]: c["n"] for c in v["calibration"]} == {
        "Hot": 1,
        "Warm": 0,
        "Cool": 0,
        "Cold": 1,
    }
    assert [h["tier"] for h in v["holdout_scores"]] == ["Hot", "Unscoreable", "Unscoreable", "Cold"]
    assert v["auc"] == 1.0


def test_unreachable_hot_recall_is_explained() -> None:
    """When there are too few Hot deals to reach 50% recall, the target carries a note saying so."""
    # 1 Hot deal (40) for 5 won deals: recall can be at most 20%
    totals = [40, 25, 25, 22, 15, 12, 5, 0, 0, -5]
    v = validate(_scores(totals), pd.Series(WON), _rules())
    recall = {t["metric"]: t for t in v["targets"]}["recall_hot"]
    assert recall["passed"] is False
    assert "cannot exceed 20%" in recall["note"]
    hand = validate(_scores(TOTALS), pd.Series(WON), _rules())  # 3 Hot for 5 won: 60% possible
    assert "note" not in {t["metric"]: t for t in hand["targets"]}["recall_hot"]
