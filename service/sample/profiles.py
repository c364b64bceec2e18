"""Draw the pre-outcome fields of a deal or lead: firmographics, engagement, enrichment, intent.

Deals and leads come from the same draw, so a model built on the deals applies to the leads.
Null attributes (newsletter, webinar, region, review sites, funding) are drawn independently of
everything the outcome depends on; for deals, ``balance_nulls`` redraws them after the outcome
with the same shares among won and lost deals, so they have no marginal effect in every sample,
not only on average.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

INDUSTRIES = {
    # industry: (share, revenue per employee in USD, name words)
    "Healthcare": (0.16, 150_000, ("Health", "Clinics", "Care", "Medical")),
    "Technology": (0.16, 250_000, ("Software", "Labs", "Systems", "Digital")),
    "Manufacturing": (0.14, 200_000, ("Manufacturing", "Industries", "Works", "Components")),
    "Retail": (0.14, 120_000, ("Retail", "Stores", "Outfitters", "Market")),
    "Financial Services": (0.12, 350_000, ("Capital", "Financial", "Insurance", "Bank")),
    "Professional Services": (0.10, 180_000, ("Consulting", "Advisors", "Partners", "Legal")),
    "Education": (0.08, 90_000, ("Academy", "Learning", "University", "Schools")),
    "Logistics": (0.06, 170_000, ("Logistics", "Freight", "Transport", "Shipping")),
    "Hospitality": (0.04, 70_000, ("Hotels", "Hospitality", "Resorts", "Dining")),
}
COUNTRIES = {
    # country: (share, region)
    "United States": (0.45, "North America"),
    "Canada": (0.10, "North America"),
    "United Kingdom": (0.12, "EMEA"),
    "Germany": (0.09, "EMEA"),
    "Netherlands": (0.05, "EMEA"),
    "France": (0.05, "EMEA"),
    "Ireland": (0.04, "EMEA"),
    "Australia": (0.07, "APAC"),
    "Singapore": (0.03, "APAC"),
}
LEAD_SOURCES = {
    "Inbound": 0.30,
    "Outbound": 0.22,
    "Referral": 0.14,
    "Event": 0.12,
    "Partner": 0.10,
    "Purchased List": 0.12,
}
TECH_STACKS = ("Workday", "ADP", "BambooHR", "Spreadsheets", "SAP SuccessFactors", "Other")
#: P(tech stack | size band): small firms run on spreadsheets, large ones on Workday or SAP.
TECH_BY_BAND = np.array(
    [
        [0.03, 0.20, 0.30, 0.30, 0.02, 0.15],  # < 200 employees
        [0.13, 0.30, 0.25, 0.12, 0.05, 0.15],  # 200-999
        [0.35, 0.25, 0.06, 0.04, 0.20, 0.10],  # >= 1000
    ]
)
#: Null attributes: drawn with these shares, independently of everything else.
NULL_FLAGS = {
    "newsletter_signup": 0.35,
    "webinar_attended": 0.25,
    "review_site_activity": 0.25,
    "recent_funding": 0.20,
}
#: Extra email opens of a newsletter subscriber (kept apart so a redraw can update opens).
_NEWSLETTER_OPENS = "_newsletter_opens"
SIZE_BANDS = ((0.22, 20, 200), (0.48, 200, 1000), (0.30, 1000, 8000))
_PREFIXES = (
    "North", "Blue", "Silver", "Cedar", "Harbor", "Summit", "River", "Oak", "Bright", "Iron",
    "Maple", "Granite", "Clear", "Pine", "Stone", "Golden", "Red", "West", "East", "High",
    "Lake", "Sun", "Frost", "Eagle", "Green", "Crystal", "Prairie", "Coast", "Valley", "Star",
)  # fmt: skip
_ROOTS = (
    "wind", "field", "bridge", "point", "gate", "view", "wood", "crest", "haven", "ridge",
    "brook", "light", "stone", "path", "well", "line", "mark", "ford", "side", "vale",
)  # fmt: skip
_SUFFIX_BY_COUNTRY = {
    "United States": "Inc.", "Canada": "Ltd.", "United Kingdom": "Ltd", "Germany": "GmbH",
    "Netherlands": "B.V.", "France": "SA", "Ireland": "Ltd", "Australia": "Pty Ltd",
    "Singapore": "Pte Ltd",
}  # fmt: skip


def _pick(rng: np.random.Generator, table: dict[str, float], n: int) -> np.ndarray:
    keys = list(table)
    p = np.array([table[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def company_names(
    rng: np.random.Generator, industry: np.ndarray, seen: set[str] | None = None
) -> np.ndarray:
    """Made-up company names that fit each row's industry, distinct from each other and ``seen``
    (which is updated, so deals and leads can share it)."""
    names = np.empty(len(industry), dtype=object)
    seen = set() if seen is None else seen
    for i, ind in enumerate(industry):
        words = INDUSTRIES[str(ind)][2]
        for attempt in range(50):
            name = (
                f"{_PREFIXES[rng.integers(len(_PREFIXES))]}"
                f"{_ROOTS[rng.integers(len(_ROOTS))]} {words[rng.integers(len(words))]}"
            )
            if attempt >= 10:
                name = f"{name} {attempt}"
            if name not in seen:
                break
        seen.add(name)
        names[i] = name
    return names


def draw_profiles(
    rng: np.random.Generator, n: int, taken_names: set[str] | None = None
) -> pd.DataFrame:
    """``n`` rows of pre-outcome fields (no missing values yet), names not in ``taken_names``."""
    ind_names = list(INDUSTRIES)
    ind_p = np.array([INDUSTRIES[k][0] for k in ind_names])
    industry = np.array(ind_names, dtype=object)[
        rng.choice(len(ind_names), n, p=ind_p / ind_p.sum())
    ]

    band = rng.choice(3, size=n, p=[b[0] for b in SIZE_BANDS])
    low = np.array([b[1] for b in SIZE_BANDS])[band]
    high = np.array([b[2] for b in SIZE_BANDS])[band]
    employees = np.floor(np.exp(rng.uniform(np.log(low), np.log(high)))).astype(int)
    employees = np.clip(employees, low, high - 1)
    per_employee = np.array([INDUSTRIES[str(i)][1] for i in industry])
    revenue = employees * per_employee * rng.lognormal(0.0, 0.35, n)
    revenue = np.round(revenue / 100_000) * 100_000

    country = _pick(rng, {k: v[0] for k, v in COUNTRIES.items()}, n)
    region = np.array([COUNTRIES[str(c)][1] for c in country], dtype=object)
    tech_idx = (rng.random((n, 1)) < TECH_BY_BAND.cumsum(axis=1)[band]).argmax(axis=1)
    tech = np.array(TECH_STACKS, dtype=object)[tech_idx]

    source = _pick(rng, LEAD_SOURCES, n)
    careers_only = rng.random(n) < 0.10
    demo = (rng.random(n) < 0.33) & ~careers_only
    pricing = np.where(careers_only, 0, rng.poisson(rng.gamma(1.5, 1.3, n)))
    engaged = rng.normal(0.0, 1.0, n)  # drives clicks, opens, visits, downloads
    newsletter = rng.random(n) < NULL_FLAGS["newsletter_signup"]
    newsletter_opens = rng.poisson(2.5, n)
    clicks = rng.poisson(np.exp(0.75 + 0.6 * engaged))
    opens = clicks + rng.poisson(np.exp(1.8 + 0.3 * engaged)) + newsletter * newsletter_opens
    downloads = np.where(careers_only, 0, rng.poisson(np.exp(-0.3 + 0.5 * engaged)))
    careers_views = np.where(careers_only, 1 + rng.poisson(2.0, n), 0)
    visits = (
        pricing
        + careers_views
        + np.where(careers_only, 0, rng.poisson(np.exp(1.2 + 0.4 * engaged)))
    )
    stakeholders = np.minimum(1 + rng.poisson(1.2, n), 9)
    touches = 2 + rng.poisson(3.0 + 1.2 * stakeholders)

    frame = pd.DataFrame(
        {
            "company": company_names(rng, industry, taken_names),
            "industry": industry,
            "employee_count": employees,
            "annual_revenue": revenue.astype("int64"),
            "country": country,
            "region": region,
            "lead_source": source,
            "initial_engagement": _initial_engagement(rng, source, demo),
            "touches": touches,
            "stakeholders": stakeholders,
            "email_opens": opens,
            "email_clicks": clicks,
            "content_downloads": downloads,
            "webinar_attended": rng.random(n) < NULL_FLAGS["webinar_attended"],
            "website_visits": visits,
            "pricing_page_visits": pricing,
            "demo_requested": demo,
            "newsletter_signup": newsletter,
            "careers_page_only": careers_only,
            "tech_stack": tech,
            "recent_funding": rng.random(n) < NULL_FLAGS["recent_funding"],
            "hiring_hr_roles": rng.random(n) < 0.30,
            "intent_topic_surge": rng.random(n) < 0.25,
            "competitor_research": rng.random(n) < 0.30,
            "review_site_activity": rng.random(n) < NULL_FLAGS["review_site_activity"],
            _NEWSLETTER_OPENS: newsletter_opens,
        }
    )
    return frame


def add_legal_suffix(frame: pd.DataFrame) -> pd.DataFrame:
    """Company names end in the legal form of their country (``GmbH``, ``Inc.``, ...)."""
    frame = frame.copy()
    suffix = [_SUFFIX_BY_COUNTRY[str(c)] for c in frame["country"]]
    frame["company"] = frame["company"] + " " + pd.Series(suffix, index=frame.index)
    return frame


def _balanced(
    rng: np.random.Generator, labels: Sequence[object], p: np.ndarray, n: int
) -> np.ndarray:
    """``n`` labels in the shares ``p`` as exactly as whole numbers allow, in random order."""
    exact = p / p.sum() * n
    counts = np.floor(exact).astype(int)
    short = n - counts.sum()
    counts[np.argsort(-(exact - counts) + rng.random(len(p)) * 1e-9)[:short]] += 1
    out = np.array(labels, dtype=object).repeat(counts)
    rng.shuffle(out)
    return out


def balance_nulls(rng: np.random.Generator, frame: pd.DataFrame, won: np.ndarray) -> pd.DataFrame:
    """Redraw the null attributes with the same shares among won and among lost rows.

    Country (hence region) and the null flags then carry no information about the outcome in
    this very sample; email opens follow the redrawn newsletter sign-up.
    """
    frame = frame.copy()
    base_opens = frame["email_opens"] - frame["newsletter_signup"] * frame[_NEWSLETTER_OPENS]
    countries = list(COUNTRIES)
    country_p = np.array([COUNTRIES[c][0] for c in countries])
    for group in (won, ~won):
        rows = np.flatnonzero(group)
        frame.loc[rows, "country"] = _balanced(rng, countries, country_p, len(rows))
        for flag, share in NULL_FLAGS.items():
            values = _balanced(rng, [True, False], np.array([share, 1 - share]), len(rows))
            frame.loc[rows, flag] = values.astype(bool)
    frame["region"] = [COUNTRIES[str(c)][1] for c in frame["country"]]
    frame["email_opens"] = base_opens + frame["newsletter_signup"] * frame[_NEWSLETTER_OPENS]
    return frame


def _initial_engagement(
    rng: np.random.Generator, source: np.ndarray, demo: np.ndarray
) -> np.ndarray:
    """The first touch, consistent with the lead source (and the demo request, for inbound)."""
    by_source = {
        "Outbound": "Cold outreach reply",
        "Purchased List": "Cold outreach reply",
        "Event": "Event conversation",
        "Referral": "Referral intro",
        "Partner": "Referral intro",
    }
    inbound = np.array(["Inbound form", "Content download", "Webinar registration"], dtype=object)
    out = np.array([by_source.get(str(s), "") for s in source], dtype=object)
    is_inbound = source == "Inbound"
    out[is_inbound] = inbound[rng.integers(len(inbound), size=int(is_inbound.sum()))]
    demo_first = is_inbound & demo & (rng.random(len(source)) < 0.5)
    out[demo_first] = "Demo request"
    return out
