"""The test net itself: under CI a skip that hides breakage fails; the in-process runner runs
``main`` (its exit codes and error printing), not just the Typer app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli import CliResult

REPO = Path(__file__).resolve().parents[1]

INNER_TESTS = """
import pytest

from tests.ci import unavailable


@pytest.mark.postgres
def test_needs_the_server():
    pytest.skip("server down")


def test_needs_a_tool():
    unavailable("hadolint missing")


def test_optional():
    pytest.skip("nothing to do here")
"""


@pytest.fixture
def inner(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest("from tests.conftest import pytest_runtest_makereport  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    postgres: x\n    realdata: y\n")
    pytester.makepyfile(test_inner=INNER_TESTS)
    return pytester


@pytest.mark.parametrize("value", ["true", "1"])
def test_under_ci_a_missing_server_or_tool_is_a_failure(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """With CI set, the skipped PostgreSQL test and the missing tool fail, saying why; a plain
    skip elsewhere stays a skip."""
    monkeypatch.setenv("CI", value)
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2, skipped=1)
    result.stdout.fnmatch_lines(["*skipped under CI=true, which hides breakage*server down*"])
    result.stdout.fnmatch_lines(["*hadolint missing (a skip under CI=true would hide this*"])


def test_on_a_developer_machine_they_skip(
    inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(skipped=3)


def test_cli_runs_main_with_its_exit_codes(cli: Callable[..., CliResult], tmp_path) -> None:
    """Bad input is main()'s exit 2 with one ``error:`` line naming the file, not a traceback
    or the Typer app's bare exception."""
    result = cli("audit", str(tmp_path / "nope.csv"))
    assert result.code == 2
    assert result.stderr.count("error:") == 1 and "nope.csv" in result.text
    assert "Traceback" not in result.output


GROUPED_TESTS = """
import os

import pytest


@pytest.fixture(scope="session")
def spark():
    return os.environ["PYTEST_XDIST_WORKER"]


@pytest.fixture(scope="session")
def sample_model():
    return os.environ["PYTEST_XDIST_WORKER"]


@pytest.mark.parametrize("i", range(6))
def test_uses_the_shared_process(spark, i):
    print(f"WORKER {spark}")


@pytest.mark.parametrize("i", range(3))
def test_uses_the_shared_process_too(sample_model, i):
    print(f"WORKER {sample_model}")


@pytest.mark.parametrize("i", range(6))
def test_other(i):
    pass
"""


def test_tests_of_a_shared_process_run_on_one_worker(pytester: pytest.Pytester) -> None:
    """Under ``-n 2 --dist loadgroup`` the tests using a shared-process fixture (one JVM for
    Spark, one Chromium) all run on one worker: the grouping tests/conftest.py adds reaches
    pytest-xdist's scheduler (pytest 9.2 broke that silently, pytest-xdist#1386). The Spark
    tests and the sample model's share that worker (Spark scores the sample model too)."""
    pytester.makeconftest(
        "from tests.conftest import pytest_collection_modifyitems  # noqa: F401\n"
    )
    pytester.makeini(f"[pytest]\npythonpath = {REPO}\nmarkers =\n    slow: x\n")
    pytester.makepyfile(test_grouped=GROUPED_TESTS)
    result = pytester.runpytest_subprocess("-n", "2", "--dist", "loadgroup", "-rA", "-v")
    result.assert_outcomes(passed=15)
    workers = {line.split()[-1] for line in result.outlines if line.startswith("WORKER ")}
    grouped = [line for line in result.outlines if "test_uses_the_shared_process" in line]
    assert len(workers) == 1, (workers, grouped)
    passed = {line.split()[-1] for line in grouped if "PASSED" in line}
    assert len(passed) == 9 and all(node.endswith("@sample-model") for node in passed), passed
