"""The weekly model health job: check the live model on the CRM's data, keep the report, tell.

The check (``service.health.check``) runs on the open leads of the daemon's lead copy (fire rates
on those modified in the last 7 days, when there are enough) and on the deals the CRM closed since
the live model went live (the registry's record, else ``live.json``, else the model's build date).
The report is appended to ``leadscore_health_checks``; the gauges below are set; Slack gets a
short summary only when something is flagged.
"""

from __future__ import annotations

import weakref
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import structlog
from prometheus_client import Gauge
from sqlalchemy import select

from service.daemon.context import Daemon
from service.daemon.metrics import Metrics
from service.data.io import read_values
from service.health.check import check_health
from service.health.registry import LIVE, Registry, read_json
from service.health.report import TIER_ORDER, HealthReport
from service.model.analysis_schema import Analysis
from service.state.health import HealthHistory
from service.state.tables import lead_cache, read_attributes

log = structlog.get_logger(__name__)
RECENT = timedelta(days=7)


class HealthGauges:
    """The health check's Prometheus gauges, on the daemon's registry."""

    def __init__(self, metrics: Metrics) -> None:
        r = metrics.registry
        self.psi = Gauge(
            "leadscore_psi",
            "Population stability index of each score dimension (and the total) vs build time",
            ["dimension"],
            registry=r,
        )
        self.tier_win_rate = Gauge(
            "leadscore_tier_win_rate",
            "Win rate per tier of the deals closed since the live model went live",
            ["tier"],
            registry=r,
        )
        self.tier_share = Gauge(
            "leadscore_tier_share", "Share of open leads per tier", ["tier"], registry=r
        )
        self.fire_rate = Gauge(
            "leadscore_signal_fire_rate",
            "Share of the newest leads each signal fires for",
            ["signal"],
            registry=r,
        )
        self.flags = Gauge(
            "leadscore_health_flags", "Findings of the last health check", ["severity"], registry=r
        )
        self.triggers = Gauge(
            "leadscore_rebuild_triggers", "Section 6.4 rebuild triggers that fired", registry=r
        )
        self.auc = Gauge(
            "leadscore_recent_auc",
            "AUC of the live rules on the deals closed since they went live",
            registry=r,
        )

    def set(self, report: HealthReport) -> None:
        for group, entry in report.psi.items():
            if entry.get("psi") is not None:
                self.psi.labels(dimension=group).set(entry["psi"])
        for row in report.tiers:
            self.tier_share.labels(tier=row["tier"]).set(row["share"])
            if row.get("win_rate") is not None:
                self.tier_win_rate.labels(tier=row["tier"]).set(row["win_rate"])
        for s in report.signals:
            if s.get("fire_rate") is not None:
                self.fire_rate.labels(signal=s["name"]).set(s["fire_rate"])
        for severity in ("act", "watch"):
            self.flags.labels(severity=severity).set(
                sum(1 for f in report.flags if f.severity == severity)
            )
        self.triggers.set(sum(1 for t in report.triggers if t["fired"]))
        if report.auc is not None:
            self.auc.set(report.auc)


_GAUGES: weakref.WeakKeyDictionary[Metrics, HealthGauges] = weakref.WeakKeyDictionary()


def health_gauges(metrics: Metrics) -> HealthGauges:
    """The gauges of ``metrics`` (created once per registry)."""
    if metrics not in _GAUGES:
        _GAUGES[metrics] = HealthGauges(metrics)
    return _GAUGES[metrics]


def went_live(d: Daemon, registry: Registry, analysis: Analysis | None) -> datetime | None:
    """When the live rules went live, as best recorded."""
    version = d.rules.current.version
    text = registry.went_live(version)
    if text is None:
        record = read_json(registry.dir / LIVE) if (registry.dir / LIVE).exists() else None
        if record and record.get("version") == version:
            text = record.get("promoted_at")
    if text is None and analysis:
        text = analysis.built_at
    if text is None:
        return None
    when = datetime.fromisoformat(str(text))
    return when if when.tzinfo else when.replace(tzinfo=d.clock().tzinfo)


def lead_copy(
    d: Daemon, connector: str, since: datetime, fields: list[str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """The daemon's copy of every open lead as one frame of ``fields`` (index: record id), and
    which leads were modified at or after ``since``. Reads only the table columns it needs,
    parses the attributes in one call, keeps only ``fields`` and lets the database pick the
    recent leads (no object per lead)."""
    c = lead_cache.c
    where = c.connector == connector
    with d.store.engine.connect() as conn:
        rows = conn.execute(
            select(c.record_id, c.attributes_json).where(where).order_by(c.record_id)
        ).all()
        recent_ids = set(
            conn.execute(select(c.record_id).where(where, c.modified_at >= since)).scalars()
        )
    if not rows:
        return pd.DataFrame(), np.zeros(0, dtype=bool)
    ids = [r[0] for r in rows]
    records = read_attributes("[" + ",".join(r[1] for r in rows) + "]")
    frame = pd.DataFrame.from_records(records, index=pd.Index(ids), columns=fields)
    read_values(frame)  # as a file of these leads reads: numbers are numbers
    return frame, np.array([i in recent_ids for i in ids], dtype=bool)


def model_health(d: Daemon) -> dict[str, Any]:
    """Run the check on the CRM's data; record, publish and (when flagged) post the report."""
    rules = d.rules.current
    registry = Registry(d.settings.daemon.models_dir, d.settings.rules_path)
    analysis = registry.analysis_of(rules.version)
    since = went_live(d, registry, analysis)
    now = d.clock()
    with d.connect() as crm:
        name = crm.name
        closed = [
            x
            for x in crm.iter_closed_deals(since=None)
            if since is None or (x.closed_at is not None and x.closed_at >= since)
        ]
    reference = analysis.health_reference.values if analysis else {}
    fields = list(dict.fromkeys([f for s in rules.signals for f in s.fields]))
    fields += [f for f in reference if f not in fields]
    leads, recent = lead_copy(d, name, now - RECENT, fields)
    deals = pd.DataFrame([x.attributes for x in closed], index=[x.id for x in closed])
    if len(deals):
        read_values(deals)
    y = np.array([int(x.won) for x in closed], dtype=int)
    report = check_health(
        rules, analysis, leads, deals if len(deals) else None, y, recent=recent, now=now
    )
    HealthHistory(d.store).record(now, report.to_dict())
    health_gauges(d.metrics).set(report)
    acts = sum(1 for f in report.flags if f.severity == "act")
    log.info(
        "model_health_checked",
        model_version=rules.version,
        leads=report.leads_n,
        deals=report.deals_n,
        flags=len(report.flags),
        act=acts,
    )
    if report.flagged:
        d.notify(f"leadscore model health: {report.summary(limit=5)}")
    return {
        "model_version": rules.version,
        "leads": report.leads_n,
        "deals": report.deals_n,
        "flags": len(report.flags),
        "act": acts,
        "tiers": {t: next(r["share"] for r in report.tiers if r["tier"] == t) for t in TIER_ORDER},
    }
