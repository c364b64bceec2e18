"""The metadata of the ``Lead_Score_*__c`` custom fields, as the Tooling API creates them.

The same definitions are in ``deploy/salesforce/`` as metadata XML for the sf CLI.
"""

from __future__ import annotations

from typing import Any

from connectors.base import SCORE_FIELDS

LABELS = {
    "Total": "Lead Score",
    "Firmographic": "Lead Score: Firmographic",
    "Behavioral": "Lead Score: Behavioral",
    "Engagement": "Lead Score: Engagement",
    "Intent": "Lead Score: Intent",
    "Tier": "Lead Score Tier",
    "Last_Calculated": "Lead Score Last Calculated",
    "Trend": "Lead Score Trend",
    "Version": "Lead Score Model Version",
    "Top_Factors": "Lead Score Top Factors",
}


def field_metadata(logical: str) -> dict[str, Any]:
    """Tooling API ``CustomField.Metadata`` for one score field."""
    kind = SCORE_FIELDS[logical]
    meta: dict[str, Any] = {
        "label": LABELS[logical],
        "description": f"Set by leadscore ({logical}); do not edit by hand.",
        "inlineHelpText": "Calculated by the leadscore service from closed-deal history.",
    }
    if kind == "number":
        meta.update(type="Number", precision=6, scale=1)
    elif kind.startswith("picklist:"):
        values = kind.split(":", 1)[1].split(",")
        meta.update(
            type="Picklist",
            valueSet={
                "restricted": True,
                "valueSetDefinition": {
                    "sorted": False,
                    "value": [{"fullName": v, "label": v, "default": False} for v in values],
                },
            },
        )
    elif kind == "datetime":
        meta.update(type="DateTime")
    elif kind == "text":
        meta.update(type="Text", length=40)
    elif kind == "textarea":
        meta.update(type="LongTextArea", length=2000, visibleLines=3)
    else:  # pragma: no cover - SCORE_FIELDS only holds the kinds above
        raise ValueError(f"unknown score field kind {kind!r}")
    return meta
