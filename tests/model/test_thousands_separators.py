"""A numeric column exported with thousands separators (``5,000``) is the same numbers when the
model is built and when leads are scored: the range signals the build learns on it fire in
``score_frame`` on the raw rows, in ``leadscore score``, in the compiled SQL and in the daemon
exactly as they fire on the plain numbers, and the report's held-out figures are those scores.

The deals are the sample's with one column added, ``contract_value``, whose effect is planted:
won deals are drawn about four times larger than lost ones, and every value is written with
separators (``1,250,000``), as a spreadsheet exports a formatted number column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from service.data.deals import load_deals
from service.data.io import read_table
from service.sample import generate
from service.sample.generator import SampleData
from service.scoring.engine import score_frame
from service.scoring.rules import Range, Rules, load_rules
from tests.cli import invoke

AS_OF = date(2026, 11, 28)
FIELD = "contract_value"


def planted_values(won: np.ndarray, seed: int) -> np.ndarray:
    """Whole numbers from 100 to tens of millions; won deals about four times larger."""
    rng = np.random.default_rng(seed)
    centre = np.where(won, np.log(40_000), np.log(10_000))
    return np.rint(np.exp(rng.normal(centre, 1.2))).astype(np.int64)


def with_separators(values: np.ndarray) -> list[str]:
    return [f"{int(v):,}" for v in values]


@dataclass(frozen=True)
class Built:
    """The planted sample written with separators, and the model built from it."""

    root: Path
    data: SampleData
    deals: Path  # contract_value written with separators
    leads: Path  # the same, for the leads
    plain_deals: pd.DataFrame  # the deals file as read, contract_value as plain numbers
    plain_leads: pd.DataFrame
    rules: Rules
    analysis: dict[str, object]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("separators")
    data = generate(deals=400, leads=60, seed=3, as_of=AS_OF)
    paths = data.write(root / "data")
    deals = pd.read_csv(paths["deals.csv"], dtype=str, keep_default_na=False)
    deal_values = planted_values((deals["outcome"] == "won").to_numpy(), seed=11)
    lead_values = planted_values(np.random.default_rng(5).random(len(data.leads)) < 0.4, seed=12)
    leads = pd.read_csv(paths["leads.csv"], dtype=str, keep_default_na=False)
    for frame, values in ((deals, deal_values), (leads, lead_values)):
        frame[FIELD] = with_separators(values)
        assert frame[FIELD].str.contains(",").mean() > 0.9
    deals.to_csv(paths["deals.csv"], index=False)
    leads.to_csv(paths["leads.csv"], index=False)
    data.leads[FIELD] = with_separators(lead_values)  # the CRM's copy holds the same text
    plain_deals = read_table(paths["deals.csv"]).frame
    plain_deals[FIELD] = deal_values
    plain_leads = read_table(paths["leads.csv"]).frame
    plain_leads[FIELD] = lead_values
    inputs = ["--icp", str(paths["icp.yaml"]), "--leads", str(paths["leads.csv"])]
    result = invoke("build", str(paths["deals.csv"]), *inputs, "--out", str(root / "model"))
    assert result.code == 0, result.output
    return Built(
        root=root,
        data=data,
        deals=paths["deals.csv"],
        leads=paths["leads.csv"],
        plain_deals=plain_deals,
        plain_leads=plain_leads,
        rules=load_rules(root / "model" / "model.yaml"),
        analysis=json.loads((root / "model" / "analysis.json").read_text(encoding="utf-8")),
    )


def range_signals(rules: Rules) -> list[str]:
    return [
        s.name
        for s in rules.signals
        if any(isinstance(c, Range) and c.field == FIELD for c in s.when)
    ]


def test_the_build_learns_range_signals_on_the_separated_column(built: Built) -> None:
    """The planted column gets range signals, and on the deals file as read they fire exactly
    where they fire on the plain numbers (and on some deals, not all)."""
    names = range_signals(built.rules)
    assert names
    raw = load_deals(built.deals, None).table.frame
    assert pd.api.types.is_numeric_dtype(raw[FIELD])  # read_table reads "1,250,000" as a number
    on_raw = score_frame(built.rules, raw).fires[names]
    on_plain = score_frame(built.rules, built.plain_deals).fires[names]
    pd.testing.assert_frame_equal(on_raw, on_plain)
    assert 0 < on_raw.to_numpy().sum() < on_raw.size


def test_held_out_figures_are_the_engines_on_the_raw_rows(built: Built) -> None:
    """Each held-out score recorded for the report is what ``score_frame`` gives the deal's raw
    row (separators and all) and what it gives the same deal with plain numbers."""
    validation = built.analysis["validation"]
    assert isinstance(validation, dict)
    rows = validation["holdout_rows"]
    recorded = [h["score"] for h in validation["holdout_scores"]]
    raw = load_deals(built.deals, None).table.frame.loc[rows]
    on_raw = score_frame(built.rules, raw).scores["total"].tolist()
    on_plain = score_frame(built.rules, built.plain_deals.loc[rows]).scores["total"].tolist()
    assert recorded == on_raw == on_plain
    fired = score_frame(built.rules, raw).fires[range_signals(built.rules)].to_numpy()
    assert fired.any()  # the held-out deals exercise the signals


def test_leadscore_score_reads_the_separated_leads_as_numbers(built: Built, tmp_path: Path) -> None:
    """``leadscore score`` on the leads file as exported gives each lead the score the model
    gives its plain numbers."""
    out = tmp_path / "scored.csv"
    args = ["--model", str(built.root / "model" / "model.yaml"), "--out", str(out)]
    result = invoke("score", str(built.leads), *args, "--no-update-report")
    assert result.code == 0, result.output
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    expected = score_frame(built.rules, built.plain_leads)
    assert scored["Lead_Score_Total"].astype(int).tolist() == expected.scores["total"].tolist()
    assert scored[FIELD].tolist() == with_separators(built.plain_leads[FIELD].to_numpy())
    assert expected.fires[range_signals(built.rules)].to_numpy().any()


def test_compiled_sql_reads_the_separated_text_as_numbers(built: Built) -> None:
    """The compiled SQL (DuckDB) on the leads as text gives every lead the plain numbers' score."""
    from tests.scoring.sql_engines import run_duckdb

    raw = pd.read_csv(built.leads, dtype=str, keep_default_na=False)
    got = run_duckdb(raw, built.rules).set_index("lead_id").loc[raw["lead_id"]]
    expected = score_frame(built.rules, built.plain_leads).scores["total"]
    assert got["Lead_Score_Total"].astype(int).tolist() == expected.tolist()


def test_the_daemon_scores_a_lead_carrying_the_text_as_the_number(
    built: Built, tmp_path: Path
) -> None:
    """A pass of the daemon over the CRM's leads, whose ``contract_value`` is the text
    ``1,250,000``, writes each lead the score of its plain numbers."""
    from connectors.local import LocalCRM
    from service.daemon.cycle import run_cycle
    from tests.daemon.conftest import Clock, local_connector, make_daemon
    from tests.fakes.local import LocalFake

    fake = LocalFake(tmp_path / "crm.db")
    try:
        crm = LocalCRM(fake.path)
        try:
            crm.load_frames(leads=built.data.leads, activities=built.data.activities, source="t")
        finally:
            crm.close()
        clock = Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
        rules = built.root / "model" / "model.yaml"
        report = run_cycle(make_daemon(tmp_path, rules, clock, local_connector(fake)))
        assert report.scored == len(built.plain_leads)
        expected = score_frame(built.rules, built.plain_leads).scores["total"]
        for lead_id, total in zip(built.plain_leads["lead_id"], expected, strict=True):
            assert fake.score_of(lead_id, "Total") == total, lead_id
    finally:
        fake.close()
