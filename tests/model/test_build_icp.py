"""The stated ICP against the deals: verdicts from a hand-made table, and bad ICP files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact
from statsmodels.stats.proportion import proportions_ztest

from service.errors import ConfigError
from service.model.icp import compare_icp, load_icp, parse_range


def _deals() -> tuple[pd.DataFrame, pd.Series]:
    # Healthcare wins 60/100, Retail 10/100, Tech 30/100; size 300-900 wins more than the rest
    industry = ["Healthcare"] * 100 + ["Retail"] * 100 + ["Tech"] * 100
    won = [1] * 60 + [0] * 40 + [1] * 10 + [0] * 90 + [1] * 30 + [0] * 70
    employees = np.tile([500, 5000], 150)
    frame = pd.DataFrame({"industry": industry, "employee_count": employees, "region": "EMEA"})
    return frame, pd.Series(won)


def test_stated_industry_that_loses_is_contradicted_with_the_measured_p_value():
    """Retail-only ICP: inside wins 10% vs 45% outside, a z-test p-value as statsmodels gives."""
    frame, y = _deals()
    rows = compare_icp({"industries": ["Retail"]}, frame, y)
    row = rows[0]
    assert row["verdict"] == "contradicted"
    assert row["win_rate_inside"] == pytest.approx(0.10)
    assert row["win_rate_outside"] == pytest.approx(0.45)
    assert row["p_value"] == pytest.approx(proportions_ztest([10, 90], [100, 200])[1])
    assert "Healthcare (60% win rate" in row["observed"]


def test_stated_industry_that_wins_is_confirmed():
    """Healthcare-only ICP is confirmed: it converts significantly better than the rest."""
    frame, y = _deals()
    assert compare_icp({"industry": "Healthcare"}, frame, y)[0]["verdict"] == "confirmed"


def test_small_cells_use_fishers_exact_test():
    """With few deals inside the profile the p-value is Fisher's exact test."""
    frame = pd.DataFrame({"industry": ["A"] * 4 + ["B"] * 40})
    y = pd.Series([1, 1, 1, 1] + [1] * 5 + [0] * 35)
    row = compare_icp({"industries": ["A"]}, frame, y)[0]
    assert row["p_value"] == pytest.approx(fisher_exact([[4, 0], [5, 35]]).pvalue)


def test_range_criteria_and_unmatched_criteria():
    """An employee range is compared inside/outside; a criterion with no column cannot be checked."""
    frame, y = _deals()
    rows = {
        r["criterion"]: r
        for r in compare_icp(
            {"employee_range": "200-2,000", "tech_stack": ["SAP"], "company": "Vendor"}, frame, y
        )
    }
    assert rows["employee range"]["n_inside"] == 150
    assert "won deals concentrate at" in rows["employee range"]["observed"]
    assert rows["tech stack"]["verdict"] == "cannot check"
    assert "company" not in rows  # the vendor's own name is not a criterion


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([200, 2000], (200.0, 2000.0)),
        ("200-2,000", (200.0, 2000.0)),
        ("$20k to $150k", (20000.0, 150000.0)),
        ("500+", (500.0, None)),
        ({"min_annual_contract": 20000, "max_annual_contract": 150000}, (20000.0, 150000.0)),
    ],
)
def test_parse_range_forms(value, expected):
    """Lists, text ranges, open ranges and min/max mappings all read as bounds."""
    assert parse_range(value, "icp.yaml: budget") == expected


def test_unreadable_range_and_bad_file_name_the_file(tmp_path):
    """A range that cannot be read, or an ICP that is not a mapping, is a ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"icp\.yaml: budget: cannot read 'lots'"):
        parse_range("lots", "icp.yaml: budget")
    bad = tmp_path / "icp.yaml"
    bad.write_text("- just\n- a list\n")
    with pytest.raises(ConfigError, match=re.escape(str(bad))):
        load_icp(bad)
    with pytest.raises(ConfigError, match="no such ICP file"):
        load_icp(tmp_path / "missing.yaml")
