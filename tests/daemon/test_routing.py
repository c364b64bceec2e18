"""Rule 4's routing file: validation with key paths, hot reload keeping the last good routing,
and the weighted round robin."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from service.daemon.routing import Rep, Routing, RoutingWatcher, choose, load_routing
from service.errors import RulesError

GOOD = """\
reps:
  - {id: U1, territories: [EMEA], industries: [Healthcare]}
  - {id: U2, territories: [North America], industries: [Software], manager: M9}
"""


class TestFile:
    def test_problems_name_their_key_paths(self, tmp_path: Path) -> None:
        """Every problem is reported on its own line with its key path."""
        path = tmp_path / "routing.yaml"
        path.write_text(
            "reps:\n  - {id: U1, capacity: -1}\n  - {id: U2, territorys: [EMEA]}\nweights: {territory: x}\n"
        )
        with pytest.raises(RulesError) as exc:
            load_routing(path)
        problems = exc.value.problems
        assert any(p.startswith("reps[0].capacity: ") for p in problems)
        assert any(p.startswith("reps[1].territorys: unknown key") for p in problems)
        assert any(p.startswith("weights.territory: ") for p in problems)

    def test_a_rep_twice_is_refused(self, tmp_path: Path) -> None:
        """Two entries for one rep are an error naming the id."""
        path = tmp_path / "routing.yaml"
        path.write_text("reps:\n  - {id: U1}\n  - {id: U1}\n")
        with pytest.raises(RulesError, match="U1"):
            load_routing(path)


class TestWatcher:
    def test_a_bad_edit_keeps_the_last_good_routing(self, tmp_path: Path) -> None:
        """A bad edit is logged with its key path once and the routing in force stays; a good
        edit replaces it."""
        path = tmp_path / "routing.yaml"
        path.write_text(GOOD)
        watcher = RoutingWatcher(path)
        assert watcher.current is not None and len(watcher.current.reps) == 2
        path.write_text("reps:\n  - {id: U1, capacity: lots}\n")
        with capture_logs() as logs:
            assert watcher.check() is False
            assert watcher.check() is False
        failed = [e for e in logs if e["event"] == "routing_reload_failed"]
        assert len(failed) == 1 and failed[0]["kept"] is True
        assert failed[0]["problems"][0].startswith("reps[0].capacity: ")
        assert [r.id for r in watcher.current.reps] == ["U1", "U2"]
        path.write_text("reps:\n  - {id: U7}\n")
        assert watcher.check() is True
        assert [r.id for r in watcher.current.reps] == ["U7"]

    def test_no_file_is_no_routing(self, tmp_path: Path) -> None:
        """Without a routing file nothing is routed."""
        assert RoutingWatcher(tmp_path / "none.yaml").current is None
        assert RoutingWatcher(None).current is None


class TestChoose:
    def test_equal_reps_take_turns(self) -> None:
        """Reps that match alike get leads in turn."""
        routing = Routing(reps=[Rep(id="A"), Rep(id="B"), Rep(id="C")])
        load: dict[str, int] = {}
        picks = [choose(routing, {}, load, {}).owner_id for _ in range(9)]  # type: ignore[union-attr]
        assert Counter(picks) == {"A": 3, "B": 3, "C": 3}

    def test_match_weight_and_load_share_the_leads(self) -> None:
        """A rep matching territory and industry (weight 4) takes about four times the leads of
        one matching nothing (weight 1)."""
        routing = Routing(
            reps=[
                Rep(id="A", territories=["EMEA"], industries=["Retail"], capacity=500),
                Rep(id="B", capacity=500),
            ]
        )
        load: dict[str, int] = {}
        picks = [
            choose(routing, {"region": "emea", "industry": "Retail"}, load, {}).owner_id  # type: ignore[union-attr]
            for _ in range(100)
        ]
        assert 76 <= Counter(picks)["A"] <= 84

    def test_existing_load_and_capacity(self) -> None:
        """A busy rep gets fewer leads; one at capacity or inactive gets none."""
        routing = Routing(
            reps=[Rep(id="A", capacity=5), Rep(id="B", active=False), Rep(id="C", capacity=3)]
        )
        load = {"A": 5, "C": 0}
        picks = [choose(routing, {}, load, {}) for _ in range(4)]
        assert [p.owner_id if p else None for p in picks] == ["C", "C", "C", None]

    def test_the_explanation_says_why(self) -> None:
        """The explanation names the territory, the industry and the rep's open Hot/Warm count."""
        routing = Routing(reps=[Rep(id="A", territories=["EMEA"], industries=["Healthcare"])])
        choice = choose(
            routing, {"region": "EMEA", "industry": "Healthcare"}, {"A": 3}, {"A": "Ana"}
        )
        assert choice is not None
        assert choice.explanation == "territory EMEA, industry Healthcare, 3 open Hot/Warm"
        assert choice.owner_name == "Ana"
