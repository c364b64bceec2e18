"""The benchmark runner finds benchmark modules by their ``main()``; no data needed."""

from __future__ import annotations

import pandas as pd
import pytest

from benchmarks import __main__ as runner
from benchmarks.real_data import BY_NAME, excluded_columns


def test_runner_lists_modules_with_a_main(capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m benchmarks --help`` names the real_data benchmark among the modules."""
    assert runner.run(["--help"]) == 0
    assert "real_data" in capsys.readouterr().out
    assert runner.load("real_data") is not None


def test_runner_rejects_an_unknown_benchmark(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown name exits 2 and lists the benchmarks to choose from."""
    assert runner.run(["no_such_bench"]) == 2
    err = capsys.readouterr().err
    assert "no benchmark named 'no_such_bench'" in err and "real_data" in err


def test_runner_passes_arguments_and_maps_results_to_exit_codes() -> None:
    """A main taking arguments gets them; False and non-zero results become failures."""
    seen: list[list[str]] = []
    assert runner._call(lambda args: seen.append(args), ["x"]) == 0
    assert seen == [["x"]]
    assert runner._call(lambda: False, []) == 1
    assert runner._call(lambda: 3, []) == 3
    assert runner._call(lambda: None, []) == 0


def test_readme_exclusions_expand_prefixes_to_the_file_columns() -> None:
    """'Asymmetrique *' stands for every column starting with Asymmetrique, as a user would list."""
    columns = pd.Index(
        ["Tags", "Asymmetrique Activity Index", "Asymmetrique Profile Score", "City"]
    )
    assert excluded_columns(BY_NAME["xeducation"], columns) == [
        "Tags",
        "Asymmetrique Activity Index",
        "Asymmetrique Profile Score",
    ]
