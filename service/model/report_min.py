"""A minimal ``lead-scoring-model.md``: the tables of Steps 2 to 5, straight from analysis.json.

The full report (``service.report``) reads the same ``analysis.json``; this one only has to show
the measured tables so a build is readable on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "n/a"
    if float(x).is_integer():
        return f"{int(x)}"
    return f"{x:.{digits}f}"


def _p(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2g}"


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    if len(lines) == 2:
        lines.append("| " + " | ".join(["(none)"] + [""] * (len(header) - 1)) + " |")
    return [*lines, ""]


def _what(a: dict[str, Any]) -> str:
    if "range" in a and a["range"] is not None:
        low, high = a["range"]
        return f"{a['field']} in [{_num(low) if low is not None else '-inf'}, {_num(high) if high is not None else 'inf'})"
    return f"{a['field']} = {a.get('value')}"


def render_markdown(an: dict[str, Any]) -> str:
    """The report text for an ``analysis.json`` document."""
    out: list[str] = []
    title = an.get("company") or "your deals"
    val, conf = an["validation"], an["confidence"]
    out += [
        f"# Lead Scoring Model: {title}",
        "",
        f"**Model Version:** {an['model_version']}  **Built:** {an['built_at']}",
        f"**Data Basis:** {an['won']} closed-won, {an['lost']} closed-lost deals "
        f"({an['train_n']} for building, {an['holdout_n']} held out)",
        f"**Base Conversion Rate:** {_pct(an['base_rate'])}",
        f"**Model Confidence:** {conf['level']} -- " + " ".join(conf.get("reasons", [])),
        "",
    ]
    if an.get("refit_all"):
        out += [
            "Refit on every deal after validation (same settings); the validation figures below "
            "are those of the model built without the holdout.",
            "",
        ]
    for note in an.get("notes", []):
        out.append(f"> {note}")
    out.append("")

    out += ["## Step 2: Win/loss patterns", "", "### Attributes ranked by predictive power", ""]
    out += [f"Ranking: {an['ranking_formula']}", ""]
    out += table(
        [
            "Rank",
            "Attribute",
            "Win rate present",
            "Win rate absent",
            "Lift",
            "n",
            "q",
            "Significant",
            "Confidence",
        ],
        (
            [
                a["rank"],
                _what(a),
                _pct(a["win_rate_present"]),
                _pct(a["win_rate_absent"]),
                f"{_num(a['lift'])}x",
                a["n"],
                _p(a["q_value"]),
                "yes" if a["significant"] else "no",
                a["confidence"],
            ]
            for a in an["attributes"]
        ),
    )
    out += ["### Attributes that do NOT predict winning", ""]
    out += table(
        ["Attribute", "Win rate present", "Win rate absent", "Lift", "p", "Note"],
        (
            [
                _what(a),
                _pct(a["win_rate_present"]),
                _pct(a["win_rate_absent"]),
                f"{_num(a['lift'])}x",
                _p(a["p_value"]),
                a["note"],
            ]
            for a in an["non_predictors"]
        ),
    )
    out += ["### Interaction effects", ""]
    out += table(
        [
            "Combination",
            "n",
            "Win rate both",
            "A alone",
            "B alone",
            "Interaction lift",
            "p",
            "Significant",
        ],
        (
            [
                f"{i['a']} + {i['b']}",
                i["n_both"],
                _pct(i["win_rate_both"]),
                _pct(i["win_rate_a"]),
                _pct(i["win_rate_b"]),
                f"{_num(i['interaction_lift'])}x",
                _p(i["p_value"]),
                "yes" if i["significant"] else "no",
            ]
            for i in an["interactions"]
        ),
    )
    out += ["### Insufficient data (no points)", ""]
    out += table(
        ["Field", "Value / range", "n", "Reason"],
        (
            [d["field"], d.get("value", d.get("range")), d.get("n"), d["reason"]]
            for d in an["insufficient_data"]
        ),
    )
    out += ["### Loss reasons", ""]
    out += table(
        ["Reason", "Count", "Share of losses", "Avg score", "Pattern"],
        (
            [
                r["reason"],
                r["count"],
                _pct(r["share_of_losses"]),
                _num(r["avg_score"], 1),
                r["pattern"],
            ]
            for r in an["loss_reasons"]
        ),
    )

    out += ["## Step 3: Scoring model", ""]
    sr = an["score_range"]
    out += [
        f"Score range {sr['min']} to {sr['max']} (max positive {sr['max_positive']}, "
        f"max deduction {sr['max_negative']}).",
        "",
    ]
    for group, block in an["dimensions"].items():
        sigs = [s for s in an["signals"] if s["dimension"] == group]
        out += [
            f"### {group.capitalize()} (max {block['max_points']} points; avg won "
            f"{_num(block['avg_won'], 1)}, avg lost {_num(block['avg_lost'], 1)})",
            "",
        ]
        out += table(
            ["Signal", "Points", "Criteria", "Lift", "n"],
            (
                [s["label"], f"{s['points']:+d}", s["criteria"], f"{_num(s['lift'])}x", s["n"]]
                for s in sigs
            ),
        )
    out += ["### Signals without points", ""]
    out += table(
        ["Attribute", "Lift", "Why no points"],
        (
            [d["label"], f"{_num(d['lift'])}x", d["reason"]]
            for d in an.get("signals_without_points", [])
        ),
    )

    out += ["## Step 4: Thresholds", ""]
    dw, dl, sep = an["distributions"]["won"], an["distributions"]["lost"], an.get("separation")
    out += table(
        ["Deals", "Min", "P25", "Median", "P75", "Max"],
        [
            [k, *(_num(d[q], 1) for q in ("min", "p25", "median", "p75", "max"))]
            for k, d in (("won", dw), ("lost", dl))
        ],
    )
    if sep:
        out += [f"Separation point: {_num(sep['score'])} points (KS distance {sep['ks']:.2f}).", ""]
    out += table(
        [
            "Tier",
            "Score range",
            "Expected conversion",
            "95% CI",
            "Share",
            "SLA",
            "Action",
            "Re-score",
        ],
        (
            [
                t["tier"],
                f"{_num(t['min_score']) if t['min_score'] is not None else '...'} to "
                f"{_num(t['max_score']) if t['max_score'] is not None else '...'}",
                _pct(t["expected_conversion"]),
                f"{_pct(t['ci_low'])} to {_pct(t['ci_high'])}",
                _pct(t["share_of_leads"]),
                t["sla"],
                t["action"],
                f"every {t['rescore_every_days']} days",
            ]
            for t in an["tiers"]
        ),
    )
    if an.get("capacity"):
        out += [f"Capacity: {an['capacity']['message']}", ""]

    out += ["## Step 5: Validation on the holdout", ""]
    out += [
        f"{val['holdout_n']} held-out deals ({val['holdout_won']} won, {val['holdout_lost']} lost); "
        f"split: {val['split']}. {an.get('split_note') or ''}",
        "",
    ]
    out += table(
        ["Metric", "Value", "Target", "Status"],
        (
            [
                t.get("label", t["metric"]),
                _num(t["value"], 3),
                t["target"],
                "Pass" if t["passed"] else "Fail",
            ]
            for t in val["targets"]
        ),
    )
    c = val["confusion"]
    out += table(
        ["", "Predicted win (Hot/Warm)", "Predicted loss (Cool/Cold)"],
        [["Actual win", c["tp"], c["fn"]], ["Actual loss", c["fp"], c["tn"]]],
    )
    out += table(
        ["Tier", "Expected", "Actual", "n"],
        ([r["tier"], _pct(r["expected"]), _pct(r["actual"]), r["n"]] for r in val["calibration"]),
    )
    if an.get("icp_comparison"):
        out += ["## Stated ICP against the data", ""]
        out += table(
            ["Criterion", "Stated", "Observed", "Verdict"],
            (
                [r["criterion"], r["stated"], r["observed"], r["verdict"]]
                for r in an["icp_comparison"]
            ),
        )
    return "\n".join(out) + "\n"
