"""The test net itself: under CI a skip that hides breakage fails; the in-process runner runs
``main`` (its exit codes and error printing), not just the Typer app."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cli import CliResult

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
