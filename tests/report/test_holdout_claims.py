"""What the sample build's report says about held-out deals is what its own ``model.yaml`` does on
those deals: every figure below is measured again here, from the deals file and the rules, with
scikit-learn and statsmodels, and looked for in the written report and rep guide.

Each claim is checked on two builds: ``make demo``'s, and the same sample with impossible values
planted (negative counts, more clicks than opens, a revenue typo) in held-out and training deals.
The audit blanks those values for the fit, but production (``score_frame``, ``leadscore score``,
the daemon) scores the raw value, so the figures must be the engine's on the raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

from service.data.deals import load_deals
from service.health.report import promised_rate
from service.model.analysis_schema import Analysis
from service.scoring.engine import ScoredFrame, score_frame
from service.scoring.rules import Rules, load_rules
from tests.cli import invoke
from tests.conftest import SAMPLE_AS_OF
from tests.report.analysis import at, load
from tests.report.test_document import percent

TIERS = ("Hot", "Warm", "Cool", "Cold")


#: impossible values planted in the sample's deals, in turn: the audit blanks every one of them
PLANTED = (
    ("email_clicks", "-2"),  # a negative count: "under 3" on the raw value
    ("pricing_page_visits", "-1"),
    ("website_visits", "-4"),
    ("employee_count", "-40"),
    ("annual_revenue", "-2500000"),  # a negative revenue
    ("email_clicks", "-1"),
    ("annual_revenue", "12.4M"),  # a revenue typo that is not a number
)
#: how many of the newest deals (held out) and of the oldest (training) get one
PLANTED_NEWEST, PLANTED_OLDEST = 28, 14


def impossible_cells(frame: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """``{row position: (field, value)}``: ``PLANTED`` in turn over the newest deals (the ones
    held out) and the oldest (training)."""
    by_date = frame.sort_values("closed_at", kind="stable").index
    rows = [*by_date[-PLANTED_NEWEST:], *by_date[:PLANTED_OLDEST]]
    return {int(row): PLANTED[k % len(PLANTED)] for k, row in enumerate(rows)}


@pytest.fixture(scope="module")
def impossible_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sample_model``'s flow with ``impossible_cells`` written into the deals before the build."""
    root = tmp_path_factory.mktemp("impossible-model")
    data = root / "data"
    assert invoke("sample-data", "--out", str(data), "--as-of", SAMPLE_AS_OF).code == 0
    frame = pd.read_csv(data / "deals.csv", dtype=str, keep_default_na=False)
    for row, (field, value) in impossible_cells(frame).items():
        frame.loc[row, field] = value
    frame.to_csv(data / "deals.csv", index=False)
    inputs = ["--icp", str(data / "icp.yaml"), "--leads", str(data / "leads.csv")]
    result = invoke("build", str(data / "deals.csv"), *inputs, "--out", str(root / "model"))
    assert result.code == 0, result.output
    return root


@dataclass(frozen=True)
class HeldOut:
    """The held-out deals of a build scored by the model it wrote, and its files."""

    scored: ScoredFrame
    won: np.ndarray
    report: str
    guide: str
    analysis: Analysis
    rules: Rules
    deals: pd.DataFrame  # every row of the deals file, as ``leadscore score`` reads it
    outcome: pd.Series  # the outcome column as the file spells it

    def tier(self, name: str) -> tuple[int, int]:
        """Deals and wins of one tier."""
        inside = (self.scored.scores["tier"] == name).to_numpy()
        return int(inside.sum()), int(self.won[inside].sum())


@pytest.fixture(scope="module", params=["sample", "impossible values"])
def held_out(request: pytest.FixtureRequest) -> HeldOut:
    """The deals ``analysis.json`` lists as held out, scored by the engine on their raw values
    with the written ``model.yaml``, with the outcome as the file spells it."""
    name = "sample_model" if request.param == "sample" else "impossible_model"
    root: Path = request.getfixturevalue(name)
    model = root / "model"
    analysis = load(model / "analysis.json")
    rows = at(analysis, "validation.holdout_rows")
    deals = load_deals(root / "data" / "deals.csv", None).table.frame
    outcome = pd.read_csv(root / "data" / "deals.csv", usecols=["outcome"])["outcome"]
    assert set(outcome.loc[rows]) == {"won", "lost"}  # the misspelt outcomes are never held out
    rules = load_rules(model / "model.yaml")
    return HeldOut(
        scored=score_frame(rules, deals.loc[rows]),
        won=(outcome.loc[rows] == "won").to_numpy(),
        report=(model / "lead-scoring-model.md").read_text(encoding="utf-8"),
        guide=(model / "rep-guide.md").read_text(encoding="utf-8"),
        analysis=analysis,
        rules=rules,
        deals=deals,
        outcome=outcome,
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

    def test_headline(self, held_out: HeldOut) -> None:
        """The headline signal's win rate with and without it is measured on the held-out deals."""
        built_analysis = held_out.analysis
        fires = held_out.scored.fires[at(built_analysis, "headline.name")].to_numpy(bool)
        with_it, without_it = held_out.won[fires], held_out.won[~fires]
        assert with_it.mean() > without_it.mean()
        assert (
            f"**{at(built_analysis, 'headline.label')}**" in held_out.report
            and f"those with it won {percent(with_it.mean())} of the time ({fires.sum()} deals) "
            f"against {percent(without_it.mean())} without it"
            in " ".join(held_out.report.split())
        )


def _training_rows(held_out: HeldOut) -> list[int]:
    """The deals the model was fitted on: closed, not a duplicate, not held out."""
    dropped = {
        r - 1
        for p in held_out.analysis.audit.problems
        if p.kind in ("duplicate", "duplicate_id", "duplicate_except_id")
        for r in p.rows
    }
    held = set(held_out.analysis.validation.holdout_rows)
    closed = held_out.outcome.isin(["won", "lost"])
    return [i for i in held_out.deals.index[closed] if i not in dropped and i not in held]


class TestHeldOutFiguresAreProductions:
    """Every held-out and calibration figure comes from the engine's scores of the raw rows."""

    def test_every_held_out_score_and_tier_is_the_engines(self, held_out: HeldOut) -> None:
        """Each held-out deal's recorded score and tier are what ``score_frame`` gives its raw
        row with the written model.yaml, impossible values included."""
        recorded = [(h.score, h.tier) for h in held_out.analysis.validation.holdout_scores]
        engine = held_out.scored.scores
        assert recorded == list(zip(engine["total"], engine["tier"], strict=True))
        assert [h.won for h in held_out.analysis.validation.holdout_scores] == list(held_out.won)

    def test_auc_tiers_calibration_and_promised_rates(self, held_out: HeldOut) -> None:
        """The AUC, each tier's held-out deals and wins, the calibration's actual rates and the
        rate the health check and dashboard promise are those of the engine's tiers."""
        val = held_out.analysis.validation
        total = held_out.scored.scores["total"].to_numpy()
        assert val.auc == round(roc_auc_score(held_out.won, total), 4)
        calibration = {c.tier: c for c in val.calibration}
        for row in held_out.analysis.tiers:
            n, won = held_out.tier(row.tier)
            assert (row.holdout_n, row.holdout_won) == (n, won)
            assert (calibration[row.tier].n, calibration[row.tier].won) == (n, won)
            # a tier no held-out deal reached promises its training rate
            promised = won / n if n else row.expected_conversion
            assert promised_rate(row)[0] == pytest.approx(promised)

    def test_top_decile_lift(self, held_out: HeldOut) -> None:
        """The top tenth of held-out deals by the engine's score wins as often as recorded."""
        top = held_out.analysis.validation.deciles[0]
        total = held_out.scored.scores["total"].to_numpy()
        order = np.argsort(-total, kind="stable")[: top.n]
        assert top.won == int(held_out.won[order].sum())
        assert top.lift == pytest.approx(held_out.won[order].mean() / held_out.won.mean())

    def test_thresholds_cut_the_engines_training_scores(self, held_out: HeldOut) -> None:
        """Each tier's training deals and win rate (the build's calibration, and the promise for
        a tier the holdout could not measure) are those of the engine on the raw training rows."""
        rows = _training_rows(held_out)
        assert len(rows) == held_out.analysis.train_n
        scored = score_frame(held_out.rules, held_out.deals.loc[rows]).scores
        won = (held_out.outcome.loc[rows] == "won").to_numpy()
        for row in held_out.analysis.tiers:
            low = -np.inf if row.min_score is None else row.min_score
            high = np.inf if row.max_score is None else row.max_score
            inside = scored["total"].between(low, high).to_numpy()
            assert (row.n, row.won_n) == (int(inside.sum()), int(won[inside].sum())), row.tier


def test_the_planted_impossible_values_move_held_out_scores(impossible_model: Path) -> None:
    """The audit blanks every planted value, and blanking them would change held-out scores:
    the build the claims above check is one where the blanked and raw scores differ."""
    analysis = load(impossible_model / "model" / "analysis.json")
    rules = load_rules(impossible_model / "model" / "model.yaml")
    file = pd.read_csv(impossible_model / "data" / "deals.csv", dtype=str, keep_default_na=False)
    planted = {row: field for row, (field, _) in impossible_cells(file).items()}
    blanked = {
        (r - 1, p.field)
        for p in analysis.audit.problems
        if p.kind in ("impossible_value", "unparseable_number")
        for r in p.rows
    }
    assert set(planted.items()) <= blanked
    rows = analysis.validation.holdout_rows
    raw = load_deals(impossible_model / "data" / "deals.csv", None).table.frame.loc[rows]
    audited = raw.copy()
    for row, field in planted.items():
        if row in audited.index:
            audited[field] = audited[field].astype(object)
            audited.loc[row, field] = None
    moved = score_frame(rules, raw).scores["total"] != score_frame(rules, audited).scores["total"]
    assert moved.sum() >= 3, moved.sum()
