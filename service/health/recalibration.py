"""The monthly recalibration review of Section 6.4, written as ``recalibration.md``.

On the deals closed in the last ``window_days`` (90) and on all history:

1. each live signal's lift measured again, beside the lift the live model was built on, with the
   change; a change over 20% (step 5: adjust its points) and a signal that no longer predicts
   (step 4: decay, ``lifts.SignalLift.decayed``) are flagged, with suggested points;
2. the win/loss analysis re-run on the window (Step 2 of the build, ``find_patterns``): significant
   attributes with a lift of 1.5 or more (or 0.67 or less) that no live signal tests are named
   (step 3);
3. each tier's win rate in the window against the rate the live model promised; when one moved
   outside its interval, thresholds chosen again on the window's deals are proposed (step 6).

The review only reads; the candidate beside it is a separate, full rebuild.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from service.config import BuildConfig
from service.health.lifts import CHANGE_SHARE, SignalLift, measure_lifts, model_lifts
from service.health.report import promised_rate
from service.model.analysis_schema import Analysis
from service.model.patterns import find_patterns
from service.model.stats import wilson_interval
from service.model.thresholds import choose_thresholds
from service.scoring.engine import score_frame
from service.scoring.rules import TIERS, Rules

HIGH_LIFT = 1.5
MIN_WINDOW_DEALS = 30


@dataclass
class Review:
    """What the review measured (``markdown()`` renders it)."""

    live_version: str
    candidate_version: str | None
    at: datetime
    window_days: int
    window_n: int
    window_won: int
    all_n: int
    all_won: int
    signals: list[SignalLift]
    all_history: dict[str, SignalLift]
    new_attributes: list[dict[str, Any]] = field(default_factory=list)
    tiers: list[dict[str, Any]] = field(default_factory=list)
    proposed: dict[str, float] | None = None
    current: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    decision: dict[str, Any] | None = None

    @property
    def flagged(self) -> list[SignalLift]:
        return [s for s in self.signals if s.changed or s.decayed]

    def markdown(self) -> str:
        return _render(self)


def suggested_points(s: SignalLift) -> int | None:
    """The points scaled by the change of the log-lift (points follow log-odds); 0 = drop it."""
    if s.old_lift is None or s.new_lift is None or s.old_lift <= 0 or s.new_lift <= 0:
        return None
    old, new = math.log(s.old_lift), math.log(s.new_lift)
    if old == 0:
        return None
    if new * old <= 0:
        return 0
    return round(s.points * new / old)


def _window(dates: pd.Series | None, now: datetime, days: int) -> np.ndarray | None:
    if dates is None:
        return None
    parsed = pd.to_datetime(dates, errors="coerce", utc=True)
    if parsed.notna().sum() == 0:
        return None
    cutoff = pd.Timestamp(now - timedelta(days=days))
    cutoff = cutoff.tz_localize("UTC") if cutoff.tzinfo is None else cutoff.tz_convert("UTC")
    end = pd.Timestamp(now)
    end = end.tz_localize("UTC") if end.tzinfo is None else end.tz_convert("UTC")
    return ((parsed >= cutoff) & (parsed <= end)).fillna(False).to_numpy(bool)


def model_fields(rules: Rules, analysis: Analysis | None) -> list[str]:
    """The fields a model's build measured, and those its signals read."""
    measured = [a.field for a in analysis.attributes] if analysis else []
    read = [f for s in rules.signals for f in s.fields]
    return [str(f) for f in dict.fromkeys([*measured, *read]) if f is not None]


def _tested_by_live(rules: Rules) -> list[Any]:
    return [list(s.when) for s in rules.signals]


def _new_attributes(
    rules: Rules, X: pd.DataFrame, y: np.ndarray, config: BuildConfig, seed: int
) -> list[dict[str, Any]]:
    live_conditions = _tested_by_live(rules)
    names = {s.name for s in rules.signals}
    patterns = find_patterns(X, y, config, seed)
    out = []
    for st in patterns.stats:
        if not st.significant or not math.isfinite(st.lift) or st.lift <= 0:
            continue
        if 1 / HIGH_LIFT < st.lift < HIGH_LIFT:
            continue
        if st.id in names or list(st.candidate.conditions) in live_conditions:
            continue
        out.append(
            {
                "label": st.candidate.label,
                "dimension": st.dimension,
                "lift": float(st.lift),
                "n": int(st.n),
                "win_rate": float(st.win_rate_present),
                "q_value": float(st.q_value),
            }
        )
    return sorted(out, key=lambda a: -abs(math.log(a["lift"])))


def _tiers(
    rules: Rules, analysis: Analysis | None, frame: pd.DataFrame, y: np.ndarray
) -> tuple[list[dict[str, Any]], bool]:
    promised = {r.tier: r for r in analysis.tiers} if analysis else {}
    tiers = score_frame(rules, frame).scores["tier"].to_numpy()
    rows, shifted = [], False
    for tier in TIERS:
        rate, low, high = promised_rate(promised.get(tier))
        mask = tiers == tier
        n, won = int(mask.sum()), int(y[mask].sum())
        c_low, c_high = wilson_interval(won, n) if n else (None, None)
        moved = bool(
            n
            and low is not None
            and high is not None
            and c_low is not None
            and c_high is not None
            and (c_high < low or c_low > high)
        )
        shifted = shifted or moved
        rows.append(
            {
                "tier": tier,
                "promised": rate,
                "promised_ci": (low, high),
                "n": n,
                "win_rate": won / n if n else None,
                "ci": (c_low, c_high),
                "moved": moved,
            }
        )
    return rows, shifted


def review(
    rules: Rules,
    analysis: Analysis | None,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    dates: pd.Series | None,
    now: datetime,
    window_days: int = 90,
    config: BuildConfig | None = None,
    candidate_version: str | None = None,
    seed: int = 0,
    fields: list[str] | None = None,
) -> Review:
    """Review the live ``rules`` on the deals ``X`` with outcomes ``y``.

    New attributes are searched among ``fields``: by default the fields the live model's build
    measured (``analysis.json`` ``attributes``) and those its signals read, so identifiers,
    the outcome and fields known only after it (the audit's exclusions) never come back."""
    if fields is None:
        fields = model_fields(rules, analysis)
    searched = [c for c in X.columns if c in set(fields)]
    config = config or BuildConfig()
    y = np.asarray(y, dtype=int)
    old = model_lifts(rules, analysis)
    in_window = _window(dates, now, window_days)
    notes = []
    if in_window is None:
        notes.append("The deals carry no close dates: the window is all history.")
        in_window = np.ones(len(X), dtype=bool)
    Xw, yw = X.loc[in_window], y[in_window]
    out = Review(
        live_version=rules.version,
        candidate_version=candidate_version,
        at=now,
        window_days=window_days,
        window_n=len(yw),
        window_won=int(yw.sum()),
        all_n=len(y),
        all_won=int(y.sum()),
        signals=measure_lifts(rules, Xw, yw, old) if len(yw) else [],
        all_history={s.name: s for s in measure_lifts(rules, X, y, old)},
        notes=notes,
        current={
            "hot": rules.thresholds.hot,
            "warm": rules.thresholds.warm,
            "cool": rules.thresholds.cool,
        },
    )
    if len(yw) < MIN_WINDOW_DEALS or len(set(yw.tolist())) < 2:
        notes.append(
            f"Only {len(yw)} deals closed in the last {window_days} days (or one outcome only): "
            "new attributes and thresholds are taken from all history."
        )
        Xw, yw = X, y
    out.new_attributes = _new_attributes(rules, Xw[searched], yw, config, seed)
    out.tiers, shifted = _tiers(rules, analysis, Xw, yw)
    if shifted:
        total = score_frame(rules, Xw).scores["total"].to_numpy(dtype=float)
        t = choose_thresholds(total, yw, config.tiers)
        out.proposed = {"hot": t.hot, "warm": t.warm, "cool": t.cool}
    return out


# -- rendering ---------------------------------------------------------------------------------
def _lift(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0%}"


def _rate_ci(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None:
        return "unknown"
    if low is None or high is None:
        return _pct(rate)
    return f"{_pct(rate)} ({_pct(low)}-{_pct(high)})"


def _change(v: float | None) -> str:
    return "-" if v is None else f"{v:+.0%}"


def _flag(s: SignalLift) -> str:
    if s.decayed:
        return "**decayed**: no longer predicts"
    if s.changed:
        return f"**changed** by more than {CHANGE_SHARE:.0%}"
    if not s.measurable:
        return f"too few deals to judge ({s.n_present} with it, {s.n_absent} without)"
    return "holds"


def _render(r: Review) -> str:
    title = f"# Recalibration review of model {r.live_version}"
    lines = [
        title,
        "",
        f"Run {r.at.strftime('%Y-%m-%d %H:%M UTC')}"
        + (f", beside candidate {r.candidate_version}" if r.candidate_version else "")
        + ". Section 6.4, monthly review: the live model's signals measured again on the deals "
        f"closed in the last {r.window_days} days ({r.window_n} deals, {r.window_won} won) and on "
        f"all history ({r.all_n} deals, {r.all_won} won).",
        "",
        "Lift = win rate of the deals the signal fires for / win rate of all deals. Change = lift "
        "in the window against the model's lift. A change over 20% is flagged for new points; a "
        "signal whose deals no longer win differently from the others, whose lift went more than "
        "half-way back to 1 and differs from the model's, is flagged as decayed.",
        "",
        "## 1. Live signals: lift then and now",
        "",
        f"| Signal | Dimension | Points | Model lift | Lift, last {r.window_days} days "
        "| Change | Deals fired | Lift, all history | Verdict | Suggested points |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for s in r.signals:
        full = r.all_history.get(s.name)
        suggestion = suggested_points(s) if (s.changed or s.decayed) else None
        lines.append(
            f"| {s.label} | {s.dimension} | {s.points:+d} | {_lift(s.old_lift)} | "
            f"{_lift(s.new_lift)} | {_change(s.change)} | {s.n_present} | "
            f"{_lift(full.new_lift if full else None)} | {_flag(s)} | "
            f"{'-' if suggestion is None else suggestion} |"
        )
    lines += ["", "## 2. Flagged signals", ""]
    if not r.flagged:
        lines.append("None: every live signal measured on enough deals holds within 20%.")
    for s in r.flagged:
        what = (
            "no longer predicts winning (decay)"
            if s.decayed
            else f"lift changed by {_change(s.change)}"
        )
        p = "-" if s.p_value is None else f"{s.p_value:.2g}"
        lines.append(
            f"- **{s.label}** ({s.dimension}, {s.points:+d} points): {what}. Model lift "
            f"{_lift(s.old_lift)}, now {_lift(s.new_lift)} on {s.n_present} deals "
            f"(win rate {_pct(s.won_present / s.n_present if s.n_present else None)}, "
            f"95% CI {_pct(s.ci_low)}-{_pct(s.ci_high)}; p = {p} against the deals without it)."
        )
    lines += ["", "## 3. New high-lift attributes (not in the live model)", ""]
    if not r.new_attributes:
        lines.append(
            f"None: no significant attribute with a lift of {HIGH_LIFT} or more (or "
            f"{1 / HIGH_LIFT:.2f} or less) that the live model does not already test."
        )
    else:
        lines += [
            "| Attribute | Dimension | Lift | Deals | Win rate | q-value |",
            "|---|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| {a['label']} | {a['dimension']} | {a['lift']:.2f} | {a['n']} | "
            f"{a['win_rate']:.0%} | {a['q_value']:.3g} |"
            for a in r.new_attributes
        ]
    lines += [
        "",
        "## 4. Tier win rates and thresholds",
        "",
        "| Tier | Promised win rate (95% CI) | Deals | Win rate now (95% CI) | Moved |",
        "|---|---|---:|---|---|",
    ]
    for t in r.tiers:
        lo, hi = t["promised_ci"]
        clo, chi = t["ci"]
        lines.append(
            f"| {t['tier']} | {_rate_ci(t['promised'], lo, hi)} | {t['n']} | "
            f"{_rate_ci(t['win_rate'], clo, chi)} | {'yes' if t['moved'] else 'no'} |"
        )
    lines.append("")
    cur = r.current
    if r.proposed is None:
        lines.append(
            f"No threshold change proposed: Hot >= {cur['hot']:g}, Warm >= {cur['warm']:g}, "
            f"Cool >= {cur['cool']:g} stay."
        )
    else:
        prop = r.proposed
        lines.append(
            "A tier's win rate moved outside its promised interval. Proposed thresholds, chosen "
            "again on these deals by the build's rule: "
            f"Hot >= {prop['hot']:g} (now {cur['hot']:g}), Warm >= {prop['warm']:g} (now "
            f"{cur['warm']:g}), Cool >= {prop['cool']:g} (now {cur['cool']:g})."
        )
    if r.decision:
        lines += ["", "## 5. Champion and challenger", "", *_decision_lines(r.decision)]
    if r.notes:
        lines += ["", "## Notes", "", *[f"- {n}" for n in r.notes]]
    return "\n".join(lines) + "\n"


def _decision_lines(d: dict[str, Any]) -> list[str]:
    out = []
    for key, title in (("champion", "Live (champion)"), ("challenger", "Candidate (challenger)")):
        m = d.get(key) or {}
        if not m:
            continue
        auc_ci = m.get("auc_ci") or [None, None]
        hot_ci = m.get("hot_precision_ci") or [None, None]
        out.append(
            f"- {title} {m.get('version')}: AUC {_lift(m.get('auc'))} "
            f"(95% CI {_lift(auc_ci[0])}-{_lift(auc_ci[1])}), Hot precision "
            f"{_pct(m.get('hot_precision'))} ({_pct(hot_ci[0])}-{_pct(hot_ci[1])}, "
            f"{m.get('hot_n', 0)} Hot deals)"
        )
    out.append(
        f"- Decision: {'promoted' if d.get('promoted') else 'not promoted'}: {d.get('reason')}"
    )
    return out
