"""Section 7 of ``lead-scoring-model.md``: the batch scoring results, in markdown.

``render_section7`` is called by ``leadscore score --report`` and by the full report writer.
Long tables are capped (``max_rows``) and say how many leads they leave out; every number comes
from the scores of this batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from service.report.batch_advice import (
    cold_reason,
    cold_recommendation,
    dimension_cells,
    enrich_fields,
    gap_action,
    nurture,
)
from service.scoring.engine import ScoredFrame
from service.scoring.rules import DIMENSIONS, Rules, Signal

TIERS = ("Hot", "Warm", "Cool", "Cold", "Unscoreable")
TITLE_COLUMNS = ("contact_title", "title", "job_title")


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    return str(value).replace("|", "\\|").replace("\n", " ").strip() or "—"


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _more(total: int, shown: int, what: str) -> list[str]:
    if total > shown:
        return ["", f"…and {total - shown:,} more {what} (all are in the scored file)."]
    return []


def _pct(count: int, total: int) -> str:
    return f"{count / total:.0%}" if total else "0%"


class _Leads:
    """Names and contacts of the leads, looked up by row label."""

    def __init__(
        self,
        leads: pd.DataFrame,
        id_col: str | None,
        name_col: str | None,
        contact_col: str | None,
        title_col: str | None,
    ) -> None:
        self.leads = leads
        self.id_col, self.name_col, self.contact_col = id_col, name_col, contact_col
        found = [c for c in TITLE_COLUMNS if c in leads.columns]
        self.title_col = title_col or (found[0] if found else None)

    def _get(self, col: str | None, row: object) -> object:
        return self.leads.at[row, col] if col and col in self.leads.columns else None

    def company(self, row: object) -> str:
        name, ident = self._get(self.name_col, row), self._get(self.id_col, row)
        if _cell(name) != "—":
            return _cell(name)
        return _cell(ident) if _cell(ident) != "—" else f"row {row}"

    def contact(self, row: object) -> str:
        parts = [_cell(self._get(c, row)) for c in (self.contact_col, self.title_col)]
        return ", ".join(p for p in parts if p != "—") or "—"


def _first_factor(text: str) -> str:
    return text.split("; ")[0] if text else "—"


def _histogram(total: pd.Series) -> list[str]:
    if total.empty:
        return ["(no leads)"]
    low, high = int(total.min()) // 10 * 10, int(total.max()) // 10 * 10
    edges = np.arange(low, high + 10, 10)
    counts = np.bincount(((total.to_numpy() - low) // 10).astype(int), minlength=len(edges))
    width = max(counts.max(), 1)
    labels = [f"{e}-{e + 9}:" if e >= 0 else f"{e} to {e + 9}:" for e in edges]
    label_w = max(len(label) for label in labels)
    lines = []
    for label, count in zip(labels[::-1], counts[::-1].tolist(), strict=True):
        bar = "|" * (math.ceil(count / width * 50) if count else 0)
        lines.append(f"{label:<{label_w}} {bar:<50}  ({count:,} lead{'s' * (count != 1)})")
    return ["```text", *lines, "```"]


@dataclass(frozen=True)
class _Batch:
    """What every subsection of Section 7 reads: the leads, their scores and the rules."""

    scored: pd.DataFrame
    res: ScoredFrame
    rules: Rules
    names: _Leads
    max_rows: int

    @property
    def scores(self) -> pd.DataFrame:
        return self.res.scores

    @property
    def n(self) -> int:
        return len(self.res.scores)

    @property
    def unscoreable(self) -> pd.Index:
        return self.scores.index[self.scores["unscoreable"]]

    @cached_property
    def by_score(self) -> pd.DataFrame:
        """The scores, highest first: sorted once for all the tiers (a batch can hold millions)."""
        return self.scores.sort_values("total", ascending=False, kind="stable")

    def tier(self, name: str) -> pd.DataFrame:
        """The leads of tier ``name``, highest score first."""
        return self.by_score[self.by_score["tier"] == name]

    def signal(self, name: str) -> Signal:
        return next(x for x in self.rules.signals if x.name == name)


def render_section7(
    scored: pd.DataFrame,
    res: ScoredFrame,
    rules: Rules,
    *,
    id_col: str | None,
    name_col: str | None,
    contact_col: str | None,
    title_col: str | None = None,
    max_rows: int = 50,
    source: str | None = None,
) -> str:
    """Section 7 as markdown; ``scored`` holds the leads (same index as ``res.scores``)."""
    names = _Leads(scored, id_col, name_col, contact_col, title_col)
    b = _Batch(scored=scored, res=res, rules=rules, names=names, max_rows=max_rows)
    out = _header(b, source)
    for subsection in (_summary, _hot, _warm, _cool, _cold, _distribution):
        out += subsection(b)
    return "\n".join(out) + "\n"


def _header(b: _Batch, source: str | None) -> list[str]:
    out = ["## Section 7: Batch Scoring Current Leads", ""]
    basis = f" from `{source}`" if source else ""
    out.append(f"{b.n:,} leads{basis} scored with model version {b.rules.version}.")
    if b.res.unmapped_signals:
        out += ["", "**Signals no column of the leads file feeds** (missing for every lead):", ""]
        for name in b.res.unmapped_signals:
            sig = b.signal(name)
            out.append(
                f"- {sig.label or sig.name} ({sig.points:+d} points): needs `{'`, `'.join(sig.fields)}`"
            )
    return out


def _summary(b: _Batch) -> list[str]:
    """7.1: the leads per tier, the unscoreable ones and the signals missing data."""
    s, n = b.scores, b.n
    counts = {t: int((s["tier"] == t).sum()) for t in TIERS}
    out = ["", "### 7.1 Scoring Summary", ""]
    out += _table(
        ["Total leads scored", *TIERS],
        [[f"{n:,}", *(f"{counts[t]:,} ({_pct(counts[t], n)})" for t in TIERS)]],
    )
    out.append("")
    out += _unscoreable(b)
    gaps = (~b.res.known).sum().sort_values(ascending=False, kind="stable")
    gaps = gaps[gaps > 0]
    if len(gaps):
        out += [
            "",
            "Signals that could not be evaluated for missing data (the scored file lists them per lead):",
            "",
        ]
        rows = []
        for name, count in gaps.items():
            sig = b.signal(str(name))
            rows.append(
                [
                    sig.label or sig.name,
                    ", ".join(sig.fields),
                    f"{count:,} ({_pct(count, n)})",
                    f"{sig.points:+d}",
                ]
            )
        out += _table(["Signal", "Field(s)", "Leads missing it", "Points"], rows)
    return out


def _unscoreable(b: _Batch) -> list[str]:
    unscoreable, rules = b.unscoreable, b.rules
    if not len(unscoreable):
        return ["Unscoreable leads: none; every lead had enough data to score."]
    fields = enrich_fields(b.scored, b.res, rules, unscoreable)
    top = ", ".join(f"`{f}` ({c:,})" for f, c in fields.most_common())
    out = [
        f"Unscoreable leads: {len(unscoreable):,} lead{'s' * (len(unscoreable) != 1)} could not be scored due to insufficient "
        f"data (at least {rules.unscoreable_missing_share:.0%} of the signal points could not "
        f"be evaluated). Missing fields (leads lacking each): {top}. Recommend enriching these "
        "leads before scoring."
    ]
    rows: list[list[object]] = []
    for row in unscoreable[: b.max_rows]:
        need = enrich_fields(b.scored, b.res, rules, [row])
        rows.append(
            [
                b.names.company(row),
                b.names.contact(row),
                ", ".join(need),
                f"+{b.scores.at[row, 'potential']}",
            ]
        )
    out += ["", *_table(["Company", "Contact", "Fields to enrich", "Points at stake"], rows)]
    out += _more(len(unscoreable), b.max_rows, "unscoreable leads")
    return out


def _hot(b: _Batch) -> list[str]:
    """7.2: the Hot leads with their dimension points and the opening line."""
    rules, names, max_rows = b.rules, b.names, b.max_rows
    hot = b.tier("Hot")
    out = ["", "### 7.2 Hot Leads -- Immediate Action Required", ""]
    if not len(hot):
        return [*out, f"No Hot leads (score {rules.thresholds.hot:g} or more) in this batch."]
    hot_action = rules.tiers["Hot"].action if "Hot" in rules.tiers else "Call within 1 hour"
    dims = dimension_cells(hot.head(max_rows), rules)
    rows = []
    for rank, (row, r) in enumerate(hot.head(max_rows).iterrows(), start=1):
        top = _first_factor(r["top_factors"])
        action = f"{hot_action}; open with: {top.rsplit(' (', 1)[0]}"
        rows.append(
            [rank, names.company(row), names.contact(row), r["total"], *dims[row], top, action]
        )
    header = ["Rank", "Company", "Contact", "Score", *(d.capitalize() for d in DIMENSIONS)]
    out += _table([*header, "Top signal", "Recommended action"], rows)
    out += _more(len(hot), max_rows, "Hot leads")
    deducted = int((hot["negative"] < 0).sum())
    if deducted:  # otherwise a rep adds up the four columns and gets a different score
        out += [
            "",
            f"Score is the four dimension columns minus deductions: {deducted:,} of these "
            f"{len(hot):,} Hot leads lost points to a negative signal, so their score is below the "
            "sum of the columns (the scored file lists the signal in `Lead_Score_Top_Factors`).",
        ]
    return out


def _warm(b: _Batch) -> list[str]:
    """7.3: the Warm leads with the gap to Hot and how to close it."""
    rules, names, res, max_rows = b.rules, b.names, b.res, b.max_rows
    warm = b.tier("Warm")
    out = ["", "### 7.3 Warm Leads -- Work This Week", ""]
    if not len(warm):
        return [
            *out,
            f"No Warm leads (score {rules.thresholds.warm:g} to {rules.thresholds.hot:g}) in this batch.",
        ]
    rows = []
    for rank, (row, r) in enumerate(warm.head(max_rows).iterrows(), start=1):
        gap = math.ceil(rules.thresholds.hot - r["total"])
        rows.append([rank, names.company(row), names.contact(row), r["total"], _first_factor(r["top_factors"]),
                     f"{gap} point{'s' * (gap != 1)}", gap_action(res, rules, row, gap)])  # fmt: skip
    header = ["Rank", "Company", "Contact", "Score", "Top signal", "Gap to Hot"]
    out += _table([*header, "Action to close the gap"], rows)
    out += _more(len(warm), max_rows, "Warm leads")
    return out


def _cool(b: _Batch) -> list[str]:
    """7.4: the Cool leads with their strongest and weakest dimension and a nurture strategy."""
    cool = b.tier("Cool")
    out = ["", "### 7.4 Cool Leads -- Nurture Candidates", ""]
    if not len(cool):
        return [*out, "No Cool leads in this batch."]
    rows = []
    for row, r in cool.head(b.max_rows).iterrows():
        strong, weak, strategy = nurture(r, b.rules)
        rows.append(
            [b.names.company(row), b.names.contact(row), r["total"], strong, weak, strategy]
        )
    header = ["Company", "Contact", "Score", "Strongest dimension", "Weakest dimension"]
    out += _table([*header, "Nurture strategy"], rows)
    out += _more(len(cool), b.max_rows, "Cool leads")
    return out


def _cold(b: _Batch) -> list[str]:
    """7.5: the Cold leads, lowest first, with the reason and what to do."""
    res, rules, names = b.res, b.rules, b.names
    cold = b.tier("Cold").iloc[::-1]
    out = ["", "### 7.5 Cold Leads -- Deprioritize or Remove", ""]
    if not len(cold):
        return [*out, "No Cold leads in this batch."]
    rows = [
        [names.company(row), names.contact(row), r["total"], cold_reason(res, rules, row), cold_recommendation(res, rules, row)]
        for row, r in cold.head(b.max_rows).iterrows()
    ]  # fmt: skip
    out += ["Lowest scores first.", ""]
    out += _table(["Company", "Contact", "Score", "Reason for Cold status", "Recommendation"], rows)
    out += _more(len(cold), b.max_rows, "Cold leads")
    return out


def _distribution(b: _Batch) -> list[str]:
    """7.6: a text histogram of the scored leads' totals."""
    s = b.scores
    out = [
        "",
        "### 7.6 Score Distribution Visualization",
        "",
        "Score histogram (text-based, bins of 10 points):",
        "",
    ]
    out += _histogram(s.loc[~s["unscoreable"], "total"])
    if len(b.unscoreable):
        out += ["", f"(Unscoreable leads are left out of the histogram: {len(b.unscoreable):,}.)"]
    return out
