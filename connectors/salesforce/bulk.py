"""Bulk API 2.0 update jobs: create, upload, close, poll (with a deadline), read the results.

Every step goes through the connector's call wrapper (the retry policy and session renewal) and
asks for a client on the current session, so a session that expires mid-job is renewed and the
job goes on. A job that fails to upload or does not finish by the deadline is aborted, never
left Open or InProgress; a job that fails reports its own error for every record it did not
process. Polling backs off from 2 s to 30 s; sleeping and the clock are injected.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

import structlog
from simple_salesforce.bulk2 import Operation, _Bulk2Client

from connectors.base import RecordError, WriteResult
from connectors.salesforce.writer import GONE_CODES, Row, read_bulk_results
from service.errors import ConnectorError

log = structlog.get_logger(__name__)
T = TypeVar("T")
POLL_SECONDS = 2.0
POLL_MAX_SECONDS = 30.0
DONE = ("JobComplete", "Failed", "Aborted")


class BulkJobs:
    """Runs update jobs on one object, one job per CSV upload."""

    def __init__(
        self,
        obj: str,
        *,
        call: Callable[[Callable[[], Any]], Any],
        client: Callable[[str], _Bulk2Client],
        timeout: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        gone_codes: Collection[str] = GONE_CODES,
    ) -> None:
        self.obj = obj
        self.gone_codes = gone_codes
        self._call = call
        self._client = client
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep

    def _step(self, fn: Callable[[_Bulk2Client], T]) -> T:
        result: T = self._call(lambda: fn(self._client(self.obj)))
        return result

    def run(self, group: Sequence[Row], data: str) -> WriteResult:
        """Create, upload, close and poll one job (until ``timeout``), then read its results."""
        job_id = str(self._step(lambda c: c.create_job(Operation.update))["id"])
        try:
            self._step(lambda c: c.upload_job_data(job_id, data))
            self._step(lambda c: c.close_job(job_id))
            state = self._wait(job_id)
        except ConnectorError:
            self.abort(job_id)
            raise
        if state["state"] not in DONE:
            self.abort(job_id)
            reason = (
                f"Bulk job {job_id} was still {state['state']} after {self.timeout:g} s; "
                "aborted, retried next run"
            )
            log.warning("bulk_job_timed_out", connector="salesforce", job=job_id)
            return WriteResult(failed=[RecordError(u.record_id, reason, True) for u in group])
        ok = self._step(lambda c: c.get_ingest_results(job_id, "successfulResults"))
        failed = self._step(lambda c: c.get_ingest_results(job_id, "failedResults"))
        log.info("bulk_job_finished", connector="salesforce", job=job_id, state=state["state"])
        job_error = None
        if state["state"] != "JobComplete":
            reason = str(state.get("errorMessage") or "no reason given")
            job_error = f"Bulk job {job_id} {state['state']}: {reason}"
        return read_bulk_results(group, ok, failed, job_error=job_error, gone_codes=self.gone_codes)

    def _wait(self, job_id: str) -> dict[str, Any]:
        """The job's state once it is done, or the last state seen at the deadline."""
        deadline = self.clock() + self.timeout
        wait = POLL_SECONDS
        while True:
            state: dict[str, Any] = self._step(lambda c: c.get_job(job_id, False))
            if state["state"] in DONE or self.clock() >= deadline:
                return state
            self.sleep(min(wait, max(0.0, deadline - self.clock())))
            wait = min(wait * 1.5, POLL_MAX_SECONDS)  # fewer polls for a long job

    def abort(self, job_id: str) -> None:
        """Abort a job left Open or InProgress; a failure to abort is logged, not raised."""
        try:
            self._step(lambda c: c.abort_job(job_id, False))
            log.warning("bulk_job_aborted", connector="salesforce", job=job_id)
        except ConnectorError as exc:
            log.warning("bulk_job_abort_failed", connector="salesforce", job=job_id, error=str(exc))
