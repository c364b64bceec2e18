"""Section 6.5's comparison: did the leads whose reps saw scores (treatment) do better than the
control leads?

Per metric, the two groups' values, the difference (treatment - control) with a 95% interval and
a two-sided test of no difference:

- lead-to-opportunity conversion: share converted; Newcombe interval of the difference and the
  score test of two independent proportions (statsmodels);
- time to first contact (hours, contacted leads): medians; the interval of the difference of
  medians by bootstrap and the Mann-Whitney U test (scipy); lower is better;
- win rate (converted leads whose deal closed): as conversion;
- revenue per lead (when deal values exist): means; Welch's t interval and test (scipy).

A metric counts as better (or worse) only when its test, Holm-adjusted over the metrics measured
(four tests at 5% each would call a difference by chance one time in five), gives p < ``alpha``
in that direction.
The verdict states whether the treatment did better, and whether Section 6.5's success criterion
(better on at least two metrics, worse on none) is met.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, test_proportions_2indep

from service.experiment.groups import CONTROL, TREATMENT

COLUMNS = ("group", "converted", "contact_hours", "won", "revenue")


@dataclass(frozen=True)
class Metric:
    name: str
    control: float | None
    treatment: float | None
    n_control: int
    n_treatment: int
    diff: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    #: True: a higher value is better (conversion); False: lower is (time to first contact)
    higher_is_better: bool = True
    note: str = ""
    #: ``p_value`` adjusted for testing several metrics (Holm); the verdict uses it
    p_adjusted: float | None = None

    def verdict(self, alpha: float) -> str:
        """``better``, ``worse`` or ``no difference`` (``not measured`` without data)."""
        p = self.p_adjusted if self.p_adjusted is not None else self.p_value
        if p is None or self.diff is None:
            return "not measured"
        if p >= alpha or self.diff == 0:
            return "no difference"
        good = self.diff > 0 if self.higher_is_better else self.diff < 0
        return "better" if good else "worse"


@dataclass
class ExperimentReport:
    n_control: int
    n_treatment: int
    alpha: float
    metrics: list[Metric] = field(default_factory=list)

    @property
    def better(self) -> list[str]:
        return [m.name for m in self.metrics if m.verdict(self.alpha) == "better"]

    @property
    def worse(self) -> list[str]:
        return [m.name for m in self.metrics if m.verdict(self.alpha) == "worse"]

    @property
    def treatment_did_better(self) -> bool:
        return bool(self.better) and not self.worse

    @property
    def meets_criterion(self) -> bool:
        return len(self.better) >= 2 and not self.worse

    def summary(self) -> str:
        if self.treatment_did_better:
            head = f"The treatment did better: {', '.join(self.better)}"
        elif self.worse:
            head = f"The treatment did worse on {', '.join(self.worse)}"
        else:
            head = "No difference between the groups was found"
        crit = "meets" if self.meets_criterion else "does not meet"
        return (
            f"{head} (p < {self.alpha:g}). It {crit} Section 6.5's success criterion (better on "
            "at least two metrics, worse on none)."
        )


def _proportions(name: str, c: pd.Series, t: pd.Series) -> Metric:
    c, t = c.dropna().astype(bool), t.dropna().astype(bool)
    if len(c) == 0 or len(t) == 0:
        return Metric(name, None, None, len(c), len(t), note="no data")
    kc, kt = int(c.sum()), int(t.sum())
    pc, pt = kc / len(c), kt / len(t)
    if kc + kt in (0, len(c) + len(t)):  # all or none: nothing to test
        return Metric(name, pc, pt, len(c), len(t), pt - pc, note="every lead alike")
    low, high = confint_proportions_2indep(kt, len(t), kc, len(c), method="newcomb", compare="diff")
    test = test_proportions_2indep(kt, len(t), kc, len(c), method="score", compare="diff")
    return Metric(
        name, pc, pt, len(c), len(t), pt - pc, float(low), float(high), float(test.pvalue)
    )


def _times(c: pd.Series, t: pd.Series, seed: int) -> Metric:
    c, t = c.dropna().to_numpy(float), t.dropna().to_numpy(float)
    name = "time to first contact (hours, median)"
    if len(c) < 2 or len(t) < 2:
        return Metric(name, None, None, len(c), len(t), higher_is_better=False, note="too few")
    diff = float(np.median(t) - np.median(c))
    ci = stats.bootstrap(
        (t, c),
        lambda a, b, axis=-1: np.median(a, axis=axis) - np.median(b, axis=axis),
        n_resamples=1000,
        random_state=np.random.default_rng(seed),
        vectorized=True,
    ).confidence_interval
    p = float(stats.mannwhitneyu(t, c, alternative="two-sided").pvalue)
    return Metric(
        name,
        float(np.median(c)),
        float(np.median(t)),
        len(c),
        len(t),
        diff,
        float(ci.low),
        float(ci.high),
        p,
        higher_is_better=False,
    )


def _means(name: str, c: pd.Series, t: pd.Series) -> Metric:
    c, t = c.dropna().to_numpy(float), t.dropna().to_numpy(float)
    if len(c) < 2 or len(t) < 2 or (c.std() == 0 and t.std() == 0):
        return Metric(name, None, None, len(c), len(t), note="no deal values")
    test = stats.ttest_ind(t, c, equal_var=False)
    ci = test.confidence_interval(0.95)
    return Metric(
        name,
        float(c.mean()),
        float(t.mean()),
        len(c),
        len(t),
        float(t.mean() - c.mean()),
        float(ci.low),
        float(ci.high),
        float(test.pvalue),
    )


def compare(frame: pd.DataFrame, *, alpha: float = 0.05, seed: int = 0) -> ExperimentReport:
    """Compare the groups of ``frame`` (one row per lead; columns ``COLUMNS``: ``won`` is empty
    where no deal closed, ``revenue`` empty where deal values are unknown)."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"experiment data lacks the columns {', '.join(missing)}")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5); got {alpha}.")
    c = frame[frame["group"] == CONTROL]
    t = frame[frame["group"] == TREATMENT]
    report = ExperimentReport(len(c), len(t), alpha)
    report.metrics.append(
        _proportions("lead-to-opportunity conversion", c["converted"], t["converted"])
    )
    report.metrics.append(_times(c["contact_hours"], t["contact_hours"], seed))
    report.metrics.append(
        _proportions(
            "win rate",
            c.loc[c["converted"].astype(bool), "won"],
            t.loc[t["converted"].astype(bool), "won"],
        )
    )
    report.metrics.append(_means("revenue per lead", c["revenue"], t["revenue"]))
    tested = [i for i, m in enumerate(report.metrics) if m.p_value is not None]
    if tested:
        adjusted = multipletests([report.metrics[i].p_value for i in tested], method="holm")[1]
        for i, p in zip(tested, adjusted, strict=True):
            report.metrics[i] = replace(report.metrics[i], p_adjusted=float(p))
    return report
