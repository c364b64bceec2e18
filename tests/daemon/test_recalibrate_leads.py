"""Recalibration reads the daemon's lead copy a chunk at a time and builds the same candidate as
a build given every lead in one frame."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from service.daemon import recalibrate as recal
from service.state.leads import LeadState
from tests.daemon.conftest import Clock, local_connector, make_daemon
from tests.fakes.local import LocalFake

CHUNK = 7


@pytest.fixture
def daemon(tmp_path: Path, rules_file: Path, clock: Clock) -> Iterator[Any]:
    """A daemon whose CRM holds 400 sample deals and 150 leads, every lead in its lead copy."""
    from connectors.local import LocalCRM
    from service.sample import generate

    data = generate(deals=400, leads=150, seed=3)
    crm = LocalCRM(tmp_path / "crm.db")
    crm.load_frames(deals=data.deals, leads=data.leads, activities=data.activities)
    crm.close()
    fake = LocalFake(tmp_path / "crm.db")
    try:
        d = make_daemon(tmp_path, rules_file, clock, local_connector(fake))
        with d.connect() as conn:
            d.leads.upsert_leads("local", list(conn.iter_leads(since=None)), clock())
        yield d
    finally:
        fake.close()


@pytest.mark.slow
def test_the_candidate_is_the_one_built_from_every_lead_in_one_frame(
    daemon: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Chunks of 7 leads, whose own dtypes differ (a chunk with a hole is float, one without
    int): model.yaml and analysis.json are byte for byte those of ``build_model`` given the
    whole lead copy as one frame (the way recalibration read it before), and no more than two
    chunks are held at once."""
    from connectors.frames import deals_frame
    from service.data.deals import deals_from_frame
    from service.model.build import BuildResult, build_model
    from service.report.writer import write_build

    alive: list[weakref.ref[pd.DataFrame]] = []
    held: list[int] = []
    lead_frames = LeadState.lead_frames

    def tracked(self: LeadState, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for frame, carried in lead_frames(self, *args, **kwargs):
            gc.collect()
            held.append(sum(r() is not None for r in alive))
            alive.append(weakref.ref(frame))
            yield frame, carried
            del frame

    monkeypatch.setattr(recal, "CHUNK", CHUNK)
    monkeypatch.setattr(LeadState, "lead_frames", tracked)
    decision = recal.recalibrate(daemon)
    monkeypatch.undo()
    folder = Path(decision["folder"])
    assert max(held) <= 2 and len(held) > 2 * 150 // CHUNK

    with daemon.connect() as crm:
        deals = list(crm.iter_closed_deals(since=None))
    s = daemon.settings.daemon
    loaded = deals_from_frame(
        deals_frame(deals), "the local CRM's closed deals", s.recalibration_config
    )
    fields = [str(c) for c in loaded.table.frame.columns]
    chunk_dtypes = {
        tuple(map(str, f.dtypes)) for f, _ in daemon.leads.lead_frames("local", fields, chunk=7)
    }
    assert len(chunk_dtypes) > 1  # the chunks really do read differently on their own
    whole = daemon.leads.lead_frame("local", fields)
    built = build_model(loaded, now=daemon.clock(), leads=whole)
    version = decision["version"]
    write_build(
        BuildResult(
            rules=built.rules.model_copy(update={"version": version}),
            analysis=built.analysis.model_copy(update={"model_version": version}),
        ),
        tmp_path / "reference",
    )
    for name in ("model.yaml", "analysis.json"):
        assert (folder / name).read_bytes() == (tmp_path / "reference" / name).read_bytes(), name
    analysis = built.analysis
    assert analysis.current_leads is not None and analysis.current_leads.n == 150
    assert analysis.health_reference.population == "leads"
