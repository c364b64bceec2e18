"""Rep Productivity's SLA compliance chart reads the daemon's SLA clocks."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from service.state.sla import Clock, Section5Log
from service.state.store import StateStore
from tests.dashboard.conftest import NOW, client_for


def charts(html: str) -> dict[str, dict[str, Any]]:
    found = re.findall(
        r'<script type="application/json" id="([\w-]+)-config">(.*?)</script>', html, re.S
    )
    return {cid: json.loads(text) for cid, text in found}


def test_compliance_per_rep(store: StateStore, rules_path: Path) -> None:
    """Met and breached clocks give each rep's share met; running clocks do not count yet."""
    log = Section5Log(store)
    hour = timedelta(hours=1)
    clocks = [
        Clock("A", 1, "U1", "Ana", NOW, NOW + hour),
        Clock("B", 1, "U1", "Ana", NOW, NOW + hour),
        Clock("C", 1, "U2", "Bo", NOW, NOW + hour),
        Clock("D", 1, "U2", "Bo", NOW, NOW + hour),
    ]
    log.start_clocks("local", clocks, [])
    log.stop_clocks("local", [("A", "U1", NOW + hour / 2)])
    log.breach("local", clocks[1], NOW + 2 * hour, [])
    log.breach("local", clocks[2], NOW + 2 * hour, [])
    html = client_for(store, rules_path).get("/reps").text
    sla = charts(html)["sla"]
    assert sla["data"]["labels"] == ["Ana", "Bo"]
    assert sla["data"]["datasets"][0]["data"] == [50.0, 0.0]
