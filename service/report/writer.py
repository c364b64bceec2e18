"""Write the report, its plots and the rep guide next to the model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from service.model.analysis_schema import Analysis
from service.report.document import render_report
from service.report.escape import write_markdown
from service.report.plots import write_plots
from service.report.rep_guide import render_rep_guide

if TYPE_CHECKING:
    from service.model.build import BuildResult

REPORT_NAME = "lead-scoring-model.md"
REP_GUIDE_NAME = "rep-guide.md"


def write_report(
    analysis: Analysis,
    out_dir: Path,
    *,
    batch_section: str | None = None,
    batch_counts: dict[str, int] | None = None,
) -> dict[str, Path]:
    """Write ``lead-scoring-model.md``, ``rep-guide.md`` and the PNG plots into ``out_dir``."""
    out_dir = Path(out_dir)
    plots_dir = out_dir / "plots"
    written = write_plots(analysis, plots_dir, batch_counts)
    links = {name: f"plots/{name}" for name, path in written.items() if path is not None}
    report = out_dir / REPORT_NAME
    write_markdown(report, render_report(analysis, batch_section=batch_section, plots=links))
    guide = out_dir / REP_GUIDE_NAME
    write_markdown(guide, render_rep_guide(analysis))
    files = {"report": report, "rep_guide": guide}
    files.update({name: path for name, path in written.items() if path is not None})
    return files


def write_build(result: BuildResult, out_dir: str | Path) -> dict[str, Path]:
    """Write a build: ``model.yaml``, ``analysis.json``, the report, its plots and the rep guide.

    The model and the analysis go first, so the report is never ahead of the files it describes."""
    out = Path(out_dir)
    paths = result.write(out)
    paths.update(write_report(result.analysis, out))
    return paths
