"""What the sample build's report says about held-out deals is what its own ``model.yaml`` does on
those deals: every figure below is measured again here, from the deals file and the rules, with
scikit-learn and statsmodels, and looked for in the written report and rep guide."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from service.data.deals import load_deals
from service.scoring.engine import ScoredFrame, score_frame
from service.scoring.rules import load_rules
from tests.report.analysis import at
from tests.report.test_document import percent

TIERS = ("Hot", "Warm", "Cool", "Cold")


@dataclass(frozen=True)
class HeldOut:
    """The held-out deals of the sample build scored by the model it wrote, and its files."""

    scored: ScoredFrame
    won: np.ndarray
    report: str
    guide: str

    def tier(self, name: str) -> tuple[int, int]:
        """Deals and wins of one tier."""
        inside = (self.scored.scores["tier"] == name).to_numpy()
        return int(inside.sum()), int(self.won[inside].sum())


@pytest.fixture(scope="module")
def held_out(sample_model: Path, built_analysis: Any) -> HeldOut:
    """The deals ``analysis.json`` lists as held out, with the outcome as the file spells it."""
    rows = at(built_analysis, "validation.holdout_rows")
    deals = load_deals(sample_model / "data" / "deals.csv", None).table.frame.loc[rows]
    outcome = pd.read_csv(sample_model / "data" / "deals.csv", usecols=["outcome"])["outcome"]
    assert set(outcome.loc[rows]) == {"won", "lost"}  # the misspelt outcomes are never held out
    rules = load_rules(sample_model / "model" / "model.yaml")
    model = sample_model / "model"
    return HeldOut(
        scored=score_frame(rules, deals),
        won=(outcome.loc[rows] == "won").to_numpy(),
        report=(model / "lead-scoring-model.md").read_text(encoding="utf-8"),
        guide=(model / "rep-guide.md").read_text(encoding="utf-8"),
    )


def rate_with_interval(deals: int, won: int) -> str:
    """``75% (30% to 95%, 4 deals)``: the rate and its Wilson 95% interval (statsmodels)."""
    low, high = proportion_confint(won, deals, alpha=0.05, method="wilson")
    return f"{percent(won / deals)} ({percent(low)} to {percent(high)}, {deals} deals)"


class TestHoldoutClaims:
    """The executive summary, Sections 4.2 and 6.1 and the rep guide against the held-out deals."""

    def test_holdout_size(self, held_out: HeldOut) -> None:
        """6.1 names the number of held-out deals and how many were won and lost."""
        n, won = len(held_out.won), int(held_out.won.sum())
        assert 0 < won < n
        assert f"Holdout Set: {n} deals ({won} won, {n - won} lost)" in held_out.report

    def test_tier_rates(self, held_out: HeldOut) -> None:
        """Each tier's win rate and interval in 4.2 and in the rep guide, its deals and wins in
        6.1 and its rate in the executive summary are those of the held-out deals in that tier."""
        table = held_out.report.split("### 4.2")[1].split("### 4.3")[0]
        per_tier = held_out.report.split("### 6.1")[1].split("### 6.2")[0]
        summary = held_out.report.split("## Executive Summary")[1].split("## Section 1")[0]
        assert sum(held_out.tier(t)[0] for t in TIERS) == len(held_out.won)
        for tier in TIERS:
            n, won = held_out.tier(tier)
            assert n > 0, tier  # the sample puts held-out deals in every tier
            shown = rate_with_interval(n, won)
            for text in (table, held_out.guide):
                row = next(line for line in text.splitlines() if line.startswith(f"| {tier} |"))
                assert shown in row, (tier, row)
            assert f"| {tier} | {n} | {won} | {percent(won / n)} |" in per_tier
            assert f"{tier} {percent(won / n)}" in summary

    def test_auc(self, held_out: HeldOut) -> None:
        """The AUC in 6.1 and the summary is scikit-learn's on the held-out scores."""
        auc = roc_auc_score(held_out.won, held_out.scored.scores["total"])
        assert f"Holdout AUC {auc:.3f}" in held_out.report
        assert f"| AUC-ROC | {auc:.2f} |" in held_out.report
        assert f"Discrimination (AUC) on the holdout was {auc:.2f}." in held_out.report

    def test_top_two_tiers(self, held_out: HeldOut) -> None:
        """The summary's share of deals and of wins in Hot and Warm, and the gain over random."""
        top = held_out.scored.scores["tier"].isin(["Hot", "Warm"]).to_numpy()
        deals, wins = top.mean(), held_out.won[top].sum() / held_out.won.sum()
        assert (
            f"the top two tiers (Hot and Warm) held {percent(deals)} of the deals and "
            f"{percent(wins)} of the eventual wins: a rep working only those tiers reaches "
            f"{wins / deals:.1f} times as many wins" in " ".join(held_out.report.split())
        )

    def test_headline(self, held_out: HeldOut, built_analysis: Any) -> None:
        """The headline signal's win rate with and without it is measured on the held-out deals."""
        fires = held_out.scored.fires[at(built_analysis, "headline.name")].to_numpy(bool)
        with_it, without_it = held_out.won[fires], held_out.won[~fires]
        assert with_it.mean() > without_it.mean()
        assert (
            f"**{at(built_analysis, 'headline.label')}**" in held_out.report
            and f"those with it won {percent(with_it.mean())} of the time ({fires.sum()} deals) "
            f"against {percent(without_it.mean())} without it"
            in " ".join(held_out.report.split())
        )
