"""The one place the report tests touch ``analysis.json``: load a real build's document, read a
value by its path, and derive a situation from it by a named, minimal change.

The report tests never write an analysis by hand: they render the sample build's own
(``built_analysis`` in ``tests/report/conftest.py``) or a copy of it with one field changed
(``modified``) or a block left out (``without``). Paths read like ``"signals[0].label"``.
``at`` reads dict keys and attributes alike and ``modified``/``without`` rebuild frozen pydantic
models as well as dicts, so when the document becomes a typed model only ``load`` changes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from service.model.analysis_schema import Analysis, load_analysis

#: ``signals[0].label`` -> ``signals``, ``0``, ``label``
_PART = re.compile(r"([^.\[\]]+)|\[(-?\d+)\]")


def load(path: Path) -> Analysis:
    """The analysis document a build wrote to ``path`` (``analysis.json``)."""
    return load_analysis(path)


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
