"""Fault injection on ``crm push`` against both fake CRMs: is anything lost or written twice?

Run: ``python -m benchmarks write_faults [records]`` (default 10,000 per run). Each run pushes
``records`` scores (a few of them to records the CRM refuses) through the real connector and the
state store, injects one kind of fault, and, when the push died or gave up, pushes again as an
operator (or the daemon's next pass) would. Then the fake's own state is compared with what was
meant to be written:

- written: records whose CRM value is the intended one;
- written twice: records the CRM applied more than once;
- lost: records not refused whose CRM value is not the intended one (target: 0);
- refused: records the CRM refused, with the reason.

Faults: ``kill`` (the client process is SIGKILLed just after the server applied a batch),
``401 expiry`` (the session expires mid-push and is renewed: Salesforce password login; a
HubSpot private-app token does not expire, so there a 401 stops the push and it is pushed
again), ``429 storm``, stuck and failed Bulk jobs (Salesforce above 10,000 records),
``500s``, ``reset after apply`` (the server applies a batch, then drops the connection).
Target: lost is 0, and written twice is at most one batch per injected kill or reset. For the
kill, the same run with every batch recorded only at the end (the old behaviour) is shown too.
Exit code 1 when a target is missed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RECORDS = 10_000
REFUSED = 5
KILL_AT = 20  # the write request after which the client is killed
RESETS = 3
BULK_RECORDS = 12_000


@dataclass
class Outcome:
    crm: str
    fault: str
    records: int
    written: int
    twice: int
    lost: int
    refused: Counter[str]
    batch: int
    injected: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.twice <= self.batch * max(self.injected, 0)


def _salesforce(fake: Any, login: bool) -> Any:
    from connectors.salesforce import SalesforceConnector
    from service.settings import RetrySettings, SalesforceSettings
    from tests.fakes.salesforce import TOKEN

    virtual = [0.0]

    def sleep(seconds: float) -> None:  # Bulk polling and retries wait on a virtual clock
        virtual[0] += seconds

    if login:
        settings = SalesforceSettings(
            login_url=fake.url, username="u@x.test", password="pw", security_token="t"
        )
    else:
        settings = SalesforceSettings(instance_url=fake.url, session_id=TOKEN)
    return SalesforceConnector(
        settings, retry=RetrySettings(attempts=6), sleep=sleep, clock=lambda: virtual[0]
    )


def _hubspot(fake: Any, login: bool) -> Any:
    from connectors.hubspot import HubSpotConnector
    from service.settings import RetrySettings
    from tests.fakes.hubspot import TOKEN

    virtual = [0.0]

    def sleep(seconds: float) -> None:
        virtual[0] += seconds

    return HubSpotConnector(
        TOKEN,
        host=fake.url,
        retry=RetrySettings(attempts=6),
        sleep=lambda _s: None,
        clock=lambda: virtual[0],
        rate_sleep=sleep,
    )


CRMS: dict[str, tuple[str, str, int, Callable[[Any, bool], Any]]] = {
    # name: (fake class path, object, batch size, connector factory)
    "salesforce": ("tests.fakes.salesforce:FakeSalesforce", "Lead", 200, _salesforce),
    "hubspot": ("tests.fakes.hubspot:FakeHubSpot", "contacts", 100, _hubspot),
    # above bulk_threshold (10,000 changed records): one Bulk API 2.0 job is the batch
    "salesforce bulk": ("tests.fakes.salesforce:FakeSalesforce", "Lead", BULK_RECORDS, _salesforce),
}
BULK_FAULTS = ["none", "401 expiry", "stuck bulk job", "failed bulk job", "kill"]


def _fake(crm: str) -> Any:
    import importlib

    module, _, cls = CRMS[crm][0].partition(":")
    return getattr(importlib.import_module(module), cls)().start()


def _updates(ids: list[str], obj: str) -> list[Any]:
    from connectors.base import ScoreUpdate

    tiers = ["Hot", "Warm", "Cool", "Cold"]
    return [
        ScoreUpdate(i, obj, {"Total": n % 97, "Tier": tiers[n % 4], "Version": "1.10"})
        for n, i in enumerate(ids)
    ]


def _push(crm: str, fake_url: str, state: str, ids: list[str], login: bool, at_end: bool) -> None:
    """One ``crm push`` of the intended scores (in this process or a child)."""
    from service.commands.crm import push_updates
    from service.state.store import StateStore

    class _Url:
        url = fake_url

    connector = CRMS[crm][3](_Url(), login)
    store = StateStore(state)
    try:
        updates = _updates(ids, CRMS[crm][1])
        if at_end:  # the old behaviour: what was written is recorded once the push returns
            changed = store.changed_updates(crm, updates)
            result = connector.write_scores(changed)
            store.record_pushed(crm, changed, result.written)
        else:
            push_updates(connector, store, updates)
    finally:
        store.close()


def _child(crm: str, url: str, state: str, ids: list[str], login: bool, at_end: bool) -> None:
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    _push(crm, url, state, ids, login, at_end)


def _inject(fake: Any, crm: str, fault: str, write_path: str) -> int:
    """Arm ``fault`` on the fake for the next push; the number of faults it injects by design."""
    injected = 0
    if fault == "401 expiry":
        if crm.startswith("salesforce"):
            seen = {"n": 0}

            def expire(request: Any) -> None:
                if write_path in request.path or "jobs/ingest" in request.path:
                    seen["n"] += 1
                    if seen["n"] % 15 == 0 or "/batches" in request.path:
                        fake.expire_sessions()

            fake.on_write = expire
        else:  # a private app token does not expire: a 401 stops the push
            fake.fail_next(1, 401, path_contains=write_path)
    elif fault == "stuck bulk job":
        fake.bulk_mode = "stuck"
    elif fault == "failed bulk job":
        fake.bulk_mode = "fail"
    elif fault == "429 storm":
        fake.fail_next(5, 429, headers={"Retry-After": "0"}, path_contains=write_path)
    elif fault == "500s":
        fake.fail_next(3, 500, path_contains=write_path)
    elif fault == "reset after apply":
        injected = RESETS
        count = {"n": 0}

        def reset_now_and_then(request: Any) -> None:
            # the next write request (after this one) is applied, then reset
            if write_path in request.path:
                count["n"] += 1
                if count["n"] in (3, 13, 23):
                    fake.fail_after_apply(1, path_contains=write_path)

        fake.on_write = reset_now_and_then
    return injected


def run(crm: str, fault: str, records: int, *, at_end: bool = False) -> Outcome:
    """One push of ``records`` with ``fault`` injected, repeated once if it did not finish."""
    fake = _fake(crm)
    obj, batch = CRMS[crm][1], CRMS[crm][2]
    start = time.perf_counter()
    try:
        ids = fake.add_leads(records)
        refused_ids = ids[:: records // REFUSED][:REFUSED]
        fake.reject_records(refused_ids, "record locked by an approval process")
        write_path = {"salesforce": "composite/sobjects", "hubspot": "batch/update"}.get(
            crm, "/batches"
        )
        login = crm.startswith("salesforce")
        injected = 0
        with tempfile.TemporaryDirectory() as tmp:
            state = f"sqlite:///{Path(tmp) / 'state.db'}"
            if fault == "kill":
                injected = 1
                ctx = multiprocessing.get_context("fork")
                child = ctx.Process(target=_child, args=(crm, fake.url, state, ids, login, at_end))
                seen = {"n": 0}

                # collections: after the 20th request was applied; bulk: once the job is closed
                kill_path, kill_at = (
                    ("jobs/ingest/", 1) if crm == "salesforce bulk" else (write_path, KILL_AT)
                )

                def kill_after(request: Any) -> None:
                    if kill_path in request.path and request.method != "PUT":
                        seen["n"] += 1
                        if seen["n"] == kill_at and child.pid:
                            os.kill(child.pid, signal.SIGKILL)

                fake.on_write = kill_after
                child.start()
                child.join(600)
                fake.on_write = None
            else:
                injected = _inject(fake, crm, fault, write_path)
                try:
                    _push(crm, fake.url, state, ids, login, at_end)
                except Exception as exc:
                    print(f"  ({crm}, {fault}: first push stopped: {type(exc).__name__})")
                fake.on_write = None
            fake.reset_controls()
            if hasattr(fake, "bulk_mode"):
                fake.bulk_mode = "complete"
            _push(crm, fake.url, state, ids, login, at_end)  # again, as an operator would
        intended = {u.record_id: u.values["Total"] for u in _updates(ids, obj)}
        refused_set = set(refused_ids)
        written = lost = twice = 0
        for rid, total in intended.items():
            value = fake.score_of(rid, "Total")
            ok = value is not None and float(value) == float(total)
            written += ok
            twice += fake.writes_of(rid) > 1
            lost += (not ok) and rid not in refused_set
        refused = Counter(fake.rejected[r] for r in refused_ids)
    finally:
        fake.stop()
    label = "401 mid-push, pushed again" if fault == "401 expiry" and crm == "hubspot" else fault
    return Outcome(
        crm,
        label + (" (recorded at end: old)" if at_end else ""),
        records,
        written,
        twice,
        lost,
        refused,
        batch,
        injected,
        time.perf_counter() - start,
    )


FAULTS = ["none", "kill", "401 expiry", "429 storm", "500s", "reset after apply"]


def main(argv: list[str] | None = None) -> bool:
    os.environ.setdefault("NO_PROXY", "127.0.0.1,localhost")
    records = int(argv[0]) if argv else RECORDS
    rows: list[Outcome] = []
    for crm in ("salesforce", "hubspot"):
        for fault in FAULTS:
            rows.append(run(crm, fault, records))
        rows.append(run(crm, "kill", records, at_end=True))
    for fault in BULK_FAULTS:
        rows.append(run("salesforce bulk", fault, max(records, BULK_RECORDS)))
    print(
        f"{'crm':<16} {'fault':<34} {'records':>8} {'written':>8} {'twice':>6} {'lost':>5} "
        f"{'target twice':>12}  refused (reason)  seconds"
    )
    ok = True
    for r in rows:
        reasons = "; ".join(f"{n} x {reason}" for reason, n in r.refused.items())
        target = r.batch * r.injected
        old = r.fault.endswith("old)")
        print(
            f"{r.crm:<16} {r.fault:<34} {r.records:>8,} {r.written:>8,} {r.twice:>6,} "
            f"{r.lost:>5,} {('<= ' + str(target)) if not old else 'n/a':>12}  {reasons}  "
            f"{r.seconds:.1f}" + ("" if old or r.ok else "  <- MISSED")
        )
        if not old:
            ok = ok and r.ok
    print("targets met" if ok else "TARGET MISSED: lost > 0 or written twice above one batch")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(sys.argv[1:]) else 1)
