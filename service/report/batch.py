"""Section 7 of ``lead-scoring-model.md``: the batch scoring results, in markdown.

``render_section7`` is called by ``leadscore score --report`` and by the full report writer.
Long tables are capped (``max_rows``) and say how many leads they leave out; every number comes
from the scores of this batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
from service.scoring.rules import DIMENSIONS, Rules

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

    def __init__(self, leads: pd.DataFrame, id_col, name_col, contact_col, title_col) -> None:
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


def render_section7(  # noqa: C901 -- issue 13 point 4 splits it into one renderer per subsection
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
    s = res.scores
    n = len(s)
    names = _Leads(scored, id_col, name_col, contact_col, title_col)
    counts = {t: int((s["tier"] == t).sum()) for t in TIERS}
    by_score = s.sort_values("total", ascending=False, kind="stable")
    out = ["## Section 7: Batch Scoring Current Leads", ""]
    basis = f" from `{source}`" if source else ""
    out.append(f"{n:,} leads{basis} scored with model version {rules.version}.")
    if res.unmapped_signals:
        out += ["", "**Signals no column of the leads file feeds** (missing for every lead):", ""]
        for name in res.unmapped_signals:
            sig = next(x for x in rules.signals if x.name == name)
            out.append(
                f"- {sig.label or sig.name} ({sig.points:+d} points): needs `{'`, `'.join(sig.fields)}`"
            )

    out += ["", "### 7.1 Scoring Summary", ""]
    out += _table(
        ["Total leads scored", *TIERS],
        [[f"{n:,}", *(f"{counts[t]:,} ({_pct(counts[t], n)})" for t in TIERS)]],
    )
    unscoreable = s.index[s["unscoreable"]]
    out.append("")
    if len(unscoreable):
        fields = enrich_fields(scored, res, rules, unscoreable)
        top = ", ".join(f"`{f}` ({c:,})" for f, c in fields.most_common())
        out.append(
            f"Unscoreable leads: {len(unscoreable):,} lead{'s' * (len(unscoreable) != 1)} could not be scored due to insufficient "
            f"data (at least {rules.unscoreable_missing_share:.0%} of the signal points could not "
            f"be evaluated). Missing fields (leads lacking each): {top}. Recommend enriching these "
            "leads before scoring."
        )
        rows: list[list[object]] = []
        for row in unscoreable[:max_rows]:
            need = enrich_fields(scored, res, rules, [row])
            rows.append(
                [
                    names.company(row),
                    names.contact(row),
                    ", ".join(need),
                    f"+{s.at[row, 'potential']}",
                ]
            )
        out += ["", *_table(["Company", "Contact", "Fields to enrich", "Points at stake"], rows)]
        out += _more(len(unscoreable), max_rows, "unscoreable leads")
    else:
        out.append("Unscoreable leads: none; every lead had enough data to score.")
    unknown = ~res.known
    gaps = unknown.sum().sort_values(ascending=False, kind="stable")
    gaps = gaps[gaps > 0]
    if len(gaps):
        out += [
            "",
            "Signals that could not be evaluated for missing data (the scored file lists them per lead):",
            "",
        ]
        rows = []
        for name, count in gaps.items():
            sig = next(x for x in rules.signals if x.name == name)
            rows.append(
                [
                    sig.label or sig.name,
                    ", ".join(sig.fields),
                    f"{count:,} ({_pct(count, n)})",
                    f"{sig.points:+d}",
                ]
            )
        out += _table(["Signal", "Field(s)", "Leads missing it", "Points"], rows)

    hot = by_score[by_score["tier"] == "Hot"]
    out += ["", "### 7.2 Hot Leads -- Immediate Action Required", ""]
    if len(hot):
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
    else:
        out.append(f"No Hot leads (score {rules.thresholds.hot:g} or more) in this batch.")

    warm = by_score[by_score["tier"] == "Warm"]
    out += ["", "### 7.3 Warm Leads -- Work This Week", ""]
    if len(warm):
        rows = []
        for rank, (row, r) in enumerate(warm.head(max_rows).iterrows(), start=1):
            gap = math.ceil(rules.thresholds.hot - r["total"])
            rows.append([rank, names.company(row), names.contact(row), r["total"], _first_factor(r["top_factors"]),
                         f"{gap} point{'s' * (gap != 1)}", gap_action(res, rules, row, gap)])  # fmt: skip
        out += _table(
            [
                "Rank",
                "Company",
                "Contact",
                "Score",
                "Top signal",
                "Gap to Hot",
                "Action to close the gap",
            ],
            rows,
        )
        out += _more(len(warm), max_rows, "Warm leads")
    else:
        out.append(
            f"No Warm leads (score {rules.thresholds.warm:g} to {rules.thresholds.hot:g}) in this batch."
        )

    cool = by_score[by_score["tier"] == "Cool"]
    out += ["", "### 7.4 Cool Leads -- Nurture Candidates", ""]
    if len(cool):
        rows = []
        for row, r in cool.head(max_rows).iterrows():
            strong, weak, strategy = nurture(r, rules)
            rows.append(
                [names.company(row), names.contact(row), r["total"], strong, weak, strategy]
            )
        out += _table(
            [
                "Company",
                "Contact",
                "Score",
                "Strongest dimension",
                "Weakest dimension",
                "Nurture strategy",
            ],
            rows,
        )
        out += _more(len(cool), max_rows, "Cool leads")
    else:
        out.append("No Cool leads in this batch.")

    cold = by_score[by_score["tier"] == "Cold"].iloc[::-1]
    out += ["", "### 7.5 Cold Leads -- Deprioritize or Remove", ""]
    if len(cold):
        rows = [
            [names.company(row), names.contact(row), r["total"], cold_reason(res, rules, row), cold_recommendation(res, rules, row)]
            for row, r in cold.head(max_rows).iterrows()
        ]  # fmt: skip
        out += ["Lowest scores first.", ""]
        out += _table(
            ["Company", "Contact", "Score", "Reason for Cold status", "Recommendation"], rows
        )
        out += _more(len(cold), max_rows, "Cold leads")
    else:
        out.append("No Cold leads in this batch.")

    out += [
        "",
        "### 7.6 Score Distribution Visualization",
        "",
        "Score histogram (text-based, bins of 10 points):",
        "",
    ]
    out += _histogram(s.loc[~s["unscoreable"], "total"])
    if len(unscoreable):
        out += ["", f"(Unscoreable leads are left out of the histogram: {len(unscoreable):,}.)"]
    return "\n".join(out) + "\n"
