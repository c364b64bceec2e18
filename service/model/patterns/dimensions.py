"""Which scoring dimension a field belongs to, from the meaning of its name.

The field name is split into lower-case words (``TotalVisits`` -> ``total visits``,
``tech_stack`` -> ``tech stack``) and the keyword table below is read top to bottom; the first
row with a keyword found in the name wins. A keyword matches whole words, plural allowed
(``visit`` matches ``visits``; ``count`` does not match ``country``; ``age`` not ``page``); a
keyword ending in ``*`` matches any word it starts (``employ*``: ``employees``, ``employed``).
``config.dimensions`` overrides everything.

=============  ==========================================================================
dimension      keywords (first match wins, in this order)
=============  ==========================================================================
intent         intent, surge, competitor, review, g2, bombora, trustradius, research*,
               buying, evaluat*, rfp, rfi, shortlist*
behavioral     demo, pricing, download*, webinar, trial, form, newsletter, careers,
               lead source, source, origin, initial engagement, channel, referral, inbound,
               outbound, signup, sign up, subscri*, free copy, search, advertis*, recommend*,
               forum, magazine, newspaper, event, content, case study, whitepaper, ebook
engagement     touch, open(ed), click(ed), visit(ed), time on site, time spent, page,
               page views, stakeholder, meeting, reply, call, contact(ed), activity, last,
               campaign, email, sms, response, days since, previous, session,
               engagement score, frequency, recency
firmographic   industry, employ*, size, revenue, country, region, geography, city, state,
               location, tech stack, technolog*, funding, hiring, company, segment, job,
               occupation, title, role, seniority, age, education, marital, speciali*,
               product, budget, growth, client, account, type, tier
engagement     count, number, num, total, times (generic counts, after everything else)
=============  ==========================================================================

A field that matches nothing is ``engagement`` when it holds counts (``is_count``), otherwise
``firmographic`` (a descriptive property of the lead or company).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from service.data.names import column_words

DIMENSION_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "intent",
        (
            "intent",
            "surge",
            "competitor",
            "review",
            "g2",
            "bombora",
            "trustradius",
            "research*",
            "buying",
            "evaluat*",
            "rfp",
            "rfi",
            "shortlist*",
        ),
    ),
    (
        "behavioral",
        (
            "demo",
            "pricing",
            "download*",
            "webinar",
            "trial",
            "form",
            "newsletter",
            "careers",
            "lead source",
            "source",
            "origin",
            "initial engagement",
            "channel",
            "referral",
            "inbound",
            "outbound",
            "signup",
            "sign up",
            "subscri*",
            "free copy",
            "search",
            "advertis*",
            "recommend*",
            "forum",
            "magazine",
            "newspaper",
            "event",
            "content",
            "case study",
            "whitepaper",
            "ebook",
        ),
    ),
    (
        "engagement",
        (
            "touch",
            "open",
            "opened",
            "click",
            "clicked",
            "visit",
            "visited",
            "time on site",
            "time spent",
            "page",
            "page views",
            "stakeholder",
            "meeting",
            "reply",
            "replies",
            "call",
            "contact",
            "contacted",
            "activity",
            "activities",
            "last",
            "campaign",
            "email",
            "sms",
            "response",
            "days since",
            "previous",
            "session",
            "engagement score",
            "frequency",
            "recency",
        ),
    ),
    (
        "firmographic",
        (
            "industry",
            "industries",
            "employ*",
            "size",
            "revenue",
            "country",
            "countries",
            "region",
            "geography",
            "city",
            "cities",
            "state",
            "location",
            "tech stack",
            "technolog*",
            "funding",
            "hiring",
            "company",
            "companies",
            "segment",
            "job",
            "occupation",
            "title",
            "role",
            "seniority",
            "age",
            "education",
            "marital",
            "speciali*",
            "product",
            "budget",
            "growth",
            "client",
            "account",
            "type",
            "tier",
        ),
    ),
    ("engagement", ("count", "number", "num", "total", "times")),
)

VALID = frozenset(d for d, _ in DIMENSION_KEYWORDS)


def _pattern(keyword: str) -> re.Pattern[str]:
    if keyword.endswith("*"):
        return re.compile(r"\b" + re.escape(keyword[:-1]))
    return re.compile(r"\b" + re.escape(keyword) + r"(?:s|es)?\b")


_PATTERNS = tuple((dim, tuple(_pattern(k) for k in keys)) for dim, keys in DIMENSION_KEYWORDS)


def field_words(field: str) -> str:
    """``"TotalVisits"`` -> ``"total visits"``; ``"tech_stack"`` -> ``"tech stack"``."""
    return " ".join(column_words(field))


def infer_dimension(
    field: str, overrides: Mapping[str, object] | None = None, *, is_count: bool = False
) -> str:
    """The dimension of ``field``: its override if given, else the first keyword match."""
    if overrides and field in overrides:
        value = overrides[field]
        value = getattr(value, "value", value)  # service.config.Dimension or plain text
        if value not in VALID:
            raise ValueError(
                f"dimension for {field!r} must be one of {', '.join(sorted(VALID))}; got {value!r}."
            )
        return str(value)
    words = field_words(field)
    for dim, patterns in _PATTERNS:
        if any(p.search(words) for p in patterns):
            return dim
    return "engagement" if is_count else "firmographic"
