"""A client-side rate limiter: at most N requests per rolling 10 s, and M searches per second.

HubSpot counts every request against a rolling ten-second window (100 on Free/Starter private
apps) and search requests against about 5 per second per account. Waiting here is cheaper than a
429. The clock and the sleep are injected so tests and benchmarks never really wait.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)


class RateLimiter:
    """Blocks (through ``sleep``) until a request fits under both rolling windows."""

    def __init__(
        self,
        requests_per_10s: int = 100,
        searches_per_second: int = 5,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_10s < 1 or searches_per_second < 1:
            raise ValueError(
                "rate limits must be at least 1; got "
                f"requests_per_10s={requests_per_10s}, searches_per_second={searches_per_second}."
            )
        self.requests_per_10s = requests_per_10s
        self.searches_per_second = searches_per_second
        self._clock = clock
        self._sleep = sleep
        self._requests: deque[float] = deque()
        self._searches: deque[float] = deque()
        #: seconds waited so far (for benchmarks and logs)
        self.waited = 0.0

    def acquire(self, *, search: bool = False) -> None:
        """Take one request slot (and one search slot when ``search``), waiting as needed."""
        windows = [(self._requests, self.requests_per_10s, 10.0)]
        if search:
            windows.append((self._searches, self.searches_per_second, 1.0))
        while True:
            now = self._clock()
            wait = 0.0
            for stamps, limit, span in windows:
                while stamps and stamps[0] <= now - span:
                    stamps.popleft()
                if len(stamps) >= limit:
                    wait = max(wait, stamps[0] + span - now)
            if wait <= 0:
                for stamps, _limit, _span in windows:
                    stamps.append(now)
                return
            log.debug("rate_limit_wait", wait=round(wait, 3), search=search)
            self.waited += wait
            self._sleep(wait)
