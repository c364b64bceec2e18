"""API calls per sync against the fake CRMs: pull 10,000 leads, write 2,000 changed scores.

Run: ``python -m benchmarks connectors``. The counts come from the fakes' request counters and
are printed beside the minimum the API allows (Salesforce: 10,000/2,000 query pages plus
2,000/200 collection writes, or one Bulk 2.0 job of 6 calls; HubSpot: 10,000/200 search pages plus 2,000/100
batch writes). Exit code 1 when a phase exceeds its minimum by more than ``SLACK`` calls.
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

LEADS = 10_000
CHANGED = 2_000
SLACK = 5  # per phase: describe calls (Lead, User, Contact, Account) and the empty Contact query


def _salesforce(bulk: bool) -> dict[str, Any]:
    from connectors.base import ScoreUpdate
    from connectors.salesforce import SalesforceConnector
    from service.settings import RetrySettings, SalesforceSettings
    from tests.fakes.salesforce import TOKEN, FakeSalesforce

    fake = FakeSalesforce().start()
    try:
        ids = fake.add_leads(LEADS)
        settings = SalesforceSettings(
            instance_url=fake.url,
            session_id=TOKEN,
            page_size=2000,
            bulk_threshold=CHANGED - 1 if bulk else 10_000,
        )
        connector = SalesforceConnector(settings, retry=RetrySettings(attempts=1))
        start = time.perf_counter()
        pulled = sum(1 for _ in connector.iter_leads())
        pull_calls = fake.count()
        pull_seconds = time.perf_counter() - start
        updates = [ScoreUpdate(i, "Lead", {"Total": 50, "Tier": "Warm"}) for i in ids[:CHANGED]]
        start = time.perf_counter()
        result = connector.write_scores(updates)
        write_seconds = time.perf_counter() - start
        write_calls = fake.count() - pull_calls
        assert pulled == LEADS and len(result.written) == CHANGED
        assert all(fake.writes_of(i) == 1 for i in ids[:CHANGED])
    finally:
        fake.stop()
    return {
        "crm": "salesforce (bulk 2.0)" if bulk else "salesforce (collections)",
        "pull_calls": pull_calls,
        "pull_min": math.ceil(LEADS / 2000),
        "write_calls": write_calls,
        # one bulk job is 6 calls: create, upload, close, one status poll, two result downloads
        "write_min": 6 if bulk else math.ceil(CHANGED / 200),
        "seconds": pull_seconds + write_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    from service.logging import configure_logging
    from tests.fakes.hubspot import benchmark_hubspot

    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    configure_logging("WARNING")
    rows: list[dict[str, Any]] = [_salesforce(bulk=False), _salesforce(bulk=True)]
    rows.append(benchmark_hubspot())
    print(f"Pull {LEADS:,} leads, write {CHANGED:,} changed scores (calls counted by the fakes)")
    print(f"{'crm':<26}{'pull calls':>12}{'min':>6}{'write calls':>13}{'min':>6}{'ratio':>7}")
    ok = True
    for r in rows:
        used = r["pull_calls"] + r["write_calls"]
        minimum = r["pull_min"] + r["write_min"]
        print(
            f"{r['crm']:<26}{r['pull_calls']:>12}{r['pull_min']:>6}{r['write_calls']:>13}"
            f"{r['write_min']:>6}{used / minimum:>7.2f}"
        )
        ok = ok and r["pull_calls"] - r["pull_min"] <= SLACK
        ok = ok and r["write_calls"] - r["write_min"] <= SLACK
    print(f"target: each phase at most its minimum + {SLACK} calls: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
