"""The dashboard's pages on stores filled with known figures: what each page says and draws."""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import update

from service.dashboard import queries as q
from service.dashboard.app import create_app
from service.settings import DashboardSettings
from service.state.leads import LeadState, Scored
from service.state.outcomes import Outcome
from service.state.store import StateStore
from service.state.tables import lead_state
from tests.dashboard.conftest import NOW, PAGES, add_deals, add_leads, client_for
from tests.report.analysis import at, find, modified, write


def _basic(credentials: bytes) -> str:
    return "Basic " + base64.b64encode(credentials).decode()


def charts(html: str) -> dict[str, dict[str, Any]]:
    """The Chart.js configurations embedded in a page, by chart id."""
    found = re.findall(
        r'<script type="application/json" id="([\w-]+)-config">(.*?)</script>', html, re.S
    )
    return {cid: json.loads(text) for cid, text in found}


def missing(html: str) -> set[str]:
    return set(re.findall(r'data-missing="([\w-]+)"', html))


def data(config: dict[str, Any], i: int = 0) -> list[Any]:
    return config["data"]["datasets"][i]["data"]


class TestEmptyStore:
    def test_every_page_renders_and_says_what_is_missing(
        self, store: StateStore, rules_path: Path
    ) -> None:
        """With nothing recorded, every page answers 200, draws no chart and names each gap."""
        client = client_for(store, rules_path)
        expected = {
            "/": {"tiers", "histogram", "sources", "hot-volume", "migration", "hot"},
            "/performance": {"conversion", "cycle", "won-scores", "lost-scores", "psi"},
            "/reps": {"rep-tiers", "rep-scores", "rep-conversion", "rep-activity", "sla"},
            "/model": {"holdout"},
        }
        for path in PAGES:
            r = client.get(path)
            assert r.status_code == 200, path
            assert charts(r.text) == {}, path
            assert missing(r.text) == expected[path], path
        assert "no lead has been scored yet" in client.get("/").text

    def test_model_page_names_a_missing_rules_file(self, store: StateStore, tmp_path: Path) -> None:
        """Without a rules file the model page says which setting points at it."""
        r = client_for(store, tmp_path / "nowhere.yaml").get("/model")
        assert r.status_code == 200 and "LEADSCORE_RULES_PATH" in r.text
        assert missing(r.text) == {"rules"}


class TestOverview:
    def test_one_lead(self, store: StateStore, rules_path: Path) -> None:
        """A single Hot lead: a one-slice pie, one histogram bar, one row in the Hot list."""
        add_leads(store, [("L1", "Hot", 72, "Ana", {"lead_source": "Inbound"})], NOW)
        r = client_for(store, rules_path).get("/")
        c = charts(r.text)
        assert c["tiers"]["data"]["labels"] == ["Hot"] and data(c["tiers"]) == [1]
        assert c["histogram"]["data"]["labels"] == ["70 to 74"] and data(c["histogram"]) == [1]
        assert c["sources"]["data"]["labels"] == ["Inbound"] and data(c["sources"]) == [72.0]
        assert 'href="/lead/L1"' in r.text and missing(r.text) == set()

    def test_known_figures(self, store: StateStore, rules_path: Path) -> None:
        """Counts, bins, source averages, the from-to table and the Hot line match the data."""
        start = NOW - timedelta(days=60)
        add_leads(
            store,
            [
                ("A", "Warm", 40, "Ana", {"lead_source": "Inbound"}),
                ("B", "Cold", -3, "Ana", {"lead_source": "Event"}),
                ("C", "Hot", 61, "Bo", {"lead_source": "Inbound"}),
                ("D", "Cool", 20, "Bo", {"lead_source": "Event"}),
            ],
            start,
        )
        state = LeadState(store)
        # in the last 30 days: A Warm -> Hot, C Hot -> Warm -> Hot (back), D Cool -> Cold
        state.record_scored("local", [Scored("A", "Hot", 70)], "t1", NOW - timedelta(days=10))
        state.record_scored("local", [Scored("C", "Warm", 50)], "t1", NOW - timedelta(days=9))
        state.record_scored("local", [Scored("C", "Hot", 65)], "t1", NOW - timedelta(days=5))
        state.record_scored("local", [Scored("D", "Cold", 5)], "t1", NOW - timedelta(days=3))
        add_leads(
            store, [("E", "Warm", 35, None, {"lead_source": "Event"})], NOW - timedelta(days=2)
        )
        r = client_for(store, rules_path).get("/?days=30")
        c = charts(r.text)
        assert dict(zip(c["tiers"]["data"]["labels"], data(c["tiers"]), strict=True)) == {
            "Hot": 2, "Warm": 1, "Cold": 2,
        }  # fmt: skip
        bins = dict(zip(c["histogram"]["data"]["labels"], data(c["histogram"]), strict=True))
        assert bins == {"5 to 9": 1, "-5 to -1": 1, "35 to 39": 1, "65 to 69": 1, "70 to 74": 1}
        averages = dict(zip(c["sources"]["data"]["labels"], data(c["sources"]), strict=True))
        assert averages == {"Event": round((-3 + 5 + 35) / 3, 1), "Inbound": 67.5}
        table = re.search(r'<table id="migration">(.*?)</table>', r.text, re.S)
        assert table is not None
        head, body = table.group(1).split("<tbody>")
        targets = re.findall(r'<th class="num">(\w+)</th>', head)
        flows = {}
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            src, *counts = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", tr)
            for dst, n in zip(targets, counts, strict=True):
                if n:
                    flows[(src, dst)] = int(n)
        assert flows == {
            ("New", "Warm"): 1,
            ("Hot", "Hot"): 1,
            ("Warm", "Hot"): 1,
            ("Cool", "Cold"): 1,
            ("Cold", "Cold"): 1,
        }
        hot = c["hot-volume"]
        series = dict(zip(hot["data"]["labels"], data(hot), strict=True))
        assert series[(NOW - timedelta(days=29)).strftime("%Y-%m-%d")] == 1  # C only
        assert series[(NOW - timedelta(days=9)).strftime("%Y-%m-%d")] == 1  # A in, C out
        assert series[(NOW - timedelta(days=6)).strftime("%Y-%m-%d")] == 1
        assert series[NOW.strftime("%Y-%m-%d")] == 2
        hot_rows = re.findall(r'href="/lead/(\w+)"', r.text)
        assert hot_rows == ["A", "C"]  # highest score first

    def test_hot_leads_link_to_their_crm_record(self, store: StateStore, rules_path: Path) -> None:
        """With a record address configured, each Hot lead links to its record, id escaped."""
        add_leads(store, [("00Q 1/x", "Hot", 80, "Ana", {})], NOW)
        r = client_for(store, rules_path, record_url="https://crm.example/{object_type}/{id}").get(
            "/"
        )
        assert 'href="https://crm.example/Lead/00Q%201%2Fx"' in r.text

    def test_period_must_be_one_offered(self, store: StateStore, rules_path: Path) -> None:
        """An unknown period is refused with the allowed values, not computed."""
        r = client_for(store, rules_path).get("/?days=3;DROP")
        assert r.status_code == 400 and "7, 30, 90, 365" in r.text


class TestPerformance:
    def test_conversion_intervals_and_error_rates(
        self, store: StateStore, rules_path: Path, planted_analysis: Any
    ) -> None:
        """Win rate per tier with its Wilson interval, against the promise, and FP/FN rates."""
        deals = []
        for tier, won, lost, cycle in (
            ("Hot", 8, 2, 30.0),
            ("Warm", 3, 7, 50.0),
            ("Cold", 1, 9, 90.0),
        ):
            for k in range(won + lost):
                deals.append(
                    Outcome(f"{tier}{k}", k < won, NOW, cycle if k < won else 200.0, None,
                            {"Hot": 70, "Warm": 40, "Cold": 3}[tier] + k % 2, tier)
                )  # fmt: skip
        add_deals(store, deals, NOW)
        # the live rules are version t1; the promise is each tier's held-out win rate (as the
        # health check reads it), the training rate only where the holdout measured none (Warm)
        analysis = modified(planted_analysis, "model_version", "t1")
        assert at(analysis, "tiers[1].tier") == "Warm"
        analysis = modified(analysis, "tiers[1].holdout_win_rate", None)
        write(analysis, rules_path.parent / "analysis.json")
        promised = [
            at(find(analysis, "tiers", tier="Hot"), "holdout_win_rate"),
            at(find(analysis, "tiers", tier="Warm"), "expected_conversion"),
            at(find(analysis, "tiers", tier="Cold"), "holdout_win_rate"),
        ]
        assert promised[0] != at(find(analysis, "tiers", tier="Hot"), "expected_conversion")
        r = client_for(store, rules_path).get("/performance")
        c = charts(r.text)
        assert c["conversion"]["data"]["labels"] == ["Hot", "Warm", "Cold"]
        assert data(c["conversion"], 0) == [80.0, 30.0, 10.0]
        assert data(c["conversion"], 1) == [round(100 * p, 1) for p in promised]
        assert data(c["cycle"]) == [30.0, 50.0, 90.0]
        # Wilson 95% interval of 8/10: 49.0% to 94.3%
        assert "49.0% to 94.3%" in r.text
        fp = re.search(r'id="fp-rate">.*?<b>([\d.]+)%', r.text, re.S)
        fn = re.search(r'id="fn-rate">.*?<b>([\d.]+)%', r.text, re.S)
        assert fp and fn and float(fp.group(1)) == 45.0 and float(fn.group(1)) == 10.0
        assert sum(data(c["won-scores"])) == 12 and sum(data(c["lost-scores"])) == 18
        assert missing(r.text) == {"psi"}


class TestReps:
    def test_shares_and_averages_per_rep(self, store: StateStore, rules_path: Path) -> None:
        """Each rep's tier shares add to 100% and the pipeline averages match."""
        add_leads(
            store,
            [
                ("A", "Hot", 70, "Ana", {}),
                ("B", "Cold", 0, "Ana", {}),
                ("C", "Cold", 4, "Ana", {}),
                ("D", "Warm", 40, "Bo", {}),
            ],
            NOW,
        )
        add_deals(
            store,
            [
                Outcome("X", True, NOW, None, "Ana", 70, "Hot"),
                Outcome("Y", False, NOW, None, "Ana", 70, "Hot"),
            ],
            NOW,
        )
        r = client_for(store, rules_path).get("/reps")
        c = charts(r.text)
        shares = {d["label"]: d["data"] for d in c["rep-tiers"]["data"]["datasets"]}
        assert c["rep-tiers"]["data"]["labels"] == ["Ana", "Bo"]
        assert shares == {"Hot": [33.3, 0.0], "Warm": [0.0, 100.0], "Cold": [66.7, 0.0]}
        assert c["rep-scores"]["data"]["labels"] == ["Bo", "Ana"]
        assert data(c["rep-scores"]) == [40.0, round(74 / 3, 1)]
        assert data(c["rep-conversion"]) == [50.0]
        assert missing(r.text) == {"rep-activity", "sla"}

    def test_deals_without_owner_say_so(self, store: StateStore, rules_path: Path) -> None:
        """Closed deals that carry no owner: conversion by rep says why it is not shown."""
        add_deals(store, [Outcome("X", True, NOW, None, None, 70, "Hot")], NOW)
        r = client_for(store, rules_path).get("/reps")
        assert "none of the 1 closed deals carries an owner" in r.text


class TestModelAndLead:
    def test_model_page_lists_signals_with_evidence(
        self, store: StateStore, rules_path: Path, planted_analysis: Any
    ) -> None:
        """The live version, each signal with its points, and the holdout when analysis.json
        of the same version sits beside the rules."""
        write(
            modified(planted_analysis, "model_version", "t1"), rules_path.parent / "analysis.json"
        )
        r = client_for(store, rules_path).get("/model")
        assert '<b id="model-version">t1</b>' in r.text
        validation = at(planted_analysis, "validation")
        held = (at(validation, k) for k in ("holdout_n", "holdout_won", "holdout_lost"))
        assert "{} deals held out ({} won, {} lost)".format(*held) in r.text
        for target in at(validation, "targets"):
            status = "Pass" if at(target, "passed") else "Fail"
            assert (
                f'<tr><td>{at(target, "label")}</td><td class="num">{at(target, "value"):.3f}</td>'
                f'<td class="num">{at(target, "target")}</td><td>{status}</td></tr>'
            ) in r.text
        assert "Requested a demo" in r.text
        rows = re.findall(
            r"<tr><td>([^<]+)</td><td>(\w+)</td><td class=\"num\">(-?\d+)</td>", r.text
        )
        assert rows[0] == ("Requested a demo", "behavioral", "40")

    def test_lead_page_and_unknown_lead(self, store: StateStore, rules_path: Path) -> None:
        """A lead's page shows its attributes and history; an unknown id is a 404, and an id
        shaped like SQL is only ever a value."""
        add_leads(store, [("L1", "Warm", 40, "Ana", {"industry": "Software"})], NOW)
        store.record_scores(
            "t1",
            pd.DataFrame({"id": ["L1"], "total": [40], "tier": ["Warm"], "at": [NOW]}),
        )
        client = client_for(store, rules_path)
        r = client.get("/lead/L1")
        assert r.status_code == 200 and "Software" in r.text and "Warm" in r.text
        bad = client.get("/lead/x' OR '1'='1")
        assert bad.status_code == 404
        evil = client.get("/lead/L1'; DROP TABLE leadscore_lead_state; --")
        assert evil.status_code == 404
        assert client.get("/lead/L1").status_code == 200  # the table and its row are still there


class TestReadOnlyAndAuth:
    def test_no_endpoint_accepts_a_write(self, store: StateStore, rules_path: Path) -> None:
        """POST, PUT and DELETE are refused on every page."""
        client = client_for(store, rules_path)
        for path in (*PAGES, "/lead/L1"):
            for method in ("post", "put", "delete"):
                assert getattr(client, method)(path).status_code == 405, (method, path)

    def test_pages_allow_only_their_own_scripts(self, store: StateStore, rules_path: Path) -> None:
        """The CSP header allows scripts from this server only, and the chart library is served."""
        client = client_for(store, rules_path)
        r = client.get("/")
        assert "script-src 'self'" in r.headers["content-security-policy"]
        js = client.get("/static/chart.umd.min.js")
        assert js.status_code == 200 and "Chart.js v4" in js.text[:200]
        assert "https://" not in re.sub(r'href="https://[^"]*"', "", r.text)

    @pytest.mark.parametrize(
        ("settings", "good", "bad"),
        [
            ({"token": "s3cret-token"}, {"Authorization": "Bearer s3cret-token"}, {"Authorization": "Bearer nope"}),
            ({"token": "s3cret-token"}, {"Authorization": _basic(b"any:s3cret-token")}, {}),
            ({"username": "ops", "password": "pw-1"}, {"Authorization": _basic(b"ops:pw-1")}, {"Authorization": _basic(b"ops:pw-2")}),
            ({"username": "ops", "password": "pw-1"}, {"Authorization": _basic(b"ops:pw-1")}, {"Authorization": "Basic !!!"}),
        ],
    )  # fmt: skip
    def test_credentials_when_configured(
        self,
        store: StateStore,
        rules_path: Path,
        settings: dict[str, str],
        good: dict[str, str],
        bad: dict[str, str],
    ) -> None:
        """With auth on, pages and static files need the credentials; a wrong one is a 401 that
        never repeats the secret."""
        client = client_for(store, rules_path, **settings)
        for path in (*PAGES, "/static/dashboard.js"):
            denied = client.get(path, headers=bad)
            assert denied.status_code == 401 and "Basic" in denied.headers["www-authenticate"]
            assert client.get(path, headers=good).status_code == 200
            for secret in settings.values():
                assert secret not in denied.text

    def test_half_set_user_and_password_is_refused(
        self, store: StateStore, rules_path: Path
    ) -> None:
        """A user without a password is a configuration error naming both settings."""
        from service.errors import ConfigError

        with pytest.raises(ConfigError, match="LEADSCORE_DASHBOARD__PASSWORD"):
            client_for(store, rules_path, username="ops")


class TestQueries:
    def test_histogram_bins_are_floor_aligned(self, store: StateStore) -> None:
        """Negative totals fall into the bin below zero, not truncated towards it."""
        add_leads(
            store,
            [("A", "Cold", -1, None, {}), ("B", "Cold", -6, None, {}), ("C", "Cold", 0, None, {})],
            NOW,
        )
        with store.engine.connect() as conn:
            assert q.lead_summary(conn, "local", None).histogram == [(-10, 1), (-5, 1), (0, 1)]


class TestPageCache:
    def test_a_new_daemon_pass_shows_on_the_next_view(
        self, store: StateStore, rules_path: Path
    ) -> None:
        """Figures are reused while the store is unchanged, and recomputed as soon as the daemon
        records something new."""
        add_leads(store, [("A", "Warm", 40, "Ana", {})], NOW)
        client = client_for(store, rules_path)
        assert data(charts(client.get("/").text)["tiers"]) == [1]
        add_leads(store, [("B", "Hot", 70, "Ana", {})], NOW + timedelta(minutes=15))
        tiers = charts(client.get("/").text)["tiers"]
        assert dict(zip(tiers["data"]["labels"], data(tiers), strict=True)) == {"Hot": 1, "Warm": 1}
        with store.engine.begin() as conn:  # a write that moves no version mark
            conn.execute(update(lead_state).where(lead_state.c.record_id == "A").values(total=61))
        assert "40 to 44" in client.get("/").text  # reused
        LeadState(store).record_run("score_cycle", NOW, NOW, True, {})  # a pass ended
        text = client.get("/").text
        assert "60 to 64" in text and "40 to 44" not in text

    def test_the_warmer_computes_the_default_views_before_anyone_asks(
        self, store: StateStore, rules_path: Path
    ) -> None:
        """While the server runs, the default views are computed when the store changes, so the
        first visitor after a daemon pass is served from the cache; other views on demand."""
        from starlette.testclient import TestClient

        add_leads(store, [("A", "Warm", 40, "Ana", {"lead_source": "Inbound"})], NOW)
        site = client_for(store, rules_path).app.state.figures.site
        # one warming at start-up; the later ones are called here, not left to the clock
        app = create_app(store.engine, site, DashboardSettings(), warm_seconds=3600)
        figures = app.state.figures
        with TestClient(app) as client:  # the lifespan starts the warming thread
            for _ in range(400):
                if figures.cache.builds >= 3:
                    break
                threading.Event().wait(0.025)
            assert figures.cache.builds == 3
            for path in ("/", "/performance", "/reps"):
                assert client.get(path).status_code == 200
            assert figures.cache.builds == 3  # all three served warm
            client.get("/?days=7")
            assert figures.cache.builds == 4
            figures.warm()
            assert figures.cache.builds == 4  # nothing changed: nothing recomputed
            add_leads(store, [("B", "Hot", 70, "Bo", {})], NOW + timedelta(minutes=15))
            figures.warm()
            assert figures.cache.builds == 7
            tiers = charts(client.get("/").text)["tiers"]
            assert data(tiers) == [1, 1] and figures.cache.builds == 7


class TestRetired:
    def test_a_lead_that_left_the_funnel_moves_to_left(
        self, store: StateStore, rules_path: Path
    ) -> None:
        """A retired lead (converted or deleted in the CRM) ends its tier history: the migration
        table shows it under "Left" and the Hot line drops when it leaves."""
        add_leads(
            store,
            [("A", "Hot", 70, "Ana", {}), ("B", "Warm", 40, "Ana", {})],
            NOW - timedelta(days=60),
        )
        at = NOW - timedelta(days=5)
        LeadState(StateStore(store.url, engine=store.engine, clock=lambda: at)).retire(
            "local", ["A"]
        )
        r = client_for(store, rules_path).get("/?days=30")
        head, body = r.text.split('<table id="migration">')[1].split("</table>")[0].split("<tbody>")
        assert re.findall(r'<th class="num">(\w+)</th>', head) == ["Warm", "Left"]
        assert (
            re.sub(r"\s+", " ", body).count(
                '<tr><th>Hot</th><td class="num"></td><td class="num">1</td></tr>'
            )
            == 1
        )
        hot = charts(r.text)["hot-volume"]
        series = dict(zip(hot["data"]["labels"], data(hot), strict=True))
        assert series[(NOW - timedelta(days=6)).strftime("%Y-%m-%d")] == 1
        assert series[NOW.strftime("%Y-%m-%d")] == 0


class TestHealth:
    def test_last_health_check_psi_and_flags(self, store: StateStore, rules_path: Path) -> None:
        """The performance page draws the last health check's PSI per dimension, coloured by
        its level, with its flags in words; an older check is not the one shown."""
        from service.state.health import HealthHistory

        history = HealthHistory(store)
        history.record(
            NOW - timedelta(days=7), {"model_version": "t1", "psi": {"total": {"psi": 0.9}}}
        )
        history.record(
            NOW,
            {
                "model_version": "t1",
                "psi": {"firmographic": {"psi": 0.02}, "total": {"psi": 0.31}, "intent": {"psi": None}},
                "flags": [{"kind": "psi", "subject": "total", "severity": "act", "message": "scores shifted"}],
            },
        )  # fmt: skip
        r = client_for(store, rules_path).get("/performance")
        psi = charts(r.text)["psi"]
        assert psi["data"]["labels"] == ["firmographic", "total"]
        assert data(psi) == [0.02, 0.31]
        assert psi["data"]["datasets"][0]["backgroundColor"] == ["#2ca02c", "#d62728"]
        assert "1 flag(s): scores shifted" in r.text
