"""Recording a pass's batches behind the pass: the state-store writes of one batch overlap the
reading, scoring and CRM writes of the next.

On PostgreSQL the state store is another process: while it executes a batch's writes (the
copies, the confirmed pushes, the refusals, the tiers with their Hot turns and outbox rows,
Section 5's facts) the daemon would sit idle. ``Recorder(background=True)`` runs them on worker
threads ("lanes", each in the order its calls were asked for; a lane keeps to its own tables, so
one lane's Python work overlaps the other's wait on the server), at most one batch behind the
pass (``mark``): the next batch's reads concern other leads. On SQLite (in-process, one writer
at a time) the work runs at once, as before.

What a crash or a stop can lose is what a crash between a CRM write and its record always
could: the records of the last batch or two. The next pass redoes them (the CRM gets the same
values again, a Hot turn is found again and recorded once). A failure on the worker (a database
outage) is raised in the pass at its next step, after which nothing more is recorded.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class Recorder:
    """Runs record-keeping calls in order, in the background or at once (see the module)."""

    def __init__(self, *, background: bool, lanes: int = 2) -> None:
        self._pools = (
            [
                ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"leadscore-recorder-{i}")
                for i in range(lanes)
            ]
            if background
            else []
        )
        self._pending: deque[Future[None]] = deque()
        #: how many of ``_pending`` were asked for before the last ``mark``
        self._before_mark = 0
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._aside: ThreadPoolExecutor | None = None
        self._asides: list[Future[None]] = []

    def later(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """Run ``fn(*args, **kwargs)`` after every call asked for before it on lane 0."""
        self.on_lane(0, fn, *args, **kwargs)

    def on_lane(self, lane: int, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """Run ``fn(*args, **kwargs)`` after every call asked for before it on the same lane.
        Lanes run side by side (each its own thread and connection): give a lane its own
        tables, so that no call on one depends on a call on another."""
        self.raise_failure()
        if not self._pools:
            fn(*args, **kwargs)
            return
        pool = self._pools[lane % len(self._pools)]
        self._pending.append(pool.submit(self._run, fn, args, kwargs))

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        with self._lock:
            if self._error is not None:  # after a failure nothing more is recorded
                return
        try:
            fn(*args, **kwargs)
        except BaseException as exc:
            with self._lock:
                self._error = self._error or exc
            raise

    def aside(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> None:
        """Run ``fn`` on a thread of its own, waited for only by ``flush`` and ``close`` (work no
        record depends on: refreshing the planner's statistics); at once when not in the
        background."""
        self.raise_failure()
        if not self._pools:
            fn(*args, **kwargs)
            return
        if self._aside is None:
            self._aside = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leadscore-aside")
        self._asides.append(self._aside.submit(self._run, fn, args, kwargs))

    def mark(self) -> None:
        """A batch starts: wait for the records of the batch before the last one (the pass runs
        at most one batch ahead of its records), then raise a failure of the worker."""
        self._wait(self._before_mark)
        self._before_mark = len(self._pending)
        self.raise_failure()

    def flush(self) -> None:
        """Wait for every record asked for; raise the worker's failure, if any."""
        self._wait(len(self._pending))
        self._wait_asides()
        self._before_mark = 0
        self.raise_failure()

    def _wait_asides(self) -> None:
        for future in self._asides:
            future.exception()  # kept in ``_error``
        self._asides = []

    def raise_failure(self) -> None:
        with self._lock:
            error = self._error
        if error is not None:
            raise error

    def close(self) -> None:
        """Wait for what was asked for (without raising: the pass is ending with an error of
        its own) and stop the worker."""
        self._wait(len(self._pending))
        self._wait_asides()
        for pool in [*self._pools, *([self._aside] if self._aside else [])]:
            pool.shutdown(wait=True)

    def _wait(self, count: int) -> None:
        for _ in range(min(count, len(self._pending))):
            future = self._pending.popleft()
            if future.exception() is not None:  # kept in ``_error``; raised by the caller
                continue
        self._before_mark = min(self._before_mark, len(self._pending))
