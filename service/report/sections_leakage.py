"""Section 1.2's suspected-leakage notes: every suspect with its evidence and the ``keep:`` line,
and the warning when the holdout AUC is implausibly good."""

from __future__ import annotations

from typing import Any


def leakage_notes(analysis: dict[str, Any]) -> list[str]:
    """One note per suspected-leakage field (excluded or flagged), then the AUC warning."""
    out = []
    warning = analysis.get("leakage_warning")
    if warning:
        out.append(f"**Warning:** {warning.get('message')}")
    for s in analysis.get("suspected_leakage") or []:
        evidence = "; ".join(str(e.get("detail")) for e in s.get("evidence") or [])
        if s.get("action") == "excluded":
            out.append(
                f"{s.get('field')} is suspected leakage and was excluded ({evidence}). "
                f"To use it anyway, add `{s.get('keep')}` to the configuration."
            )
        else:
            out.append(
                f"{s.get('field')} is suspected leakage but was kept, because only one kind of "
                f"evidence points to it ({evidence}); check that it is known before a lead is "
                "scored, or exclude it with `exclude:`."
            )
    return out
