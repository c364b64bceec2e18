"""Scoring 1,000,000 leads: ``leadscore score`` against pandas only reading and writing the CSV.

Run with ``python -m benchmarks scoring`` (or ``python -m benchmarks.scoring [ROWS]``). Prints, from
one run on this machine: the time pandas takes to read and write the leads CSV, the time of
``leadscore score`` end to end (a subprocess: start-up, reading, scoring, writing the scored CSV
and the Section 7 report), the engine alone, their ratios, and the peak memory of the subprocess.
Targets: scoring costs less than the CSV input and output around it; peak memory under 2 GB.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from service.scoring.engine import score_frame
from service.scoring.rules import Rules, dump_rules, parse_rules

ROWS = 1_000_000
MEMORY_TARGET_MB = 2048

INDUSTRIES = ["Healthcare", "Software", "Retail", "Finance", "Manufacturing", "Education", "Media"]
COUNTRIES = ["US", "UK", "DE", "FR", "CA", "AU", "IN", "BR"]
SOURCES = ["Inbound", "Referral", "Outbound", "Paid search", "Event", "Partner"]
TITLES = ["VP Sales", "CTO", "Head of HR", "Analyst", "Director IT", "CEO", "Student"]


def generate_leads(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic leads with the sample data's columns and about 5-20% holes per field."""
    rng = np.random.default_rng(seed)

    def holes(values: np.ndarray, share: float) -> np.ndarray:
        out = values.astype(object)
        out[rng.random(n) < share] = ""
        return out

    ids = np.char.add("L", np.char.zfill(np.arange(n).astype(str), 7))
    return pd.DataFrame(
        {
            "lead_id": ids,
            "company": np.char.add("Company ", (np.arange(n) % 250_000).astype(str)),
            "contact_name": np.char.add("Contact ", np.arange(n).astype(str)),
            "contact_title": rng.choice(TITLES, n),
            "industry": holes(rng.choice(INDUSTRIES, n), 0.08),
            "employee_count": holes(rng.lognormal(4.5, 1.3, n).astype(int), 0.15),
            "annual_revenue": holes((rng.lognormal(15, 1.5, n)).round(-3), 0.2),
            "country": holes(rng.choice(COUNTRIES, n), 0.05),
            "lead_source": holes(rng.choice(SOURCES, n), 0.05),
            "demo_requested": holes(rng.choice(["yes", "no"], n, p=[0.1, 0.9]), 0.1),
            "pricing_page_visits": holes(rng.poisson(1.2, n), 0.1),
            "content_downloads": holes(rng.poisson(0.8, n), 0.1),
            "webinar_attended": holes(rng.choice(["yes", "no"], n, p=[0.2, 0.8]), 0.1),
            "careers_page_only": holes(rng.choice(["yes", "no"], n, p=[0.05, 0.95]), 0.1),
            "email_opens": holes(rng.poisson(4, n), 0.1),
            "email_clicks": holes(rng.poisson(1, n), 0.1),
            "website_visits": holes(rng.poisson(6, n), 0.1),
            "stakeholders": holes(rng.integers(1, 6, n), 0.2),
            "intent_topic_surge": holes(rng.choice(["yes", "no"], n, p=[0.15, 0.85]), 0.3),
            "competitor_research": holes(rng.choice(["yes", "no"], n, p=[0.1, 0.9]), 0.3),
            "review_site_activity": holes(rng.choice(["yes", "no"], n, p=[0.1, 0.9]), 0.3),
        }
    )


def _sig(name: str, dim: str, points: int, *when: dict) -> dict:
    return {
        "name": name,
        "label": name.replace("_", " ").capitalize(),
        "dimension": dim,
        "points": points,
        "when": list(when),
    }


def bench_rules() -> Rules:
    """25 signals over the generated columns, in every dimension and the negative group."""
    f_in = lambda field, *v: {"kind": "field_in", "field": field, "values": list(v)}  # noqa: E731
    rng_ = lambda field, lo=None, hi=None: {"kind": "range", "field": field, "min": lo, "max": hi}  # noqa: E731
    flag = lambda field: {"kind": "flag", "field": field}  # noqa: E731
    signals = [
        _sig("healthcare", "firmographic", 9, f_in("industry", "Healthcare")),
        _sig("software", "firmographic", 7, f_in("industry", "Software")),
        _sig("mid_market", "firmographic", 8, rng_("employee_count", 200, 2000)),
        _sig("enterprise", "firmographic", 10, rng_("employee_count", 2000)),
        _sig("revenue_10m", "firmographic", 6, rng_("annual_revenue", 10_000_000)),
        _sig("core_country", "firmographic", 4, f_in("country", "US", "UK", "CA")),
        _sig("demo_requested", "behavioral", 18, flag("demo_requested")),
        _sig("pricing_3", "behavioral", 10, rng_("pricing_page_visits", 3)),
        _sig("content_2", "behavioral", 5, rng_("content_downloads", 2)),
        _sig("webinar", "behavioral", 6, flag("webinar_attended")),
        _sig("referral", "behavioral", 8, f_in("lead_source", "Referral", "Partner")),
        _sig("opens_5", "engagement", 4, rng_("email_opens", 5)),
        _sig("clicks_2", "engagement", 6, rng_("email_clicks", 2)),
        _sig("visits_10", "engagement", 5, rng_("website_visits", 10)),
        _sig("stakeholders_3", "engagement", 8, rng_("stakeholders", 3)),
        _sig("surge", "intent", 12, flag("intent_topic_surge")),
        _sig("competitor", "intent", 8, flag("competitor_research")),
        _sig("reviews", "intent", 7, flag("review_site_activity")),
        _sig("surge_and_demo", "intent", 5, flag("intent_topic_surge"), flag("demo_requested")),
        _sig("careers_only", "negative", -10, flag("careers_page_only")),
        _sig("student", "negative", -8, f_in("contact_title", "Student")),
        _sig("tiny", "negative", -5, rng_("employee_count", None, 10)),
        _sig("education", "negative", -4, f_in("industry", "Education")),
        _sig("no_opens", "negative", -3, rng_("email_opens", None, 1)),
        _sig("outbound_cold", "negative", -2, f_in("lead_source", "Outbound")),
    ]
    for s in signals:
        for c in s["when"]:
            if c["kind"] == "range":
                for bound in ("min", "max"):
                    if c[bound] is None:
                        del c[bound]
    return parse_rules(
        {
            "version": "bench-1",
            "dimensions": {
                "firmographic": {"max_points": 25},
                "behavioral": {"max_points": 30},
                "engagement": {"max_points": 15},
                "intent": {"max_points": 30},
            },
            "negative_max_points": 20,
            "signals": signals,
            "thresholds": {"hot": 55, "warm": 35, "cool": 18},
        }
    )


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when both targets are met, 1 otherwise."""
    args = sys.argv[1:] if argv is None else argv
    rows = int(args[0]) if args and args[0].isdigit() else ROWS
    rules = bench_rules()
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-") as tmp:
        folder = Path(tmp)
        leads_csv, model = folder / "leads.csv", folder / "model.yaml"
        print(f"generating {rows:,} leads and {len(rules.signals)} signals ...", flush=True)
        generate_leads(rows).to_csv(leads_csv, index=False)
        dump_rules(rules, model)
        size_mb = leads_csv.stat().st_size / 2**20

        def pandas_io() -> None:
            frame = pd.read_csv(leads_csv, dtype=str, keep_default_na=False)
            frame.to_csv(folder / "pandas-copy.csv", index=False)

        t_io = _timed(pandas_io)
        command = [
            sys.executable, "-c", "from service.cli import main; main()", "score", str(leads_csv), "--model", str(model),
            "--out", str(folder / "scored.csv"), "--report", str(folder / "batch.md"),
            "--id-column", "lead_id", "--name-column", "company", "--contact-column", "contact_name",
        ]  # fmt: skip
        t_cli = _timed(lambda: subprocess.run(command, check=True, capture_output=True))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        from service.data.io import read_table

        frame = read_table(leads_csv).frame
        t_engine = _timed(lambda: score_frame(rules, frame))
        scored_rows = sum(1 for _ in (folder / "scored.csv").open(encoding="utf-8")) - 1

    print(f"leads file: {rows:,} rows, {size_mb:.0f} MB; scored.csv rows: {scored_rows:,}")
    print(f"(a) pandas read + write the CSV:          {t_io:7.2f} s")
    print(
        f"(b) leadscore score, end to end:          {t_cli:7.2f} s   ratio (b)/(a) = {t_cli / t_io:.2f}"
    )
    print(
        f"    of which beyond the pandas I/O:       {t_cli - t_io:7.2f} s   ratio ((b)-(a))/(a) = {(t_cli - t_io) / t_io:.2f}"
    )
    print(
        f"(c) engine alone (score_frame):           {t_engine:7.2f} s   ratio (c)/(a) = {t_engine / t_io:.2f}"
    )
    print(
        f"peak memory of leadscore score:           {peak_mb:7.0f} MB  (target < {MEMORY_TARGET_MB} MB)"
    )
    met_time, met_memory = t_engine < t_io, peak_mb < MEMORY_TARGET_MB
    print(f"target: scoring below the CSV I/O: {'met' if met_time else 'NOT met'}; "
          f"memory: {'met' if met_memory else 'NOT met'}")  # fmt: skip
    return 0 if met_time and met_memory else 1


if __name__ == "__main__":
    sys.exit(main())
