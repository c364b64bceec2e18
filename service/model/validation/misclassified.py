"""False positives and false negatives on the holdout: which deals, why, and the pattern.

A false positive is a Hot or Warm deal that was lost; a false negative a Cool or Cold deal that
was won. Each listed deal carries the signals that drove its score (fired, largest points first)
and the signals that could not be evaluated for it (their fields were empty). The pattern
compares how often each signal fires among the mistakes against the deals the model got right
in the same band, and names the one that differs most, with a fix in plain words.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from service.scoring.rules import Rules, Signal

MAX_CASES = 10
#: a signal must fire this much more often among the mistakes to be called a pattern
MIN_GAP = 0.10


def _label(signal: Signal) -> str:
    return signal.label or signal.name


def _matrix(frame: pd.DataFrame | None, names: list[str], n: int, default: bool) -> np.ndarray:
    """Rows x signals as a boolean array; signals the frame lacks take ``default``."""
    out = np.full((n, len(names)), default, dtype=bool)
    if frame is None:
        return out
    if len(frame) != n:
        raise ValueError(f"fires/known have {len(frame)} rows but the scores have {n}")
    for j, name in enumerate(names):
        if name in frame.columns:
            out[:, j] = frame[name].fillna(default).to_numpy(dtype=bool)
    return out


def _case(
    i: int,
    total: np.ndarray,
    tier: np.ndarray,
    labels: list[str],
    signals: list[Signal],
    fired: np.ndarray,
    known: np.ndarray,
    won: bool,
) -> dict[str, Any]:
    hits = sorted(
        (s for j, s in enumerate(signals) if fired[i, j]), key=lambda s: (-abs(s.points), s.name)
    )
    drivers: list[dict[str, Any]] = [
        {"signal": s.name, "label": _label(s), "points": s.points} for s in hits
    ]
    missing = [_label(s) for j, s in enumerate(signals) if not known[i, j]]
    score = float(total[i])
    outcome = "won" if won else "lost"
    lifted = [f"{_label(s)} ({s.points:+d})" for s in hits if s.points > 0][:3]
    held = [f"{_label(s)} ({s.points:+d})" for s in hits if s.points < 0][:2]
    why = f"Scored {score:g} ({tier[i]})"
    if lifted:
        why += f" from {', '.join(lifted)}"
    if held:
        why += f"{',' if lifted else ''} held back by {', '.join(held)}"
    if not drivers:
        why += " with no signal firing"
    why += f"; {outcome}."
    if missing:
        why += f" {len(missing)} signal(s) could not be evaluated: {', '.join(missing[:3])}."
    return {
        "deal": labels[i],
        "score": int(score) if score.is_integer() else round(score, 2),
        "tier": str(tier[i]),
        "drivers": drivers,
        "missing": missing,
        "why": why,
    }


def _gap(
    fired: np.ndarray, mistakes: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rate_m = fired[mistakes].mean(axis=0) if mistakes.any() else np.zeros(fired.shape[1])
    rate_r = fired[right].mean(axis=0) if right.any() else np.zeros(fired.shape[1])
    return rate_m - rate_r, rate_m, rate_r


def _fp_pattern(
    signals: list[Signal], fired: np.ndarray, known: np.ndarray, fp: np.ndarray, tp: np.ndarray
) -> tuple[str, str]:
    n_fp = int(fp.sum())
    if n_fp == 0:
        return "No false positives on the holdout.", "None needed."
    positive = np.array([s.points > 0 for s in signals], dtype=bool)
    gap, rate_fp, rate_tp = _gap(fired, fp, tp)
    gap = np.where(positive, gap, -np.inf)
    unknown_gap, unk_fp, unk_tp = _gap(~known, fp, tp)
    unknown_gap = np.where(~positive, unknown_gap, -np.inf)
    best = int(np.argmax(gap)) if len(signals) else -1
    best_unk = int(np.argmax(unknown_gap)) if len(signals) else -1
    if best_unk >= 0 and unknown_gap[best_unk] >= MIN_GAP and unknown_gap[best_unk] > gap[best]:
        s = signals[best_unk]
        return (
            f"The negative signal '{_label(s)}' could not be evaluated for "
            f"{unk_fp[best_unk]:.0%} of the {n_fp} false positives against "
            f"{unk_tp[best_unk]:.0%} of true positives: its penalty never applied to them.",
            f"Fill in the field(s) {', '.join(s.fields)} in the CRM so the penalty can apply.",
        )
    if best >= 0 and gap[best] >= MIN_GAP:
        s = signals[best]
        return (
            f"'{_label(s)}' fired for {rate_fp[best]:.0%} of the {n_fp} false positives against "
            f"{rate_tp[best]:.0%} of true positives (Hot/Warm deals that were won): it lifts deals "
            "that then lose.",
            f"Lower the points of '{_label(s)}' ({s.points:+d}) or require a second signal "
            "with it, and look for a disqualifier these lost deals share (budget, timing, "
            "role) to add as a negative signal.",
        )
    return (
        f"No single signal stands out among the {n_fp} false positives: they look like the deals "
        "that were won on every signal the model has.",
        "The data lacks what lost them; record loss reasons and disqualifiers (budget, authority, "
        "timing) and rebuild.",
    )


def _fn_pattern(
    signals: list[Signal],
    fired: np.ndarray,
    known: np.ndarray,
    fn: np.ndarray,
    tn: np.ndarray,
    tp: np.ndarray,
) -> tuple[str, str]:
    n_fn = int(fn.sum())
    if n_fn == 0:
        return "No false negatives on the holdout.", "None needed."
    positive = np.array([s.points > 0 for s in signals], dtype=bool)
    findings: list[tuple[float, str, str]] = []
    gap, rate_fn, rate_tn = _gap(fired, fn, tn)
    for j, s in enumerate(signals):
        if positive[j] and gap[j] >= MIN_GAP:
            findings.append(
                (
                    gap[j],
                    f"'{_label(s)}' fired for {rate_fn[j]:.0%} of the {n_fn} false negatives "
                    f"against {rate_tn[j]:.0%} of correctly low-scored lost deals: it marks "
                    "winners but gives too few points to lift them.",
                    f"Raise the points of '{_label(s)}' ({s.points:+d}) or its dimension maximum.",
                )
            )
    gap_tp, rate_fn2, rate_tp = _gap(fired, fn, tp)
    for j, s in enumerate(signals):
        if not positive[j] and gap_tp[j] >= MIN_GAP:
            findings.append(
                (
                    gap_tp[j],
                    f"The negative signal '{_label(s)}' fired for {rate_fn2[j]:.0%} of the "
                    f"{n_fn} false negatives against {rate_tp[j]:.0%} of true positives: "
                    "its penalty holds back deals that win.",
                    f"Reduce the penalty of '{_label(s)}' ({s.points:+d}) "
                    "or limit it to a narrower case.",
                )
            )
    unk_gap, unk_fn, unk_tn = _gap(~known, fn, tn)
    for j, s in enumerate(signals):
        if positive[j] and unk_gap[j] >= MIN_GAP:
            findings.append(
                (
                    unk_gap[j],
                    f"'{_label(s)}' could not be evaluated for {unk_fn[j]:.0%} of the {n_fn} false "
                    f"negatives against {unk_tn[j]:.0%} of correctly low-scored lost deals: "
                    "winners go unscored when the field is empty.",
                    f"Fill in {', '.join(s.fields)} in the CRM (or enrich it) "
                    "so these deals earn their points.",
                )
            )
    if findings:
        _, pattern, fix = max(findings, key=lambda f: f[0])
        return pattern, fix
    return (
        f"No single signal stands out among the {n_fn} false negatives: they were won without the "
        "attributes the model rewards.",
        "Find out what won them (referral, executive sponsor, existing relationship) and "
        "capture it in a CRM field the next build can measure.",
    )


def misclassified_block(
    *,
    total: np.ndarray,
    tier: np.ndarray,
    won: np.ndarray,
    labels: list[str],
    rules: Rules,
    fires: pd.DataFrame | None,
    known: pd.DataFrame | None,
) -> dict[str, Any]:
    """``false_positives``, ``false_negatives`` (worst first, up to 10) and their patterns."""
    signals = list(rules.signals)
    names = [s.name for s in signals]
    n = len(total)
    fired = _matrix(fires, names, n, default=False)
    known_m = _matrix(known, names, n, default=fires is None)
    predicted = np.isin(tier, ["Hot", "Warm"])
    is_won = won.astype(bool)
    fp, tp = predicted & ~is_won, predicted & is_won
    fn, tn = ~predicted & is_won, ~predicted & ~is_won
    order = np.arange(n)
    fp_idx = sorted(order[fp], key=lambda i: (-total[i], i))[:MAX_CASES]  # highest score first
    fn_idx = sorted(order[fn], key=lambda i: (total[i], i))[:MAX_CASES]  # lowest score first
    fp_pattern, fp_fix = _fp_pattern(signals, fired, known_m, fp, tp)
    fn_pattern, fn_fix = _fn_pattern(signals, fired, known_m, fn, tn, tp)
    if fires is None:
        unknown = "Which signals fired was not recorded for this run, so no pattern can be named."
        rerun = "Re-run the validation with the signal detail."
        if fp.any():
            fp_pattern, fp_fix = unknown, rerun
        if fn.any():
            fn_pattern, fn_fix = unknown, rerun
    return {
        "false_positives": [
            _case(i, total, tier, labels, signals, fired, known_m, False) for i in fp_idx
        ],
        "false_negatives": [
            _case(i, total, tier, labels, signals, fired, known_m, True) for i in fn_idx
        ],
        "false_positive_n": int(fp.sum()),
        "false_negative_n": int(fn.sum()),
        "fp_pattern": fp_pattern,
        "fp_fix": fp_fix,
        "fn_pattern": fn_pattern,
        "fn_fix": fn_fix,
    }
