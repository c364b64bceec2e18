"""Leakage caught without being told: one test per kind of evidence on generated deals with the
answer planted, the rule that two kinds exclude and one flags, and a strong legitimate field
that stays in."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from service.audit.run import AuditReport, run_audit
from service.commands.build import summarise
from service.config import BuildConfig, resolve_columns, resolve_outcome
from service.data.deals import load_deals
from service.model.build import build_model, leakage_warning
from service.report.writer import write_build
from service.scoring.rules import DimensionLimit, Rules, Thresholds
from tests.audit.audit_support import AS_OF, deals_frame


def _audit(frame: pd.DataFrame, leads: pd.DataFrame | None = None, **config) -> AuditReport:
    cfg = resolve_columns(frame, BuildConfig.model_validate(config), "deals.csv")
    outcome = resolve_outcome(frame, cfg, "deals.csv")
    return run_audit(frame, outcome, cfg, source="deals.csv", as_of=AS_OF, leads=leads)


def _suspects(report: AuditReport) -> dict[str, dict]:
    return {s["field"]: s for s in report.to_dict()["suspected_leakage"]}


def _kinds(entry: dict) -> list[str]:
    return [e["kind"] for e in entry["evidence"]]


def _won(frame: pd.DataFrame) -> np.ndarray:
    return (frame["outcome"] == "won").to_numpy()


class TestOutcomeCoded:
    """Empty, zero or one value for every deal of one outcome, varied for the other."""

    def test_zero_for_every_lost_deal_is_outcome_coded(self) -> None:
        """An amount that is 0 on every lost deal and varies on won deals is recorded because of
        the outcome; its 0 (60% of deals, no wins) is also implausibly decisive, so two kinds
        of evidence agree and it is excluded."""
        frame = deals_frame(300, seed=1)
        rng = np.random.default_rng(1)
        won = _won(frame)
        frame["onboarding_fee"] = np.where(won, rng.integers(1, 5000, len(frame)), 0)
        entry = _suspects(_audit(frame))["onboarding_fee"]
        coded = entry["evidence"][0]
        assert coded["kind"] == "outcome_coded"
        assert (coded["side"], coded["share_of_side"], coded["share_of_other"]) == ("lost", 1, 0)
        assert _kinds(entry)[1] == "strong_single_field"
        assert entry["action"] == "excluded"

    def test_empty_for_every_won_deal_alone_is_flagged(self) -> None:
        """A channel left on 60% of lost deals and no won deal, spread over 15 values (none
        covering 5% of deals, so no single value decides, and AUC 0.8): outcome-coded evidence
        alone, so flagged and kept."""
        frame = deals_frame(400, seed=14)
        rng = np.random.default_rng(14)
        lost = ~_won(frame)
        notes = rng.choice(list("ABCDEFGHIJKLMNO"), len(frame)).astype(object)
        notes[~lost | (rng.random(len(frame)) < 0.4)] = None
        frame["follow_up_channel"] = notes
        entry = _suspects(_audit(frame))["follow_up_channel"]
        assert _kinds(entry) == ["outcome_coded"]
        assert entry["evidence"][0]["value"] == "filled in"
        assert entry["action"] == "flagged"

    def test_filled_for_one_outcome_with_a_result_name_is_excluded(self) -> None:
        """A loss reason filled only for lost deals: outcome-coded and a result name agree."""
        frame = deals_frame(200)
        lost = ~_won(frame)
        frame["loss_reason"] = np.where(lost, "Price", None)
        frame.loc[np.flatnonzero(lost)[::3], "loss_reason"] = "Timing"
        report = _audit(frame)
        entry = _suspects(report)["loss_reason"]
        assert {"outcome_coded", "name_cue"} <= set(_kinds(entry))
        assert entry["action"] == "excluded"
        assert entry["keep"] == "keep: ['loss_reason']"
        x, _ = report.modelling_data()
        assert "loss_reason" not in x.columns


class TestProcessField:
    """Fields the open leads do not have yet."""

    def test_filled_on_deals_but_empty_on_leads_is_a_process_field(self) -> None:
        """Filled for 90% of deals and 4% of open leads: filled in during the sales process."""
        frame = deals_frame(300, seed=2)
        rng = np.random.default_rng(2)
        frame["proposal_pages"] = rng.integers(1, 30, len(frame)).astype(float)
        frame.loc[rng.random(len(frame)) < 0.1, "proposal_pages"] = np.nan
        leads = deals_frame(200, seed=3).drop(columns=["outcome"])
        leads["proposal_pages"] = np.where(np.arange(200) % 25 == 0, 5.0, np.nan)
        entry = _suspects(_audit(frame, leads))["proposal_pages"]
        [evidence] = entry["evidence"]
        assert evidence["kind"] == "process_field"
        assert evidence["filled_leads"] == 0.04
        assert entry["action"] == "flagged"
        assert "proposal_pages" not in _suspects(_audit(frame))  # needs the leads to be seen

    def test_values_the_deals_never_show_mark_a_process_field(self) -> None:
        """Open leads whose values (New, Contacted) never occur on a closed deal."""
        frame = deals_frame(300, seed=4)
        rng = np.random.default_rng(4)
        frame["pipeline_step"] = rng.choice(["Proposal", "Negotiation"], len(frame))
        leads = deals_frame(100, seed=5).drop(columns=["outcome"])
        leads["pipeline_step"] = rng.choice(
            ["New", "Contacted", "Proposal"], 100, p=[0.5, 0.4, 0.1]
        )
        entry = _suspects(_audit(frame, leads))["pipeline_step"]
        [evidence] = entry["evidence"]
        assert evidence["kind"] == "process_field"
        assert evidence["unseen_share"] > 0.8


class TestStrongSingleField:
    """One field that separates won from lost implausibly well."""

    def test_near_perfect_field_is_strong_evidence(self) -> None:
        """A field with a neutral name whose own cross-validated AUC is near 1 is flagged."""
        frame = deals_frame(300, seed=6)
        won = _won(frame)
        rng = np.random.default_rng(6)
        labels = np.where(won, rng.choice(["A", "B"], 300), rng.choice(["C", "D"], 300))
        labels = labels.astype(object)
        labels[:6] = labels[6:12][::-1]
        frame["segment_code"] = labels
        entry = _suspects(_audit(frame))["segment_code"]
        [evidence] = entry["evidence"]
        assert evidence["kind"] == "strong_single_field"
        assert evidence["auc"] >= 0.85
        assert entry["action"] == "flagged"

    def test_one_value_with_no_wins_is_strong_evidence(self) -> None:
        """A value on 10% of deals, none of them won, while the rest are ordinary."""
        frame = deals_frame(400, seed=7)
        rng = np.random.default_rng(7)
        won = _won(frame)
        values = rng.choice(["North", "South", "East"], len(frame)).astype(object)
        dead = np.flatnonzero(~won)[:40]
        values[dead] = "Do not contact"
        frame["region"] = values
        entry = _suspects(_audit(frame))["region"]
        [evidence] = entry["evidence"]
        assert evidence["kind"] == "strong_single_field"
        assert (evidence["value"], evidence["win_rate"]) == ("Do not contact", 0.0)
        assert evidence["share_of_deals"] == 0.1


class TestNameCue:
    """Names that describe the sales process or the result."""

    def test_name_alone_flags_but_does_not_exclude(self) -> None:
        """Lead Quality with random values: suspect by name only, so flagged and kept."""
        frame = deals_frame(300, seed=8)
        rng = np.random.default_rng(8)
        frame["Lead Quality"] = rng.choice(["High", "Low", "Might be"], len(frame))
        frame["Last Notable Activity"] = rng.choice(["Email Opened", "SMS Sent"], len(frame))
        report = _audit(frame)
        got = _suspects(report)
        for name in ("Lead Quality", "Last Notable Activity"):
            assert _kinds(got[name]) == ["name_cue"], name
            assert got[name]["action"] == "flagged"
        x, _ = report.modelling_data()
        assert {"Lead Quality", "Last Notable Activity"} <= set(x.columns)

    def test_name_and_data_agree_so_the_field_is_excluded_and_keep_restores_it(self) -> None:
        """Tags that give the outcome away: strong field and a process name; keep: overrides."""
        frame = deals_frame(300, seed=9)
        won = _won(frame)
        tags = np.where(won, "Will revert", "Ringing").astype(object)
        tags[:6] = tags[6:12][::-1]
        frame["Tags"] = tags
        report = _audit(frame)
        entry = _suspects(report)["Tags"]
        assert {"strong_single_field", "name_cue"} <= set(_kinds(entry))
        assert entry["action"] == "excluded"
        assert "Tags" in {e.field for e in report.excluded}
        kept = _audit(frame, keep=["Tags"])
        assert _suspects(kept)["Tags"]["kept_by_config"] is True
        x, _ = kept.modelling_data()
        assert "Tags" in x.columns


def test_a_field_carrying_a_suspects_information_is_a_suspect() -> None:
    """An index derived from a suspected score (same rows filled, fixed by the score)."""
    frame = deals_frame(300, seed=10)
    rng = np.random.default_rng(10)
    score = rng.integers(7, 19, len(frame)).astype(float)
    score[rng.random(len(frame)) < 0.4] = np.nan
    frame["Activity Score"] = score
    frame["Activity Index"] = pd.cut(score, [0, 12, 15, 20], labels=["Low", "Medium", "High"])
    frame["Activity Index"] = frame["Activity Index"].astype(object)
    got = _suspects(_audit(frame))
    assert _kinds(got["Activity Score"]) == ["name_cue"]
    [evidence] = got["Activity Index"]["evidence"]
    assert (evidence["kind"], evidence["other"]) == ("same_as_suspect", "Activity Score")


def test_a_strong_legitimate_field_filled_on_leads_is_not_excluded() -> None:
    """A demo request with a planted 3x lift, filled on the open leads too, is no suspect."""
    rng = np.random.default_rng(11)
    frame = deals_frame(600, seed=11)
    demo = rng.random(600) < 0.3
    frame["demo_requested"] = np.where(demo, "yes", "no")
    frame["outcome"] = np.where(rng.random(600) < np.where(demo, 0.6, 0.2), "won", "lost")
    leads = deals_frame(300, seed=12).drop(columns=["outcome"])
    leads["demo_requested"] = np.where(rng.random(300) < 0.3, "yes", "no")
    report = _audit(frame, leads)
    won = (frame["outcome"] == "won").to_numpy()
    assert won[demo].mean() / won[~demo].mean() > 2.5  # the planted lift is there
    assert "demo_requested" not in _suspects(report)
    assert "demo_requested" not in {e.field for e in report.excluded}


def test_audit_json_lists_every_suspect_with_field_evidence_and_action() -> None:
    """``suspected_leakage[]`` entries carry field, evidence (kind, figures, detail), action."""
    frame = deals_frame(300, seed=13)
    frame["loss_reason"] = np.where(_won(frame), None, "Price")
    frame["Lead Quality"] = np.random.default_rng(13).choice(["High", "Low"], 300)
    data = json.loads(json.dumps(_audit(frame).to_dict()))
    entries = {s["field"]: s for s in data["suspected_leakage"]}
    assert entries["loss_reason"]["action"] == "excluded"
    assert entries["Lead Quality"]["action"] == "flagged"
    for entry in entries.values():
        assert set(entry) >= {"field", "evidence", "action"}
        for e in entry["evidence"]:
            assert e["kind"] and e["detail"]


@pytest.fixture(scope="module")
def leaky_build(tmp_path_factory):
    """A build where a flagged (kept) field gives the outcome away."""
    frame = deals_frame(800, seed=15)
    rng = np.random.default_rng(15)
    won = _won(frame)
    codes = np.where(won, rng.choice(["A", "B"], 800), rng.choice(["C", "D"], 800))
    codes = codes.astype(object)
    codes[:16] = codes[16:32][::-1]
    frame["segment_code"] = codes
    out = tmp_path_factory.mktemp("leaky")
    frame.to_csv(out / "deals.csv", index=False)
    result = build_model(load_deals(out / "deals.csv", None))
    paths = write_build(result, out / "model")
    return result, paths


class TestImplausibleAuc:
    """A holdout AUC at or above 0.93 always comes with the leakage warning."""

    def test_warning_names_the_fields_with_the_most_points(self, leaky_build) -> None:
        """analysis.json carries the warning with the AUC and the field carrying the points."""
        result, _ = leaky_build
        an = result.document()
        assert an["validation"]["auc"] >= 0.93
        warning = an["leakage_warning"]
        assert warning["fields"][0] == "segment_code"
        assert "implausibly good: check these fields for leakage" in warning["message"]
        [suspect] = [s for s in an["suspected_leakage"] if s["field"] == "segment_code"]
        assert suspect["action"] == "flagged"

    def test_summary_and_report_print_the_warning(self, leaky_build, capsys) -> None:
        """The build summary and Section 1.2 of the report both show it."""
        result, paths = leaky_build
        summarise(result, paths)
        printed = " ".join(capsys.readouterr().out.split())
        assert "implausibly good: check these fields for leakage" in printed
        assert "suspected leakage (flagged): segment_code" in printed
        report = paths["report"].read_text(encoding="utf-8")
        section = report.split("### 1.2")[1].split("### 1.3")[0]
        assert "implausibly good: check these fields for leakage" in section
        assert "segment_code is suspected leakage but was kept" in section

    def test_no_warning_below_093(self) -> None:
        """The warning is for implausible figures only."""
        rules = Rules(
            version="1",
            dimensions={"firmographic": DimensionLimit(max_points=10)},
            signals=[],
            thresholds=Thresholds(hot=3, warm=2, cool=1),
        )
        assert leakage_warning(0.929, rules) is None
        assert leakage_warning(0.93, rules) is not None


def test_audit_command_reads_leads_and_lists_the_suspect(tmp_path, cli) -> None:
    """``leadscore audit DEALS --leads LEADS --json`` exits 0, prints the suspects table and
    writes the process field with its evidence."""
    frame = deals_frame(300, seed=16)
    frame["proposal_pages"] = np.random.default_rng(16).integers(1, 30, 300)
    leads = deals_frame(100, seed=17).drop(columns=["outcome"])
    leads["proposal_pages"] = np.nan
    frame.to_csv(tmp_path / "deals.csv", index=False)
    leads.to_csv(tmp_path / "leads.csv", index=False)
    run = cli(
        "audit", str(tmp_path / "deals.csv"), "--leads", str(tmp_path / "leads.csv"),
        "--json", str(tmp_path / "a.json"),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert "Suspected leakage" in run.stdout
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    [entry] = [s for s in data["suspected_leakage"] if s["field"] == "proposal_pages"]
    assert [e["kind"] for e in entry["evidence"]] == ["process_field"]
    assert entry["evidence"][0]["filled_leads"] == 0.0
