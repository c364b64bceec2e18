"""The history of model health checks in the state store (``leadscore_health_checks``).

Each check is kept whole (its report as JSON), newest last, so ``daemon status`` shows the last
one and an analyst can follow a PSI or a tier's win rate week by week.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from service.state.store import StateStore, plain_value
from service.state.tables import health_checks


class HealthHistory:
    """Append and read health reports (plain dicts, as ``HealthReport.to_dict`` gives them)."""

    def __init__(self, store: StateStore) -> None:
        self.engine = store.engine

    def record(self, at: datetime, report: dict[str, Any]) -> None:
        text = json.dumps(report, default=plain_value, sort_keys=True)
        row = {
            "checked_at": at,
            "model_version": str(report.get("model_version", "")),
            "flags": len(report.get("flags", [])),
            "report_json": text,
        }
        with self.engine.begin() as conn:
            conn.execute(insert(health_checks).values(**row))

    def history(self, limit: int = 52) -> list[dict[str, Any]]:
        """The last ``limit`` reports, oldest first."""
        h = health_checks.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(h.report_json).order_by(h.checked_at.desc(), h.id.desc()).limit(limit)
            ).all()
        return [json.loads(r.report_json) for r in reversed(rows)]

    def latest(self) -> dict[str, Any] | None:
        last = self.history(limit=1)
        return last[0] if last else None
