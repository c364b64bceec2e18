"""The one place tests touch ``analysis.json``: real builds' documents, read by path and
changed by a named, minimal edit.

Tests never write an analysis by hand. They render the sample build's own (``built_analysis``:
``make demo``'s build, the session's ``sample_model``) or that of a small deals frame with the
situations the sample lacks planted in it (``planted_analysis``: a rep-capacity configuration,
a free-text field, a yes/no value too rare to judge, built by the same builder in about a
second), or a copy of either with one field changed (``modified``) or a block left out
(``without``). Paths read like ``"signals[0].label"``. ``at`` reads dict keys and attributes
alike and ``modified``/``without`` rebuild frozen pydantic models as well as dicts, so when the
document becomes a typed model only ``load`` changes. ``tests/conftest.py`` makes the two
fixtures available to every suite, so this module imports the builder only when they run.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from service.model.analysis_schema import Analysis, load_analysis

if TYPE_CHECKING:
    import pandas as pd

#: ``signals[0].label`` -> ``signals``, ``0``, ``label``
_PART = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def load(path: Path) -> Analysis:
    """The analysis document a build wrote to ``path`` (``analysis.json``)."""
    return load_analysis(path)


def write(analysis: Any, path: Path) -> Path:
    """``analysis`` written to ``path`` as a build writes ``analysis.json``."""
    if isinstance(analysis, Analysis):
        text = analysis.to_json()
    elif hasattr(analysis, "model_dump_json"):
        text = analysis.model_dump_json(indent=2)
    else:
        text = json.dumps(analysis, indent=2, allow_nan=False)
    path.write_text(text, encoding="utf-8")
    return path


def keys(path: str) -> list[str | int]:
    """``"signals[0].label"`` as ``["signals", 0, "label"]``."""
    parts: list[str | int] = []
    for name, index in _PART.findall(path):
        parts.append(int(index) if index else name)
    if not parts:
        raise ValueError(f"empty path: {path!r}")
    return parts


def _child(node: Any, key: str | int) -> Any:
    if isinstance(key, int) or isinstance(node, Mapping):
        return node[key]
    return getattr(node, key)


def at(analysis: Any, path: str, default: Any = KeyError) -> Any:
    """The value at ``path``: ``default`` when a key on the way is missing or None (a typed
    document has None where a dict leaves the key out), else a KeyError naming the path."""
    node = analysis
    for key in keys(path):
        try:
            node = None if node is None else _child(node, key)
        except (KeyError, IndexError, AttributeError):
            node = None
        if node is None and default is KeyError:
            raise KeyError(f"{path}: nothing at {key!r}")
    return default if node is None else node


def find(analysis: Any, path: str, **match: Any) -> Any:
    """The first item of the list at ``path`` whose fields equal ``match``."""
    for item in at(analysis, path):
        if all(at(item, k, None) == v for k, v in match.items()):
            return item
    raise LookupError(f"{path}: no item with {match}")


def _replaced(node: Any, path: list[str | int], value: Any, delete: bool) -> Any:
    key, rest = path[0], path[1:]
    new = None if delete and not rest else value
    if rest:
        new = _replaced(_child(node, key), rest, value, delete)
    if isinstance(node, Mapping):
        out = dict(node)
        if delete and not rest:
            out.pop(key, None)  # a dict document leaves a missing block out
        else:
            out[key] = new
        return out
    if isinstance(node, list | tuple):
        items = list(node)
        items[int(key)] = new
        return type(node)(items)
    # a (frozen) pydantic model: validate again, so a plain JSON value becomes its typed field
    fields = {name: getattr(node, name) for name in type(node).model_fields}
    fields[str(key)] = new
    return type(node).model_validate(fields)


def modified(analysis: Any, path: str, value: Any) -> Any:
    """A copy of ``analysis`` with the value at ``path`` replaced by ``value`` (plain JSON)."""
    return _replaced(copy.deepcopy(analysis), keys(path), value, delete=False)


def without(analysis: Any, paths: Iterable[str]) -> Any:
    """A copy of ``analysis`` with each block at ``paths`` missing (left out of a dict, None in a
    typed document): a build that could not measure it."""
    out = copy.deepcopy(analysis)
    for path in paths:
        out = _replaced(out, keys(path), None, delete=True)
    return out


#: the capacity configuration of the planted build: 4 reps working 25 leads a week each
PLANTED_CAPACITY = "capacity: {reps: 4, leads_per_rep_per_week: 25, new_leads_per_week: 100}\n"
#: deals in the planted frame, and how many of them have the rare ``referral`` value
PLANTED_DEALS, RARE_REFERRALS = 400, 8


@pytest.fixture(scope="session")
def built_analysis(sample_model: Path) -> Any:
    """``analysis.json`` of ``make demo``'s build (180 sample deals with their ICP and leads).
    Shared by the session: never change it in place, derive a copy with ``modified``."""
    return load(sample_model / "model" / "analysis.json")


def planted_deals(n: int = PLANTED_DEALS, seed: int = 3) -> pd.DataFrame:
    """Closed deals where a demo, the Software industry and a webinar each raise the win rate,
    ``referral`` is yes on only ``RARE_REFERRALS`` deals and ``notes`` is free text (two rows in
    three hold a sentence no other row has)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    demo, webinar = rng.random(n) < 0.4, rng.random(n) < 0.4
    industry = rng.choice(["Software", "Retail", "Health"], n)
    referral = np.zeros(n, bool)
    referral[rng.choice(n, RARE_REFERRALS, replace=False)] = True
    won = rng.random(n) < 0.08 + 0.35 * demo + 0.25 * (industry == "Software") + 0.25 * webinar
    words = ["call", "back", "budget", "next", "quarter", "pilot", "legal", "review", "champion"]
    return pd.DataFrame(
        {
            "deal_id": [f"D{i:04d}" for i in range(n)],
            "company": [f"Company {i}" for i in range(n)],
            "close_date": pd.date_range("2025-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "outcome": np.where(won, "Closed Won", "Closed Lost"),
            "demo_requested": np.where(demo, "yes", "no"),
            "webinar": np.where(webinar, "yes", "no"),
            "industry": industry,
            "referral": np.where(referral, "yes", "no"),
            "notes": [
                " ".join(rng.choice(words, 5)) + f" #{i}" if i % 3 else "no notes" for i in range(n)
            ],
        }
    )


@pytest.fixture(scope="session")
def planted_analysis(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``analysis.json`` of ``planted_deals`` built with ``PLANTED_CAPACITY``, as ``leadscore
    build deals.csv --config config.yaml`` writes it. Read it, never change it in place."""
    from service.data.deals import load_deals
    from service.model.build import build_model

    folder = tmp_path_factory.mktemp("planted-build")
    planted_deals().to_csv(folder / "deals.csv", index=False)
    (folder / "config.yaml").write_text(PLANTED_CAPACITY)
    result = build_model(load_deals(folder / "deals.csv", folder / "config.yaml"))
    return load(result.write(folder / "model")["analysis"])
