"""Each signal's lift on a set of closed deals, measured the way the builder measures attributes.

A signal's lift is the win rate of the deals it fires for divided by the base win rate of all the
deals (as ``analysis.json`` reports it). ``present`` is tested against ``absent`` with the same
two-proportion test the builder uses. The model's own lift is the one in the rules file
(``signals[].evidence.lift``), else the one in ``analysis.json`` (``signals[].lift``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.model.analysis_schema import Analysis
from service.model.stats import two_proportion_test, wilson_interval
from service.scoring.engine import evaluate_signals
from service.scoring.rules import Rules

#: a lift moving by more than this share of itself is a change to review (Section 6.4 step 5)
CHANGE_SHARE = 0.20
#: fewer deals than this on either side of a signal: too few to say it decayed
MIN_DEALS = 20


@dataclass(frozen=True)
class SignalLift:
    """One signal's lift in the model and on the deals measured now."""

    name: str
    label: str
    dimension: str
    points: int
    old_lift: float | None
    new_lift: float | None
    n_present: int
    won_present: int
    n_absent: int
    won_absent: int
    p_value: float | None
    ci_low: float | None
    ci_high: float | None
    #: the deals the signal fired for when the model was built, and their win rate
    old_n: int | None = None
    old_win_rate: float | None = None

    @property
    def change(self) -> float | None:
        """The relative change of the lift (0.25 = 25% higher), or ``None``."""
        if self.old_lift is None or self.new_lift is None or self.old_lift == 0:
            return None
        return self.new_lift / self.old_lift - 1

    @property
    def measurable(self) -> bool:
        return self.n_present >= MIN_DEALS and self.n_absent >= MIN_DEALS

    @property
    def changed(self) -> bool:
        """The lift moved by more than ``CHANGE_SHARE`` (measured on enough deals)."""
        return self.measurable and self.change is not None and abs(self.change) > CHANGE_SHARE

    @property
    def decayed(self) -> bool:
        """The signal no longer predicts. All three must hold, on enough deals:

        - the deals it fires for no longer win at a rate different from the others (p >= 0.05);
        - its lift has moved more than half-way back to 1 (no effect), on the log scale;
        - their win rate differs from the one the model measured (p < 0.05), when the model
          recorded it: a weak signal whose new figure is merely noisy is not called decayed.
        """
        if not self.measurable or self.old_lift is None or self.new_lift is None:
            return False
        if self.p_value is not None and self.p_value < 0.05:
            return False
        old_gap = math.log(self.old_lift) if self.old_lift > 0 else -math.inf
        new_gap = math.log(self.new_lift) if self.new_lift > 0 else -math.inf
        if old_gap == 0 or not (abs(new_gap) < abs(old_gap) / 2 or new_gap * old_gap < 0):
            return False
        if self.old_n and self.old_win_rate is not None:
            old_won = round(self.old_win_rate * self.old_n)
            test = two_proportion_test(old_won, self.old_n, self.won_present, self.n_present)
            return test.p_value < 0.05
        return True

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(change=self.change, changed=self.changed, decayed=self.decayed)
        return out


def model_lifts(rules: Rules, analysis: Analysis | None) -> dict[str, float | None]:
    """Per signal, the lift the model was built on."""
    from_analysis = {s.name: s.lift for s in analysis.signals} if analysis else {}
    out: dict[str, float | None] = {}
    for s in rules.signals:
        lift = s.evidence.lift if s.evidence is not None else from_analysis.get(s.name)
        out[s.name] = None if lift is None else float(lift)
    return out


def measure_lifts(
    rules: Rules, frame: pd.DataFrame, y: np.ndarray, old: dict[str, float | None]
) -> list[SignalLift]:
    """Each signal of ``rules`` measured on the deals ``frame`` with outcomes ``y`` (0/1)."""
    y = np.asarray(y, dtype=int)
    fires, _known, _unmapped = evaluate_signals(rules, frame)
    base = float(y.mean()) if len(y) else 0.0
    out = []
    for j, s in enumerate(rules.signals):
        ev = s.evidence
        hit = fires[:, j]
        n_p, w_p = int(hit.sum()), int(y[hit].sum())
        n_a, w_a = int((~hit).sum()), int(y[~hit].sum())
        lift = (w_p / n_p) / base if n_p and base else None
        test = two_proportion_test(w_p, n_p, w_a, n_a) if n_p and n_a else None
        low, high = wilson_interval(w_p, n_p) if n_p else (None, None)
        out.append(
            SignalLift(
                name=s.name,
                label=s.label or s.name,
                dimension=s.dimension,
                points=s.points,
                old_lift=old.get(s.name),
                new_lift=lift,
                n_present=n_p,
                won_present=w_p,
                n_absent=n_a,
                won_absent=w_a,
                p_value=None if test is None else test.p_value,
                ci_low=low,
                ci_high=high,
                old_n=None if ev is None else ev.n,
                old_win_rate=None if ev is None else ev.win_rate_present,
            )
        )
    return out
