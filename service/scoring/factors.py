"""Words for reps, built without a Python loop per lead.

Rows share few distinct answers (which signals are a lead's top three, which signals are
missing), so each distinct answer is turned into text once and mapped back to the rows by code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from service.scoring.rules import DIMENSIONS, Rules

SEPARATOR = "; "
MINUS = "\u2212"


def factor_text(label: str, points: int) -> str:
    """``Requested a demo (+18)`` / ``Careers page only (−6)``."""
    sign = "+" if points >= 0 else MINUS
    return f"{label} ({sign}{abs(int(points))})"


def _row_codes(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, first_rows)``: rows with equal boolean patterns share a code; ``first_rows``
    holds one row index per code."""
    n = matrix.shape[0]
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    packed = np.packbits(matrix, axis=1)
    width = -(-packed.shape[1] // 8) * 8
    padded = np.zeros((n, width), np.uint8)
    padded[:, : packed.shape[1]] = packed
    words = padded.view(np.uint64)
    codes = np.zeros(n, np.int64)
    for j in range(words.shape[1]):
        part, uniq = pd.factorize(words[:, j])
        codes, _ = pd.factorize(codes * len(uniq) + part)
    first = np.full(codes.max() + 1, n, np.int64)
    np.minimum.at(first, codes, np.arange(n))
    return codes, first


def join_labels(mask: np.ndarray, labels: Sequence[str]) -> pd.api.extensions.ExtensionArray:
    """Per row, the labels whose column is true, joined with ``; `` (empty text for none)."""
    codes, first = _row_codes(mask)
    names = np.array(labels, dtype=object)
    texts = [SEPARATOR.join(names[mask[r]]) for r in first]
    return pd.array(texts, dtype="str").take(codes)


def top_factors(
    fires: np.ndarray, points: np.ndarray, labels: Sequence[str], *, top_n: int = 3
) -> pd.api.extensions.ExtensionArray:
    """Per row, up to ``top_n`` fired signals with the largest points (by size; ties keep the
    order of the rules file), as ``Label (+9)`` joined with ``; ``."""
    n, s = fires.shape
    if n == 0 or s == 0 or top_n <= 0:
        return pd.array([""] * n, dtype="str")
    order = np.argsort(-np.abs(points), kind="stable")
    ranked = np.cumsum(fires[:, order], axis=1, dtype=np.int16)
    count = ranked[:, -1]
    top_n = min(top_n, s)
    positions = np.empty((n, top_n), np.int64)
    codes = np.zeros(n, np.int64)
    for k in range(1, top_n + 1):
        pos = np.where(count >= k, np.argmax(ranked >= k, axis=1), s)  # s means "none"
        positions[:, k - 1] = pos
        codes, _ = pd.factorize(codes * (s + 1) + pos)
    first = np.full(codes.max() + 1, n, np.int64)
    np.minimum.at(first, codes, np.arange(n))
    pieces = [factor_text(labels[j], int(points[j])) for j in order]
    texts = [SEPARATOR.join(pieces[p] for p in positions[r] if p < s) for r in first]
    return pd.array(texts, dtype="str").take(codes)


def potential_points(
    unknown: np.ndarray,
    points: np.ndarray,
    groups: np.ndarray,
    raw: Mapping[str, np.ndarray],
    capped: Mapping[str, np.ndarray],
    rules: Rules,
) -> np.ndarray:
    """The most points a lead could gain if every signal it lacks data for turned out to fire
    (each dimension still capped; negative signals can only take points away, so add none)."""
    gain = np.zeros(unknown.shape[0], np.int64)
    positive = np.where(points > 0, points, 0)
    for dim in DIMENSIONS:
        mask = groups == dim
        if not mask.any() or dim not in rules.dimensions:
            continue
        extra = unknown[:, mask].astype(np.int32) @ positive[mask]
        limit = rules.dimensions[dim].max_points
        gain += np.minimum(raw[dim] + extra, limit) - capped[dim]
    return gain
