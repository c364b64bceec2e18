"""The analyses the report tests render, each from a real build, once per session.

``built_analysis`` is the sample build every other suite shares (``sample_model``);
``planted_analysis`` is a small deals frame with the situations the sample lacks planted in it
(a rep-capacity configuration, a free-text field, a yes/no value too rare to judge), built by
the same builder in about a second. Tests read and change both only through
``tests/report/analysis.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from service.data.deals import load_deals
from service.model.build import build_model
from tests.report import analysis

#: the capacity configuration of the planted build: 4 reps working 25 leads a week each
PLANTED_CAPACITY = "capacity: {reps: 4, leads_per_rep_per_week: 25, new_leads_per_week: 120}\n"
#: deals in the planted frame, and how many of them have the rare ``referral`` value
PLANTED_DEALS, RARE_REFERRALS = 400, 8


@pytest.fixture(scope="session")
def built_analysis(sample_model: Path) -> Any:
    """``analysis.json`` of ``make demo``'s build (180 sample deals with their ICP and leads).
    Shared by the session: never change it in place, derive a copy with ``analysis.modified``."""
    return analysis.load(sample_model / "model" / "analysis.json")


def planted_deals(n: int = PLANTED_DEALS, seed: int = 3) -> pd.DataFrame:
    """Closed deals where a demo, the Software industry and a webinar each raise the win rate,
    ``referral`` is yes on only ``RARE_REFERRALS`` deals and ``notes`` is free text (two rows in
    three hold a sentence no other row has)."""
    rng = np.random.default_rng(seed)
    demo, webinar = rng.random(n) < 0.4, rng.random(n) < 0.4
    industry = rng.choice(["Software", "Retail", "Health"], n)
    referral = np.zeros(n, bool)
    referral[rng.choice(n, RARE_REFERRALS, replace=False)] = True
    won = rng.random(n) < 0.08 + 0.35 * demo + 0.25 * (industry == "Software") + 0.25 * webinar
    words = ["call", "back", "budget", "next", "quarter", "pilot", "legal", "review", "champion"]
    return pd.DataFrame(
        {
            "deal_id": [f"D{i:04d}" for i in range(n)],
            "company": [f"Company {i}" for i in range(n)],
            "close_date": pd.date_range("2025-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "outcome": np.where(won, "Closed Won", "Closed Lost"),
            "demo_requested": np.where(demo, "yes", "no"),
            "webinar": np.where(webinar, "yes", "no"),
            "industry": industry,
            "referral": np.where(referral, "yes", "no"),
            "notes": [
                " ".join(rng.choice(words, 5)) + f" #{i}" if i % 3 else "no notes" for i in range(n)
            ],
        }
    )


@pytest.fixture(scope="session")
def planted_analysis(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``analysis.json`` of ``planted_deals`` built with ``PLANTED_CAPACITY``, as ``leadscore
    build deals.csv --config config.yaml`` writes it. Read it, never change it in place."""
    folder = tmp_path_factory.mktemp("planted-build")
    planted_deals().to_csv(folder / "deals.csv", index=False)
    (folder / "config.yaml").write_text(PLANTED_CAPACITY)
    result = build_model(load_deals(folder / "deals.csv", folder / "config.yaml"))
    return analysis.load(result.write(folder / "model")["analysis"])
