"""Which leads are in the experiment's control group: a stable hash of the lead id.

``sha256(salt:id)`` read as a number in [0, 1) is below ``control_share`` for control leads, so
a lead keeps its group across passes, restarts and machines, and about ``control_share`` of
leads are control whatever their ids look like.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

from service.settings import ExperimentSettings

CONTROL, TREATMENT = "control", "treatment"


def unit(record_id: str, salt: str) -> float:
    """The lead's stable position in [0, 1)."""
    digest = hashlib.sha256(f"{salt}:{record_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def group_of(record_id: str, settings: ExperimentSettings) -> str:
    return CONTROL if unit(record_id, settings.salt) < settings.control_share else TREATMENT


def running(settings: ExperimentSettings, now: datetime) -> bool:
    """True while ``now`` is inside [start, end)."""
    if settings.start is None:
        return False
    day = now.date()
    return day >= settings.start and (settings.end is None or day < settings.end)


def groups(ids: Iterable[str], settings: ExperimentSettings, now: datetime) -> dict[str, str]:
    """Each id's group while the experiment runs (empty outside it)."""
    if not running(settings, now):
        return {}
    return {i: group_of(i, settings) for i in ids}
