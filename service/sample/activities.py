"""Timestamped activities of the open leads, consistent with each lead's engagement counts.

Each lead's email opens and clicks, page views (pricing, careers, case-study, product, blog),
webinar, demo request, content downloads, replies and meetings become rows dated in the 90 days
before the as-of date (and not before the lead was created).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

ACTIVITY_COLUMNS = ("activity_id", "lead_id", "account", "kind", "page", "occurred_at")
KINDS = (
    "email_open", "email_click", "email_reply", "page_view", "webinar", "demo_request",
    "meeting", "content_download",
)  # fmt: skip
WINDOW_DAYS = 90
#: A lead's opens are capped here: a CRM keeps the individual opens only for recent campaigns.
MAX_OPENS = 40
_OTHER_PAGES = ("case-study", "product", "blog")
_OTHER_PAGE_P = (0.2, 0.45, 0.35)


def _count(leads: pd.DataFrame, col: str) -> np.ndarray:
    return pd.to_numeric(leads[col], errors="coerce").fillna(0).to_numpy("int64").clip(0)


def _flag(leads: pd.DataFrame, col: str) -> np.ndarray:
    return leads[col].astype("boolean").fillna(False).to_numpy(bool).astype("int64")


def make_activities(rng: np.random.Generator, leads: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """One row per activity, sorted by time; a lead with no engagement data has none."""
    n = len(leads)
    clicks = _count(leads, "email_clicks")
    visits = _count(leads, "website_visits")
    pricing = np.minimum(_count(leads, "pricing_page_visits"), visits)
    careers_only = _flag(leads, "careers_page_only").astype(bool)
    careers = np.where(careers_only, visits - pricing, rng.binomial(visits - pricing, 0.05))
    other = visits - pricing - careers
    counts = {
        ("email_open", ""): np.minimum(_count(leads, "email_opens"), MAX_OPENS),
        ("email_click", ""): clicks,
        ("email_reply", ""): rng.poisson(0.3 * clicks),
        ("page_view", "pricing"): pricing,
        ("page_view", "careers"): careers,
        ("page_view", "other"): other,
        ("webinar", ""): _flag(leads, "webinar_attended"),
        ("demo_request", ""): _flag(leads, "demo_requested"),
        ("meeting", ""): rng.binomial(_count(leads, "touches"), 0.15),
        ("content_download", ""): _count(leads, "content_downloads"),
    }
    idx = np.concatenate([np.repeat(np.arange(n), c) for c in counts.values()])
    kinds = np.concatenate([np.full(int(c.sum()), k, dtype=object) for (k, _), c in counts.items()])
    pages = np.concatenate([np.full(int(c.sum()), p, dtype=object) for (_, p), c in counts.items()])
    is_other = pages == "other"
    pages[is_other] = np.array(_OTHER_PAGES, dtype=object)[
        rng.choice(len(_OTHER_PAGES), size=int(is_other.sum()), p=_OTHER_PAGE_P)
    ]

    end = datetime.combine(as_of, time(0, 0))
    created = pd.to_datetime(leads["created_at"]).to_numpy("datetime64[s]")
    start = np.maximum(created, np.datetime64(end - timedelta(days=WINDOW_DAYS), "s"))
    span = (np.datetime64(end, "s") - start).astype("int64")  # seconds
    offsets = (rng.random(len(idx)) * span[idx]).astype("int64")
    when = start[idx] + offsets.astype("timedelta64[s]")

    frame = pd.DataFrame(
        {
            "lead_id": leads["lead_id"].to_numpy(object)[idx],
            "account": leads["company"].to_numpy(object)[idx],
            "kind": kinds,
            "page": pd.Series(pages, dtype=object).replace("", None),
            "occurred_at": when,
        }
    )
    frame = frame.sort_values(["occurred_at", "lead_id"], kind="stable").reset_index(drop=True)
    frame["occurred_at"] = frame["occurred_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    frame["activity_id"] = [f"A-{i + 1:06d}" for i in range(len(frame))]
    return frame[list(ACTIVITY_COLUMNS)]
