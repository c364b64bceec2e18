"""Helpers shared by the audit tests: small hand-made deal frames with known problems."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from service.audit.run import AuditReport, run_audit
from service.config import BuildConfig, resolve_columns, resolve_outcome

AS_OF = date(2026, 11, 28)


def deals_frame(n: int = 120, seed: int = 0, won_share: float = 0.4) -> pd.DataFrame:
    """A clean deals frame: no duplicates, no impossible values, no leakage, n rows."""
    rng = np.random.default_rng(seed)
    won = rng.random(n) < won_share
    opens = rng.integers(0, 40, n)
    return pd.DataFrame(
        {
            "deal_id": [f"D{i:04d}" for i in range(n)],
            "industry": rng.choice(["Software", "Retail", "Health"], n),
            "employee_count": rng.integers(20, 5000, n),
            "email_opens": opens,
            "email_clicks": np.minimum(rng.integers(0, 5, n), opens),
            "closed_at": [
                (pd.Timestamp("2025-01-05") + pd.Timedelta(days=int(d))).date().isoformat()
                for d in rng.integers(0, 600, n)
            ],
            "outcome": np.where(won, "won", "lost"),
        }
    )


def audit(frame: pd.DataFrame, **config: Any) -> AuditReport:
    """Resolve the configuration and outcome as the CLI does, then audit."""
    cfg = resolve_columns(frame, BuildConfig.model_validate(config), "deals.csv")
    outcome = resolve_outcome(frame, cfg, "deals.csv")
    return run_audit(frame, outcome, cfg, source="deals.csv", as_of=AS_OF)


def reasons(report: AuditReport) -> dict[str, str]:
    """Excluded field -> reason."""
    return {e.field: e.reason for e in report.excluded}
