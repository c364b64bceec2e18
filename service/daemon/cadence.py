"""When a lead is due for re-scoring, and which way its score is heading.

Cadences come from the rules file (``tiers.<Tier>.rescore_every_days``: Hot 1, Warm 3, Cool 7,
Cold 30 by default) unless ``LEADSCORE_DAEMON__<TIER>_EVERY_DAYS`` overrides them.
"""

from __future__ import annotations

from datetime import timedelta

from service.scoring.rules import Rules
from service.settings import DaemonSettings

#: the trend compares with the score this many days ago ...
TREND_DAYS = 14
#: ... and calls a change of at least this many points Rising or Falling
TREND_POINTS = 5.0
TREND_WINDOW = timedelta(days=TREND_DAYS)
#: cadences for tiers a rules file leaves out of ``tiers``
DEFAULT_DAYS = {"Hot": 1, "Warm": 3, "Cool": 7, "Cold": 30}


def cadence_days(rules: Rules, settings: DaemonSettings) -> dict[str, float]:
    """Days between re-scores per tier: the override when set, else the rules' playbook."""
    out: dict[str, float] = {}
    for tier, default in DEFAULT_DAYS.items():
        override = getattr(settings, f"{tier.lower()}_every_days")
        playbook = rules.tiers.get(tier)  # type: ignore[call-overload]
        days = playbook.rescore_every_days if playbook is not None else default
        out[tier] = float(override if override is not None else days)
    return out


def trend(total: float, reference: float | None) -> str:
    """``Rising`` when the total gained 5 points or more on the reference, ``Falling`` when it
    lost 5 or more, ``Stable`` otherwise (and when there is nothing to compare with)."""
    if reference is None:
        return "Stable"
    change = float(total) - float(reference)
    if change >= TREND_POINTS:
        return "Rising"
    if change <= -TREND_POINTS:
        return "Falling"
    return "Stable"
