"""Numbers in the daemon's lead copy read back as numbers, as ``leadscore build --leads`` reads
the same leads from a file, on SQLite and on PostgreSQL state; recalibration's audit then compares
them with the closed deals' numbers, not as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from connectors.base import LeadRecord
from service.daemon import recalibrate as recal
from service.daemon.context import Daemon
from service.daemon.metrics import Metrics
from service.daemon.rules_watch import RulesWatcher
from service.data.current_leads import CurrentLeads
from service.data.io import read_table
from service.state.leads import LeadState
from service.state.store import StateStore
from tests.daemon.conftest import T0, Clock, local_connector, settings_for
from tests.fakes.local import LocalFake
from tests.state.test_store import store  # noqa: F401  (the fixture: both stores)

#: the copy's chunks: small, so some chunks have no value in the sparse column
CHUNK = 7


def gappy_leads(n: int = 60) -> pd.DataFrame:
    """Leads as a CRM returns them: numbers with emptied fields (``""``, as the benchmark's
    ``generate_leads`` writes them) and missing ones, a sparse number field (whole chunks
    without a value), a number field with one text value in it, a full integer field, text,
    and booleans with and without gaps."""
    rng = np.random.default_rng(4)
    employees = rng.integers(1, 5000, n).astype(object)
    employees[rng.random(n) < 0.2] = ""
    revenue = (rng.lognormal(15, 1.5, n)).round(-3).astype(object)
    revenue[rng.random(n) < 0.2] = None
    sparse = np.full(n, "", dtype=object)
    sparse[[3, 40]] = [2.5, 7]
    seats = rng.integers(1, 9, n).astype(object)
    seats[[5, 30]] = ["", "a few"]  # text in one chunk: the whole column is text
    webinar = (rng.random(n) < 0.5).astype(object)
    webinar[rng.random(n) < 0.1] = None  # booleans with gaps
    return pd.DataFrame(
        {
            "lead_id": [f"L{i:03d}" for i in range(n)],
            "employee_count": employees,
            "annual_revenue": revenue,
            "funding_rounds": sparse,
            "seats": seats,
            "email_opens": rng.integers(0, 20, n),
            "industry": rng.choice(["Software", "Retail", "N/A"], n),
            "demo_requested": rng.random(n) < 0.3,
            "webinar_attended": webinar,
        }
    )


def records(frame: pd.DataFrame) -> list[LeadRecord]:
    """The frame's rows as the CRM's leads (missing values absent, as a CRM omits them)."""
    out = []
    for row in frame.to_dict("records"):
        attrs = {k: v for k, v in row.items() if k != "lead_id" and v is not None}
        out.append(LeadRecord(str(row["lead_id"]), "Lead", T0, attrs))
    return out


def file_read(frame: pd.DataFrame, tmp_path: Path) -> pd.DataFrame:
    """The leads as ``leadscore build --leads leads.csv`` reads them."""
    path = tmp_path / "leads.csv"
    frame.to_csv(path, index=False)
    return read_table(path).frame.set_index("lead_id")


def test_gappy_numbers_read_back_as_the_leads_file_reads_them(
    store: StateStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Each column of the copy, read in chunks, is numbers exactly where the file's is and holds
    the same values (booleans stay booleans, as a Parquet file's: the same text); the audit's
    survey of it equals the survey of the file's frame."""
    leads = gappy_leads()
    state = LeadState(store)
    state.upsert_leads("local", records(leads), T0)
    fields = [c for c in leads.columns if c != "lead_id"]
    copy = state.lead_frame("local", fields, chunk=CHUNK)
    filed = file_read(leads, tmp_path)[sorted(fields)]
    numbers = ["annual_revenue", "email_opens", "employee_count", "funding_rounds"]
    assert [c for c in filed if pd.api.types.is_numeric_dtype(filed[c])] == numbers
    assert [c for c in copy if is_number(copy[c])] == numbers
    pd.testing.assert_frame_equal(copy[numbers], filed[numbers], check_names=False)
    text = [c for c in filed if c not in numbers]
    as_text = lambda f: f[text].astype("string")  # noqa: E731
    pd.testing.assert_frame_equal(as_text(copy), as_text(filed), check_names=False)
    assert pd.isna(copy.loc["L005", "seats"]) and copy.loc["L006", "seats"] == "1"  # not 1.0

    known = {c: {"1", "4", "software"} for c in fields}
    kinds = state.field_kinds("local", fields, chunk=CHUNK)
    chunked = CurrentLeads(lambda: state.lead_frames("local", fields, chunk=CHUNK, kinds=kinds))
    surveyed = chunked.survey(known, numeric=numbers)
    assert surveyed.pop("demo_requested").numeric  # a boolean column (the file's is text)
    expected = CurrentLeads.of_frame(filed).survey(known, numeric=numbers)
    expected.pop("demo_requested")
    assert surveyed == expected


def is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def test_a_chunk_reads_a_column_as_the_whole_copy_holds_it(store: StateStore) -> None:  # noqa: F811
    """A chunk whose values are all numbers holds text where the copy holds text elsewhere, and
    a chunk without a value holds a numeric column as numbers (NaN), not as empty text."""
    leads = gappy_leads()
    state = LeadState(store)
    state.upsert_leads("local", records(leads), T0)
    fields = ["funding_rounds", "seats"]
    parts = [part for part, _ in state.lead_frames("local", fields, chunk=CHUNK)]
    assert {str(p["funding_rounds"].dtype) for p in parts} == {"float64"}
    assert all(not pd.api.types.is_numeric_dtype(p["seats"]) for p in parts)


# -- recalibration's audit -----------------------------------------------------------------------

PLANTED = "partner_tier"


def _daemon(tmp_path: Path, store: StateStore, rules_file: Path, fake: LocalFake) -> Daemon:  # noqa: F811
    connector = local_connector(fake)
    clock = Clock()
    return Daemon(
        settings=settings_for(tmp_path, rules_file),
        store=store,
        rules=RulesWatcher(rules_file),
        connect=lambda: nullcontext(connector),
        clock=clock,
        metrics=Metrics(),
    )


def process_flagged(folder: Path) -> dict[str, float]:
    """The fields recalibration's audit flags as "the open leads' values never occur on a
    closed deal", with the share of such values."""
    analysis = json.loads((folder / "analysis.json").read_text())
    return {
        s["field"]: e["unseen_share"]
        for s in analysis["audit"]["suspected_leakage"]
        for e in s["evidence"]
        if e["kind"] == "process_field" and e.get("unseen_share") is not None
    }


def recalibrated(
    tmp_path: Path,
    store: StateStore,  # noqa: F811
    rules_file: Path,
    gaps: Callable[[pd.DataFrame], pd.DataFrame],
) -> dict[str, float]:
    """Recalibrate on 400 sample deals and 150 leads in the lead copy (``gaps`` applied to
    the leads), with a planted field whose lead values no deal has; the flagged fields."""
    from connectors.local import LocalCRM
    from service.sample import generate

    data = generate(deals=400, leads=150, seed=3)
    rng = np.random.default_rng(1)
    deals = data.deals.assign(**{PLANTED: rng.choice(["Gold", "Silver"], len(data.deals))})
    crm = LocalCRM(tmp_path / "crm.db")
    crm.load_frames(deals=deals, leads=data.leads, activities=data.activities)
    crm.close()
    fake = LocalFake(tmp_path / "crm.db")
    try:
        d = _daemon(tmp_path, store, rules_file, fake)
        with d.connect() as conn:
            pulled = list(conn.iter_leads(since=None))
        frame = pd.DataFrame([r.attributes for r in pulled], index=[r.id for r in pulled])
        frame[PLANTED] = rng.choice(["Platinum", "Bronze"], len(frame))
        frame = gaps(frame)
        copies = [
            LeadRecord(r.id, r.object_type, r.modified_at, _present(frame.loc[r.id]), r.owner)
            for r in pulled
        ]
        d.leads.upsert_leads("local", copies, d.clock())
        return process_flagged(Path(recal.recalibrate(d)["folder"]))
    finally:
        fake.close()


def _present(row: pd.Series) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not (v is None or (isinstance(v, float) and v != v))}


def _emptied(frame: pd.DataFrame) -> pd.DataFrame:
    """Every number field emptied (``""``) for about one lead in six, as a CRM returns a field
    a rep cleared."""
    rng = np.random.default_rng(2)
    out = frame.copy()
    for col in ["employee_count", "annual_revenue", "email_opens", "website_visits"]:
        values = out[col].astype(object)
        values[rng.random(len(out)) < 1 / 6] = ""
        out[col] = values
    return out


@pytest.mark.slow
def test_recalibration_compares_gappy_numbers_as_numbers(
    tmp_path: Path,
    store: StateStore,  # noqa: F811
    rules_file: Path,
) -> None:
    """Numbers with emptied values, in the closed deals' range, are not flagged as values no
    closed deal has; the planted field whose lead values no deal shows is, with all its values."""
    flagged = recalibrated(tmp_path, store, rules_file, _emptied)
    assert flagged == {PLANTED: 1.0}


# -- scoring from the copy -------------------------------------------------------------------------

#: a flag on a count (2 webinars fire it, as any number above 0 does) and a range
COUNT_RULES = """\
version: "c1"
dimensions:
  firmographic: {max_points: 50}
  behavioral: {max_points: 50}
  engagement: {max_points: 10}
  intent: {max_points: 10}
signals:
  - {name: webinars, label: "Attended webinars", dimension: behavioral, points: 40,
     when: [{kind: flag, field: webinars}]}
  - {name: big, label: "200+ employees", dimension: firmographic, points: 10,
     when: [{kind: range, field: employee_count, min: 200}]}
thresholds: {hot: 60, warm: 30, cool: 15}
"""


def test_a_cached_lead_scores_as_the_scored_file_does_whatever_its_batch(tmp_path: Path) -> None:
    """A lead with 2 webinars scores the same from the copy alone, beside a lead whose count
    was emptied (``""``: the column read as text, where ``"2"`` is no flag, before), and in a
    file of both scored by ``leadscore score``."""
    import yaml

    from service.daemon.updates import leads_frame
    from service.scoring.batch import score_leads
    from service.scoring.engine import score_frame
    from service.scoring.rules import parse_rules
    from service.state.leads import CachedLead

    rules = parse_rules(yaml.safe_load(COUNT_RULES))
    a = CachedLead("a", "Lead", None, None, {"webinars": 2, "employee_count": 250}, T0)
    b = CachedLead("b", "Lead", None, None, {"webinars": "", "employee_count": ""}, T0)
    alone = score_frame(rules, leads_frame([a])).scores.loc["a", "total"]
    together = score_frame(rules, leads_frame([a, b])).scores
    path = tmp_path / "leads.csv"
    pd.DataFrame([{"id": "a", **a.attributes}, {"id": "b", **b.attributes}]).to_csv(
        path, index=False
    )
    filed = score_leads(path, rules).result.scores["total"].to_numpy()
    assert together.loc["a", "total"] == alone == filed[0] > together.loc["b", "total"]
    assert together.loc["b", "total"] == filed[1]


def test_the_health_check_reads_the_copy_as_the_leads_file_reads_it(
    store: StateStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The model-health job's one-frame read of the copy holds numbers where the file does."""
    from types import SimpleNamespace

    from service.daemon.health_job import lead_copy

    leads = gappy_leads()
    LeadState(store).upsert_leads("local", records(leads), T0)
    fields = [c for c in leads.columns if c != "lead_id"]
    frame, _recent = lead_copy(SimpleNamespace(store=store), "local", T0, fields)  # type: ignore[arg-type]
    filed = file_read(leads, tmp_path)
    numbers = ["annual_revenue", "email_opens", "employee_count", "funding_rounds"]
    assert [c for c in sorted(fields) if is_number(frame[c])] == numbers
    pd.testing.assert_frame_equal(frame[numbers], filed[numbers], check_names=False)


def test_reading_only_the_rules_fields_scores_every_lead_the_same() -> None:
    """The daemon builds its scoring frame from the attributes the rules read only: on sample
    leads (placeholders, gappy numbers, text codes) every total, tier, dimension and fired
    signal equals the scoring of the frame with every attribute."""
    from benchmarks.scoring import generate_leads
    from service.daemon.updates import leads_frame
    from service.scoring.engine import score_frame
    from service.scoring.rules import load_rules
    from service.state.leads import CachedLead, plain_attributes

    rules = load_rules(Path(__file__).resolve().parents[2] / "rules" / "example.yaml")
    fields = {f for s in rules.signals for f in s.fields}
    raw = generate_leads(3000, seed=7).to_dict("records")
    leads = [
        CachedLead(
            f"L{i}", "Lead", None, None, plain_attributes(json.loads(json.dumps(a)))[0], None
        )
        for i, a in enumerate(raw)
    ]
    whole = leads_frame(leads)
    assert set(whole.columns) - fields  # the leads carry attributes the rules do not read
    full, only = score_frame(rules, whole), score_frame(rules, leads_frame(leads, fields))
    assert set(leads_frame(leads, fields).columns) <= fields
    pd.testing.assert_frame_equal(only.scores, full.scores)
    pd.testing.assert_frame_equal(only.fires, full.fires)
    assert full.scores["tier"].nunique() >= 3
