"""Every hostile input of the corpus: its exit code and message, no traceback, no internal error,
and (for the files written) no formula cell, no live HTML, link or remote image."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from service.cli import main
from tests.hostile.corpus import CASES, SECRETS, Case
from tests.hostile.runner import case_env, expected_message, fold


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()


def test_the_corpus_covers_45_kinds() -> None:
    """At least 45 distinct kinds, each named once."""
    kinds = [c.kind for c in CASES]
    assert len(kinds) >= 45 and len(set(kinds)) == len(kinds)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.kind)
def test_hostile_input(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command exits with the case's code and message; never exit 1, never a traceback."""
    monkeypatch.chdir(tmp_path)
    for name in case.unset:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    argv = case.build(tmp_path)
    with case_env(case, tmp_path) as env:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "argv", ["leadscore", *argv])
        with pytest.raises(SystemExit) as exc:
            main()
    out, err = capsys.readouterr()
    text = fold(out + err)
    code = int(exc.value.code or 0)
    assert code == case.code, text[-2000:]
    assert code != 1 and "internal error" not in text and "Traceback" not in text
    assert expected_message(case, tmp_path) in text, text[-2000:]
    if case.code == 2:
        assert err.count("error:") == 1, err
    assert not [s for s in SECRETS.values() if s in out + err]
    if case.check is not None:
        case.check(tmp_path)
