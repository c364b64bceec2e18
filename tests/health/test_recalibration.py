"""``recalibration.md``: every live signal with its old and new lift; decay and changes flagged."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from service.health.recalibration import review
from tests.health.conftest import NOW, Batch, Built

# one worker builds the health model (session-scoped `built`) once for these modules
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("health-built")]


def _history(built: Built, later: Batch) -> tuple[pd.DataFrame, np.ndarray]:
    columns = [c for c in built.deals.columns if c in later.deals.columns]
    frame = pd.concat([built.deals[columns], later.deals[columns]], ignore_index=True)
    return frame, np.concatenate([built.y, later.y])


def test_every_live_signal_is_listed_with_old_lift_new_lift_and_change(
    built: Built, drifted: Batch
) -> None:
    """One table row per live signal with the model's lift, the lift in the last 90 days and
    the change; the demo signal, whose effect the market lost, is flagged as decayed."""
    frame, y = _history(built, drifted)
    r = review(
        built.rules, built.analysis, frame, y, dates=frame["closed_at"], now=NOW, window_days=90
    )
    closed = pd.to_datetime(drifted.dates, utc=True)
    assert r.window_n == int((closed >= NOW - pd.Timedelta(days=90)).sum()) > 400
    assert r.all_n == len(y)
    text = r.markdown()
    for s in r.signals:
        assert s.old_lift is not None and s.new_lift is not None
        row = (
            f"| {s.label} | {s.dimension} | {s.points:+d} | {s.old_lift:.2f} | "
            f"{s.new_lift:.2f} | {s.change:+.0%} |"
        )
        assert row in text, row
    assert [s.name for s in r.signals] == [s.name for s in built.rules.signals]
    demo = next(s for s in r.signals if "demo_requested" in s.name)
    assert demo.decayed
    flagged = text.split("## 2. Flagged signals")[1].split("## 3.")[0]
    assert re.search(rf"\*\*{re.escape(demo.label)}\*\* .*no longer predicts winning", flagged)
    for s in r.flagged:
        assert f"**{s.label}**" in flagged
    for s in r.signals:
        if s not in r.flagged:
            assert f"**{s.label}**" not in flagged


def test_an_attribute_the_live_model_lacks_is_named_as_new(built: Built, steady: Batch) -> None:
    """Live rules without their intent signals: the planted intent surge effect comes back as a
    new high-lift attribute."""
    intent = [s for s in built.rules.signals if s.dimension == "intent"]
    assert intent
    kept = [s for s in built.rules.signals if s.dimension != "intent"]
    dims = {k: v for k, v in built.rules.dimensions.items() if k != "intent"}
    rules = built.rules.model_copy(update={"signals": kept, "dimensions": dims})
    frame, y = _history(built, steady)
    r = review(rules, built.analysis, frame, y, dates=frame["closed_at"], now=NOW)
    labels = [a["label"] for a in r.new_attributes]
    assert any("Intent topic surge" in label for label in labels), labels
    assert "## 3. New high-lift attributes" in r.markdown()
    assert not any(label in labels for label in (s.label for s in kept))


def test_thresholds_are_proposed_only_when_a_tier_rate_moved(built: Built, steady: Batch) -> None:
    """Same market: no proposal. Every Hot deal lost: Hot moved, new thresholds proposed."""
    frame, y = _history(built, steady)
    calm = review(built.rules, built.analysis, frame, y, dates=frame["closed_at"], now=NOW)
    assert calm.proposed is None and "No threshold change proposed" in calm.markdown()
    from service.scoring.engine import score_frame

    hot = (score_frame(built.rules, frame).scores["tier"] == "Hot").to_numpy()
    recent = np.zeros(len(y), dtype=bool)
    recent[len(built.y) :] = True
    y2 = y.copy()
    y2[hot & recent] = 0
    moved = review(built.rules, built.analysis, frame, y2, dates=frame["closed_at"], now=NOW)
    assert next(t for t in moved.tiers if t["tier"] == "Hot")["moved"]
    assert moved.proposed is not None and "Proposed thresholds" in moved.markdown()


def test_new_attributes_never_come_from_the_outcome_or_post_outcome_fields(
    built: Built, drifted: Batch
) -> None:
    """Given the whole deals table, the search keeps to the fields the model measured: no
    'Outcome: won', loss reason, sales cycle or deal id comes back as a new attribute."""
    frame, y = _history(built, drifted)
    r = review(built.rules, built.analysis, frame, y, dates=frame["closed_at"], now=NOW)
    fields = " ".join(a["label"].lower() for a in r.new_attributes)
    for leak in ("outcome", "loss reason", "sales cycle", "deal id", "closed"):
        assert leak not in fields
