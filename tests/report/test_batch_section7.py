"""Section 7 of the report: every heading, counts that match the scores, capped tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from service.report.batch import render_section7
from service.scoring.engine import score_frame
from service.scoring.rules import parse_rules
from tests.scoring.conftest import tiny_rules_data

HEADINGS = [
    "### 7.1 Scoring Summary",
    "### 7.2 Hot Leads -- Immediate Action Required",
    "### 7.3 Warm Leads -- Work This Week",
    "### 7.4 Cool Leads -- Nurture Candidates",
    "### 7.5 Cold Leads -- Deprioritize or Remove",
    "### 7.6 Score Distribution Visualization",
]


def _leads(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def holes(values: np.ndarray, share: float) -> pd.Series:
        return pd.Series(values).mask(rng.random(n) < share)

    return pd.DataFrame(
        {
            "lead_id": [f"L{i:04d}" for i in range(n)],
            "company": [f"Company {i}" for i in range(n)],
            "contact_name": [f"Person {i}" for i in range(n)],
            "contact_title": rng.choice(["CTO", "Analyst"], n),
            "industry": holes(rng.choice(["Healthcare", "Retail"], n), 0.1),
            "employees": holes(rng.integers(1, 900, n).astype(float), 0.1),
            "pricing_views": holes(rng.integers(0, 6, n).astype(float), 0.1),
            "webinar": holes(rng.choice(["yes", "no"], n), 0.1),
            "demo": holes(rng.choice(["yes", "no"], n), 0.1),
            "careers_only": rng.choice(["no", "no", "yes"], n),
            "student": holes(rng.choice(["no", "yes"], n, p=[0.9, 0.1]), 0.6),
        }
    )


def _render(
    leads: pd.DataFrame, max_rows: int = 50, **overrides: object
) -> tuple[str, pd.DataFrame]:
    rules = parse_rules(tiny_rules_data(**overrides))
    res = score_frame(rules, leads)
    text = render_section7(
        leads,
        res,
        rules,
        id_col="lead_id",
        name_col="company",
        contact_col="contact_name",
        max_rows=max_rows,
    )
    return text, res.scores


def test_every_heading_in_order():
    """Section 7 has its title and the headings 7.1 to 7.6 in order."""
    text, _ = _render(_leads(300, 1))
    positions = [text.index(h) for h in ["## Section 7: Batch Scoring Current Leads", *HEADINGS]]
    assert positions == sorted(positions)


def test_summary_counts_match_the_scores():
    """The 7.1 summary row carries the count and share of every tier."""
    text, scores = _render(_leads(300, 2))
    counts = scores["tier"].value_counts()
    row = next(line for line in text.splitlines() if line.startswith("| 300 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    expected = [
        f"{int(counts.get(t, 0))} ({int(counts.get(t, 0)) / 300:.0%})"
        for t in ("Hot", "Warm", "Cool", "Cold", "Unscoreable")
    ]
    assert cells == ["300", *expected]
    assert counts.get("Unscoreable", 0) > 0  # the sample exercises every row of the table


def test_hot_table_ranks_by_score_with_dimension_breakdown():
    """7.2 lists Hot leads by descending score with each dimension as x/max and an action."""
    text, scores = _render(_leads(300, 3))
    section = text.split("### 7.2")[1].split("### 7.3")[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    hot = scores[scores["tier"] == "Hot"]
    assert len(rows) == len(hot) > 0
    listed = [int(r.split("|")[4]) for r in rows]
    assert listed == sorted(hot["total"], reverse=True)
    first = hot.sort_values("total", ascending=False, kind="stable").iloc[0]
    assert f"| {first['firmographic']}/20 | {first['behavioral']}/30 |" in rows[0]
    assert "Call within 1 hour; open with:" in rows[0]


def test_warm_rows_show_gap_to_hot():
    """7.3 shows each Warm lead's gap to the Hot threshold in points."""
    text, scores = _render(_leads(300, 4))
    section = text.split("### 7.3")[1].split("### 7.4")[0]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    warm = scores[scores["tier"] == "Warm"]
    assert len(rows) == min(len(warm), 50)
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[5] == f"{40 - int(cells[3])} point" + ("s" if 40 - int(cells[3]) != 1 else "")


def test_long_tables_are_capped_and_say_how_many_more():
    """Tables stop at max_rows and state how many leads they leave out."""
    text, scores = _render(_leads(400, 5), max_rows=5)
    cold = int((scores["tier"] == "Cold").sum())
    assert cold > 5
    assert f"…and {cold - 5:,} more Cold leads" in text
    section = text.split("### 7.5")[1].split("### 7.6")[0]
    assert (
        len(
            [
                line
                for line in section.splitlines()
                if line.startswith("| Company ") and "| Contact |" not in line
            ]
        )
        == 5
    )


def test_histogram_counts_every_scoreable_lead():
    """The 7.6 histogram's bins add up to the scoreable leads and use bins of 10."""
    text, scores = _render(_leads(300, 6))
    section = text.split("### 7.6")[1]
    counts = [int(m.replace(",", "")) for m in re.findall(r"\(([\d,]+) leads?\)", section)]
    assert sum(counts) == int((~scores["unscoreable"]).sum())
    totals = scores.loc[~scores["unscoreable"], "total"]
    top_bin = int(totals.max()) // 10 * 10
    assert f"{top_bin}-{top_bin + 9}:" in section


def test_unscoreable_leads_listed_with_fields_to_enrich():
    """Unscoreable leads are listed with the empty fields that would let them be scored."""
    leads = _leads(40, 7)
    leads.loc[3, ["industry", "employees", "pricing_views", "demo"]] = np.nan
    text, scores = _render(leads)
    assert bool(scores.loc[3, "unscoreable"])
    row = next(line for line in text.splitlines() if line.startswith("| Company 3 |"))
    assert "industry, employees, pricing_views, demo" in row
    assert "Recommend enriching these leads before scoring." in text


def test_no_leads_in_a_tier_says_so():
    """An empty tier gets a sentence instead of an empty table."""
    text, scores = _render(_leads(50, 8), thresholds={"hot": 500, "warm": 400, "cool": 300})
    assert "No Hot leads (score 500 or more) in this batch." in text
    assert "No Warm leads" in text and "No Cool leads in this batch." in text
    assert set(scores["tier"]) <= {"Cold", "Unscoreable"}


def test_hot_table_explains_deductions_when_columns_do_not_add_up():
    """When a Hot lead's score is below its four dimension columns, 7.2 says deductions explain it."""
    text, scores = _render(_leads(300, 3))
    hot = scores[scores["tier"] == "Hot"]
    deducted = int((hot["negative"] < 0).sum())
    assert deducted > 0  # the planted data has Hot leads with a careers-page or student deduction
    section = text.split("### 7.2")[1].split("### 7.3")[0]
    assert f"{deducted} of these {len(hot)} Hot leads lost points to a negative signal" in section
