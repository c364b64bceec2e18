"""The typed ``analysis.json``: a current schema, an exact round trip, errors with key paths."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pandas as pd
import pytest
from structlog.testing import capture_logs

from service.data.deals import load_deals
from service.errors import DataFileError
from service.model.analysis_schema import (
    Analysis,
    Audit,
    BadCell,
    BadOutcome,
    CellProblem,
    DuplicateProblem,
    DuplicateRow,
    OutcomeProblem,
    json_safe,
    key_path,
    load_analysis,
    read_analysis,
    schema_text,
)
from service.model.build import build_model
from tests.audit.audit_support import audit, deals_frame

REPO = Path(__file__).resolve().parents[2]


class TestSchemaFile:
    def test_is_up_to_date(self):
        """docs/analysis.schema.json equals the schema generated from the models."""
        committed = (REPO / "docs" / "analysis.schema.json").read_text(encoding="utf-8")
        assert committed == schema_text(), (
            "docs/analysis.schema.json is stale: run "
            "leadscore model schema --out docs/analysis.schema.json"
        )

    def test_forbids_unknown_keys_everywhere(self):
        """Every object of the schema rejects keys the models do not know."""
        schema = json.loads(schema_text())
        assert schema["additionalProperties"] is False
        open_objects = [
            name
            for name, d in schema["$defs"].items()
            if d.get("type") == "object" and d.get("additionalProperties") is not False
        ]
        assert open_objects == []

    def test_command_writes_the_same_text(self, cli, tmp_path):
        """``leadscore model schema --out`` writes exactly the generated schema."""
        out = tmp_path / "analysis.schema.json"
        result = cli("model", "schema", "--out", str(out))
        assert result.code == 0, result.output
        assert out.read_text(encoding="utf-8") == schema_text()


class TestRoundTrip:
    def test_build_write_load_is_equal(self, sample_model, tmp_path):
        """A build written to disk and read back with ``load_analysis`` is the same model."""
        deals = sample_model / "data" / "deals.csv"
        result = build_model(load_deals(deals, None))
        paths = result.write(tmp_path)
        loaded = load_analysis(paths["analysis"])
        assert loaded == result.analysis
        assert loaded.to_json() == paths["analysis"].read_text(encoding="utf-8")

    def test_built_file_loads_and_dumps_to_the_same_text(self, sample_model):
        """The file ``leadscore build`` wrote reads back and serialises to the very same text,
        keys absent (no leakage warning) staying absent and nulls staying null."""
        path = sample_model / "model" / "analysis.json"
        text = path.read_text(encoding="utf-8")
        loaded = load_analysis(path)
        assert loaded.to_json() == text
        raw = json.loads(text)
        assert "leakage_warning" not in raw and loaded.leakage_warning is None
        assert raw["capacity"] is None and "capacity" in json.loads(loaded.to_json())

    def test_frozen(self, sample_model):
        """A loaded analysis cannot be changed in place."""
        loaded = load_analysis(sample_model / "model" / "analysis.json")
        with pytest.raises(ValueError, match="frozen"):
            loaded.won = 0  # type: ignore[misc]


class TestBadFile:
    def test_names_the_file_and_the_key_paths(self, sample_model, tmp_path):
        """An edited or older file fails with one line per problem: file, key path, message."""
        raw = json.loads((sample_model / "model" / "analysis.json").read_text(encoding="utf-8"))
        raw["validation"]["tiers"][1]["holdout_n"] = "many"
        del raw["built_at"]
        raw["signals"][0]["pointz"] = 3
        bad = tmp_path / "analysis.json"
        bad.write_text(json.dumps(raw), encoding="utf-8")
        with pytest.raises(DataFileError) as caught:
            load_analysis(bad)
        lines = str(caught.value).splitlines()
        assert lines[0] == f"{bad}: not a valid analysis.json (3 problems):"
        assert sorted(line.split(":")[0].strip() for line in lines[1:]) == [
            "built_at",
            "signals[0].pointz",
            "validation.tiers[1].holdout_n",
        ]

    def test_not_json(self, tmp_path):
        """A file that is not JSON names the file."""
        bad = tmp_path / "analysis.json"
        bad.write_text("{not json", encoding="utf-8")
        with pytest.raises(DataFileError, match=f"{bad}: not valid JSON at line 1"):
            load_analysis(bad)

    def test_key_path(self):
        """Positions in lists are shown in brackets."""
        assert key_path(("validation", "tiers", 0, "tier")) == "validation.tiers[0].tier"
        assert key_path(()) == "(top level)"


#: each kind of audit problem and the model of its items
ITEM = {DuplicateProblem: DuplicateRow, CellProblem: BadCell, OutcomeProblem: BadOutcome}


class TestAuditProblems:
    def test_every_kind_the_audit_finds_reads_back_typed(self):
        """A deals frame with every kind of data-quality problem planted: each problem's items
        read back as the model of its kind, and dump to the audit's own JSON."""
        frame = deals_frame(60)
        copies = [frame.iloc[[3]], frame.iloc[[8]].assign(deal_id="D9999")]
        frame = pd.concat([frame, *copies], ignore_index=True)  # duplicate, duplicate_except_id
        frame.loc[20, "deal_id"] = frame.loc[5, "deal_id"]  # duplicate_id
        frame["employee_count"] = frame["employee_count"].astype(object)
        frame.loc[7, "employee_count"] = -40  # impossible_value
        frame.loc[9, "employee_count"] = "lots"  # unparseable_number
        frame.loc[12, ["email_opens", "email_clicks"]] = [2, 9]  # impossible_value, two fields
        frame.loc[14, "closed_at"] = "31/02/2025"  # unparseable_date
        frame.loc[15, "closed_at"] = "2027-03-01"  # future_date
        frame.loc[16, "outcome"] = "lsot"  # invalid_outcome
        raw = json_safe(audit(frame).to_dict())
        typed = Audit.model_validate(raw)
        kinds = {k for cls in ITEM for k in typing.get_args(cls.model_fields["kind"].annotation)}
        assert {p.kind for p in typed.problems} == kinds
        for p in typed.problems:
            assert p.items and all(isinstance(i, ITEM[type(p)]) for i in p.items), p.kind
        assert typed.model_dump(exclude_unset=True)["problems"] == raw["problems"]
        [pair] = [p for p in typed.problems if p.field == "email_clicks"]
        assert pair.items[0] == BadCell(
            row=13, field="email_clicks", value=9, other_field="email_opens", other_value=2
        )

    def test_a_bad_item_fails_load_and_is_logged_by_read(self, sample_model, tmp_path):
        """An item of the wrong shape fails ``load_analysis`` with its key path; ``read_analysis``
        logs the same and returns None."""
        raw = json.loads((sample_model / "model" / "analysis.json").read_text(encoding="utf-8"))
        problems = raw["audit"]["problems"]
        at = {p["kind"]: i for i, p in enumerate(problems)}
        problems[at["duplicate"]]["items"][0]["row"] = "sixty-two"
        problems[at["invalid_outcome"]]["items"][0]["field"] = "outcome"
        bad = tmp_path / "analysis.json"
        bad.write_text(json.dumps(raw), encoding="utf-8")
        with pytest.raises(DataFileError) as caught:
            load_analysis(bad)
        paths = sorted(line.split(":")[0].strip() for line in str(caught.value).splitlines()[1:])
        assert paths == [
            f"audit.problems[{at['duplicate']}].duplicate.items[0].row",
            f"audit.problems[{at['invalid_outcome']}].invalid_outcome.items[0].field",
        ]
        with capture_logs() as logs:
            assert read_analysis(bad) is None
        assert [e["event"] for e in logs] == ["analysis_unreadable"]
        assert "items[0].row" in logs[0]["error"]


def test_model_is_the_document_root():
    """The schema's root is ``Analysis``, titled as such."""
    assert json.loads(schema_text())["title"] == Analysis.__name__
