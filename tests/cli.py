"""``leadscore ARGS`` in-process, exactly as the console script runs it, in click's test runner.

Use the ``cli`` fixture (tests/conftest.py) rather than a subprocess unless the process itself
is what the test is about (signals, exit on a crash, the installed script). The command goes
through ``service.cli.main`` — its error printing and exit codes included — inside
``CliRunner``'s isolation (typer's runner is this one plus a conversion of the Typer app, which
would skip ``main``): its own stdout/stderr, the environment given, and structlog's
configuration put back afterwards so the next test starts from the defaults.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from click.testing import CliRunner

#: wide enough that Rich never wraps a message a test looks for
COLUMNS = "200"


@dataclass(frozen=True)
class CliResult:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def output(self) -> str:
        """stdout then stderr."""
        return self.stdout + self.stderr

    @property
    def text(self) -> str:
        """stdout + stderr with every run of whitespace folded to one space (Rich wraps)."""
        return re.sub(r"\s+", " ", self.output)


class _Script:
    """What ``CliRunner.invoke`` calls: ``service.cli.main`` with ``sys.argv`` set, so the run
    includes the console script's own error handling."""

    name = "leadscore"

    def main(self, args: Sequence[str], prog_name: str, **_extra: Any) -> None:
        from service.cli import main

        saved = sys.argv
        sys.argv = [prog_name, *args]
        try:
            main()
        finally:
            sys.argv = saved


def invoke(*args: str, env: Mapping[str, str | None] | None = None) -> CliResult:
    """Run ``leadscore ARGS`` in this process; ``env`` entries are set (None: unset) for the run."""
    runner = CliRunner()
    full_env: dict[str, str | None] = {"COLUMNS": COLUMNS, **(env or {})}
    saved = structlog.get_config()
    try:
        result = runner.invoke(_Script(), list(args), env=full_env)  # type: ignore[arg-type]
    finally:
        structlog.reset_defaults()
        structlog.configure(**saved)
    exception = result.exception
    if exception is not None and not isinstance(exception, SystemExit):
        raise exception  # a bug in a test helper or an escape from main(): show the traceback
    return CliResult(result.exit_code, result.stdout, result.stderr, exception)
