"""Each candidate attribute measured against the base win rate (``AttributeStat``).

Candidates (``find_candidates``) come from ``candidates``; this module measures each one
(``measure_attributes``), names the attributes that do not predict winning (``non_predictors``)
and tabulates loss reasons (``loss_reason_table``).

For each candidate: the win rate of the deals that have it (present) and of all other deals
(absent; a deal whose field is missing does not have the attribute, as when it is scored), the
lift over the base rate, a two-sided test of present against absent (z-test, or Fisher's exact
test when an expected cell count is below 5), the Benjamini-Hochberg q-value over every attribute
tested, and the Wilson 95% interval of the present win rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from service.model.patterns.candidates import Candidate, indicator_frames
from service.model.stats import benjamini_hochberg, two_proportion_test, wilson_interval

RANKING_FORMULA = (
    "power = max(0, |ln OR| − 1.96 × SE) × min(1, n / 100): the lower end of the 95% confidence "
    "interval of the log odds ratio's size, weighted down for an attribute seen on fewer than 100 "
    "deals (n; 100 is the size High confidence needs), and 0 when the attribute is not "
    "significant (Benjamini-Hochberg q ≥ 0.05). The odds ratio compares the odds of winning with "
    "the attribute to the odds without it (each count smoothed by half a deal); its log makes 2x "
    "and 0.5x weigh the same and, unlike the lift over the base rate, it is not capped when the "
    "base rate is high. The lower end of the interval and the size weight rank a solid effect on "
    "many deals above an extreme one on a few. The lift is reported beside it."
)

#: confidence labels: High needs q < HIGH_Q and n >= HIGH_N; Medium q < alpha and n >= MEDIUM_N
HIGH_Q, HIGH_N, MEDIUM_N = 0.01, 100, 30


def _clean(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


@dataclass(frozen=True)
class AttributeStat:
    """The measured win/loss statistics of one candidate attribute."""

    candidate: Candidate
    n: int
    won_n: int
    win_rate_present: float
    n_absent: int
    win_rate_absent: float
    base_rate: float
    lift: float
    p_value: float
    test: str
    q_value: float
    ci_low: float
    ci_high: float
    significant: bool
    direction: int
    power: float
    confidence: str
    rank: int

    @property
    def id(self) -> str:
        return self.candidate.id

    @property
    def field(self) -> str:
        return self.candidate.field

    @property
    def dimension(self) -> str:
        return self.candidate.dimension

    def to_dict(self) -> dict[str, Any]:
        """The ``analysis.json`` attribute entry (JSON-safe: no NaN or infinity)."""
        c = self.candidate
        return {
            "id": c.id,
            **c.describe(),
            "kind": c.kind,
            "label": c.label,
            "dimension": c.dimension,
            "n": self.n,
            "won_n": self.won_n,
            "n_absent": self.n_absent,
            "win_rate_present": _clean(self.win_rate_present),
            "win_rate_absent": _clean(self.win_rate_absent),
            "lift": _clean(self.lift),
            "p_value": _clean(self.p_value),
            "q_value": _clean(self.q_value),
            "test": self.test,
            "ci_low": _clean(self.ci_low),
            "ci_high": _clean(self.ci_high),
            "significant": self.significant,
            "direction": self.direction,
            "power": _clean(self.power),
            "confidence": self.confidence,
            "rank": self.rank,
        }


def power_score(
    won_n: int, n: int, won_absent: int, n_absent: int, q_value: float, alpha: float = 0.05
) -> float:
    """Predictive power as ``RANKING_FORMULA`` defines it."""
    if n <= 0 or n_absent <= 0 or q_value >= alpha:
        return 0.0
    cells = (won_n + 0.5, n - won_n + 0.5, won_absent + 0.5, n_absent - won_absent + 0.5)
    log_or = math.log((cells[0] / cells[1]) / (cells[2] / cells[3]))
    se = math.sqrt(sum(1.0 / c for c in cells))
    return max(0.0, abs(log_or) - 1.96 * se) * min(1.0, n / HIGH_N)


def _confidence(q: float, n: int, alpha: float) -> str:
    if q < HIGH_Q and n >= HIGH_N:
        return "High"
    if q < alpha and n >= MEDIUM_N:
        return "Medium"
    return "Low"


def measure_attributes(
    X: pd.DataFrame, y: pd.Series, cands: list[Candidate], *, alpha: float = 0.05
) -> list[AttributeStat]:
    """Measure every candidate on deals ``X`` with outcomes ``y``; sorted by power, descending."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1); got {alpha}.")
    yv = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if yv.size != len(X) or np.isnan(yv).any() or not np.isin(yv, (0.0, 1.0)).all():
        raise ValueError("y must hold one 1 (won) or 0 (lost) per row of X, none missing.")
    if not cands:
        return []
    fires, _known = indicator_frames(X, cands)
    f = fires.to_numpy(dtype=bool)
    total, wins = yv.size, int(yv.sum())
    base = wins / total if total else float("nan")
    n = f.sum(axis=0).astype(int)
    won = (f & (yv[:, None] == 1)).sum(axis=0).astype(int)
    tests = [
        two_proportion_test(int(won[i]), int(n[i]), wins - int(won[i]), total - int(n[i]))
        for i in range(len(cands))
    ]
    q = benjamini_hochberg([t.p_value for t in tests])
    rows = []
    for i, cand in enumerate(cands):
        ni, wi, na = int(n[i]), int(won[i]), total - int(n[i])
        present = wi / ni if ni else float("nan")
        absent = (wins - wi) / na if na else float("nan")
        low, high = wilson_interval(wi, ni)
        qi = float(q[i])
        rows.append(
            dict(
                candidate=cand,
                n=ni,
                won_n=wi,
                win_rate_present=present,
                n_absent=na,
                win_rate_absent=absent,
                base_rate=base,
                lift=present / base if base else float("nan"),
                p_value=tests[i].p_value,
                test=tests[i].test,
                q_value=qi,
                ci_low=low,
                ci_high=high,
                significant=bool(qi < alpha and ni > 0 and na > 0),
                direction=1 if not (present < absent) else -1,
                power=power_score(wi, ni, wins - wi, na, qi, alpha),
                confidence=_confidence(qi, ni, alpha),
            )
        )
    rows.sort(key=lambda r: (-r["power"], r["q_value"], r["candidate"].id))
    return [AttributeStat(**r, rank=k + 1) for k, r in enumerate(rows)]


def non_predictors(
    stats: list[AttributeStat], *, max_abs_log_lift: float = math.log(1.25)
) -> list[dict[str, Any]]:
    """Attributes whose lift is near 1 and not significant, most deals first, stated plainly."""
    out = []
    for s in sorted(stats, key=lambda s: (-s.n, s.id)):
        if s.significant or not math.isfinite(s.lift) or s.lift <= 0:
            continue
        if abs(math.log(s.lift)) > max_abs_log_lift:
            continue
        note = (
            f"{s.candidate.label}: {s.win_rate_present:.0%} win rate with it against "
            f"{s.win_rate_absent:.0%} without ({s.n} deals, p = {s.p_value:.2g}); "
            "no measurable effect on winning."
        )
        out.append(
            {
                "id": s.id,
                **s.candidate.describe(),
                "label": s.candidate.label,
                "n": s.n,
                "win_rate_present": _clean(s.win_rate_present),
                "win_rate_absent": _clean(s.win_rate_absent),
                "lift": _clean(s.lift),
                "p_value": _clean(s.p_value),
                "note": note,
            }
        )
    return out


#: a loss reason needs this many deals before its attributes are compared with other losses
LOSS_REASON_MIN = 10


def loss_reason_table(
    reasons: pd.Series,
    y: pd.Series,
    scores: pd.Series | None = None,
    attributes: pd.DataFrame | None = None,
    *,
    alpha: float = 0.05,
) -> list[dict[str, Any]]:
    """Loss reasons among lost deals: count, share of losses, average score and the pattern.

    Losses without a reason are counted as ``(not recorded)``. With ``scores`` (the model's score
    of each deal), each reason's average score is compared with that of all losses: a reason
    scoring above it is one the model cannot see coming. With ``attributes`` (rows x attribute
    label, 0/1, same rows as ``reasons``), each attribute's rate among the losses with a reason
    is compared with its rate among the other losses (two-proportion test, Benjamini-Hochberg
    over every reason and attribute tested); the significant ones, most over-represented first,
    are the reason's ``distinctive`` attributes and lead its pattern.
    """
    yv = pd.to_numeric(pd.Series(y).reset_index(drop=True), errors="coerce")
    lost = (yv == 0).to_numpy()
    if len(reasons) != len(yv):
        raise ValueError(f"reasons has {len(reasons)} values but y has {len(yv)}.")
    text = pd.Series(reasons).reset_index(drop=True).astype("string").str.strip()
    text = text.mask(text == "").fillna("(not recorded)")[lost]
    n_lost = int(lost.sum())
    if n_lost == 0:
        return []
    score_lost = None
    if scores is not None:
        if len(scores) != len(yv):
            raise ValueError(f"scores has {len(scores)} values but y has {len(yv)}.")
        score_lost = pd.to_numeric(pd.Series(scores).reset_index(drop=True), errors="coerce")[lost]
    overall = float(score_lost.mean()) if score_lost is not None else None
    distinctive = _distinctive(text, attributes, lost, alpha) if attributes is not None else {}
    out = []
    for reason, count in text.value_counts().items():
        avg = None
        if score_lost is not None:
            avg = _clean(float(score_lost[text == reason].mean()))
        share = count / n_lost
        pattern = f"{share:.0%} of losses"
        marks = distinctive.get(str(reason), [])
        if marks:
            pattern += "; " + ", ".join(
                f"{m['attribute']} {m['rate_in_reason']:.0%} vs {m['rate_other_losses']:.0%} of other losses"
                for m in marks[:3]
            )
        if avg is not None and overall is not None and math.isfinite(overall):
            if avg >= overall + 5:
                pattern += (
                    f"; scored {avg:.0f} against {overall:.0f} for all losses: these "
                    "looked like good fits, and the data holds no signal that warns of them"
                )
            elif avg <= overall - 5:
                pattern += (
                    f"; scored {avg:.0f} against {overall:.0f} for all losses: "
                    "the model already ranks these low"
                )
            else:
                pattern += f"; scored about the same as all losses ({avg:.0f} vs {overall:.0f})"
        out.append(
            {
                "reason": str(reason),
                "count": int(count),
                "share_of_losses": float(share),
                "avg_score": avg,
                "pattern": pattern,
                "distinctive": marks,
            }
        )
    return out


def _distinctive(
    text: pd.Series, attributes: pd.DataFrame, lost: np.ndarray, alpha: float
) -> dict[str, list[dict[str, Any]]]:
    """Per loss reason: attributes whose rate differs from the other losses (q < ``alpha``)."""
    if len(attributes) != len(lost):
        raise ValueError(f"attributes has {len(attributes)} rows but y has {len(lost)}.")
    A = attributes.reset_index(drop=True).to_numpy(dtype=bool)[lost]
    labels = [str(c) for c in attributes.columns]
    reasons = text.to_numpy()
    tests = []
    for reason, count in text.value_counts().items():
        inside = reasons == reason
        n_in, n_out = int(inside.sum()), int((~inside).sum())
        if count < LOSS_REASON_MIN or n_out < LOSS_REASON_MIN:
            continue
        has_in, has_out = A[inside].sum(axis=0), A[~inside].sum(axis=0)
        for j, label in enumerate(labels):
            a, b = int(has_in[j]), int(has_out[j])
            if a + b == 0:
                continue
            res = two_proportion_test(a, n_in, b, n_out)
            tests.append((str(reason), label, a / n_in, b / n_out, res.p_value))
    if not tests:
        return {}
    q = benjamini_hochberg([t[4] for t in tests])
    found: dict[str, list[dict[str, Any]]] = {}
    for (reason, label, r_in, r_out, p), qi in zip(tests, q, strict=True):
        if qi < alpha:
            found.setdefault(reason, []).append(
                {
                    "attribute": label,
                    "rate_in_reason": float(r_in),
                    "rate_other_losses": float(r_out),
                    "p_value": float(p),
                    "q_value": float(qi),
                }
            )
    for marks in found.values():
        marks.sort(key=lambda m: -abs(m["rate_in_reason"] - m["rate_other_losses"]))
    return found
