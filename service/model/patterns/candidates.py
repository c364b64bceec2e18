"""The candidate attributes of closed deals (Step 2 of the analysis, first half).

A *candidate* is something a deal either has or not, defined by rule conditions (the same
``service.scoring.rules`` conditions the scoring engine applies, evaluated by the one evaluator
in ``service.scoring.conditions``):

- each category level with at least ``min_deals`` deals (``industry = Healthcare``);
- the true level of a yes/no field (``demo_requested``);
- each data-driven range of a numeric field (``employee_count in [200, 1000)``; see ``binning``);
- "missing" as its own level, when at least ``min_deals`` deals lack the field and their win rate
  differs from the others' (two-proportion test, p < 0.01) (``tech_stack is missing``).

Rare levels and ranges are reported by ``insufficient_attributes`` instead of being guessed (in a
field with more than ``MAX_LEVELS`` values, together as one "other (N values)" entry). Only text
fields with (nearly) one row per value or mostly unique values (identifiers, free text) are
skipped and reported.
``service.model.patterns.attributes.measure_attributes`` then measures every candidate.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from service.audit.fields import ID_TOKENS, name_tokens
from service.data.numbers import read_numbers
from service.model.patterns.binning import (
    MAX_MOVED_SHARE,
    bins_from_cuts,
    format_number,
    nice_number,
    supervised_cuts,
)
from service.model.patterns.dimensions import infer_dimension
from service.model.stats import two_proportion_test
from service.scoring.conditions import TRUE_TEXT, evaluate_all
from service.scoring.rules import Condition, FieldIn, FieldNotIn, Flag, Missing, Range

#: text fields with more distinct values than this are checked for being identifiers or free
#: text; if they are not, their values with enough deals are candidates and the rest are pooled
#: and reported as "other (N values)"
MAX_LEVELS = 50
#: distinct values per row at which a field is an identifier
NEAR_UNIQUE = 0.9
#: share of rows holding a value that occurs once at which a field is free text
MOSTLY_UNIQUE = 0.5
FALSE_TEXT = frozenset({"false", "no", "n", "0", "0.0", "f"})
#: a text column is numeric when at least this share of its values parse as numbers
NUMERIC_SHARE = 0.98
#: "missing" becomes a candidate only when its win rate differs at this p-value
MISSING_P = 0.01


@dataclass(frozen=True)
class Candidate:
    """One attribute a deal has or not, defined by the rule conditions that test it."""

    id: str
    field: str
    kind: str  # "category" | "boolean" | "range" | "missing"
    value: str | bool | float | None
    range: tuple[float | None, float | None] | None
    conditions: list[Condition] = dataclasses.field(hash=False, compare=False)
    label: str
    dimension: str

    def describe(self) -> dict[str, object]:
        """``field`` and ``value`` or ``range`` (``[low, high)``, null for an open end)."""
        out: dict[str, object] = {"field": self.field}
        if self.range is not None:
            out["range"] = list(self.range)
        else:
            out["value"] = self.value
        return out


@dataclass
class CandidateScan:
    """What ``scan_attributes`` found: the candidates and the attributes with too few deals."""

    candidates: list[Candidate]
    insufficient: list[dict[str, object]]


def human(field_name: str) -> str:
    """``"employee_count"`` -> ``"Employee count"``."""
    text = str(field_name).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:] if text else str(field_name)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _range_candidate(name: str, low: float | None, high: float | None, dimension: str) -> Candidate:
    if low is None and high is not None:
        ident, words = f"{name} < {_num(high)}", f"{human(name)} under {format_number(high)}"
    elif high is None and low is not None:
        ident, words = f"{name} >= {_num(low)}", f"{human(name)} {format_number(low)} or more"
    else:
        assert low is not None and high is not None
        ident = f"{name} in [{_num(low)}, {_num(high)})"
        # the range holds its lower end, not its upper: "15–16" would read as including 16
        words = f"{human(name)} {format_number(low)} to under {format_number(high)}"
    cond = Range(kind="range", field=name, min=low, max=high)
    return Candidate(ident, name, "range", None, (low, high), [cond], words, dimension)


def _column_kind(series: pd.Series) -> tuple[str, pd.Series | None, str | None]:
    """``(kind, numeric values or None, reason to skip or None)``."""
    present = series.dropna()
    if present.empty:
        return "skip", None, "no values"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "skip", None, "a date; dates describe when, not which deals win"
    if pd.api.types.is_bool_dtype(series):
        return "boolean", None, None
    if pd.api.types.is_numeric_dtype(series):
        numeric = pd.to_numeric(series, errors="coerce").astype("float64")
        if set(np.unique(numeric.dropna())) <= {0.0, 1.0}:
            return "boolean", None, None
        if _looks_like_ids(numeric):
            return (
                "skip",
                None,
                "a different whole number in every row: an identifier or row counter",
            )
        return "numeric", numeric, None
    text = present.astype("string").str.strip().str.casefold()
    levels = set(text.unique())
    if levels <= (TRUE_TEXT | FALSE_TEXT) and levels & TRUE_TEXT:
        return "boolean", None, None
    numeric = read_numbers(series).astype("float64")
    if numeric.notna().sum() >= NUMERIC_SHARE * len(present) and numeric.nunique() > 2:
        return "numeric", numeric, None
    if len(levels) > MAX_LEVELS:
        reason = _identifier_or_text(text)
        if reason:
            return "skip", None, reason
    return "category", None, None


def _identifier_or_text(text: pd.Series) -> str | None:
    """Why a many-valued text field is an identifier or free text (None when it is a category
    whose common values can still be judged): (nearly) one row per value, or most rows holding
    a value that occurs only once."""
    counts = text.value_counts()
    if len(counts) >= NEAR_UNIQUE * len(text):
        return (
            f"{len(counts)} distinct values in {len(text)} rows (nearly one per row): free text "
            "or an identifier, not a category"
        )
    single = float(counts[counts == 1].sum()) / len(text)
    if single >= MOSTLY_UNIQUE:
        return (
            f"{single:.0%} of rows hold a value no other row has: free text or an identifier, "
            "not a category"
        )
    return None


def _looks_like_ids(numeric: pd.Series) -> bool:
    """Unique whole numbers in an id-named column (``Lead Number``) or a row counter (every
    number from the lowest to the highest, once), as the audit decides. Unique amounts such as
    revenue or deal size are measurements, not ids."""
    values = numeric.dropna().to_numpy()
    if not (
        values.size > MAX_LEVELS
        and np.equal(np.floor(values), values).all()
        and np.unique(values).size == values.size
    ):
        return False
    id_named = bool(set(name_tokens(str(numeric.name))) & ID_TOKENS)
    return id_named or bool(values.max() - values.min() + 1 == values.size)


def _is_count(numeric: pd.Series | None) -> bool:
    if numeric is None:
        return False
    values = numeric.dropna().to_numpy()
    return bool(values.size and (values >= 0).all() and np.equal(np.floor(values), values).all())


def _too_few(name: str, n: int, min_deals: int, **what: object) -> dict[str, object]:
    return {
        "field": name,
        **what,
        "n": n,
        "reason": f"only {n} deals (fewer than {min_deals}); no points rather than a guess",
    }


def scan_attributes(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    min_deals: int = 15,
    max_bins: int = 5,
    dimensions: Mapping[str, object] | None = None,
    seed: int = 0,
) -> CandidateScan:
    """Find every candidate attribute of ``X`` and list those with too few deals."""
    yv = _outcomes(X, y)
    if min_deals < 1:
        raise ValueError(f"min_deals must be at least 1; got {min_deals}.")
    cands: list[Candidate] = []
    rare: list[dict[str, object]] = []
    for col in X.columns:
        name = str(col)
        series = X[col]
        kind, numeric, reason = _column_kind(series)
        if kind == "skip":
            rare.append(
                {"field": name, "value": None, "n": int(series.notna().sum()), "reason": reason}
            )
            continue
        dim = infer_dimension(name, dimensions, is_count=_is_count(numeric))
        if kind == "boolean":
            cond = Flag(kind="flag", field=name)
            fires, _ = evaluate_all(X, [cond])
            n_true, n_false = int(fires.sum()), int(series.notna().sum() - fires.sum())
            if min(n_true, n_false) >= min_deals:
                cands.append(Candidate(name, name, "boolean", True, None, [cond], human(name), dim))
            else:
                rare.append(_too_few(name, min(n_true, n_false), min_deals, value=True))
        elif kind == "category":
            cands += _category_candidates(X, name, dim, min_deals, rare)
        else:
            assert numeric is not None
            cands += _range_candidates(name, numeric, yv, dim, min_deals, max_bins, seed, rare)
        missing = _missing_candidate(series, name, yv, dim, min_deals)
        if missing is not None:
            cands.append(missing)
    return CandidateScan(cands, rare)


def _missing_candidate(
    series: pd.Series, name: str, yv: np.ndarray, dim: str, min_deals: int
) -> Candidate | None:
    """``field is missing``, when enough deals lack the field and their win rate differs."""
    missing = series.isna().to_numpy()
    n_missing = int(missing.sum())
    if min(n_missing, len(series) - n_missing) < min_deals:
        return None
    won_m = int(yv[missing].sum())
    test = two_proportion_test(won_m, n_missing, int(yv.sum()) - won_m, len(yv) - n_missing)
    if test.p_value >= MISSING_P:
        return None
    cond = Missing(kind="missing", field=name)
    label = f"{human(name)} not recorded"
    return Candidate(f"{name} is missing", name, "missing", None, None, [cond], label, dim)


def _category_candidates(
    X: pd.DataFrame, name: str, dim: str, min_deals: int, rare: list[dict[str, object]]
) -> list[Candidate]:
    text = X[name].dropna().astype("string").str.strip()
    text = text[text != ""]
    folded = text.str.casefold()
    counts = folded.value_counts()
    # the spelling shown is the most common one among those that compare equal
    spelling = text.groupby(folded.to_numpy()).agg(lambda s: s.value_counts().index[0])
    if len(counts) < 2:
        return []
    out = []
    pooled = len(counts) > MAX_LEVELS
    few = counts[counts < min_deals]
    if pooled and len(few):
        out += _pooled_candidate(name, dim, counts, few, spelling, min_deals, rare)
    for level, n in counts.items():
        shown = str(spelling[level])
        if n < min_deals:
            if not pooled:
                rare.append(_too_few(name, int(n), min_deals, value=shown))
            continue
        cond = FieldIn(kind="field_in", field=name, values=[shown])
        out.append(
            Candidate(
                f"{name} = {shown}",
                name,
                "category",
                shown,
                None,
                [cond],
                f"{human(name)}: {shown}",
                dim,
            )
        )
    return out


def _pooled_candidate(
    name: str,
    dim: str,
    counts: pd.Series,
    few: pd.Series,
    spelling: pd.Series,
    min_deals: int,
    rare: list[dict[str, object]],
) -> list[Candidate]:
    """The values of a many-valued field with too few deals each, as one "other (N values)"
    candidate: any value but the named ones (so also values first seen when scoring)."""
    shown = f"other ({len(few)} values)"
    named = [str(spelling[level]) for level in counts.index if level not in few.index]
    if int(few.sum()) < min_deals or not named:
        rare.append(
            {
                **_too_few(name, int(few.sum()), min_deals, value=shown),
                "pooled": True,
            }
        )
        return []
    cond = FieldNotIn(kind="field_not_in", field=name, values=named)
    label = f"{human(name)}: {shown}"
    return [Candidate(f"{name} = other", name, "category", shown, None, [cond], label, dim)]


def _range_candidates(
    name: str,
    numeric: pd.Series,
    yv: np.ndarray,
    dim: str,
    min_deals: int,
    max_bins: int,
    seed: int,
    rare: list[dict[str, object]],
) -> list[Candidate]:
    known = numeric.notna().to_numpy()
    values = numeric.to_numpy()[known]
    min_leaf = max(min_deals, math.ceil(0.05 * values.size))
    cuts = supervised_cuts(values, yv[known], max_bins=max_bins, min_leaf=min_leaf, seed=seed)
    if not cuts:
        # no range differs: still measure a split at the median so the report can say so
        ordered = np.sort(values)
        median = nice_number(
            float(np.median(values)), ordered, max_moved=int(MAX_MOVED_SHARE * values.size)
        )
        cuts = [median] if (values < median).sum() >= min_deals else []
        cuts = [c for c in cuts if (values >= c).sum() >= min_deals]
    out = []
    for low, high in bins_from_cuts(cuts):
        inside = np.ones(values.size, bool)
        if low is not None:
            inside &= values >= low
        if high is not None:
            inside &= values < high
        n = int(inside.sum())
        if len(cuts) == 0:
            break
        if n >= min_deals:
            out.append(_range_candidate(name, low, high, dim))
        else:
            rare.append(_too_few(name, n, min_deals, range=[low, high]))
    return out


def _outcomes(X: pd.DataFrame, y: pd.Series) -> np.ndarray:
    yv = pd.to_numeric(pd.Series(y), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if yv.size != len(X):
        raise ValueError(f"y has {yv.size} values but X has {len(X)} rows.")
    if np.isnan(yv).any() or not np.isin(yv, (0.0, 1.0)).all():
        raise ValueError("y must hold only 1 (won) and 0 (lost), with no missing values.")
    return yv.astype(np.int64)


def find_candidates(
    X: pd.DataFrame,
    y: pd.Series,
    *,
    min_deals: int = 15,
    max_bins: int = 5,
    dimensions: Mapping[str, object] | None = None,
    seed: int = 0,
) -> list[Candidate]:
    """Every candidate attribute of the deals ``X`` with outcomes ``y`` (1 won, 0 lost)."""
    return scan_attributes(
        X, y, min_deals=min_deals, max_bins=max_bins, dimensions=dimensions, seed=seed
    ).candidates


def insufficient_attributes(
    X: pd.DataFrame, y: pd.Series, min_deals: int = 15, *, max_bins: int = 5, seed: int = 0
) -> list[dict[str, object]]:
    """Levels, ranges and fields with too few deals (or unusable), each with its reason."""
    return scan_attributes(X, y, min_deals=min_deals, max_bins=max_bins, seed=seed).insufficient


def indicator_frames(X: pd.DataFrame, cands: list[Candidate]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(fires, known)``: boolean frames, one column per candidate id, from ``evaluate_all``."""
    fires, known = {}, {}
    for cand in cands:
        fires[cand.id], known[cand.id] = evaluate_all(X, cand.conditions)
    cols = [c.id for c in cands]
    return (
        pd.DataFrame(fires, index=X.index, columns=cols),
        pd.DataFrame(known, index=X.index, columns=cols),
    )
