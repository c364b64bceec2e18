"""Peak resident memory of this process, for benchmarks that run each measure in a child."""

from __future__ import annotations

import contextlib
import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak RSS in MB: ``VmHWM``, which starts afresh at exec (``ru_maxrss``
    survives ``exec`` on Linux, so a child would report its parent's peak from before the fork);
    ``ru_maxrss`` where ``/proc`` is not there."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
