"""A many-valued category (campaign, landing page, job title) is used, not thrown away: values
with enough deals become candidates, the rest are pooled as "other (N values)"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import OneHotEncoder

from service.data.deals import load_deals
from service.model.build import build_model
from service.model.patterns.candidates import scan_attributes
from service.scoring.conditions import evaluate_all
from service.scoring.engine import score_frame
from service.scoring.rules import FieldNotIn


def _campaigns(n: int = 6000, seed: int = 0) -> tuple[pd.DataFrame, dict[str, float]]:
    """300 campaign values; the 20 biggest cover 60% of deals and carry planted effects."""
    rng = np.random.default_rng(seed)
    big = [f"CMP-{i:03d}" for i in range(20)]
    small = [f"CMP-{i:03d}" for i in range(20, 300)]
    effects = dict(zip(big, rng.choice([-1.5, -1.0, 1.0, 1.5], 20), strict=True))
    values = np.where(rng.random(n) < 0.6, rng.choice(big, n), rng.choice(small, n))
    logit = -0.6 + np.array([effects.get(v, 0.0) for v in values])
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    frame = pd.DataFrame(
        {
            "deal_id": [f"D{i}" for i in range(n)],
            "utm_campaign": values,
            "outcome": np.where(won, "won", "lost"),
        }
    )
    return frame, effects


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The campaign deals built once, through the real loading path."""
    frame, effects = _campaigns()
    path = tmp_path_factory.mktemp("hc") / "deals.csv"
    frame.to_csv(path, index=False)
    result = build_model(load_deals(path, None))
    return frame, effects, result


class TestHighCardinality:
    """Fields with hundreds of values."""

    def test_common_values_are_candidates_and_the_rest_are_pooled(self) -> None:
        """The 20 big values are candidates; the small ones are one "other (N values)"
        candidate that fires for any value but the named ones, unseen ones included."""
        frame, effects = _campaigns()
        y = (frame["outcome"] == "won").astype(int)
        scan = scan_attributes(frame[["utm_campaign"]], y, min_deals=15)
        values = {c.value for c in scan.candidates}
        assert set(effects) <= values
        counts = frame["utm_campaign"].value_counts()
        few = counts[counts < 15]
        assert len(few) > 250  # nearly all 280 small values
        [other] = [c for c in scan.candidates if c.id == "utm_campaign = other"]
        assert other.value == f"other ({len(few)} values)"
        [cond] = other.conditions
        assert isinstance(cond, FieldNotIn)
        assert set(cond.values) == set(counts[counts >= 15].index)
        probe = pd.DataFrame({"utm_campaign": [few.index[0], "CMP-NEW", "CMP-000", None]})
        fires, known = evaluate_all(probe, [cond])
        assert fires.tolist() == [True, True, False, False]
        assert known.tolist() == [True, True, True, False]

    def test_identifiers_and_free_text_are_still_skipped(self) -> None:
        """One row per value, or mostly values seen once, is not a category."""
        n = 400
        rng = np.random.default_rng(1)
        frame = pd.DataFrame(
            {
                "email": [f"p{i}@x.example" for i in range(n)],
                "notes": [f"note {i}" if i % 3 else "call back" for i in range(n)],
            }
        )
        scan = scan_attributes(frame, pd.Series(rng.integers(0, 2, n)), min_deals=15)
        assert scan.candidates == [] or all(c.kind == "missing" for c in scan.candidates)
        reasons = {e["field"]: e["reason"] for e in scan.insufficient}
        assert "nearly one per row" in reasons["email"]
        assert "free text" in reasons["notes"]

    def test_planted_effects_are_scored_in_their_order(self, built) -> None:
        """Each big value scores above the pooled other values when its planted effect is
        positive and below when negative, and the scores rank the 20 effects (Spearman > 0.9)."""
        _, effects, result = built
        probe = pd.DataFrame({"utm_campaign": [*effects, "CMP-NEW"]})
        scores = score_frame(result.rules, probe).scores["total"].to_numpy(dtype=float)
        other = scores[-1]
        for value, score in zip(effects, scores[:-1], strict=True):
            assert (score > other) if effects[value] > 0 else (score < other), value
        rho = spearmanr(list(effects.values()), scores[:-1]).statistic
        assert rho > 0.9
        named = {s.when[0].kind for s in result.rules.signals}
        assert named == {"field_in", "field_not_in"}

    def test_holdout_auc_within_001_of_one_hot_logistic_regression(self, built) -> None:
        """On the builder's own holdout, the rules rank within 0.01 AUC of a one-hot
        logistic regression fitted on the same training deals."""
        frame, _, result = built
        val = result.document()["validation"]
        test = np.array(val["holdout_rows"])
        train = np.setdiff1d(np.arange(len(frame)), test)
        y = (frame["outcome"] == "won").astype(int).to_numpy()
        enc = OneHotEncoder(handle_unknown="ignore")
        x_tr = enc.fit_transform(frame.iloc[train][["utm_campaign"]])
        x_te = enc.transform(frame.iloc[test][["utm_campaign"]])
        lr = LogisticRegression(max_iter=2000).fit(x_tr, y[train])
        baseline = roc_auc_score(y[test], lr.predict_proba(x_te)[:, 1])
        assert val["auc"] >= baseline - 0.01, (val["auc"], baseline)
