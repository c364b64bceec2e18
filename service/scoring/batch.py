"""Batch scoring of a leads file: read it, score it, and build ``scored.csv``.

``scored.csv`` keeps every input column in its order with the values exactly as read (the text
``read_table`` parsed, kept before numbers and placeholders are interpreted, so ``007`` stays
``007`` and ``N/A`` stays ``N/A``), then adds the ``Lead_Score_*`` columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import structlog

from service.data.atomic import write_with
from service.data.csv_out import write_csv
from service.data.io import Table, read_table, table_from_frame
from service.errors import DataFileError
from service.scoring.engine import ScoredFrame, score_frame
from service.scoring.rules import Rules

log = structlog.get_logger(__name__)

LEAD_SCORE_COLUMNS = (
    "Lead_Score_Total",
    "Lead_Score_Firmographic",
    "Lead_Score_Behavioral",
    "Lead_Score_Engagement",
    "Lead_Score_Intent",
    "Lead_Score_Tier",
    "Lead_Score_Version",
    "Lead_Score_Top_Factors",
    "Lead_Score_Missing",
)


@dataclass
class BatchResult:
    """A scored leads file: what was read, the scores, and the rows to write."""

    table: Table
    raw: pd.DataFrame
    result: ScoredFrame
    rules: Rules

    @property
    def leads(self) -> pd.DataFrame:
        """The leads as the engine saw them (placeholders missing, numbers parsed)."""
        return self.table.frame

    def unmapped_fields(self) -> list[str]:
        """The fields the rules read that the leads file has no column for."""
        present = set(self.leads.columns)
        wanted = [f for s in self.rules.signals for f in s.fields]
        return [f for f in dict.fromkeys(wanted) if f not in present]


def missing_text(res: ScoredFrame) -> pd.Series:
    """``Signal A; Signal B (up to +12 points)`` per lead; empty when nothing is missing."""
    scores = res.scores
    missing = scores["missing"]
    suffix = " (up to +" + scores["potential"].astype("str") + " points)"
    return missing.where(missing == "", missing + suffix)


def scored_output(raw: pd.DataFrame, res: ScoredFrame, rules: Rules) -> pd.DataFrame:
    """Every input column in order, then the ``Lead_Score_*`` columns."""
    s = res.scores
    added = pd.DataFrame(
        {
            "Lead_Score_Total": s["total"],
            "Lead_Score_Firmographic": s["firmographic"],
            "Lead_Score_Behavioral": s["behavioral"],
            "Lead_Score_Engagement": s["engagement"],
            "Lead_Score_Intent": s["intent"],
            "Lead_Score_Tier": s["tier"],
            "Lead_Score_Version": pd.Series(rules.version, index=s.index, dtype="str"),
            "Lead_Score_Top_Factors": s["top_factors"],
            "Lead_Score_Missing": missing_text(res),
        },
        index=s.index,
    )
    clashes = [c for c in LEAD_SCORE_COLUMNS if c in raw.columns]
    base = raw.drop(columns=clashes)  # an earlier run's scores are replaced, not duplicated
    return pd.concat([base, added], axis=1)


def score_leads(path: str | Path, rules: Rules, *, top_n: int = 3) -> BatchResult:
    """Read a leads file and score every lead."""
    # only the fields the rules read need their values interpreted; the rest pass through as text
    fields = {f for signal in rules.signals for f in signal.fields}
    return _score_table(read_table(path, keep_raw=True, clean=fields), rules, top_n=top_n)


def score_frame_leads(
    frame: pd.DataFrame, rules: Rules, *, source: str, top_n: int = 3
) -> BatchResult:
    """Score leads already in a DataFrame (read from a database table), cleaned as a file is."""
    fields = {f for signal in rules.signals for f in signal.fields}
    return _score_table(table_from_frame(frame, source, clean=fields), rules, top_n=top_n)


def _score_table(table: Table, rules: Rules, *, top_n: int) -> BatchResult:
    raw = table.raw if table.raw is not None else table.frame
    result = score_frame(rules, table.frame, top_n=top_n)
    counts = result.scores["tier"].value_counts()
    log.info(
        "leads_scored",
        rows=len(table.frame),
        unmapped_signals=len(result.unmapped_signals),
        **{str(k).lower(): int(v) for k, v in counts.items()},
    )
    return BatchResult(table=table, raw=raw, result=result, rules=rules)


def write_scored(batch: BatchResult, out: str | Path, *, raw: bool = False) -> Path:
    """Write ``scored.csv``; raise ``DataFileError`` naming the path when it cannot be written.

    Text that a spreadsheet would run as a formula gets a leading ``'`` unless ``raw``."""
    out = Path(out)
    frame = scored_output(batch.raw, batch.result, batch.rules)
    try:
        write_with(out, lambda tmp: write_csv(frame, tmp, raw=raw))
    except OSError as exc:
        raise DataFileError(f"{out}: cannot write the scored file ({exc.strerror}).") from exc
    return out


def tier_counts(res: ScoredFrame) -> dict[str, int]:
    """Leads per tier, every tier present (zero when empty), in Hot..Unscoreable order."""
    counts = res.scores["tier"].value_counts()
    order = ("Hot", "Warm", "Cool", "Cold", "Unscoreable")
    return {t: int(counts.get(t, 0)) for t in order}


def share(count: int, total: int) -> float:
    return float(np.divide(count, total)) if total else 0.0
