"""Open leads to prioritise: the same pre-outcome fields as the deals, plus who and when.

About 4% of leads lack most fields (batch scoring should call them Unscoreable) and about 12%
lack one to three fields, as CRM leads do.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

#: Fields a lead shares with a deal: everything known before the outcome.
PRE_OUTCOME_FIELDS = (
    "industry", "employee_count", "annual_revenue", "country", "region", "lead_source",
    "initial_engagement", "touches", "stakeholders", "email_opens", "email_clicks",
    "content_downloads", "webinar_attended", "website_visits", "pricing_page_visits",
    "demo_requested", "newsletter_signup", "careers_page_only", "tech_stack", "recent_funding",
    "hiring_hr_roles", "intent_topic_surge", "competitor_research", "review_site_activity",
)  # fmt: skip
LEAD_COLUMNS = (
    "lead_id", "company", "contact_name", "contact_title", "email", "owner", "created_at",
    *PRE_OUTCOME_FIELDS,
)  # fmt: skip
UNSCOREABLE_SHARE = 0.04
PARTLY_MISSING_SHARE = 0.12
#: The only fields an unscoreable lead still has.
UNSCOREABLE_KEEPS = ("lead_source",)
LEAD_AGE_DAYS = (1, 120)

_FIRST = (
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Priya", "Wei",
    "Lena", "Omar", "Sofia", "Lukas", "Amara", "Diego", "Hannah", "Kenji", "Fatima", "Noah",
)  # fmt: skip
_LAST = (
    "Smith", "Garcia", "Müller", "Chen", "Okafor", "Novak", "Rossi", "Dubois", "Kim", "Singh",
    "Johansson", "Murphy", "Silva", "Cohen", "Nguyen", "Brown", "Schmidt", "Costa", "Ali", "Lee",
)  # fmt: skip
_TITLES = (
    "HR Director", "VP People", "Head of HR", "HR Manager", "Chief People Officer",
    "Payroll Manager", "HR Operations Lead", "Talent Acquisition Manager",
)  # fmt: skip
OWNERS = ("Avery Brooks", "Jordan Reyes", "Mia Thompson", "Noah Fischer", "Zoe Martin")


def _email(first: str, last: str, company: str) -> str:
    ascii_last = last.replace("ü", "ue")
    domain = "".join(ch for ch in "".join(company.split(" ")[:2]).lower() if ch.isalnum())
    return f"{first.lower()}.{ascii_last.lower()}@{domain}.example"


def make_leads(
    rng: np.random.Generator, profiles: pd.DataFrame, as_of: date
) -> tuple[pd.DataFrame, list[str]]:
    """The leads table and the ids of the leads missing most fields."""
    n = len(profiles)
    frame = profiles.copy()
    frame["lead_id"] = [f"L-{i + 1:05d}" for i in range(n)]
    first = np.array(_FIRST, dtype=object)[rng.integers(len(_FIRST), size=n)]
    last = np.array(_LAST, dtype=object)[rng.integers(len(_LAST), size=n)]
    frame["contact_name"] = first + " " + last
    frame["contact_title"] = np.array(_TITLES, dtype=object)[rng.integers(len(_TITLES), size=n)]
    frame["email"] = [
        _email(f, la, c) for f, la, c in zip(first, last, frame["company"], strict=True)
    ]
    frame["owner"] = np.array(OWNERS, dtype=object)[rng.integers(len(OWNERS), size=n)]
    age = rng.integers(LEAD_AGE_DAYS[0], LEAD_AGE_DAYS[1] + 1, n)
    frame["created_at"] = [(as_of - timedelta(days=int(d))).isoformat() for d in age]

    for col in frame.columns:
        if pd.api.types.is_bool_dtype(frame[col]):
            frame[col] = frame[col].astype("boolean")
        elif pd.api.types.is_integer_dtype(frame[col]):
            frame[col] = frame[col].astype("Int64")
    n_unscoreable = round(UNSCOREABLE_SHARE * n)
    n_partly = round(PARTLY_MISSING_SHARE * n)
    picked = rng.choice(n, size=min(n, n_unscoreable + n_partly), replace=False)
    unscoreable, partly = picked[:n_unscoreable], picked[n_unscoreable:]
    blank = [f for f in PRE_OUTCOME_FIELDS if f not in UNSCOREABLE_KEEPS]
    frame.loc[unscoreable, blank] = pd.NA
    optional = ("annual_revenue", "tech_stack", "employee_count", "industry", "country")
    for i in partly:
        fields = rng.choice(optional, size=int(rng.integers(1, 4)), replace=False)
        frame.loc[i, list(fields)] = pd.NA
    ids = sorted(frame.loc[unscoreable, "lead_id"].tolist())
    return frame[list(LEAD_COLUMNS)], ids
