"""``leadscore crm load-sample`` and loading CSV-layout frames into the local CRM."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from connectors.local import LocalConnector, LocalCRM
from service.errors import DataFileError
from service.sample import generate
from tests.cli import invoke


def test_load_sample_fills_the_local_crm_that_the_connector_reads(tmp_path: Path) -> None:
    """The command loads the generated data; the connector then reads the same records back."""
    db = tmp_path / "crm.db"
    result = invoke(
        "crm", "load-sample", "--deals", "60", "--leads", "25", "--seed", "3",
        "--as-of", "2025-06-30", "--path", str(db),
    )  # fmt: skip
    assert result.code == 0, result.output
    data = generate(deals=60, leads=25, seed=3, as_of=date(2025, 6, 30))
    n_deals = data.deals["deal_id"].nunique()  # the sample plants duplicate deals; ids collapse
    assert n_deals < len(data.deals)
    assert f"{n_deals} deals, 25 leads" in result.output
    conn = LocalConnector(db)
    deals = list(conn.iter_closed_deals())
    leads = {r.id: r for r in conn.iter_leads()}
    activities = list(conn.iter_activities())
    conn.close()
    assert sorted(d.id for d in deals) == sorted(data.deals["deal_id"].unique())
    last = data.deals.drop_duplicates("deal_id", keep="last").set_index("deal_id")
    outcome = last["outcome"].str.strip().str.lower()
    assert {d.id for d in deals if d.won} == set(outcome[outcome == "won"].index)
    first = data.leads.iloc[0]
    lead = leads[first["lead_id"]]
    assert lead.attributes["industry"] == first["industry"]
    assert lead.owner == first["owner"] and lead.account_id == first["company"]
    assert len(activities) > 0 and all(a.lead_id in leads for a in activities if a.lead_id)


def test_loading_twice_replaces_records_instead_of_duplicating(tmp_path: Path) -> None:
    """Loading the same ids again updates them: counts stay, values change."""
    crm = LocalCRM(tmp_path / "crm.db")
    frame = pd.DataFrame({"lead_id": ["L1", "L2"], "industry": ["Retail", "Retail"]})
    crm.load_frames(leads=frame)
    crm.load_frames(leads=frame.assign(industry=["Banking", "Retail"]))
    crm.close()
    leads = {r.id: r for r in LocalConnector(tmp_path / "crm.db").iter_leads()}
    assert len(leads) == 2 and leads["L1"].attributes["industry"] == "Banking"


def test_a_frame_without_an_id_column_names_the_accepted_names(tmp_path: Path) -> None:
    """A deals frame with no id column is a DataFileError listing the names it accepts."""
    crm = LocalCRM(tmp_path / "crm.db")
    with pytest.raises(
        DataFileError, match=r"deals\.csv/deals: no id column; name one of: deal_id"
    ):
        crm.load_frames(deals=pd.DataFrame({"outcome": ["won"]}), source="deals.csv")
    crm.close()


def test_missing_folder_is_reported(tmp_path: Path) -> None:
    """A CRM path in a folder that does not exist is an error naming the setting."""
    with pytest.raises(DataFileError, match="LEADSCORE_LOCAL__PATH"):
        LocalCRM(tmp_path / "no" / "crm.db")
