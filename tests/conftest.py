"""Settings and fixtures every test shares.

The suite runs in parallel (``pytest -n``, see the Makefile): a fixture here gives each test its
own temporary folder, PostgreSQL schema and ports, so a new test is parallel-safe by using them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
import structlog

from service import redact
from tests import ci
from tests.cli import CliResult, invoke
from tests.report.analysis import built_analysis, planted_analysis  # noqa: F401  (fixtures)

#: pytester: tests/test_net.py runs small suites through the hooks here; the fake CRM servers
pytest_plugins = ["pytester", "tests.fakes.fixtures"]

if "PYTEST_XDIST_WORKER" in os.environ:
    # xdist starts its workers with COLUMNS=80 LINES=24; a Rich console made at import would
    # keep that width for good. Give the workers the environment a plain ``pytest`` has.
    for _name in ("COLUMNS", "LINES"):
        os.environ.pop(_name, None)

#: the day the shared sample data is generated as of (fixed: the figures tests check stay put)
SAMPLE_AS_OF = "2026-11-28"


@pytest.fixture(autouse=True)
def _local_fakes_over_http(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fake CRM and Slack servers listen on http://127.0.0.1: allow plain http for them (a
    test of the https rule deletes this), read no env file, and forget secrets between tests."""
    monkeypatch.setenv("LEADSCORE_ALLOW_INSECURE_HTTP", "true")
    monkeypatch.delenv("LEADSCORE_ENV_FILE", raising=False)
    yield
    redact.forget_all()


@pytest.fixture(autouse=True)
def _logging_put_back() -> Iterator[None]:
    """Whatever a test configures (``configure_logging("WARNING")`` filters INFO before
    ``capture_logs`` sees it), the next test starts with the logging this one started with."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    structlog.configure(**saved)
    root.handlers = handlers
    root.setLevel(level)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """``cli("build", "deals.csv", env={...})``: ``leadscore`` in-process (tests/cli.py)."""
    return invoke


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A PostgreSQL schema of this test's own on ``tests.ci.PG_URL`` (dropped afterwards)."""
    with ci.pg_schema() as schema:
        yield schema


@pytest.fixture(scope="session")
def sample_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``leadscore sample-data --as-of 2026-11-28`` + ``leadscore build`` with the ICP and the
    leads, as ``make demo`` runs them, once per session (per worker): the folder holding ``data/``
    and ``model/`` (model.yaml, analysis.json, the report, plots). Read it, never write into it:
    ``shutil.copytree`` what a test changes."""
    root = tmp_path_factory.mktemp("sample-model")
    data = root / "data"
    inputs = ["--icp", str(data / "icp.yaml"), "--leads", str(data / "leads.csv")]
    for args in (
        ["sample-data", "--out", str(data), "--as-of", SAMPLE_AS_OF],
        ["build", str(data / "deals.csv"), *inputs, "--out", str(root / "model")],
    ):
        result = invoke(*args)
        assert result.code == 0, result.output
    return root


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under CI a skipped PostgreSQL or real-data test is a failure: there a skip means the
    server or the data did not come up, which is the breakage the test is there to catch."""
    report = yield
    if (
        report.skipped
        and ci.in_ci()
        and not hasattr(report, "wasxfail")
        and any(item.get_closest_marker(m) for m in ci.MUST_RUN_IN_CI)
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which hides breakage: {reason}"
    return report


#: fixtures whose tests share one expensive thing: under ``pytest -n --dist loadgroup`` each group
#: runs on one worker (one JVM for Spark, one Chromium, one sample build, one planted report
#: build), never one per worker. Spark scores the sample model too: one group for both, or two
#: workers build it (the sample build costs about what the JVM's start does)
SHARED_PROCESS_FIXTURES = {
    "spark": "sample-model",
    "browser": "chromium",
    "sample_model": "sample-model",
    "planted_analysis": "planted-build",
}
#: fixtures that make a test slow whatever its own marks say (``make test-fast`` leaves them out)
SLOW_FIXTURES = {"spark", "browser", "sample_model"}


@pytest.hookimpl(tryfirst=True)  # before xdist names the groups in the node ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests of a shared process on one worker and mark the slow ones, by the fixtures
    they use, so a new test gets both without saying so."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for fixture, group in SHARED_PROCESS_FIXTURES.items():
            if fixture in fixtures and not item.get_closest_marker("xdist_group"):
                item.add_marker(pytest.mark.xdist_group(group))
        if fixtures & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
