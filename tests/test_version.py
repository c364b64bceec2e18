"""One version string: ``service.__version__``; the package metadata and the deployment read it."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import yaml
from typer.testing import CliRunner

import service
from service.cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_package_metadata_has_the_version() -> None:
    """The installed distribution's version is ``service.__version__`` (pyproject: dynamic)."""
    assert version("leadscore") == service.__version__
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^version\s*=\s*"', text, re.M) is None, "a second version string"


def test_cli_prints_the_version() -> None:
    """``leadscore --version`` prints it."""
    result = CliRunner().invoke(app, ["--version"])
    assert result.output == f"leadscore {service.__version__}\n"


def test_the_kubernetes_image_is_this_version() -> None:
    """The deployment runs the image tagged with this version."""
    doc = yaml.safe_load((ROOT / "deploy" / "kubernetes" / "deployment.yaml").read_text())
    images = [c["image"] for c in doc["spec"]["template"]["spec"]["containers"]]
    assert images == [f"leadscore:{service.__version__}"]


def test_commands_are_registered_in_help_order() -> None:
    """service/cli.py registers every command explicitly, in the order of ``--help``."""
    commands = [c.name or c.callback.__name__ for c in app.registered_commands]  # type: ignore[union-attr]
    groups = [g.name for g in app.registered_groups]
    assert commands == ["sample-data", "audit", "build", "score", "dashboard"]
    assert groups == ["rules", "model", "crm", "daemon", "experiment"]
