"""The generated files: determinism, exact counts, realism, planted problems where truth says."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats import spearmanr

from service.errors import InputError
from service.sample import FIELD_DIMENSIONS, FILES, generate
from service.sample.leads import PRE_OUTCOME_FIELDS
from tests.sample.conftest import AS_OF, valid_deals


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_same_seed_writes_identical_files(tmp_path: Path) -> None:
    """Two runs with the same seed and as-of date write byte-identical files."""
    first = generate(deals=60, leads=30, seed=7, as_of=AS_OF).write(tmp_path / "a")
    second = generate(deals=60, leads=30, seed=7, as_of=AS_OF).write(tmp_path / "b")
    assert set(first) == set(FILES)
    for name in FILES:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_different_seed_writes_different_data(tmp_path: Path) -> None:
    """Another seed gives other deals, leads and activities."""
    first = generate(deals=60, leads=30, seed=7, as_of=AS_OF).write(tmp_path / "a")
    second = generate(deals=60, leads=30, seed=8, as_of=AS_OF).write(tmp_path / "b")
    for name in ("deals.csv", "leads.csv", "activities.csv"):
        assert first[name].read_bytes() != second[name].read_bytes(), name


def test_lead_count_does_not_change_the_deals() -> None:
    """Deals come from their own random stream: asking for more leads leaves them alone."""
    few = generate(deals=60, leads=5, seed=3, as_of=AS_OF)
    many = generate(deals=60, leads=80, seed=3, as_of=AS_OF)
    pd.testing.assert_frame_equal(few.deals, many.deals)


def test_default_counts_are_exact(default_data) -> None:
    """The default is 180 valid distinct deals, exactly 62 won and 118 lost, and 340 leads."""
    truth = default_data.truth
    deals = valid_deals(default_data)
    assert (truth["deals"], truth["won"], truth["lost"]) == (180, 62, 118)
    assert len(deals) == 180
    assert deals["outcome"].value_counts().to_dict() == {"lost": 118, "won": 62}
    assert deals["deal_id"].is_unique
    assert (
        truth["rows"] == len(default_data.deals) == 180 + 2 + len(truth["problems"]["duplicates"])
    )
    assert len(default_data.leads) == 340
    assert truth["seed"] == 0 and truth["as_of"] == "2026-11-28"


@pytest.mark.parametrize(("deals", "won"), [(1, 0), (2, 1), (50, 17), (500, 172), (181, 62)])
def test_won_share_scales_with_the_deal_count(deals: int, won: int) -> None:
    """Other deal counts keep the 62/180 won share, rounded, with at least one of each."""
    data = generate(deals=deals, leads=0, seed=0, as_of=AS_OF)
    valid = valid_deals(data)
    assert data.truth["won"] == won and data.truth["lost"] == deals - won
    assert int(valid["outcome"].eq("won").sum()) == won
    assert int(valid["outcome"].eq("lost").sum()) == deals - won


def test_bad_counts_are_input_errors() -> None:
    """Fewer than one deal or negative leads raise an InputError naming the option."""
    with pytest.raises(InputError, match="--deals"):
        generate(deals=0, as_of=AS_OF)
    with pytest.raises(InputError, match="--leads"):
        generate(deals=10, leads=-1, as_of=AS_OF)


def test_deals_look_like_a_crm_export(default_data) -> None:
    """Revenue follows headcount, clicks never exceed opens and pricing views never exceed
    visits (outside the planted impossible rows), and deals close 12 to 24 months back."""
    deals = valid_deals(default_data)
    both = deals[["employee_count", "annual_revenue"]].dropna()
    assert spearmanr(both["employee_count"], both["annual_revenue"]).statistic > 0.8
    impossible = {
        (p["field"], p["row"]) for p in default_data.truth["problems"]["impossible_values"]
    }
    rows = np.arange(1, len(default_data.deals) + 1)
    frame = default_data.deals.assign(_row=rows)
    clicks_rows = set(frame.loc[frame["email_clicks"] > frame["email_opens"], "_row"])
    assert clicks_rows == {r for f, r in impossible if f == "email_clicks"}
    assert (frame["pricing_page_visits"] <= frame["website_visits"]).all()
    closed = pd.to_datetime(deals["closed_at"], errors="coerce", format="%Y-%m-%d").dropna()
    assert closed.max() < pd.Timestamp(AS_OF)
    assert closed.min() >= pd.Timestamp(AS_OF - timedelta(days=730))
    assert (closed.max() - closed.min()).days >= 365
    assert set(FIELD_DIMENSIONS) >= set(PRE_OUTCOME_FIELDS)


def test_booleans_are_written_as_true_false(tmp_path: Path) -> None:
    """Flag columns hold only 'true' and 'false' in the CSV (blank where a lead lacks them)."""
    paths = generate(deals=40, leads=40, seed=0, as_of=AS_OF).write(tmp_path)
    deals, leads = _read(paths["deals.csv"]), _read(paths["leads.csv"])
    for col in ("demo_requested", "webinar_attended", "careers_page_only", "intent_topic_surge"):
        assert set(deals[col]) == {"true", "false"}, col
        assert set(leads[col]) <= {"true", "false", ""}, col


def test_problems_sit_at_the_rows_truth_names(tmp_path: Path, default_data) -> None:
    """Duplicates, impossible values, outcome typos and unparseable dates are in deals.csv at
    the 1-based data rows truth.json gives, and nowhere else."""
    path = default_data.write(tmp_path)["deals.csv"]
    deals = _read(path)
    problems = json.loads((tmp_path / "truth.json").read_text())["problems"]
    assert 3 <= len(problems["duplicates"]) <= 5
    for dup in problems["duplicates"]:
        assert dup["row"] > dup["duplicate_of"]
        assert deals.iloc[dup["row"] - 1].equals(deals.iloc[dup["duplicate_of"] - 1])
    dup_rows = sorted(deals.index[deals.duplicated()] + 1)
    assert dup_rows == sorted(d["row"] for d in problems["duplicates"])

    assert 2 <= len(problems["impossible_values"]) <= 3
    for bad in problems["impossible_values"]:
        assert int(deals.iloc[bad["row"] - 1][bad["field"]]) == bad["value"]
    negative = deals[["employee_count", "deal_size"]].apply(pd.to_numeric).lt(0)
    assert sorted(negative.any(axis=1).to_numpy().nonzero()[0] + 1) == sorted(
        b["row"] for b in problems["impossible_values"] if b["field"] != "email_clicks"
    )

    assert 1 <= len(problems["outcome_typos"]) <= 2
    odd = deals.index[~deals["outcome"].isin(["won", "lost"])] + 1
    assert sorted(odd) == [t["row"] for t in problems["outcome_typos"]]
    for typo in problems["outcome_typos"]:
        assert deals.iloc[typo["row"] - 1]["outcome"] == typo["value"]

    parsed = pd.to_datetime(deals["closed_at"], errors="coerce", format="%Y-%m-%d")
    assert sorted(parsed.index[parsed.isna()] + 1) == [
        d["row"] for d in problems["unparseable_dates"]
    ]


def test_missing_shares_match_truth(default_data) -> None:
    """Planted missing values cover 2-10% of several fields, exactly the shares truth records."""
    missing = default_data.truth["problems"]["missing"]
    assert len(missing) >= 4
    for field, share in missing.items():
        assert share == pytest.approx(default_data.deals[field].isna().mean(), abs=1e-4)
        assert 0.02 <= share <= 0.10, field


def test_leads_have_no_outcome_fields_and_some_are_unscoreable(default_data) -> None:
    """Leads carry the pre-outcome fields only; 3-5% miss most fields and are listed in truth,
    and others miss just a few."""
    leads = default_data.leads
    for col in ("outcome", "loss_reason", "sales_cycle_days", "deal_size", "closed_at"):
        assert col not in leads.columns
    assert set(PRE_OUTCOME_FIELDS) <= set(leads.columns)
    missing = leads[list(PRE_OUTCOME_FIELDS)].isna().sum(axis=1)
    mostly = set(leads.loc[missing > len(PRE_OUTCOME_FIELDS) / 2, "lead_id"])
    assert mostly == set(default_data.truth["leads"]["unscoreable"])
    assert 0.03 <= len(mostly) / len(leads) <= 0.05
    assert ((missing >= 1) & (missing <= 3)).mean() > 0.05
    assert leads["lead_id"].is_unique and leads["email"].str.endswith(".example").all()


def test_activities_match_lead_counts(default_data) -> None:
    """Each lead's clicks, pricing-page views, demo requests and webinars in activities.csv
    equal the counts in leads.csv, all dated in the 90 days before as-of, after creation."""
    leads = default_data.leads.set_index("lead_id")
    acts = default_data.activities
    assert acts["activity_id"].is_unique
    when = pd.to_datetime(acts["occurred_at"], format="%Y-%m-%dT%H:%M:%S")
    assert when.min() >= pd.Timestamp(AS_OF - timedelta(days=90))
    assert when.max() < pd.Timestamp(AS_OF)
    created = pd.to_datetime(leads.loc[acts["lead_id"], "created_at"]).to_numpy()
    assert (when.to_numpy() >= created).all()

    def per_lead(mask: pd.Series) -> pd.Series:
        return acts[mask].groupby("lead_id").size().reindex(leads.index, fill_value=0)

    def expected(col: str) -> pd.Series:
        return pd.to_numeric(leads[col].astype("Float64"), errors="coerce").fillna(0).astype(int)

    assert per_lead(acts["kind"].eq("email_click")).equals(expected("email_clicks"))
    assert per_lead(acts["page"].eq("pricing")).equals(expected("pricing_page_visits"))
    assert per_lead(acts["kind"].eq("demo_request")).equals(expected("demo_requested"))
    assert per_lead(acts["kind"].eq("webinar")).equals(expected("webinar_attended"))
    careers_only = leads["careers_page_only"].fillna(False).astype(bool)
    views = acts[acts["kind"].eq("page_view")]
    only = views.groupby("lead_id")["page"].agg(lambda p: set(p) == {"careers"})
    assert only.reindex(leads.index[careers_only]).fillna(True).all()
    assert set(acts["kind"]) <= {
        "email_open", "email_click", "email_reply", "page_view", "webinar",
        "demo_request", "meeting", "content_download",
    }  # fmt: skip


def test_stated_icp_differs_from_the_data(tmp_path: Path, default_data) -> None:
    """icp.yaml lists a non-converting industry, misses the best one and stretches the size
    range past the planted sweet spot."""
    icp = yaml.safe_load(default_data.write(tmp_path)["icp.yaml"].read_text())
    assert {"industries", "employee_range", "geography", "tech_stack", "budget", "use_case"} <= set(
        icp
    )
    effects = default_data.truth["effects"]
    best = next(e["value"] for e in effects if e["field"] == "industry")
    sweet = next(e["range"] for e in effects if e["field"] == "employee_count")
    assert best not in icp["industries"]
    assert icp["employee_range"] != sweet and icp["employee_range"][1] > sweet[1]
    deals = valid_deals(default_data)
    won = deals["outcome"].eq("won")
    listed_rates = (
        deals[deals["industry"].isin(icp["industries"])]
        .groupby("industry")
        .apply(lambda g: won[g.index].mean(), include_groups=False)
    )
    assert listed_rates.min() < won.mean()


def test_as_of_moves_every_date() -> None:
    """A later as-of date shifts closing, creation and activity dates by the same days."""
    one = generate(deals=40, leads=10, seed=0, as_of=date(2026, 1, 1))
    two = generate(deals=40, leads=10, seed=0, as_of=date(2026, 1, 11))
    a = pd.to_datetime(valid_deals(one)["closed_at"], errors="coerce", format="%Y-%m-%d")
    b = pd.to_datetime(valid_deals(two)["closed_at"], errors="coerce", format="%Y-%m-%d")
    assert ((b - a).dropna().dt.days == 10).all()
    assert two.truth["as_of"] == "2026-01-11"
