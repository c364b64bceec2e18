"""Interaction effects: pairs of strong attributes that win more (or less) together than apart.

For a pair A, B on different fields, the deals fall in four cells: neither, A without B, B without
A, and both. The pair is tested against the *joint* main-effects model: a logistic regression of
winning on every significant attribute together (``joint_pair_tests``). Each pair's A AND B term is
screened with a score test (one fit for all pairs); pairs the screen does not rule out get a
likelihood-ratio test of adding the term to that model. Testing a pair against its two attributes
alone (``stats.interaction_test``, reported as ``p_value_alone``) loses real interactions once the
correction runs over many pairs, because the other attributes' variance stays in the noise.

The *interaction lift* is the win rate of A AND B divided by the win rate the two-attribute model
without the term predicts for it: 1.0 means the two add up as expected (on the log-odds scale),
2.0 that together they win twice as often as A and B alone predict. q-values are
Benjamini-Hochberg over the pairs tested. Whether a significant pair earns its own points is
decided by the points fit (it must improve cross-validated fit); the note then says what the
model does with the pair.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from service.model.patterns.candidates import Candidate, indicator_frames
from service.model.patterns.joint_tests import joint_pair_tests
from service.model.stats import benjamini_hochberg, interaction_test
from service.scoring.rules import Condition

if TYPE_CHECKING:
    from service.model.patterns.attributes import AttributeStat


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
    #: p-value of the pair against its two attributes alone (the old, isolated test)
    p_value_alone: float = float("nan")
    #: the pair term's coefficient in the joint model, when it was refitted with it
    joint_coefficient: float | None = None

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

    def to_dict(self, *, scored: bool = False, adds_both: bool = False) -> dict[str, Any]:
        """The ``analysis.json`` interaction entry; ``scored`` when the model scores the pair
        as its own signal, ``adds_both`` when it gives points to both attributes."""

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
            "p_value_alone": clean(self.p_value_alone),
            "test": self.test,
            "tested_against": "joint_model",
            "significant": self.significant,
            "scored": scored,
            "note": model_note(self, scored=scored, adds_both=adds_both),
        }


def _note(a: Candidate, b: Candidate, rates: np.ndarray, expected: float) -> str:
    both, a_only, b_only = rates[3], rates[1], rates[2]
    return (
        f"{a.label} and {b.label} together win {both:.0%}, against {a_only:.0%} for the "
        f"first without the second and {b_only:.0%} for the second without the first; "
        f"the two alone predict {expected:.0%} together"
    )


def model_note(it: Interaction, *, scored: bool, adds_both: bool) -> str:
    """The measured cells, then what the model does with the pair (never advice it ignores)."""
    text = it.note
    if not it.significant:
        return text + ": no interaction beyond adding them up, once the other signals are counted."
    ratio = it.interaction_lift
    if ratio >= 1:
        if scored:
            return (
                text
                + f", so the combination is worth {ratio:.1f}x that: the model scores it as a pair."
            )
        return text + (
            f" ({ratio:.1f}x), but scoring the pair did not improve the cross-validated fit, "
            "so the model does not score it as a pair."
        )
    if adds_both:
        return text + (
            f", so the combination wins less than the sum ({ratio:.1f}x); the model still adds "
            "both, so leads with both score somewhat higher than they win."
        )
    return text + (
        f", so the combination wins less than the sum ({ratio:.1f}x): the model does not add both."
    )


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
    main_cands = list(
        {c.id: c for c in [*(s.candidate for s in stats if s.significant), *cands]}.values()
    )
    fires, _ = indicator_frames(X, main_cands)
    f = fires[[c.id for c in cands]].to_numpy(dtype=bool)
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
        found.append((a, b, n, rates, res, cells[3]))
    if not found:
        return []
    joint = joint_pair_tests(
        fires.to_numpy(dtype=float), np.column_stack([r[5] for r in found]), yv
    )
    q = benjamini_hochberg([t.p_value for t in joint])
    out = []
    for (a, b, n, rates, res, _), jt, qi in zip(found, joint, q, strict=True):
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
                p_value=jt.p_value,
                q_value=float(qi),
                test=jt.test,
                significant=sig,
                note=_note(a, b, rates, res.expected_both),
                p_value_alone=res.p_value,
                joint_coefficient=jt.coefficient,
            )
        )
    out.sort(key=lambda it: (it.q_value, -abs(math.log(max(it.interaction_lift, 1e-9)))))
    return out
