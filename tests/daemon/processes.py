"""Running ``leadscore daemon`` as real processes in tests: a PostgreSQL schema of their own,
their JSON log lines, and waiting for an event in them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests import ci
from tests.ci import PG_URL

LEADSCORE = str(Path(sys.executable).with_name("leadscore"))


@contextmanager
def pg_schema() -> Iterator[str]:
    """A state URL whose tables live in a fresh PostgreSQL schema (dropped afterwards)."""
    with ci.pg_schema("leadscore_proc") as schema:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a daemon process: no LEADSCORE_* from the caller, JSON logs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADSCORE_")}
    env.update(NO_PROXY="127.0.0.1,localhost", no_proxy="127.0.0.1,localhost")
    env.update(LEADSCORE_LOG_JSON="true", LEADSCORE_DAEMON__METRICS_PORT="0")
    env.update(LEADSCORE_DASHBOARD__PORT="0")  # two replicas on one host: no shared port
    env.update(LEADSCORE_ALLOW_INSECURE_HTTP="true")  # the fakes are plain http on 127.0.0.1
    env.update(extra)
    return env


class Proc:
    """One ``leadscore`` process with its stderr (the JSON logs) in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path, cwd: Path) -> None:
        self.log = log
        self.out = log.with_suffix(".out")
        self._err = log.open("wb")
        self._out = self.out.open("wb")
        self.popen = subprocess.Popen(
            [LEADSCORE, *args], env=env, cwd=cwd, stdout=self._out, stderr=self._err
        )

    def events(self) -> list[dict[str, Any]]:
        """Every JSON log line so far (other lines are returned as ``{"raw": line}``)."""
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append({"raw": line})
        return out

    def wait_for(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 60
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for e in self.events():
                if match(e):
                    return e
            if self.popen.poll() is not None:
                for e in self.events():
                    if match(e):
                        return e
                raise AssertionError(f"exited {self.popen.returncode}: {self.log.read_text()}")
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting; log: {self.log.read_text()[-3000:]}")

    def wait(self, timeout: float = 120) -> int:
        """Wait for the process to end by itself; its exit code."""
        try:
            return self.popen.wait(timeout)
        finally:
            self._close()

    def stop(self, timeout: float = 30) -> int:
        if self.popen.poll() is None:
            self.popen.terminate()
        try:
            return self.popen.wait(timeout)
        finally:
            self._close()

    def _close(self) -> None:
        if not self._err.closed:
            self._err.close()
            self._out.close()

    def kill(self) -> None:
        self.popen.kill()
        self.popen.wait(30)
        self._close()
