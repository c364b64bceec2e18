"""The weekly health check on the sample data: drift is flagged, a steady market is not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from service.health.check import check_health
from service.health.report import HealthSettings
from service.model.analysis_schema import read_analysis
from tests.health.conftest import NOW, Batch, Built

# one worker builds the health model (session-scoped `built`) once for these modules
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("health-built")]


def _demo_signal(built: Built) -> str:
    names = [s.name for s in built.rules.signals if "demo_requested" in s.fields]
    assert names, "the sample's strongest behavioral effect must be a signal"
    return names[0]


class TestDrift:
    """A later batch whose demo-request effect is gone and whose source mix changed."""

    def test_flags_the_decayed_signal_the_dimension_psi_and_the_new_source(
        self, built: Built, drifted: Batch
    ) -> None:
        """The demo signal is flagged as decayed, the behavioral PSI is above 0.25 (act), and
        the new lead source is named with its volume."""
        report = check_health(
            built.rules, built.analysis, drifted.leads, drifted.deals, drifted.y, now=NOW
        )
        by_kind = {(f.kind, f.subject): f for f in report.flags}
        demo = _demo_signal(built)
        assert ("decay", demo) in by_kind
        assert by_kind[("decay", demo)].severity == "act"
        assert report.psi["behavioral"]["psi"] > 0.25
        assert by_kind[("psi", "behavioral")].severity == "act"
        source = by_kind[("unseen_value", "lead_source=Marketplace")]
        assert source.severity == "act" and "open leads" in source.message
        entry = next(u for u in report.unseen if u["value"] == "Marketplace")
        assert entry["leads"] > 500 and 0.3 < entry["share"] < 0.5
        fired = {t["trigger"] for t in report.triggers if t["fired"]}
        assert "new source or segment at 10%+ of leads" in fired

    def test_signals_that_kept_their_effect_are_not_called_decayed(
        self, built: Built, drifted: Batch
    ) -> None:
        """Only signals on the changed field decay; the planted intent effects still hold."""
        report = check_health(
            built.rules, built.analysis, drifted.leads, drifted.deals, drifted.y, now=NOW
        )
        decayed = {f.subject for f in report.flags if f.kind == "decay"}
        intent = {s.name for s in built.rules.signals if s.dimension == "intent"}
        assert intent and not (decayed & intent)


class TestSteady:
    """The same market later on: nothing to flag."""

    def test_nothing_is_flagged(self, built: Built, steady: Batch) -> None:
        """With no drift the check flags nothing, and every PSI stays below 0.1."""
        report = check_health(
            built.rules, built.analysis, steady.leads, steady.deals, steady.y, now=NOW
        )
        assert report.flags == [], report.summary()
        assert all(v["psi"] < 0.1 for v in report.psi.values())
        assert not any(t["fired"] for t in report.triggers)
        assert "healthy" in report.summary()

    def test_an_enrichment_outage_is_named_in_the_week_it_starts(
        self, built: Built, steady: Batch
    ) -> None:
        """A field empty for the newest leads only is flagged (act) naming the field, on the
        recent leads, even though the older open leads still have it."""
        leads = steady.leads.copy()
        recent = np.zeros(len(leads), dtype=bool)
        recent[-300:] = True
        signal = next(s for s in built.rules.signals if s.dimension == "intent")
        field = signal.fields[0]
        leads.loc[recent, field] = None
        report = check_health(built.rules, built.analysis, leads, recent=recent, now=NOW)
        flags = [f for f in report.flags if f.kind == "known_rate"]
        assert [f.subject for f in flags] == [
            s.name for s in built.rules.signals if field in s.fields
        ]
        assert field in flags[0].message and flags[0].severity == "act"
        quiet = check_health(built.rules, built.analysis, leads, now=NOW)
        assert not [f for f in quiet.flags if f.kind == "known_rate"]

    def test_more_new_deals_than_training_fires_the_rebuild_trigger(
        self, built: Built, steady: Batch
    ) -> None:
        """Section 6.4: new closed deals outnumbering the training deals call for a rebuild."""
        deals = steady.deals.loc[np.tile(steady.deals.index, 2)].reset_index(drop=True)
        y = np.tile(steady.y, 2)
        report = check_health(built.rules, built.analysis, steady.leads, deals, y, now=NOW)
        trigger = next(t for t in report.triggers if t["trigger"].startswith("more new closed"))
        assert trigger["fired"] and trigger["detail"] == "1000 new deals vs 600 in training"

    def test_a_tier_converting_outside_its_promise_is_flagged(
        self, built: Built, steady: Batch
    ) -> None:
        """Hot deals that all lost: Hot's win rate is outside its interval, and the Hot rebuild
        trigger (below half the original) fires."""
        y = steady.y.copy()
        from service.scoring.engine import score_frame

        hot = (score_frame(built.rules, steady.deals).scores["tier"] == "Hot").to_numpy()
        y[hot] = 0
        report = check_health(built.rules, built.analysis, steady.leads, steady.deals, y, now=NOW)
        assert ("tier_win_rate", "Hot") in {(f.kind, f.subject) for f in report.flags}
        fired = {t["trigger"] for t in report.triggers if t["fired"]}
        assert "Hot win rate below half the original" in fired

    def test_tier_shares_far_from_the_intended_ones_are_flagged(
        self, built: Built, steady: Batch
    ) -> None:
        """Open leads that all score Cold put Cold far above its intended share."""
        cfg = HealthSettings(share_tolerance=0.10)
        leads = steady.leads.iloc[:0].reindex(range(200))
        report = check_health(built.rules, built.analysis, leads, now=NOW, settings=cfg)
        subjects = {f.subject for f in report.flags if f.kind == "tier_share"}
        assert subjects


def test_a_model_without_a_reference_says_what_it_cannot_check(
    built: Built, steady: Batch, tmp_path: Path
) -> None:
    """An analysis.json from before health_reference existed does not load as this version's
    analysis: the check runs without it, with a note, no crash, no PSI."""
    older = {k: v for k, v in built.analysis.model_dump().items() if k != "health_reference"}
    path = tmp_path / "analysis.json"
    path.write_text(json.dumps(older), encoding="utf-8")
    analysis = read_analysis(path)
    assert analysis is None
    report = check_health(built.rules, analysis, steady.leads, now=NOW)
    assert report.psi == {} and "health_reference" in report.notes[0]
