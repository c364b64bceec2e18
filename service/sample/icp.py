"""The vendor's stated Ideal Customer Profile, a little different from what the deals show.

Real ICPs are written before the data is looked at. This one lists Retail (which converts below
the base rate), misses Healthcare (the best-converting industry), stretches the size range to
2,000 employees although above 1,000 converts only at the base rate, and courts companies still
on spreadsheets, which rarely buy. ``ICP_DIFFERENCES`` records each gap for ``truth.json``.
"""

from __future__ import annotations

from typing import Any

VENDOR = "Crewline HR"

STATED_ICP: dict[str, Any] = {
    "company": VENDOR,
    "product": "HR and payroll platform for mid-market companies",
    "industries": ["Technology", "Financial Services", "Retail", "Professional Services"],
    "employee_range": [200, 2000],
    "geography": ["North America", "EMEA"],
    "tech_stack": ["Spreadsheets", "BambooHR", "ADP"],
    "budget": {"currency": "USD", "min_annual_contract": 20000, "max_annual_contract": 150000},
    "use_case": (
        "Replace spreadsheets and point tools with one system for onboarding, payroll and "
        "performance reviews as the company grows past 200 employees."
    ),
}

ICP_DIFFERENCES: list[dict[str, Any]] = [
    {
        "criterion": "industries",
        "stated": "includes Retail",
        "observed": "Retail converts no better than the base rate",
    },
    {
        "criterion": "industries",
        "stated": "omits Healthcare",
        "observed": "Healthcare is the best-converting industry",
    },
    {
        "criterion": "employee_range",
        "stated": [200, 2000],
        "observed": "200-999 converts best; 1,000 and above converts at the base rate",
    },
    {
        "criterion": "tech_stack",
        "stated": "includes Spreadsheets",
        "observed": "companies on spreadsheets rarely buy (mostly No Decision / Status Quo)",
    },
]


def stated_icp() -> dict[str, Any]:
    """A fresh copy of the stated ICP (written to ``icp.yaml``)."""
    import copy

    return copy.deepcopy(STATED_ICP)
