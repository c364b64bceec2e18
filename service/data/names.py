"""Column names as words: the one tokeniser the audit and the model read names with."""

from __future__ import annotations

import re

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def column_words(name: object) -> list[str]:
    """Lower-case words of a column name: ``SalesCycle_days`` -> ``["sales", "cycle", "days"]``
    (camel case, underscores, spaces and punctuation all separate words)."""
    return [w for w in _NON_WORD.split(_CAMEL.sub(" ", str(name)).lower()) if w]
