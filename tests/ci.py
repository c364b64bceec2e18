"""What the test net does when something a test needs is missing: skip on a developer's machine,
fail under CI (``CI=true``), where a skip would hide a broken install step."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import pytest
import sqlalchemy as sa

#: the markers whose tests must run under CI: a skip there is a failure
MUST_RUN_IN_CI = ("postgres", "realdata")

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason`` on a developer's machine; under CI fail with it."""
    if in_ci():
        pytest.fail(f"{reason} (a skip under CI=true would hide this; .ci/run must provide it)")
    pytest.skip(reason)


def worker() -> str:
    """The pytest-xdist worker running this test (``gw0``...), ``main`` without xdist."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@contextmanager
def pg_schema(prefix: str = "leadscore_test") -> Iterator[str]:
    """A fresh schema on the test server named after the worker, dropped afterwards; skipped
    (failed under CI) when the server is not reachable."""
    schema = f"{prefix}_{worker()}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unavailable(f"PostgreSQL at 127.0.0.1:5432 is not reachable ({exc.orig}); run .ci/run")
    try:
        yield schema
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
