"""Leakage checks: fields recorded because of the outcome or during the sales process.

A careful analyst looks for four kinds of evidence, and this module measures each on the closed
deals (and, when given, the open leads):

* ``outcome_coded``: empty, zero or one constant value for (nearly) every deal of one outcome
  and varied for the other (a loss reason filled only for lost deals; a refund amount that is
  zero for every lost deal);
* ``process_field`` (needs the open leads): filled on most closed deals but mostly empty on the
  open leads, or with values on the open leads that the deals never show: filled in during the
  sales process, so a lead being scored does not have it yet;
* ``strong_single_field``: the field alone separates won from lost implausibly well: its own
  out-of-sample (cross-validated) AUC is at or above 0.85, or one value (a range, for numbers)
  covers at least 5% of deals with a win rate at or below 2% or at or above 98%. Cross-validation
  keeps an ID column (unique per row, perfect in sample) from looking strong;
* ``name_cue``: a name that describes the sales process or the result (quality, rating, score,
  tags, status, stage, reason, last activity, probability, forecast, close, won, lost ...).

A field that carries the same information as a suspect (the same rows filled, and one field's
value fixed by the other's: ``Activity Index`` 01.High for every ``Activity Score`` of 16 and
up) is a suspect too (``same_as_suspect``).

A suspect is **excluded** when two kinds of evidence agree and **flagged** (kept, and listed with
its evidence) otherwise. Either way ``keep:`` in the configuration has the last word.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import TargetEncoder
from sklearn.tree import DecisionTreeClassifier

from service.audit.fields import as_numbers, name_tokens
from service.data.current_leads import LeadColumn

#: one field's own out-of-sample AUC at or above this is implausibly strong
STRONG_AUC = 0.85
#: a value (or range) covering this share of deals ...
EXTREME_SHARE = 0.05
#: ... with a win rate at or below this (or at or above 1 minus it) is implausibly strong
EXTREME_RATE = 0.02
#: ... on at least this many deals, and a rate that chance gives with at most this probability
EXTREME_MIN_DEALS, EXTREME_P = 30, 1e-6
#: "(nearly) every deal of one outcome" and "varied for the other"
CODED_SHARE, VARIED_SHARE = 0.98, 0.20
#: filled on at least this share of deals, and on at most half as many open leads
PROCESS_FILLED = 0.5
MAX_ROWS = 20_000
_NAME_CUES = {
    "quality": "a quality grade is usually given by sales after contact",
    "rating": "a rating is usually given by sales after contact",
    "score": "a score is usually computed from what happened in the sales process",
    "tag": "tags are usually added by sales during the process",
    "status": "a status follows the sales process",
    "stage": "the stage reached reflects the outcome",
    "reason": "a win/loss reason is recorded after the outcome",
    "probability": "CRM probability follows the stage, which reflects the outcome",
    "forecast": "the forecast category follows the stage, which reflects the outcome",
    "close": "a close-time field is filled in at close",
    "closed": "a closed-* field is filled in at close",
    "closing": "a closing field is filled in at close",
    "won": "a won-* field is filled in after the deal is won",
    "lost": "a lost-* field is filled in after the deal is lost",
    "loss": "a loss field is filled in after the deal is lost",
    "win": "a win-* field (reason, probability) reflects the outcome",
    "cycle": "sales-cycle length is known only when the deal closes",
    "duration": "a duration is known only when the activity or deal has ended",
}
_NAME_PHRASES = {
    ("last", "activity"): "the last activity is often the one that closed the deal",
}
EVIDENCE_KINDS = (
    "outcome_coded",
    "process_field",
    "strong_single_field",
    "name_cue",
    "same_as_suspect",
)


@dataclass
class Suspect:
    """A field suspected of leaking the outcome: the evidence that fired and what was done."""

    field: str
    evidence: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    action: str = "flagged"  # excluded | flagged

    @property
    def kinds(self) -> list[str]:
        """The distinct kinds of evidence, in the order found."""
        return list(dict.fromkeys(e["kind"] for e in self.evidence))

    def describe(self) -> str:
        """The evidence in one sentence."""
        return "; ".join(e["detail"] for e in self.evidence)

    def decide(self) -> None:
        """Excluded when two kinds of evidence agree, else flagged."""
        self.action = "excluded" if len(self.kinds) >= 2 else "flagged"


def name_cue(name: str) -> dict[str, Any] | None:
    """Evidence when the column name describes the sales process or the result."""
    tokens = name_tokens(name)
    for words, why in _NAME_PHRASES.items():
        if set(words) <= set(tokens):
            return {"kind": "name_cue", "cue": " ".join(words), "detail": f"name: {why}"}
    for token in tokens:
        if token in _NAME_CUES:
            return {"kind": "name_cue", "cue": token, "detail": f"name: {_NAME_CUES[token]}"}
    return None


def _default_values(series: pd.Series) -> list[tuple[str, np.ndarray]]:
    """(label, mask) of the values a field falls back to: missing, zero, and each value."""
    out = [("empty", series.isna().to_numpy())]
    numbers = as_numbers(series) if pd.api.types.is_numeric_dtype(series) else None
    if numbers is not None:
        out.append(("zero", (numbers == 0).to_numpy()))
    text = series.astype("string").str.strip()
    for value in text.dropna().value_counts().index[:2]:
        out.append((f"always {value!r}", (text == value).fillna(False).to_numpy(bool)))
    return out


def outcome_coded(series: pd.Series, y: np.ndarray) -> dict[str, Any] | None:
    """Evidence when the field is empty, zero or one value for (nearly) every deal of one
    outcome (at least 98%) and varied for the other (at least 20% differ)."""
    y = np.asarray(y, dtype=int)
    sides = {"won": y == 1, "lost": y == 0}
    if min(int(m.sum()) for m in sides.values()) < 5:
        return None
    for label, mask in _default_values(series):
        for side, other in (("won", "lost"), ("lost", "won")):
            share = float(mask[sides[side]].mean())
            other_share = float(mask[sides[other]].mean())
            differ = int((~mask[sides[other]]).sum())
            if share >= CODED_SHARE and 1 - other_share >= VARIED_SHARE and differ >= 5:
                what = "filled in" if label == "empty" else label
                if label == "empty":
                    detail = (
                        f"filled in for {1 - other_share:.0%} of {other} deals and "
                        f"{1 - share:.0%} of {side} deals: it is recorded because of the outcome"
                    )
                else:
                    detail = (
                        f"{label.replace('always ', '')} for {share:.0%} of {side} deals but "
                        f"{other_share:.0%} of {other} deals: it is recorded because of the outcome"
                    )
                return {
                    "kind": "outcome_coded",
                    "value": what,
                    "side": side,
                    "share_of_side": round(share, 4),
                    "share_of_other": round(other_share, 4),
                    "detail": detail,
                }
    return None


def process_field(deals: pd.Series, leads: LeadColumn | None) -> dict[str, Any] | None:
    """Evidence when the open leads mostly lack the field the closed deals have, or carry
    values the deals never show: it is filled in during the sales process. ``leads`` is the
    field counted over the leads (``CurrentLeads.survey``, with the deals' values as known)."""
    if leads is None or leads.n == 0 or len(deals) == 0:
        return None
    filled_deals = float(deals.notna().mean())
    filled_leads = leads.filled / leads.n
    if filled_deals >= PROCESS_FILLED and filled_leads < min(0.5, filled_deals / 2):
        return {
            "kind": "process_field",
            "filled_deals": round(filled_deals, 4),
            "filled_leads": round(filled_leads, 4),
            "detail": (
                f"filled in for {filled_deals:.0%} of closed deals but {filled_leads:.0%} of "
                "open leads: it is filled in during the sales process"
            ),
        }
    if pd.api.types.is_numeric_dtype(deals) and leads.numeric:
        return None
    if leads.filled < 20 or leads.unseen is None:
        return None
    unseen = leads.unseen / leads.filled
    if unseen > 0.5:
        return {
            "kind": "process_field",
            "unseen_share": round(unseen, 4),
            "detail": (
                f"{unseen:.0%} of the open leads' values never occur on a closed deal: "
                "its values change during the sales process"
            ),
        }
    return None


def oos_auc(series: pd.Series, kind: str, y: np.ndarray, *, seed: int = 0) -> float | None:
    """Cross-validated AUC of a model that sees only this column (None when too few deals)."""
    y = np.asarray(y, dtype=int)
    minority = int(min((y == 1).sum(), (y == 0).sum()))
    if minority < 5 or len(y) < 20:
        return None
    if len(y) > MAX_ROWS:
        pick = np.sort(np.random.default_rng(seed).choice(len(y), MAX_ROWS, replace=False))
        series, y = series.iloc[pick], y[pick]
        minority = int(min((y == 1).sum(), (y == 0).sum()))
    cv = StratifiedKFold(n_splits=min(5, minority), shuffle=True, random_state=seed)
    if kind == "numeric" or pd.api.types.is_numeric_dtype(series):
        x = as_numbers(series).to_numpy(dtype=float).reshape(-1, 1)
        tree = DecisionTreeClassifier(
            max_leaf_nodes=16, min_samples_leaf=max(5, len(y) // 100), random_state=seed
        )
        scores = cross_val_predict(tree, x, y, cv=cv, method="predict_proba")[:, 1]
    else:
        text = series.astype("string").fillna("(missing)").astype(object)
        x = text.to_numpy().reshape(-1, 1)
        scores = TargetEncoder(target_type="binary", cv=cv).fit_transform(x, y)[:, 0]
    return float(roc_auc_score(y, scores))


def _groups(series: pd.Series, kind: str, y: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """The values of a category (or the ranges of a number, from a one-column tree) covering at
    least 5% of deals each."""
    n = len(y)
    numeric = kind == "numeric" or pd.api.types.is_numeric_dtype(series)
    if numeric and not pd.api.types.is_bool_dtype(series):
        x = as_numbers(series).to_numpy(dtype=float)
        known = ~np.isnan(x)
        if known.sum() < 2 * EXTREME_SHARE * n or len(np.unique(x[known])) < 2:
            return []
        tree = DecisionTreeClassifier(
            max_leaf_nodes=16,
            min_samples_leaf=max(5, int(np.ceil(EXTREME_SHARE * n))),
            random_state=0,
        ).fit(x[known].reshape(-1, 1), y[known])
        leaves = np.full(n, -1)
        leaves[known] = tree.apply(x[known].reshape(-1, 1))
        out = []
        for leaf in np.unique(leaves[known]):
            mask = leaves == leaf
            low, high = float(x[mask].min()), float(x[mask].max())
            out.append((f"{low:g} to {high:g}", mask))
        return out
    text = series.astype("string").str.strip()
    counts = text.value_counts()
    return [
        (str(v), (text == v).fillna(False).to_numpy(bool))
        for v, c in counts.items()
        if c >= EXTREME_SHARE * n
    ]


def strong_single_field(
    series: pd.Series, kind: str, y: np.ndarray, auc: float | None
) -> dict[str, Any] | None:
    """Evidence when the field alone separates won from lost implausibly well."""
    y = np.asarray(y, dtype=int)
    if auc is not None and auc >= STRONG_AUC:
        return {
            "kind": "strong_single_field",
            "auc": round(auc, 4),
            "detail": (
                f"a model using only this field reaches AUC {auc:.2f} out of sample "
                f"(at or above {STRONG_AUC}): implausibly strong for one field"
            ),
        }
    base = float(y.mean()) if len(y) else 0.0
    for label, mask in _groups(series, kind, y):
        rate = float(y[mask].mean())
        low = rate <= EXTREME_RATE < base / 5
        high = rate >= 1 - EXTREME_RATE > 1 - (1 - base) / 5
        # a small group can be all lost by chance (five deals at a 40% base rate: 8%); the
        # rate must be far beyond chance even after searching every value or range
        wins, n = int(y[mask].sum()), int(mask.sum())
        chance = binom.cdf(wins, n, base) if low else binom.sf(wins - 1, n, base)
        if (low or high) and n >= EXTREME_MIN_DEALS and chance < EXTREME_P:
            share = float(mask.mean())
            return {
                "kind": "strong_single_field",
                "value": label,
                "share_of_deals": round(share, 4),
                "win_rate": round(rate, 4),
                "detail": (
                    f"{label} covers {share:.0%} of deals with a win rate of {rate:.0%}: "
                    "implausibly decisive for one value"
                ),
            }
    present = series.notna().to_numpy()
    if present.mean() < 0.95 and present.sum() >= max(30, 0.1 * len(y)):
        auc_present = oos_auc(series[present], kind, y[present])
        if auc_present is not None and auc_present >= STRONG_AUC:
            return {
                "kind": "strong_single_field",
                "auc_where_filled": round(auc_present, 4),
                "detail": (
                    f"where it is filled in ({present.mean():.0%} of deals) a model using only "
                    f"this field reaches AUC {auc_present:.2f} out of sample: fields filled in "
                    "after contact with sales usually do"
                ),
            }
    return None


def same_as(series: pd.Series, other: pd.Series, other_name: str) -> dict[str, Any] | None:
    """Evidence when ``series`` carries the information of the suspect ``other``: the same rows
    filled (99%) and one field's value fixed by the other's (99% of rows)."""
    a, b = series.isna().to_numpy(), other.isna().to_numpy()
    both = ~a & ~b
    if (a == b).mean() < 0.99 or both.sum() < 30:
        return None
    left, left_values = pd.factorize(series[both])
    right, right_values = pd.factorize(other[both])
    n_left, n_right, n = len(left_values), len(right_values), int(both.sum())
    if min(n_left, n_right) < 2:
        return None
    pairs = pd.DataFrame({"left": left, "right": right}).value_counts()
    # share of rows where one field's value fixes the other's; the fixed field must vary
    # (a near-constant field is "fixed" by anything) and the fixing field must have at least
    # 10 rows per value (a unique field, such as an amount, "fixes" every other field)
    fixes_right = pairs.groupby(level="left").max().sum() / n
    fixes_left = pairs.groupby(level="right").max().sum() / n
    varied_right = np.bincount(right).max() / n <= 0.9 and n_left * 10 <= n
    varied_left = np.bincount(left).max() / n <= 0.9 and n_right * 10 <= n
    if not ((fixes_right >= 0.99 and varied_right) or (fixes_left >= 0.99 and varied_left)):
        return None
    return {
        "kind": "same_as_suspect",
        "other": other_name,
        "detail": (
            f"carries the same information as the suspect {other_name} (same rows filled, "
            "one determines the other)"
        ),
    }
