"""Chart.js configurations as plain dicts (the page embeds them as JSON; ``dashboard.js`` draws them).

A chart is ``Chart(id, title, config)``; a figure the state store cannot give yet is
``Missing(id, title, reason)``, which the page shows as a sentence instead of an empty plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

TIER_COLOURS = {
    "Hot": "#d62728",
    "Warm": "#ff7f0e",
    "Cool": "#1f77b4",
    "Cold": "#7f7f7f",
    "Unscoreable": "#bcbd22",
    "New": "#9467bd",
}
WON, LOST = "#2ca02c", "#8c564b"


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    config: dict[str, Any]
    note: str = ""
    missing: str = ""


def Missing(id: str, title: str, reason: str) -> Chart:
    """A figure that cannot be drawn yet, and why."""
    return Chart(id, title, {}, missing=reason)


def _options(x: str, y: str, *, stacked: bool = False, legend: bool = True) -> dict[str, Any]:
    return {
        "animation": False,
        "responsive": True,
        "maintainAspectRatio": False,
        "plugins": {"legend": {"display": legend}},
        "scales": {
            "x": {"title": {"display": True, "text": x}, "stacked": stacked},
            "y": {"title": {"display": True, "text": y}, "stacked": stacked, "beginAtZero": True},
        },
    }


def pie(labels: Sequence[str], values: Sequence[float]) -> dict[str, Any]:
    return {
        "type": "pie",
        "data": {
            "labels": list(labels),
            "datasets": [
                {
                    "data": list(values),
                    "backgroundColor": [TIER_COLOURS.get(t, "#17becf") for t in labels],
                }
            ],
        },
        "options": {"animation": False, "responsive": True, "maintainAspectRatio": False},
    }


def bar(
    labels: Sequence[Any],
    datasets: Sequence[tuple[str, Sequence[float | None], str | Sequence[str]]],
    *,
    x: str,
    y: str,
    stacked: bool = False,
    horizontal: bool = False,
) -> dict[str, Any]:
    """``datasets``: ``(label, values, colour or one colour per bar)``."""
    options = _options(x, y, stacked=stacked, legend=len(datasets) > 1)
    if horizontal:
        options["indexAxis"] = "y"
        options["scales"] = {
            "x": {**options["scales"]["y"], "title": {"display": True, "text": y}},
            "y": {**options["scales"]["x"], "title": {"display": True, "text": x}},
        }
    return {
        "type": "bar",
        "data": {
            "labels": [str(v) for v in labels],
            "datasets": [
                {"label": label, "data": list(values), "backgroundColor": colour}
                for label, values, colour in datasets
            ],
        },
        "options": options,
    }


def line(
    labels: Sequence[str], label: str, values: Sequence[float], colour: str, *, x: str, y: str
) -> dict[str, Any]:
    return {
        "type": "line",
        "data": {
            "labels": list(labels),
            "datasets": [
                {
                    "label": label,
                    "data": list(values),
                    "borderColor": colour,
                    "backgroundColor": colour,
                    "stepped": True,
                    "pointRadius": 2,
                }
            ],
        },
        "options": _options(x, y, legend=False),
    }
