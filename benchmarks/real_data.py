"""Our model builder against what a data scientist would fit instead, on real public data.

``python -m benchmarks real_data [DATA_DIR]`` (default ``../shared/data`` beside the repository).
For each data set of that folder's README it fits, on THE SAME stratified 75/25 split
(``train_test_split(np.arange(n), test_size=0.25, stratify=y, random_state=0)`` on the cleaned
rows):

- our builder (``service.model.build.build_model``), given the README's leakage columns the way a
  user would give them (``--exclude``), with everything else at its defaults;
- logistic regression (median imputation with missing indicators and scaling for numbers,
  one-hot with "missing" as a level for categories);
- LightGBM with native categoricals and default parameters;
- an optbinning ``Scorecard`` (``BinningProcess`` + ``LogisticRegression``).

It checks that the builder really held out the same deals (a spy records the split it used),
prints the holdout AUCs beside the README's reference figures, our AUC minus the best baseline
(pass if >= -0.01), and the time each takes, with our build time as a multiple of LightGBM's fit.
The cleaned rows are the ones the builder's audit keeps (for salvirt_b2b: exact duplicates
removed); the baselines are fitted on exactly those rows, without the sales-process fields our
audit leaves out by default (salvirt_b2b's ``Seller``), so every model sees the same fields.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from benchmarks.baselines import BASELINES
from service.model.analysis_schema import Analysis

DATA_DIR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
TOLERANCE = 0.01
BUILD_TIME_TARGET = 60.0  # seconds, for bank_marketing


@dataclass(frozen=True)
class Dataset:
    name: str
    file: str
    outcome: str
    won: str
    sep: str
    #: leakage columns from the README; a name ending in " *" is a prefix
    exclude: tuple[str, ...] = ()
    dedupe: bool = False
    #: README holdout AUCs: logistic, lightgbm, scorecard, naive lift sum
    reference: dict[str, float] = field(default_factory=dict)

    def path(self, data_dir: Path) -> Path:
        return data_dir / self.name / self.file


DATASETS = (
    Dataset(
        "xeducation",
        "Leads.csv",
        "Converted",
        "1",
        ",",
        exclude=(
            "Tags",
            "Lead Quality",
            "Lead Profile",
            "Asymmetrique *",
            "Last Activity",
            "Last Notable Activity",
        ),
        reference={"logistic": 0.860, "lightgbm": 0.869, "scorecard": 0.870, "lift_sum": 0.815},
    ),
    Dataset(
        "bank_marketing",
        "bank-additional-full.csv",
        "y",
        "yes",
        ";",
        exclude=("duration",),
        reference={"logistic": 0.786, "lightgbm": 0.793, "scorecard": 0.778, "lift_sum": 0.777},
    ),
    Dataset(
        "salvirt_b2b",
        "Salvirt_B2B_ML_dataset.csv",
        "Status",
        "Won",
        ";",
        dedupe=True,
        reference={"logistic": 0.816, "lightgbm": 0.788, "scorecard": 0.810, "lift_sum": 0.831},
    ),
)
BY_NAME = {d.name: d for d in DATASETS}
#: identifier columns the baselines drop (our builder's audit finds them on its own)
ID_COLUMNS = ("Prospect ID", "Lead Number")


def excluded_columns(ds: Dataset, columns: pd.Index | list[str]) -> list[str]:
    """The README's leakage columns as they are named in the file."""
    out: list[str] = []
    for pattern in ds.exclude:
        if pattern.endswith(" *"):
            out += [c for c in columns if str(c).startswith(pattern[:-2])]
        elif pattern in columns:
            out.append(pattern)
    return out


def load_baseline_data(ds: Dataset, data_dir: Path = DATA_DIR) -> tuple[pd.DataFrame, pd.Series]:
    """README cleaning: features without leakage/ids, outcome as 0/1, index = file row position."""
    raw = pd.read_csv(ds.path(data_dir), sep=ds.sep)
    raw = raw.loc[:, ~raw.columns.str.startswith("Unnamed")]
    if ds.dedupe:
        raw = raw[~raw.duplicated(keep="first")]
    y = (raw[ds.outcome].astype(str) == ds.won).astype(int)
    from service.audit.process_fields import sales_process_field

    # the fields our audit leaves out as the sales process (Seller): every model gets the same
    process = [c for c in raw.columns if sales_process_field(str(c))]
    drop = [
        ds.outcome,
        *excluded_columns(ds, raw.columns),
        *(c for c in ID_COLUMNS if c in raw),
        *process,
    ]
    return raw.drop(columns=drop), y


def reference_split(y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The README's split: positions of the training and holdout rows."""
    train, test = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=0)
    return np.asarray(train), np.asarray(test)


@dataclass
class OurRun:
    """Our builder on one data set: holdout AUC, timings, and the split it used."""

    auc: float | None
    read_seconds: float
    build_seconds: float
    #: file row positions of the cleaned rows the builder modelled, in its order
    rows: pd.Index
    #: file row positions it held out
    holdout: set[int]
    analysis: Analysis
    rules: Any = None
    #: the cleaned deals the builder split (index = file row positions) and their outcome
    frame: pd.DataFrame | None = None
    y: pd.Series | None = None


def run_ours(ds: Dataset, data_dir: Path = DATA_DIR) -> OurRun:
    """Build our model as a user would (``--outcome-column``, ``--won``, ``--exclude``)."""
    import service.model.build as build_module
    from service.data.deals import load_deals
    from service.data.io import read_table

    path = ds.path(data_dir)
    start = time.perf_counter()
    deals = load_deals(
        path,
        None,
        outcome_column=ds.outcome,
        won=[ds.won],
        exclude=excluded_columns(ds, read_table(path).frame.columns),
    )
    read_seconds = time.perf_counter() - start
    seen: dict[str, Any] = {}
    real_split = build_module.split_holdout

    def spy(X: pd.DataFrame, y: pd.Series, **kwargs: Any) -> Any:
        split = real_split(X, y, **kwargs)
        seen.update(rows=X.index, split=split, frame=X, y=y)
        return split

    start = time.perf_counter()
    with mock.patch.object(build_module, "split_holdout", spy):
        result = build_module.build_model(deals)
    build_seconds = time.perf_counter() - start
    rows, split = seen["rows"], seen["split"]
    return OurRun(
        auc=result.analysis.validation.auc,
        read_seconds=read_seconds,
        build_seconds=build_seconds,
        rows=rows,
        holdout={int(i) for i in rows[split[1]]},
        analysis=result.analysis,
        rules=result.rules,
        frame=seen["frame"],
        y=seen["y"],
    )


def unrounded_auc(ours: OurRun, holdout: pd.Index) -> float | None:
    """Holdout AUC of the same signals weighted by their fitted coefficients, with no rounding
    to integer points and no dimension caps: what the points scale and the caps cost."""
    from service.scoring.engine import evaluate_signals

    if ours.rules is None or ours.frame is None or ours.y is None:
        return None
    coef = {s.name: s.coefficient for s in ours.analysis.signals}
    names = [s.name for s in ours.rules.signals]
    if not names or any(coef.get(n) is None for n in names):
        return None
    frame = ours.frame.loc[holdout]
    fires, _, _ = evaluate_signals(ours.rules, frame)
    weights = np.array([coef[n] for n in names], dtype=float)
    return float(roc_auc_score(ours.y.loc[holdout], fires @ weights))


def run_dataset(
    ds: Dataset, data_dir: Path = DATA_DIR, *, baselines: tuple[str, ...] = tuple(BASELINES)
) -> dict[str, Any]:
    """Every model on one data set on the same split; AUCs and seconds per model."""
    X, y = load_baseline_data(ds, data_dir)
    out: dict[str, Any] = {"dataset": ds.name, "auc": {}, "seconds": {}, "notes": []}
    ours = run_ours(ds, data_dir)
    missing = ours.rows.difference(X.index)
    if len(ours.rows) != len(X.index):
        out["notes"].append(
            f"the audit kept {len(ours.rows)} of the {len(X)} rows the README cleaning keeps; "
            "every model uses the audit's rows"
        )
    if len(missing):
        raise AssertionError(f"{ds.name}: builder rows not in the file: {list(missing[:5])}")
    X, y = X.loc[ours.rows], y.loc[ours.rows]
    train, test = reference_split(y)
    if {int(i) for i in X.index[test]} != ours.holdout:
        raise AssertionError(f"{ds.name}: the builder held out different deals from the baselines")
    out["auc"]["ours"] = ours.auc
    out["seconds"]["ours"] = ours.build_seconds
    out["seconds"]["ours_read"] = ours.read_seconds
    out["signals"] = len(ours.analysis.signals)
    out["auc_unrounded"] = unrounded_auc(ours, X.index[test])
    out["confidence"] = ours.analysis.confidence.level
    out["rows"], out["holdout_n"] = len(y), len(test)
    for name in baselines:
        start = time.perf_counter()
        out["auc"][name] = BASELINES[name](X, y, train, test)
        out["seconds"][name] = time.perf_counter() - start
    best = max(out["auc"][b] for b in baselines)
    out["best_baseline"] = best
    if out["auc"].get("ours") is not None:
        out["gap"] = out["auc"]["ours"] - best
        out["passed"] = out["gap"] >= -TOLERANCE
    return out


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(results: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title="Holdout AUC on the same stratified 75/25 split (README reference in brackets)"
    )
    for col in (
        "data set",
        "rows",
        "ours",
        "logistic",
        "lightgbm",
        "scorecard",
        "ours - best",
        "pass",
    ):
        table.add_column(col, justify="left" if col == "data set" else "right")
    for r in results:
        ref = BY_NAME[r["dataset"]].reference
        cells = [r["dataset"], f"{r['rows']:,}", _fmt(r["auc"].get("ours"))]
        cells += [f"{_fmt(r['auc'].get(m))} [{_fmt(ref.get(m))}]" for m in BASELINES]
        cells += [f"{r['gap']:+.4f}" if "gap" in r else "-", _pass(r.get("passed"))]
        table.add_row(*cells)
    times = Table(title="Time (seconds; our build excludes reading the CSV, shown apart)")
    for col in (
        "data set",
        "read",
        "ours: build",
        "logistic",
        "lightgbm",
        "scorecard",
        "ours / lightgbm",
    ):
        times.add_column(col, justify="left" if col == "data set" else "right")
    for r in results:
        s = r["seconds"]
        ratio = s["ours"] / s["lightgbm"] if "ours" in s and s.get("lightgbm") else None
        times.add_row(
            r["dataset"],
            _fmt(s.get("ours_read"), 1),
            _fmt(s.get("ours"), 1),
            *(_fmt(s.get(m), 2) for m in BASELINES),
            "-" if ratio is None else f"{ratio:.1f}x",
        )
    console = Console(width=None if sys.stdout.isatty() else 120)
    console.print(table)
    console.print(times)
    for r in results:
        for note in r["notes"]:
            console.print(f"{r['dataset']}: {note}")
        if "confidence" in r:
            cost = ""
            if r.get("auc_unrounded") is not None and r["auc"].get("ours") is not None:
                cost = (
                    f"; AUC with unrounded coefficients and no caps {r['auc_unrounded']:.4f} "
                    f"(integer points and caps cost {r['auc_unrounded'] - r['auc']['ours']:+.4f})"
                )
            console.print(
                f"{r['dataset']}: {r['signals']} signals, confidence {r['confidence']}{cost}"
            )


def _pass(passed: bool | None) -> str:
    return "-" if passed is None else ("pass" if passed else "FAIL")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else DATA_DIR
    from service.logging import configure_logging

    configure_logging("WARNING")
    if not data_dir.is_dir():
        print(f"no data folder at {data_dir}; pass its path: python -m benchmarks real_data DIR")
        return 2
    results = []
    for ds in DATASETS:
        print(f"{ds.name} ...", flush=True)
        results.append(run_dataset(ds, data_dir))
    print_table(results)
    bank = next((r for r in results if r["dataset"] == "bank_marketing"), None)
    failed = [r["dataset"] for r in results if r.get("passed") is False]
    if bank and "ours" in bank["seconds"]:
        verdict = "met" if bank["seconds"]["ours"] < BUILD_TIME_TARGET else "NOT met"
        print(
            f"bank_marketing build time {bank['seconds']['ours']:.1f} s "
            f"(target under {BUILD_TIME_TARGET:.0f} s: {verdict})"
        )
    print(
        "AUC target (ours >= best baseline - 0.01): "
        + (f"missed on {', '.join(failed)}" if failed else "met")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
