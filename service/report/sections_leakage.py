"""Section 1.2's suspected-leakage notes: every suspect with its evidence and the ``keep:`` line,
and the warning when the holdout AUC is implausibly good."""

from __future__ import annotations

from service.model.analysis_schema import Analysis


def leakage_notes(analysis: Analysis) -> list[str]:
    """One note per suspected-leakage field (excluded or flagged), then the AUC warning."""
    out = []
    warning = analysis.leakage_warning
    if warning:
        out.append(f"**Warning:** {warning.message}")
    for s in analysis.suspected_leakage:
        evidence = "; ".join(e.detail for e in s.evidence)
        if s.action == "excluded":
            out.append(
                f"{s.field} is suspected leakage and was excluded ({evidence}). "
                f"To use it anyway, add `{s.keep}` to the configuration."
            )
        else:
            out.append(
                f"{s.field} is suspected leakage but was kept, because only one kind of "
                f"evidence points to it ({evidence}); check that it is known before a lead is "
                "scored, or exclude it with `exclude:`."
            )
    return out
