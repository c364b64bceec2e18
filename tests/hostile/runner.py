"""Run one corpus case: in this process (the tests) or in a child process (the benchmark)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tests.hostile.corpus import Case
from tests.hostile.echo import echo_server, self_signed_context


@contextmanager
def case_env(case: Case, folder: Path) -> Iterator[dict[str, str]]:
    """The case's environment with its placeholders filled (an echo server started if asked)."""
    with ExitStack() as stack:
        tls = self_signed_context(folder) if case.echo_tls else None
        echo = stack.enter_context(echo_server(case.echo_status, tls)) if case.echo_status else ""
        env = {k: v.format(dir=folder, echo=echo) for k, v in case.env.items()}
        env.setdefault("LEADSCORE_RETRY__ATTEMPTS", "1")
        env.setdefault("LEADSCORE_STATE_URL", f"sqlite:///{folder}/state.db")
        env.setdefault("LEADSCORE_LOCAL__PATH", f"{folder}/crm.db")
        env.setdefault("MPLBACKEND", "Agg")
        yield env


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def expected_message(case: Case, folder: Path) -> str:
    return fold(case.message.format(dir=folder))
