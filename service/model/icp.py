"""The stated Ideal Customer Profile against what the closed deals show.

The ICP never sets points (the data does); this only compares. For each criterion (industries,
employee range, geography, tech stack, budget, use case) the deals inside the stated profile are
compared with those outside it: win rates, a two-proportion test (Fisher's exact test for small
cells), and where the won deals actually concentrate. A criterion the data cannot check (no
matching column, or none of the stated values occur) is listed as such.

Verdicts: ``confirmed`` (inside wins significantly more), ``contradicted`` (significantly less),
``not confirmed`` (no significant difference), ``cannot check``.

A criterion can hold on the whole and still contain a part that does not: each stated value of a
set (each industry, each tool) and each part of a stated range (cut at 1-2-5 steps: 200 to 500,
500 to 1,000, 1,000 to 2,000) is compared with the rest of the stated profile, and the parts
that win significantly less (Benjamini-Hochberg over the parts of the criterion) are listed as
``gaps``: the places where following the stated ICP costs wins.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportions_ztest

from service.data.numbers import read_numbers
from service.data.yaml_file import YamlFileProblem, read_yaml
from service.errors import ConfigError
from service.model.stats import benjamini_hochberg

ALPHA = 0.05

#: criterion -> (ICP keys it may be written as, deal columns that can check it, kind)
CRITERIA: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "industries": (("industries", "industry"), ("industry", "vertical", "sector"), "set"),
    "employee range": (
        ("employee_range", "employees", "employee_count", "company_size", "size", "size_range"),
        ("employee_count", "employees", "number_of_employees", "company_size", "headcount"),
        "range",
    ),
    "geography": (
        ("geography", "geographies", "countries", "country", "regions", "region", "markets"),
        ("country", "region", "geography", "billing_country"),
        "set",
    ),
    "tech stack": (
        ("tech_stack", "technologies", "technology", "tech"),
        ("tech_stack", "technology", "technologies"),
        "set",
    ),
    "budget": (
        ("budget", "budget_range", "deal_size"),
        ("budget", "deal_size", "amount", "deal_value", "annual_contract_value"),
        "range",
    ),
    "use case": (("use_case", "use_cases"), ("use_case", "use_cases", "primary_use_case"), "set"),
}


#: ICP keys that describe the vendor, not its customers
NOT_CRITERIA = frozenset({"company", "vendor", "product", "name", "notes", "description"})


def _best_column(frame: pd.DataFrame, names: tuple[str, ...], wanted: list[str]) -> str | None:
    """Of the columns that could record a criterion, the one holding most stated values."""
    by_key = {_key(c): c for c in frame.columns}
    found = [by_key[n] for n in names if n in by_key]
    if len(found) <= 1:
        return found[0] if found else None
    wanted_cf = {w.casefold() for w in wanted}

    def hits(col: str) -> int:
        values = set(frame[col].dropna().astype("string").str.strip().str.casefold())
        return len(values & wanted_cf)

    return max(found, key=hits)


def _key(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).strip().lower()).strip("_")


def load_icp(path: str | Path) -> dict[str, Any]:
    """Read an ICP YAML (a mapping of criteria); ``ConfigError`` naming the file otherwise."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such ICP file.")
    try:
        data = read_yaml(path)
    except YamlFileProblem as exc:
        raise ConfigError(f"{path}: {exc}.") from None
    if (
        isinstance(data, dict)
        and len(data) == 1
        and _key(next(iter(data))) in ("icp", "ideal_customer_profile")
    ):
        data = next(iter(data.values()))
    if not isinstance(data, dict) or not data:
        raise ConfigError(
            f"{path}: the ICP must be a mapping such as `industries: [Healthcare]` and "
            "`employee_range: [200, 2000]`."
        )
    return data


def _number(text: str) -> float:
    text = text.strip().lower().replace(",", "").replace("$", "").replace("€", "").replace("£", "")
    mult = {"k": 1e3, "m": 1e6, "b": 1e9}.get(text[-1:], 1.0)
    if text[-1:] in "kmb":
        text = text[:-1]
    return float(text) * mult


def parse_range(value: Any, where: str) -> tuple[float | None, float | None]:
    """``[200, 2000]``, ``{min: 200, max: 2000}``, ``"200-2,000"`` or ``"500+"`` as bounds."""
    try:
        if isinstance(value, dict):
            keyed = {_key(k): v for k, v in value.items()}
            low = next((v for k, v in keyed.items() if k == "min" or k.startswith("min_")), None)
            high = next((v for k, v in keyed.items() if k == "max" or k.startswith("max_")), None)
            if low is None and high is None:
                raise ValueError("no min or max key")
            return (None if low is None else float(low), None if high is None else float(high))
        if isinstance(value, list | tuple) and len(value) == 2:
            return tuple(None if v is None else _number(str(v)) for v in value)  # type: ignore[return-value]
        if isinstance(value, int | float):
            return float(value), None
        text = str(value).strip()
        if text.endswith("+"):
            return _number(text[:-1]), None
        parts = re.split(r"\s*(?:-|–|to)\s*", text)
        if len(parts) == 2:
            return _number(parts[0]), _number(parts[1])
    except ValueError:
        pass
    raise ConfigError(
        f"{where}: cannot read {value!r} as a range; write it as [200, 2000] or min/max keys."
    )


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list | tuple | set):
        return [str(v).strip() for v in value]
    return [str(value)]


def _column(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    by_key = {_key(c): c for c in frame.columns}
    return next((by_key[n] for n in names if n in by_key), None)


def _test(inside: np.ndarray, y: np.ndarray) -> tuple[float | None, float | None, float | None]:
    n_in, n_out = int(inside.sum()), int((~inside).sum())
    if n_in == 0 or n_out == 0:
        return None, None, None
    won_in, won_out = int(y[inside].sum()), int(y[~inside].sum())
    table = np.array([[won_in, n_in - won_in], [won_out, n_out - won_out]])
    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
    if (expected < 5).any():
        p = float(fisher_exact(table).pvalue)
    elif won_in + won_out in (0, n_in + n_out):
        p = 1.0
    else:
        p = float(proportions_ztest([won_in, won_out], [n_in, n_out])[1])
    return won_in / n_in, won_out / n_out, p


def _verdict(rate_in, rate_out, p) -> str:
    if p is None:
        return "cannot check"
    if p < ALPHA:
        return "confirmed" if rate_in > rate_out else "contradicted"
    return "not confirmed"


def _fmt(x: float | None) -> str:
    if x is None:
        return "any"
    return f"{x:,.0f}"


def compare_icp(
    icp: dict[str, Any], frame: pd.DataFrame, y: pd.Series, source: str = "icp"
) -> list[dict]:
    """One row per stated criterion: ``{criterion, stated, observed, verdict, ...}``."""
    y_arr = np.asarray(y, dtype=int)
    base = float(y_arr.mean()) if len(y_arr) else 0.0
    stated_keys = {_key(k): k for k in icp}
    rows: list[dict] = []
    used: set[str] = set()
    for criterion, (keys, columns, kind) in CRITERIA.items():
        key = next((k for k in keys if k in stated_keys), None)
        if key is None:
            continue
        used.add(key)
        value = icp[stated_keys[key]]
        if kind == "range":
            column = _column(frame, columns)
        else:
            wanted = (
                [value] if criterion == "use case" and isinstance(value, str) else _as_list(value)
            )
            column = _best_column(frame, columns, wanted)
        if kind == "range":
            low, high = parse_range(value, f"{source}: {stated_keys[key]}")
            stated = f"{_fmt(low)} to {_fmt(high)}"
        else:
            stated = ", ".join(wanted)
        row: dict[str, Any] = {"criterion": criterion, "stated": stated, "column": column}
        if column is None:
            row.update(observed="no column in the deals records this", verdict="cannot check")
            rows.append(row)
            continue
        series = frame[column]
        if kind == "range":
            num = read_numbers(series).to_numpy(dtype=float, na_value=np.nan)
            known = ~np.isnan(num)
            with np.errstate(invalid="ignore"):
                inside = known & (num >= (-np.inf if low is None else low))
                inside &= num < (np.inf if high is None else high)
            won_vals = num[known & (y_arr == 1)]
            k_y = y_arr[known]
            rate_in, rate_out, p = _test(inside[known], k_y)
            parts = {
                f"{_fmt(a)} to {_fmt(b)}": known & (num >= a) & (num < b)
                for a, b in _range_parts(low, high)
            }
            if len(won_vals):
                q1, q3 = np.percentile(won_vals, [25, 75])
                observed = f"won deals concentrate at {q1:,.0f} to {q3:,.0f} (middle half of wins)"
            else:
                observed = "no won deal records it"
        else:
            text = series.astype("string").str.strip().str.casefold()
            known = text.notna().to_numpy()
            wanted_cf = {w.casefold() for w in wanted}
            inside = text.isin(wanted_cf).fillna(False).to_numpy(bool)
            rate_in, rate_out, p = _test(inside[known], y_arr[known])
            parts = {w: (text == w.casefold()).fillna(False).to_numpy(bool) for w in wanted}
            observed = _best_values(series[known], y_arr[known], base)
            absent = [w for w in wanted if w.casefold() not in set(text.dropna())]
            if absent:
                row["not_in_data"] = absent
                observed += f"; stated values not in the data: {', '.join(absent)}"
        if rate_in is not None:
            observed += (
                f"; win rate inside the ICP {rate_in:.0%} vs {rate_out:.0%} outside (p = {p:.3g})"
            )
        gaps = _gaps(parts, inside & known, y_arr, base)
        if gaps:
            row["gaps"] = gaps
            observed += "; but inside it " + ", ".join(
                f"{g['part']} wins {g['win_rate']:.0%} (n={g['n']}) against "
                f"{g['win_rate_rest_of_icp']:.0%} for the rest of the ICP and {base:.0%} overall"
                for g in gaps
            )
        row.update(
            observed=observed,
            verdict=_verdict(rate_in, rate_out, p),
            win_rate_inside=rate_in,
            win_rate_outside=rate_out,
            p_value=p,
            n_inside=int(inside[known].sum()),
        )
        rows.append(row)
    for k, original in stated_keys.items():
        if k not in used and k not in NOT_CRITERIA:
            rows.append(
                {
                    "criterion": str(original),
                    "stated": ", ".join(_as_list(icp[original])),
                    "column": None,
                    "observed": "not a criterion leadscore can compare with deal data",
                    "verdict": "cannot check",
                }
            )
    return rows


def _range_parts(low: float | None, high: float | None) -> list[tuple[float, float]]:
    """A stated range cut at 1-2-5 steps (200, 500, 1,000, 2,000); none for an open range."""
    if low is None or high is None or not 0 <= low < high:
        return []
    steps = sorted(
        {m * 10.0**e for e in range(-2, 13) for m in (1, 2, 5) if low < m * 10.0**e < high}
    )
    edges = [low, *steps, high]
    return [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)] if steps else []


def _gaps(
    parts: dict[str, np.ndarray], inside: np.ndarray, y: np.ndarray, base: float, min_n: int = 15
) -> list[dict[str, Any]]:
    """Parts of a criterion that win significantly less than the rest of the stated profile
    (Benjamini-Hochberg over the parts, q < ALPHA)."""
    tests = []
    for name, mask in parts.items():
        mask = mask & inside
        if min_n <= int(mask.sum()) <= int(inside.sum()) - min_n:
            rate_in, rate_rest, p = _test(mask[inside], y[inside])
            if p is not None:
                tests.append((name, int(mask.sum()), rate_in, rate_rest, p))
    if len(tests) < 2:
        return []
    q = benjamini_hochberg([t[4] for t in tests])
    return [
        {
            "part": name,
            "n": n,
            "win_rate": r_in,
            "win_rate_rest_of_icp": r_rest,
            "base_rate": base,
            "q_value": float(qi),
        }
        for (name, n, r_in, r_rest, _), qi in zip(tests, q, strict=True)
        if qi < ALPHA and r_in is not None and r_rest is not None and r_in < r_rest
    ]


def _best_values(series: pd.Series, y: np.ndarray, base: float, min_n: int = 15) -> str:
    """The values where wins concentrate: enough deals and the highest win rates."""
    frame = pd.DataFrame({"v": series.astype("string").to_numpy(), "y": y})
    stats = frame.groupby("v", observed=True)["y"].agg(["mean", "size"])
    stats = stats[stats["size"] >= min_n].sort_values("mean", ascending=False)
    top = stats[stats["mean"] > base].head(3)
    if top.empty:
        return "no value wins clearly above the base rate"
    parts = [f"{v} ({r['mean']:.0%} win rate, n={int(r['size'])})" for v, r in top.iterrows()]
    return "won deals concentrate in " + ", ".join(parts)
