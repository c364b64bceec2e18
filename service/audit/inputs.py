"""What the data can support: recommended inputs present or missing, dimensions that can be
scored, sample adequacy overall and per attribute, survivorship bias, and the date range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from service.audit.fields import FieldInfo, name_tokens, parse_dates
from service.config import BuildConfig, Dimension

MIN_DEALS = 50
PREFERRED_DEALS = 200
#: fewer deals than this of either outcome: nothing can be learned or held out for validation
MIN_PER_OUTCOME = 10

#: input -> (keywords looked for in column names, dimensions it feeds, what its absence costs)
RECOMMENDED_INPUTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "engagement": (
        (
            "email",
            "open",
            "click",
            "web",
            "website",
            "visit",
            "page",
            "webinar",
            "demo",
            "download",
            "content",
            "pricing",
            "trial",
        ),
        ("behavioral", "engagement"),
        "no email, web, webinar or demo-request data: actions a lead takes cannot earn points",
    ),
    "enrichment": (
        ("tech", "stack", "technology", "funding", "funded", "raised", "hiring", "job", "growth"),
        ("firmographic",),
        "no tech stack, funding or hiring data: firmographic fit rests on industry, size and "
        "geography alone",
    ),
    "activity_logs": (
        ("touch", "meeting", "call", "stakeholder", "activity", "reply", "response", "thread"),
        ("engagement",),
        "no touches, meetings or stakeholder counts: engagement depth (multi-threading, "
        "frequency) cannot be measured",
    ),
    "intent": (
        ("intent", "surge", "review", "competitor", "g2", "bombora", "trustradius", "topic"),
        ("intent",),
        "no third-party intent data: signals of an active buying process cannot be scored",
    ),
}
_DIMENSION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "intent": RECOMMENDED_INPUTS["intent"][0],
    "behavioral": (
        "download",
        "webinar",
        "demo",
        "pricing",
        "visit",
        "web",
        "website",
        "page",
        "trial",
        "request",
        "content",
        "form",
        "signup",
        "chat",
    ),
    "engagement": (
        "email",
        "open",
        "click",
        "touch",
        "meeting",
        "call",
        "reply",
        "response",
        "stakeholder",
        "activity",
        "engagement",
        "sms",
    ),
    "firmographic": (
        "industry",
        "employee",
        "revenue",
        "size",
        "country",
        "region",
        "city",
        "geo",
        "geography",
        "state",
        "tech",
        "stack",
        "funding",
        "hiring",
        "growth",
        "segment",
        "vertical",
        "sector",
        "headcount",
    ),
}


@dataclass
class MissingInput:
    """A recommended input the file lacks, and what that costs."""

    input: str
    fields_looked_for: list[str]
    impact: str
    dimensions_affected: list[str]


@dataclass
class Adequacy:
    """Whether there are enough closed deals, overall and per attribute."""

    can_model: bool
    level: str  # insufficient | low | adequate
    message: str
    closed_deals: int
    minimum: int = MIN_DEALS
    preferred: int = PREFERRED_DEALS
    attributes: list[dict[str, Any]] = field(default_factory=list)


def dimension_of(name: str, config: BuildConfig) -> str | None:
    """The dimension a column feeds: the configured one, else one guessed from its name."""
    if name in config.dimensions:
        value = config.dimensions[name]
        return value.value if isinstance(value, Dimension) else str(value)
    tokens = set(name_tokens(name))
    for dim, words in _DIMENSION_KEYWORDS.items():
        if tokens & set(words):
            return dim
    return None


def dimensions(usable: list[str], config: BuildConfig) -> dict[str, dict[str, Any]]:
    """Per dimension, the usable fields that feed it and whether it can be scored at all."""
    out: dict[str, dict[str, Any]] = {d.value: {"fields": [], "scorable": False} for d in Dimension}
    for name in usable:
        dim = dimension_of(name, config)
        if dim in out:
            out[dim]["fields"].append(name)
    for entry in out.values():
        entry["scorable"] = bool(entry["fields"])
    return out


def missing_inputs(usable: list[str], dims: dict[str, dict[str, Any]]) -> list[MissingInput]:
    """The recommended inputs with no matching usable column."""
    tokens = {t for name in usable for t in name_tokens(name)}
    found = []
    for key, (words, feeds, impact) in RECOMMENDED_INPUTS.items():
        if tokens & set(words):
            continue
        affected = [d for d in feeds if not dims.get(d, {}).get("scorable", False)]
        found.append(MissingInput(key, list(words), impact, affected))
    return found


def adequacy(n_closed: int, won: int, lost: int) -> Adequacy:
    """insufficient below 50 closed deals (or under 10 of either outcome), low below 200, else
    adequate."""
    if n_closed < MIN_DEALS or min(won, lost) < MIN_PER_OUTCOME:
        why = (
            f"only {n_closed} closed deals"
            if n_closed < MIN_DEALS
            else f"{won} won and {lost} lost deals"
        )
        return Adequacy(
            False,
            "insufficient",
            (
                f"No model can be built: {why}; at least {MIN_DEALS} closed deals with at least "
                f"{MIN_PER_OUTCOME} won and {MIN_PER_OUTCOME} lost are needed "
                f"({PREFERRED_DEALS}+ preferred). Set up tracking of lead "
                "source, engagement and outcome for every deal now and come back in 90 days."
            ),
            n_closed,
        )
    if n_closed < PREFERRED_DEALS:
        return Adequacy(
            True,
            "low",
            (
                f"{n_closed} closed deals: enough to build a model, but with low confidence "
                f"({PREFERRED_DEALS}+ preferred); only strong effects will reach significance."
            ),
            n_closed,
        )
    return Adequacy(True, "adequate", f"{n_closed} closed deals: enough for a model.", n_closed)


def attribute_sufficiency(
    frame: pd.DataFrame, fields: list[FieldInfo], y: np.ndarray, min_deals: int
) -> list[dict[str, Any]]:
    """Per usable attribute: deals with a value, and which values have at least ``min_deals``
    deals on each side (having it, not having it) to be judged."""
    out = []
    n = len(y)
    for info in fields:
        series = frame[info.name]
        known = int(series.notna().sum())
        entry: dict[str, Any] = {"field": info.name, "kind": info.kind, "deals_with_value": known}
        if info.kind == "numeric":
            entry["sufficient"] = known >= 2 * min_deals
            entry["note"] = f"{known} deals with a value" + (
                ""
                if entry["sufficient"]
                else f"; fewer than {2 * min_deals}, too few to compare ranges"
            )
        else:
            counts = series.astype("string").value_counts()
            ok = [str(v) for v, c in counts.items() if c >= min_deals and n - c >= min_deals]
            thin = [str(v) for v, c in counts.items() if c < min_deals]
            entry.update(
                values_judgeable=ok,
                values_too_few=thin[:20],
                values_too_few_count=len(thin),
                sufficient=bool(ok),
            )
            entry["note"] = (
                f"{len(ok)} of {len(counts)} values have at least {min_deals} deals"
                if ok
                else f"no value has {min_deals} deals on each side"
            )
        out.append(entry)
    return out


def survivorship(
    frame: pd.DataFrame, outcome_column: str, won_values: list[str], fields: list[FieldInfo]
) -> dict[str, Any]:
    """Say when the rows are opportunities (deals that got that far), not all leads."""
    evidence = []
    for info in fields:
        tokens = set(name_tokens(info.name))
        deal_amount = info.kind == "numeric" and tokens & {"deal", "amount", "acv", "arr"}
        stage = tokens & {"stage", "pipeline", "opportunity"} and info.name != outcome_column
        if (deal_amount or stage) and info.completeness >= 0.9:
            evidence.append(
                f"{info.name} is filled for {info.completeness:.0%} of rows "
                "(a field that exists only for opportunities)"
            )
    out_tokens = set(name_tokens(outcome_column))
    if out_tokens & {"stage", "status", "outcome", "result", "won"} or any(
        v in {"won", "closed won", "closed-won", "closedwon", "win"} for v in won_values
    ):
        evidence.append(f"the outcome {outcome_column!r} is a won/lost deal result")
    if out_tokens & {"converted", "conversion", "y", "subscribed"} and not evidence:
        return {
            "applies": False,
            "evidence": [],
            "note": (
                "The rows look like leads with a converted/not-converted outcome, including leads "
                "that never became opportunities; no opportunity-stage survivorship bias."
            ),
        }
    if evidence:
        return {
            "applies": True,
            "evidence": evidence,
            "note": (
                "The data holds only deals that reached the opportunity stage. Leads that never "
                "became opportunities are missing, so the model learns what separates won from lost "
                "opportunities, not good leads from bad ones; scores on raw leads are less certain. "
                "Include disqualified leads if the CRM has them."
            ),
        }
    return {
        "applies": None,
        "evidence": [],
        "note": (
            "Cannot tell whether the rows include leads that never became opportunities; if they do "
            "not, the model carries survivorship bias."
        ),
    }


def date_range(frame: pd.DataFrame, column: str | None, as_of: date) -> dict[str, Any] | None:
    """First and last close date, months covered, and whether that is the 12-24 months wanted."""
    if column is None or column not in frame:
        return None
    dates = parse_dates(frame[column]).dropna()
    dates = dates[dates <= pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    if dates.empty:
        return {
            "column": column,
            "start": None,
            "end": None,
            "months": 0.0,
            "covers_12_24_months": False,
            "note": f"{column} has no usable dates.",
        }
    start, end = dates.min(), dates.max()
    months = round((end - start).days / 30.44, 1)
    ok = 12 <= months <= 24.99
    note = (
        "covers 12-24 months as recommended"
        if ok
        else "less than 12 months: seasonal patterns and slow deals may be missing"
        if months < 12
        else "more than 24 months: older deals may reflect a different market; consider "
        "limiting to the last 24 months"
    )
    return {
        "column": column,
        "start": start.date().isoformat(),
        "end": end.date().isoformat(),
        "months": months,
        "covers_12_24_months": ok,
        "note": note,
    }


def limitations(
    fit: Adequacy,
    surv: dict[str, Any],
    dates: dict[str, Any] | None,
    fields: list[FieldInfo],
    missing: list[MissingInput],
    min_deals: int,
) -> list[str]:
    """The data limitations in plain sentences, most important first (for the report's 1.3)."""
    out = []
    if fit.level != "adequate":
        out.append(fit.message)
    if surv.get("applies") is not False:
        out.append(surv["note"])
    if dates is None:
        out.append(
            "No close-date column: the 12-24 month window cannot be checked and the "
            "holdout cannot be the newest deals."
        )
    elif not dates["covers_12_24_months"]:
        out.append(f"Close dates span {dates['months']} months: {dates['note']}.")
    for info in fields:
        if info.completeness < 0.5:
            out.append(
                f"{info.name} is filled in for only {info.completeness:.0%} of rows; "
                "its signals rest on fewer deals."
            )
    for m in missing:
        out.append(f"Missing input ({m.input}): {m.impact}.")
    thin = [a["field"] for a in fit.attributes if not a["sufficient"]]
    if thin:
        out.append(
            f"Too few deals to judge {', '.join(thin)} (fewer than {min_deals} deals "
            "per value on each side)."
        )
    return out
