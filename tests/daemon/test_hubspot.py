"""The same pass against the fake HubSpot server, through hubspot-api-client over HTTP."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from service.daemon.cycle import run_cycle
from tests.connectors.conftest import hubspot_connector
from tests.daemon.conftest import T0, Clock, make_daemon
from tests.fakes.hubspot import FakeHubSpot


def test_cycle_against_hubspot_with_a_429_in_the_middle(
    tmp_path: Path, rules_file: Path, clock: Clock, hubspot: FakeHubSpot
) -> None:
    """Five contacts are scored and written once each although HubSpot answers one batch update
    429 (the policy waits the Retry-After it asked for); a second pass writes nothing."""
    at = T0 - timedelta(hours=1)
    warm = hubspot.add_leads(3, modified_at=at, attributes={"numemployees": 250})
    cool = hubspot.add_leads(2, modified_at=at, attributes={"numemployees": 10})
    sleeps: list[float] = []
    connector = hubspot_connector(
        hubspot, attempts=3, sleep=sleeps.append, timeout=5, page_size=2, write_batch=2
    )
    hubspot.fail_next(1, 429, headers={"Retry-After": "7"}, path_contains="/batch/update")
    d = make_daemon(tmp_path, rules_file, clock, connector, batch_size=4)
    report = run_cycle(d)
    assert (report.connector, report.scored, report.written, report.failed) == ("hubspot", 5, 5, 0)
    assert 7.0 in sleeps
    for i in warm:
        assert hubspot.score_of(i, "Tier") == "Warm"
        assert hubspot.score_of(i, "Total") == "30"
        assert hubspot.score_of(i, "Version") == "t1"
    assert all(hubspot.score_of(i, "Tier") == "Cool" for i in cool)
    assert all(hubspot.writes_of(i) == 1 for i in warm + cool)
    assert hubspot.count("POST", "/batch/update") == 4  # 3 batches of 2, one answered 429
    assert run_cycle(d).written == 0
