"""The weekly model health check on 100,000 open leads: under 10 s on this 2-core machine.

Run with ``python -m benchmarks health [LEADS]``. A model is built on the sample's 600 deals (seed
0) with its leads; a drifted later batch gives 2,000 deals closed since and ``LEADS`` open leads
(100,000). Prints, from one run: the check end to end (scoring, PSI, fire rates, unseen values,
tier win rates, signal lifts and triggers), the engine alone scoring the same leads, their
ratio, and the ratio to the 10 s target. Exit 1 when the target is missed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from connectors.base import DealRecord, LeadRecord
from service.data.deals import load_deals
from service.data.io import read_table
from service.health.check import check_health
from service.model.build import BuildResult, build_model
from service.report.writer import write_build
from service.sample import generate
from service.sample.drift import Drift, LaterBatch, later_batch
from service.scoring.engine import score_frame

LEADS = 100_000
TARGET_SECONDS = 10.0


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


class _CRM:
    """A connector that returns the batch's closed deals (the job's only CRM call)."""

    name = "bench"

    def __init__(self, deals: list[DealRecord]) -> None:
        self.deals = deals

    def __enter__(self) -> _CRM:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def iter_closed_deals(self, *, since: datetime | None = None) -> Iterator[DealRecord]:
        return iter(self.deals)


def _daemon_job(built: BuildResult, batch: LaterBatch, n: int) -> float:
    """Time ``model_health`` on a daemon whose lead copy holds the ``n`` leads."""
    from service.daemon.context import Daemon
    from service.daemon.health_job import model_health
    from service.daemon.rules_watch import RulesWatcher
    from service.settings import DaemonSettings, Settings
    from service.state.store import StateStore

    now = datetime(2026, 9, 1, 6, tzinfo=UTC)
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-health-job-") as tmp:
        folder = Path(tmp)
        write_build(built, folder / "models" / built.rules.version)
        rules = folder / "models" / built.rules.version / "model.yaml"
        settings = Settings(
            state_url=f"sqlite:///{folder / 'state.db'}",
            rules_path=rules,
            daemon=DaemonSettings(models_dir=folder / "models", metrics_port=0),
        )
        store = StateStore(settings.state_url, clock=lambda: now)
        fields = [c for c in batch.leads.columns if c not in ("lead_id", "contact_name", "email")]
        records = [
            LeadRecord(id=str(r["lead_id"]), object_type="Lead", modified_at=now, attributes=r)
            for r in batch.leads[["lead_id", *fields]].to_dict("records")
        ]
        deals = [
            DealRecord(
                id=str(r["deal_id"]),
                won=r["outcome"] == "won",
                closed_at=datetime.fromisoformat(str(r["closed_at"])).replace(tzinfo=UTC),
                modified_at=now,
                attributes={k: v for k, v in r.items() if k not in ("deal_id", "outcome")},
            )
            for r in batch.deals.to_dict("records")
        ]
        crm = _CRM(deals)
        d = Daemon(
            settings=settings,
            store=store,
            rules=RulesWatcher(rules),
            connect=lambda: crm,
            clock=lambda: now,
        )
        d.leads.upsert_leads("bench", records, now)
        print(f"lead copy filled with {n:,} leads; timing the daemon job ...", flush=True)
        t_job, _ = _timed(lambda: model_health(d))
        d.close()
    return t_job


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args and args[0].isdigit() else LEADS
    with tempfile.TemporaryDirectory(prefix="leadscore-bench-health-") as tmp:
        folder = Path(tmp)
        print(f"building the sample model and drawing {n:,} open leads ...", flush=True)
        data = generate(deals=600, leads=2000, seed=0, as_of=date(2026, 6, 1))
        data.write(folder / "sample")
        deals = load_deals(folder / "sample" / "deals.csv", None)
        leads = pd.read_csv(folder / "sample" / "leads.csv")
        built = build_model(deals, now=datetime(2026, 6, 1, tzinfo=UTC), leads=leads)
        analysis = built.analysis
        batch = later_batch(
            deals=2000,
            leads=n,
            seed=1,
            since=date(2026, 6, 1),
            as_of=date(2026, 9, 1),
            drift=Drift(),
        )
        batch.deals.to_csv(folder / "new-deals.csv", index=False)
        batch.leads.to_csv(folder / "leads.csv", index=False)
        new = load_deals(folder / "new-deals.csv", None)
        frame = read_table(folder / "leads.csv").frame
        y = new.outcome.y.to_numpy().astype(int)
    rules = built.rules
    t_engine, _ = _timed(lambda: score_frame(rules, frame))
    t_check, report = _timed(
        lambda: check_health(
            rules, analysis, frame, new.table.frame, y, now=datetime(2026, 9, 1, tzinfo=UTC)
        )
    )
    flags = len(report.flags)  # type: ignore[attr-defined]
    t_job = _daemon_job(built, batch, n)
    print(
        f"open leads: {len(frame):,}; deals closed since: {len(y):,}; signals: {len(rules.signals)}"
    )
    print(f"(a) engine alone (score_frame on the leads): {t_engine:6.2f} s")
    print(
        f"(b) health check end to end:                {t_check:6.2f} s   ratio (b)/(a) = "
        f"{t_check / t_engine:.2f}; (b)/target {TARGET_SECONDS:.0f} s = {t_check / TARGET_SECONDS:.2f}"
    )
    print(
        f"(c) daemon job model_health end to end:     {t_job:6.2f} s   ratio (c)/(a) = "
        f"{t_job / t_engine:.2f}; (c)/target = {t_job / TARGET_SECONDS:.2f}  (reads the {n:,} "
        "leads from the state store's lead copy, the deals from the CRM, records the report)"
    )
    print(f"findings on the drifted batch: {flags}")
    met = t_check < TARGET_SECONDS and t_job < TARGET_SECONDS
    print(
        f"target: health check on {n:,} leads under {TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
