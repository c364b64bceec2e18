"""The current (open) leads a build measures itself against, read in chunks.

A million leads in one DataFrame take GBs; a build needs only a few figures of them: which fields
they carry and how often each is filled (the audit's sales-process check), and how the fitted
model scores them (tier shares, the health reference). ``CurrentLeads`` is read once per use, a
chunk at a time, and means exactly what the one DataFrame the chunks concatenate to means: the
first pass (``survey``) records each column's dtype as ``pd.concat`` would give it, and every
later pass casts each chunk to it, so a value reads the same (``12`` stays ``12.0`` in a column
that is float anywhere) whatever chunk it is in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

#: one chunk of leads (every column the source was asked for) and the columns its leads carry
Chunk = tuple[pd.DataFrame, Collection[str]]


def normalised_text(series: pd.Series) -> pd.Series:
    """Values as the audit compares them across files: text, stripped, case-folded, no missing."""
    return series.dropna().astype("string").str.strip().str.casefold()


@dataclass(frozen=True)
class LeadColumn:
    """One field over every current lead."""

    n: int
    #: leads with a value
    filled: int
    #: the column's dtype is numeric
    numeric: bool
    #: values whose normalised text is not among the given ones (``None``: none were given)
    unseen: int | None


class CurrentLeads:
    """The current leads as chunks; ``read()`` starts a new pass over them."""

    def __init__(self, read: Callable[[], Iterable[Chunk]]) -> None:
        self.read = read
        self._dtypes: dict[str, Any] | None = None
        self.n = 0

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> CurrentLeads:
        """One chunk: the DataFrame, every column a field (``leadscore build --leads``)."""
        return cls(lambda: [(frame, list(frame.columns))])

    @property
    def columns(self) -> list[str]:
        """The fields some lead carries (surveyed on first use)."""
        if self._dtypes is None:
            self.survey({})
        assert self._dtypes is not None
        return list(self._dtypes)

    def survey(
        self, known: Mapping[str, Collection[str]], *, numeric: Collection[str] = ()
    ) -> dict[str, LeadColumn]:
        """Every field the leads carry, counted; ``unseen`` counts the values (normalised text)
        not in ``known[field]``, for the fields in ``known``, except a field in ``numeric``
        whose column is numeric (numbers are compared as numbers, not as text)."""
        dtypes: dict[str, list[Any]] = {}
        firsts: list[pd.DataFrame] = []
        carried: set[str] = set()
        filled: dict[str, int] = {}
        unseen: dict[str, int] = {}
        n = 0
        for frame, columns in self.read():
            n += len(frame)
            carried.update(columns)
            firsts.append(frame.iloc[:1].copy())  # a copy: a view keeps the chunk
            for col in frame.columns:
                dtypes.setdefault(col, []).append(frame[col].dtype)
                filled[col] = filled.get(col, 0) + int(frame[col].notna().sum())
                if col in known and not (col in numeric and _numeric(frame[col].dtype)):
                    unseen[col] = unseen.get(col, 0) + _unseen(frame[col], known[col])
        common = _common_dtypes(firsts, dtypes)
        for col in [c for c in known if c in common]:
            if col in numeric and _numeric(common[col]):
                unseen.pop(col, None)  # numeric throughout: not counted
            elif any(d != common[col] for d in dtypes[col]) or col not in unseen:
                unseen[col] = -1  # some chunks read differently from the whole: count again
        mixed = [c for c, v in unseen.items() if v < 0]
        if mixed:
            unseen.update(dict.fromkeys(mixed, 0))
            for frame in self.chunks(common, mixed):
                for col in mixed:
                    unseen[col] += _unseen(frame[col], known[col])
        self.n = n
        self._dtypes = {c: common[c] for c in common if c in carried}
        return {
            c: LeadColumn(
                n=n,
                filled=filled[c],
                numeric=_numeric(common[c]),
                unseen=unseen.get(c),
            )
            for c in self._dtypes
        }

    def frames(self) -> Iterator[pd.DataFrame]:
        """Each chunk with the fields the leads carry, as the whole would hold them."""
        if self._dtypes is None:
            self.survey({})
        assert self._dtypes is not None
        return self.chunks(self._dtypes, list(self._dtypes))

    def chunks(self, dtypes: Mapping[str, Any], columns: list[str]) -> Iterator[pd.DataFrame]:
        """Each chunk's ``columns``, cast to ``dtypes``."""
        for frame, _carried in self.read():
            part = frame[columns]
            cast = {c: dtypes[c] for c in columns if part[c].dtype != dtypes[c]}
            yield part.astype(cast) if cast else part


def _numeric(dtype: Any) -> bool:
    return bool(pd.api.types.is_numeric_dtype(dtype))


def _unseen(series: pd.Series, known: Collection[str]) -> int:
    return int((~normalised_text(series).isin(known)).sum())


def _common_dtypes(firsts: list[pd.DataFrame], dtypes: dict[str, list[Any]]) -> dict[str, Any]:
    """Each column's dtype in the concatenation of the chunks (decided by the dtypes alone, so
    one row of each chunk is enough)."""
    if all(len(set(found)) == 1 for found in dtypes.values()):
        return {c: found[0] for c, found in dtypes.items()}
    whole = pd.concat(firsts)
    return {c: whole[c].dtype for c in dtypes}
