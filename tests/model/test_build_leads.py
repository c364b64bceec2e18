"""Building against a leads file keeps to fields leads carry; the ICP names the company."""

from __future__ import annotations

import pandas as pd
import pytest

from service.data.deals import load_deals
from service.errors import DataFileError
from service.model.build import build_model
from service.sample import generate


def test_fields_the_leads_lack_never_become_signals(tmp_path):
    """With lead columns given, a field only deals have (deal_size) gets no signal and a note says so."""
    data = generate(deals=600, leads=30, seed=4)
    paths = data.write(tmp_path)
    deals = load_deals(paths["deals.csv"], None)
    with_deal_size = build_model(deals, icp=paths["icp.yaml"])
    lead_columns = list(data.leads.columns)
    assert "deal_size" not in lead_columns
    result = build_model(deals, icp=paths["icp.yaml"], leads=data.leads)
    used = {f for s in result.rules.signals for f in s.fields}
    assert used <= set(lead_columns)
    assert "deal_size" in result.document()["fields_not_in_leads"]
    assert any("deal_size" in n for n in result.document()["notes"])
    assert "fields_not_in_leads" not in with_deal_size.document()
    shares = [t["share_of_current_leads"] for t in result.document()["tiers"]]
    unscoreable = result.document()["current_leads"]["unscoreable"] / len(data.leads)
    assert sum(shares) + unscoreable == pytest.approx(1.0)


def test_company_name_comes_from_the_icp_when_the_config_has_none(tmp_path):
    """The report header names the vendor from icp.yaml when no config names it."""
    data = generate(deals=300, leads=10, seed=5)
    paths = data.write(tmp_path)
    result = build_model(load_deals(paths["deals.csv"], None), icp=paths["icp.yaml"])
    assert result.document()["company"] == data.icp["company"]


def test_a_leads_file_with_no_deal_field_is_refused(tmp_path):
    """Leads sharing no field with the deals would give a model with no signals: a DataFileError
    naming --leads and the leads' columns instead."""
    data = generate(deals=120, leads=5, seed=2)
    paths = data.write(tmp_path)
    deals = load_deals(paths["deals.csv"], None)
    unrelated = pd.DataFrame({"email": ["a@x.test"], "phone": ["1"]})
    with pytest.raises(DataFileError, match=r"--leads: the leads file has none of") as info:
        build_model(deals, leads=unrelated)
    assert "its columns are email, phone" in str(info.value)
