"""Peak memory and time of every hostile input in the corpus (``tests/hostile/corpus.py``).

Run: ``python -m benchmarks hostile [KIND ...]``. Each case's files are built here, then its
command runs in a child process of its own; the child's peak resident memory (``VmHWM``, which
the child reads from ``/proc/self/status`` as it exits) and wall time are printed per case, with the worst of each. Targets: every case
under 1 GB and under 30 s, with the exit code the corpus expects. Exit code 1 when one misses.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MEMORY_TARGET_MB = 1024
TIME_TARGET_S = 30.0
#: the child writes its own /proc status at exit: VmHWM is the peak of its memory after exec
#: (``ru_maxrss`` would also count the parent's memory copied at fork)
_CHILD = (
    "import atexit, os, sys\n"
    "def _peak():\n"
    "    with open('/proc/self/status') as s, open(os.environ['HOSTILE_PEAK'], 'w') as out:\n"
    "        out.write(s.read())\n"
    "atexit.register(_peak)\n"
    "from service.cli import main\n"
    "sys.argv[0] = 'leadscore'\n"
    "main()\n"
)


def _peak_mb(status_file: Path) -> float:
    for line in status_file.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM in {status_file}")


def run_case(case: object, folder: Path) -> tuple[int, float, float]:
    """(exit code, peak MB, seconds) of one case's command in a child process."""
    from tests.hostile.corpus import Case
    from tests.hostile.runner import case_env

    assert isinstance(case, Case)
    argv = case.build(folder)
    with case_env(case, folder) as extra:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADSCORE_")}
        env["LEADSCORE_ALLOW_INSECURE_HTTP"] = "true"  # as the tests run: local fakes
        for name in case.unset:
            env.pop(name, None)
        env.update(extra)
        env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
        env["HOSTILE_PEAK"] = str(folder / ".peak-status")
        began = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, *argv],
            cwd=folder,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        code = child.wait()
        seconds = time.perf_counter() - began
    return code, _peak_mb(folder / ".peak-status"), seconds


def main(argv: list[str] | None = None) -> int:
    """Run every case (or the kinds named); 0 when all meet the targets."""
    from tests.hostile.corpus import CASES

    wanted = set(argv or [])
    cases = [c for c in CASES if not wanted or c.kind in wanted]
    worst_mb: tuple[float, str] = (0.0, "")
    worst_s: tuple[float, str] = (0.0, "")
    missed: list[str] = []
    print(f"{'case':<36} {'exit':>4} {'peak MB':>8} {'seconds':>8}")
    for case in cases:
        with tempfile.TemporaryDirectory(prefix="leadscore-hostile-") as tmp:
            code, mb, seconds = run_case(case, Path(tmp))
        print(f"{case.kind:<36} {code:>4} {mb:>8.0f} {seconds:>8.2f}", flush=True)
        worst_mb = max(worst_mb, (mb, case.kind))
        worst_s = max(worst_s, (seconds, case.kind))
        if code != case.code or mb >= MEMORY_TARGET_MB or seconds >= TIME_TARGET_S:
            missed.append(case.kind)
    print(
        f"\n{len(cases)} hostile inputs. Worst peak memory: {worst_mb[0]:.0f} MB ({worst_mb[1]}; "
        f"target < {MEMORY_TARGET_MB} MB, ratio {worst_mb[0] / MEMORY_TARGET_MB:.2f}). "
        f"Worst time: {worst_s[0]:.1f} s ({worst_s[1]}; target < {TIME_TARGET_S:.0f} s, "
        f"ratio {worst_s[0] / TIME_TARGET_S:.2f})."
    )
    if missed:
        print(f"missed (exit code, memory or time): {', '.join(missed)}")
    return 1 if missed else 0
