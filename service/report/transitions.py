"""What the rules file says about time: Rule 5's ``stale_after_days``, Rule 2's SLA hours and
each tier's ``rescore_every_days``, as ``analysis.json`` carries them (``transitions``:
``Rules.transitions()``; ``tiers``) and as Sections 4.3 and 5.2 and the rep guide word them."""

from __future__ import annotations

from service.model.analysis_schema import Analysis


def stale_sentence(analysis: Analysis) -> str:
    """``Behavioral and engagement points lapse after 30 days with no activity ...``."""
    stale = analysis.transitions.stale_after_days
    if not stale:
        return (
            "Points do not lapse with time (the rules file sets no `stale_after_days`): a lead "
            "with no new activity keeps its score until its fields change."
        )
    by_days: dict[int, list[str]] = {}
    for dim, days in stale.items():
        by_days.setdefault(int(days), []).append(dim)
    parts = [
        f"{' and '.join(sorted(d.capitalize() for d in dims))} points lapse after {days} day"
        f"{'s' if days != 1 else ''} with no activity"
        for days, dims in sorted(by_days.items())
    ]
    return (
        "; ".join(parts)
        + " (`stale_after_days` in the rules file): the daemon checks daily, scores those "
        "dimensions 0, recomputes the tier, writes the fields and tells the owner of a downgrade; "
        "new activity brings the points back."
    )


def sla_sentence(analysis: Analysis) -> str:
    hours = analysis.transitions.sla_hours.get("Hot")
    if not hours:
        return "no SLA clock runs (the rules file sets no `sla_hours` on Hot)"
    return f"the {hours:g}-hour SLA clock starts (`tiers.Hot.sla_hours`)"


def every(days: float) -> str:
    """``daily``, ``weekly``, ``every 3 days``, ``every 1.5 days``."""
    if days == 1:
        return "daily"
    if days == 7:
        return "weekly"
    return f"every {days:g} days"


def rescore_sentence(analysis: Analysis) -> str:
    """``Hot leads are re-scored daily, Warm every 3 days, Cool weekly, Cold every 30 days, ...``
    from each tier's ``rescore_every_days`` (a tier without one is left out)."""
    timed = [
        (t.tier, every(float(t.rescore_every_days)))
        for t in analysis.tiers
        if t.rescore_every_days is not None
    ]
    if not timed:
        return "Any lead is re-scored at once when it shows new activity."
    (first, when), rest = timed[0], timed[1:]
    return (
        f"{first} leads are re-scored {when}"
        + "".join(f", {tier} {w}" for tier, w in rest)
        + ", and any lead at once when it shows new activity."
    )
