"""Engine properties on random leads: points edits are local, fast paths change nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from service.scoring import engine
from service.scoring.conditions import evaluate_all
from service.scoring.engine import score_frame
from service.scoring.rules import dump_rules, load_rules, parse_rules
from tests.scoring.conftest import tiny_rules_data


def random_leads(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def holes(values: np.ndarray, share: float) -> pd.Series:
        s = pd.Series(values)
        return s.mask(rng.random(n) < share)

    return pd.DataFrame(
        {
            "industry": holes(
                rng.choice(["Healthcare", "Retail", "healthcare ", "Finance"], n), 0.1
            ),
            "employees": holes(rng.integers(1, 2000, n).astype(float), 0.15),
            "pricing_views": holes(rng.integers(0, 8, n).astype(float), 0.05),
            "webinar": holes(rng.choice(["yes", "no", "Y", "0"], n), 0.2),
            "demo": holes(rng.choice(["true", "false"], n), 0.1),
            "careers_only": rng.choice(["1", "0"], n),
            "student": holes(rng.choice(["yes", "no"], n), 0.3),
        }
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_changing_points_changes_exactly_the_leads_with_that_signal(tmp_path, seed):
    """Editing a signal's points in the YAML changes the totals of exactly its leads."""
    # caps high enough that no dimension caps, and no negative floor, so every point counts
    data = tiny_rules_data(
        dimensions={
            d: {"max_points": 100} for d in ("firmographic", "behavioral", "engagement", "intent")
        },
        negative_max_points=100,
    )
    path = tmp_path / "model.yaml"
    dump_rules(parse_rules(data), path)
    leads = random_leads(400, seed)
    before = score_frame(load_rules(path), leads)

    rng = np.random.default_rng(seed)
    index = int(rng.integers(0, len(data["signals"])))
    signal = data["signals"][index]
    old, new = signal["points"], signal["points"] + (3 if signal["points"] > 0 else -3)
    text = path.read_text(encoding="utf-8")
    marker = f"name: {signal['name']}"
    head, tail = text.split(marker, 1)
    tail = tail.replace(f"points: {old}", f"points: {new}", 1)
    path.write_text(head + marker + tail, encoding="utf-8")
    after = score_frame(load_rules(path), leads)

    changed = before.scores["total"] != after.scores["total"]
    fired = before.fires[signal["name"]]
    assert fired.any()
    assert changed.equals(fired.rename("total"))
    diff = (after.scores["total"] - before.scores["total"])[fired]
    assert (diff == new - old).all()


def test_distinct_value_evaluation_matches_row_by_row(monkeypatch):
    """Evaluating signals on distinct values gives the same matrices as evaluating every row."""
    data = tiny_rules_data()
    data["signals"].append(
        {
            "name": "big_healthcare",
            "dimension": "firmographic",
            "points": 4,
            "when": [
                {"kind": "field_in", "field": "industry", "values": ["Healthcare"]},
                {"kind": "range", "field": "employees", "min": 500, "max": 1500},
            ],
        }
    )
    data["signals"].append(
        {
            "name": "no_student_info",
            "dimension": "negative",
            "points": -2,
            "when": [{"kind": "missing", "field": "student"}],
        }
    )
    rules = parse_rules(data)
    leads = random_leads(3000, 7)
    fast = score_frame(rules, leads)
    for j, signal in enumerate(rules.signals):
        fires, known = evaluate_all(leads, signal.when)
        assert np.array_equal(fast.fires.iloc[:, j].to_numpy(), fires), signal.name
        assert np.array_equal(fast.known.iloc[:, j].to_numpy(), known), signal.name
    # and forcing the row-by-row path everywhere gives the same scores
    monkeypatch.setattr(engine, "_FACTORIZE_MAX_SHARE", 0.0)
    slow = score_frame(rules, leads)
    pd.testing.assert_frame_equal(fast.scores, slow.scores)


def test_scores_do_not_depend_on_row_order(tiny_rules):
    """Shuffling the leads shuffles the scores and nothing else."""
    leads = random_leads(500, 11)
    res = score_frame(tiny_rules, leads).scores
    shuffled = leads.sample(frac=1.0, random_state=3)
    res2 = score_frame(tiny_rules, shuffled).scores
    pd.testing.assert_frame_equal(res, res2.loc[res.index])
