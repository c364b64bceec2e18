"""The report's plots (PNG, matplotlib), drawn from ``analysis.json`` alone.

Each function writes one file and returns its path, or ``None`` with nothing written when the
analysis lacks the numbers (the report then says why the plot is not available).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from service.model.analysis_schema import Analysis

TIER_COLOURS = {"Hot": "#d62728", "Warm": "#ff7f0e", "Cool": "#1f77b4", "Cold": "#7f7f7f"}


def _save(fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _holdout(analysis: Analysis) -> tuple[np.ndarray, np.ndarray] | None:
    rows = analysis.validation.holdout_scores
    if not rows:
        return None
    scores = np.array([float(r.score) for r in rows])
    won = np.array([bool(r.won) for r in rows])
    return scores, won


def score_distribution(analysis: Analysis, path: Path) -> Path | None:
    data = _holdout(analysis)
    if data is None:
        return None
    scores, won = data
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = np.histogram_bin_edges(scores, bins=min(20, max(5, len(np.unique(scores))))).tolist()
    ax.hist(scores[~won], bins=bins, alpha=0.6, label=f"Lost ({(~won).sum()})", color="#7f7f7f")
    ax.hist(scores[won], bins=bins, alpha=0.6, label=f"Won ({won.sum()})", color="#2ca02c")
    th = analysis.thresholds
    for tier, value in (("Hot", th.hot), ("Warm", th.warm), ("Cool", th.cool)):
        ax.axvline(value, color=TIER_COLOURS[tier], linestyle="--", label=f"{tier} from {value:g}")
    ax.set_title("Score distribution of held-out deals: won vs lost")
    ax.set_xlabel("Lead score (points)")
    ax.set_ylabel("Deals")
    ax.legend()
    return _save(fig, path)


def roc_curve(analysis: Analysis, path: Path) -> Path | None:
    val = analysis.validation
    roc = val.roc
    if not roc.fpr:
        return None
    fig, ax = plt.subplots(figsize=(5, 5))
    auc = val.auc
    label = f"Model (AUC {auc:.2f})" if isinstance(auc, int | float) else "Model"
    ax.plot(roc.fpr, roc.tpr, color="#1f77b4", label=label)
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", label="Random (AUC 0.50)")
    ax.set_title("ROC curve on the holdout")
    ax.set_xlabel("False positive rate (lost deals flagged)")
    ax.set_ylabel("True positive rate (won deals flagged)")
    ax.legend(loc="lower right")
    return _save(fig, path)


def cumulative_gains(analysis: Analysis, path: Path) -> Path | None:
    data = _holdout(analysis)
    if data is None or not data[1].any():
        return None
    scores, won = data
    order = np.argsort(-scores, kind="stable")
    captured = np.concatenate([[0.0], np.cumsum(won[order]) / won.sum()])
    worked = np.linspace(0, 1, len(captured))
    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.plot(worked * 100, captured * 100, color="#2ca02c", label="Working leads by score")
    ax.plot([0, 100], [0, 100], color="#999999", linestyle=":", label="Working leads at random")
    ax.set_title("Cumulative gains: share of wins captured")
    ax.set_xlabel("Share of leads worked, highest score first (%)")
    ax.set_ylabel("Share of eventual wins captured (%)")
    ax.legend(loc="lower right")
    return _save(fig, path)


def calibration(analysis: Analysis, path: Path) -> Path | None:
    rows = [
        (r.tier, r.expected, r.actual, r.n)
        for r in analysis.validation.calibration
        if r.expected is not None and r.actual is not None
    ]
    if not rows:
        return None
    tiers = [r[0] for r in rows]
    x = np.arange(len(tiers))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.bar(
        x - 0.2,
        [expected * 100 for _, expected, _, _ in rows],
        0.4,
        label="Expected (training)",
        color="#aec7e8",
    )
    ax.bar(
        x + 0.2,
        [actual * 100 for _, _, actual, _ in rows],
        0.4,
        label="Actual (holdout)",
        color="#1f77b4",
    )
    ax.set_xticks(x, [f"{t}\n(n={n})" for t, _, _, n in rows])
    ax.set_title("Conversion per tier: expected vs actual on the holdout")
    ax.set_ylabel("Win rate (%)")
    ax.legend()
    return _save(fig, path)


def tier_volumes(
    analysis: Analysis, path: Path, batch: dict[str, int] | None = None
) -> Path | None:
    tiers = analysis.tiers
    if not tiers:
        return None
    names = [t.tier for t in tiers]
    fig, ax = plt.subplots(figsize=(6, 4))
    x = np.arange(len(names))
    ax.bar(
        x - 0.2 if batch else x,
        [float(t.share_of_leads or 0) * 100 for t in tiers],
        0.4 if batch else 0.6,
        color=[TIER_COLOURS.get(n, "#888888") for n in names],
        label="Historical deals",
    )
    if batch:
        total = sum(batch.values()) or 1
        ax.bar(
            x + 0.2,
            [batch.get(n, 0) / total * 100 for n in names],
            0.4,
            color="#bcbd22",
            label="Current leads",
        )
    ax.set_xticks(x, names)
    ax.set_title("Tier volumes")
    ax.set_ylabel("Share (%)")
    ax.legend()
    return _save(fig, path)


PLOTS = {
    "score-distribution.png": score_distribution,
    "roc-curve.png": roc_curve,
    "cumulative-gains.png": cumulative_gains,
    "calibration.png": calibration,
    "tier-volumes.png": tier_volumes,
}


def write_plots(
    analysis: Analysis, out_dir: Path, batch: dict[str, int] | None = None
) -> dict[str, Path | None]:
    """Write every plot into ``out_dir``; the value is ``None`` where the data is not available."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path | None] = {}
    for name, fn in PLOTS.items():
        if fn is tier_volumes:
            written[name] = tier_volumes(analysis, out_dir / name, batch)
        else:
            written[name] = fn(analysis, out_dir / name)
    return written
