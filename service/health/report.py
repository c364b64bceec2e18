"""What a health check found: ``HealthReport`` with its ``Flag`` list, and its tolerances."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from service.model.analysis_schema import TierRow
from service.scoring.rules import TIERS

TIER_ORDER = (*TIERS, "Unscoreable")


@dataclass(frozen=True)
class HealthSettings:
    """The tolerances of the check (the defaults follow Section 6.4)."""

    share_tolerance: float = 0.10
    known_drop: float = 0.20
    fire_shift: float = 0.10
    fire_p_value: float = 0.001
    new_value_min_share: float = 0.01
    new_value_min_count: int = 5
    new_value_rebuild_share: float = 0.10
    min_tier_deals: int = 10
    min_deals_for_auc: int = 30
    #: with at least this many recent leads, fire rates are measured on them alone
    min_recent_leads: int = 30


@dataclass(frozen=True)
class Flag:
    """One finding to act on (``act``) or to keep an eye on (``watch``)."""

    kind: str
    subject: str
    severity: str
    message: str


@dataclass
class HealthReport:
    """Everything one check measured, and what it flagged."""

    model_version: str
    checked_at: str
    leads_n: int
    deals_n: int
    tiers: list[dict[str, Any]] = field(default_factory=list)
    psi: dict[str, dict[str, Any]] = field(default_factory=dict)
    signals: list[dict[str, Any]] = field(default_factory=list)
    unseen: list[dict[str, Any]] = field(default_factory=list)
    triggers: list[dict[str, Any]] = field(default_factory=list)
    auc: float | None = None
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["flagged"] = self.flagged
        return out

    def summary(self, limit: int = 8) -> str:
        """A short text for Slack and the terminal: the flags, most urgent first."""
        if not self.flags:
            return f"model {self.model_version}: healthy ({self.leads_n:,} leads, {self.deals_n:,} new deals)"
        ordered = sorted(self.flags, key=lambda f: f.severity != "act")
        lines = [
            f"model {self.model_version}: {len(self.flags)} finding(s) in the health check "
            f"({self.leads_n:,} open leads, {self.deals_n:,} deals closed since it went live)"
        ]
        lines += [f"- [{f.severity}] {f.message}" for f in ordered[:limit]]
        if len(ordered) > limit:
            lines.append(f"- ... and {len(ordered) - limit} more (leadscore model health)")
        return "\n".join(lines)


def promised_rate(row: TierRow | None) -> tuple[float | None, float | None, float | None]:
    """A tier's promised win rate and interval: the holdout's when recorded, else the build's."""
    if row is None:
        return None, None, None
    if row.holdout_win_rate is not None:
        low, high = row.holdout_ci or (None, None)
        return row.holdout_win_rate, low, high
    return row.expected_conversion, row.ci_low, row.ci_high
