"""Interaction effects: pairs of strong attributes that win more (or less) together than apart.

For a pair A, B on different fields, the deals fall in four cells: neither, A without B, B without
A, and both. The interaction is tested by a likelihood-ratio test of the A:B term in a logistic
model of winning on the two indicators (``stats.interaction_test``; Fisher's exact test of
"both" against the rest when the model without the term cannot be fitted). The *interaction lift*
is the win rate of A AND B divided by the win rate the model without the term predicts for it:
1.0 means the two add up as expected (on the log-odds scale), 2.0 that together they win twice as
often as A and B alone predict. q-values are Benjamini-Hochberg over the pairs tested.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from service.model.candidates import Candidate, indicator_frames
from service.model.stats import benjamini_hochberg, interaction_test
from service.scoring.rules import Condition

if TYPE_CHECKING:
    from service.model.patterns import AttributeStat


@dataclass(frozen=True)
class Interaction:
    """A tested pair of attributes and what the combination does."""

    a: Candidate
    b: Candidate
    n_both: int
    win_rate_both: float
    n_a_only: int
    win_rate_a: float  # A without B
    n_b_only: int
    win_rate_b: float  # B without A
    base_rate: float
    expected_both: float
    interaction_lift: float
    p_value: float
    q_value: float
    test: str
    significant: bool
    note: str

    @property
    def id(self) -> str:
        return f"{self.a.id} AND {self.b.id}"

    @property
    def conditions(self) -> list[Condition]:
        """The AND of both attributes' conditions."""
        return [*self.a.conditions, *self.b.conditions]

    @property
    def label(self) -> str:
        return f"{self.a.label} + {self.b.label}"

    def to_dict(self) -> dict[str, Any]:
        """The ``analysis.json`` interaction entry."""

        def clean(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "a": self.a.id,
            "b": self.b.id,
            "label": self.label,
            "n_both": self.n_both,
            "win_rate_both": clean(self.win_rate_both),
            "n_a_only": self.n_a_only,
            "win_rate_a": clean(self.win_rate_a),
            "n_b_only": self.n_b_only,
            "win_rate_b": clean(self.win_rate_b),
            "base_rate": clean(self.base_rate),
            "expected_both": clean(self.expected_both),
            "interaction_lift": clean(self.interaction_lift),
            "p_value": clean(self.p_value),
            "q_value": clean(self.q_value),
            "test": self.test,
            "significant": self.significant,
            "note": self.note,
        }


def _note(a: Candidate, b: Candidate, rates: np.ndarray, expected: float, sig: bool) -> str:
    both, a_only, b_only = rates[3], rates[1], rates[2]
    ratio = both / expected if expected > 0 else float("inf")
    text = (
        f"{a.label} and {b.label} together win {both:.0%}, against {a_only:.0%} for the "
        f"first without the second and {b_only:.0%} for the second without the first; "
        f"the two alone predict {expected:.0%} together"
    )
    if not sig:
        return text + ": no interaction beyond adding them up."
    if ratio >= 1:
        return text + f", so the combination is worth {ratio:.1f}x that: score it as a pair."
    return text + f", so the combination wins less than the sum ({ratio:.1f}x): do not add both."


def _best_per_field(ranked: list[AttributeStat], top: int) -> list[AttributeStat]:
    chosen: dict[str, AttributeStat] = {}
    for s in ranked:
        if s.field not in chosen:
            chosen[s.field] = s
        if len(chosen) == top:
            break
    return list(chosen.values())


def find_interactions(
    X: pd.DataFrame,
    y: pd.Series,
    stats: list[AttributeStat],
    *,
    top: int = 20,
    min_deals: int = 15,
    alpha: float = 0.05,
) -> list[Interaction]:
    """Test pairs among the strongest attributes: the strongest attribute (by power) of each
    field, for the ``top`` fields with the strongest significant attributes (any attributes
    when fewer than two fields have a significant one). Pairs whose combination or either
    attribute alone has fewer than ``min_deals`` deals are skipped. Sorted by q-value, then by
    how far the interaction lift is from 1."""
    ranked = sorted(stats, key=lambda s: -s.power)
    strong = _best_per_field([s for s in ranked if s.significant], top)
    if len(strong) < 2:
        strong = _best_per_field(ranked, top)
    if len(strong) < 2:
        return []
    yv = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype="float64")
    cands = [s.candidate for s in strong]
    fires, _ = indicator_frames(X, cands)
    f = fires.to_numpy(dtype=bool)
    base = float(yv.mean())
    found = []
    for i, j in itertools.combinations(range(len(cands)), 2):
        a, b = cands[i], cands[j]
        cells = [~f[:, i] & ~f[:, j], f[:, i] & ~f[:, j], ~f[:, i] & f[:, j], f[:, i] & f[:, j]]
        n = np.array([c.sum() for c in cells], dtype=float)
        won = np.array([yv[c].sum() for c in cells], dtype=float)
        if n[3] < min_deals or n[1] < min_deals or n[2] < min_deals or n[0] == 0:
            continue
        res = interaction_test(won, n)
        rates = won / n
        found.append((a, b, n, rates, res))
    if not found:
        return []
    q = benjamini_hochberg([r[4].p_value for r in found])
    out = []
    for (a, b, n, rates, res), qi in zip(found, q, strict=True):
        sig = bool(qi < alpha)
        lift = rates[3] / res.expected_both if res.expected_both > 0 else float("inf")
        out.append(
            Interaction(
                a=a,
                b=b,
                n_both=int(n[3]),
                win_rate_both=float(rates[3]),
                n_a_only=int(n[1]),
                win_rate_a=float(rates[1]),
                n_b_only=int(n[2]),
                win_rate_b=float(rates[2]),
                base_rate=base,
                expected_both=res.expected_both,
                interaction_lift=float(lift),
                p_value=res.p_value,
                q_value=float(qi),
                test=res.test,
                significant=sig,
                note=_note(a, b, rates, res.expected_both, sig),
            )
        )
    out.sort(key=lambda it: (it.q_value, -abs(math.log(max(it.interaction_lift, 1e-9)))))
    return out
