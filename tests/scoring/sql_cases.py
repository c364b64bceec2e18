"""Edge cases for the SQL compiler: a rules file and leads that hit every cleaning and scoring rule.

The leads are text, as a CSV holds them: every range boundary, each placeholder, mixed case and
padded categories, booleans written as true/1/yes, a column of codes where ``NA`` is a value,
numeric and text columns, pair signals, dimension and deduction caps, and a row with no value at
all. Each value appears at least once; then values are drawn at random (fixed seed), so rows mix them.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

from service.data.io import PLACEHOLDERS

PLACEHOLDER_SPELLINGS = [
    "",
    "  ",
    "Select",
    "select ",
    "N/A",
    "n/a",
    "NA",
    "na",
    "-",
    "--",
    "unknown",
    "UNKNOWN",
    "null",
    "NaN",
    "#N/A",
    "?",
]
assert {p.strip().lower() for p in PLACEHOLDER_SPELLINGS} == set(PLACEHOLDERS)

COLUMNS: dict[str, list[str]] = {
    # every boundary of [.., 10), [10, 50), [50, 200), [200, ..), written several ways
    "employees": [
        "9.999",
        "10",
        "49.99",
        "50",
        "199.999",
        "200",
        "  50  ",
        "+50",
        "5e1",
        ".5",
        "1E3",
        "inf",
        "-inf",
        "Infinity",
        "-1",
        "abc",
        "1,5",
        "",
        "N/A",
        "10.0",
        "0x10",
        "\u00a050\t",
        # thousands separators: digits grouped in threes are numbers, other commas are not
        "1,000",
        "+1,000.",
        "-1,000",
        "1,234.5",
        "12,34",
        "1,2345",
        "1,000e3",
        ",100",
        "1,,000",
        "0,123",
    ],
    "industry": [
        "SaaS",
        "\tSaaS\u00a0",
        "\u3000fin tech\n",
        "  saas ",
        "SAAS",
        "Fin Tech",
        "fin tech",
        "FIN TECH ",
        "Health care",
        "health care",
        "Retail",
        "",
        "Select",
        "-",
        "unknown",
    ],
    # short upper-case codes: NA is North America here, not a placeholder
    "region": ["EMEA", "APAC", "NA", "LATAM", "", "N/A"],
    # not codes: NA is a placeholder
    "region2": ["Emea", "NA", "north america", "EMEA ", "na", "emea"],
    "demo": [
        "true",
        "TRUE",
        "1",
        "yes",
        " Yes ",
        "y",
        "t",
        "1.0",
        "no",
        "0",
        "false",
        "2",
        "",
        "Select",
        "True",
        "\u2003yes\u3000",
        # numbers as text in a text column: set when above 0, as the number would be
        "3",
        "1,000",
        "0.5",
        "-2",
        "0,5",
    ],
    "pricing": ["3", "2.999", "10", "", "x", "3.0", " 4 "],
    # every value a number: a numeric column (a flag is > 0, field_in compares numbers)
    "webinar": ["0", "1", "2", "0.5", "-1", "", "null", "1.0", "1,000"],
    # every value a number, some with separators: a numeric column
    "deal_size": ["5,000", "1,250,000", "800", "999,999.99", "1,000,000", "", "N/A", "12,500.5"],
    "plan": ["1", "2", "3.5", "2.0", "1e0", "7", "", "N/A", "3.50"],
    # numbers and text: compared as text ("007" is not "7")
    "code": ["007", "7", "5", "5.0", "AB C", " ab c ", "", "x", "ab  c"],
    "careers": ["yes", "no", "1", "0", ""],
    "student": ["1", "0", "", "3"],
    "phone": ["555", "", "N/A", "x", "n/a "],
    "growth": ["-0.5", "0.25", "0.2499", "-0.51", "0", "", "1e-1", "-0.50"],
    "Revenue [EUR]": ["1000000", "999999.99", "1e6", "2500000", "", "?", "1000000.0"],
    "source": ["Referral", "referral", "REFERRAL ", "Web", ""],
    "flagtext": ["True", "true", "1", "yes", "", "FALSE"],
}


def edge_rules_data() -> dict[str, Any]:
    """Rules that read every column above; caps and the negative floor bind for some rows."""

    def sig(name: str, dim: str, pts: int, *when: dict[str, Any], label: str | None = None):
        out: dict[str, Any] = {"name": name, "dimension": dim, "points": pts, "when": list(when)}
        if label is not None:
            out["label"] = label
        return out

    return {
        "version": "edge-1",
        "dimensions": {
            "firmographic": {"max_points": 30},
            "behavioral": {"max_points": 20},
            "engagement": {"max_points": 10},
            "intent": {"max_points": 25},
        },
        "negative_max_points": 10,
        "signals": [
            sig(
                "size_small", "firmographic", 4, {"kind": "range", "field": "employees", "max": 10}
            ),
            sig(
                "size_mid",
                "firmographic",
                8,
                {"kind": "range", "field": "employees", "min": 10, "max": 50},
            ),
            sig(
                "size_large",
                "firmographic",
                12,
                {"kind": "range", "field": "employees", "min": 50, "max": 200},
            ),
            sig("size_xl", "firmographic", 20, {"kind": "range", "field": "employees", "min": 200}),
            sig(
                "industry_fit",
                "firmographic",
                15,
                {
                    "kind": "field_in",
                    "field": "industry",
                    "values": ["SaaS", "fin tech", "Health care "],
                },
                label="Industry we win in",
            ),
            sig(
                "north_america",
                "firmographic",
                3,
                {"kind": "field_in", "field": "region", "values": ["NA"]},
            ),
            sig(
                "emea",
                "firmographic",
                2,
                {"kind": "field_in", "field": "region2", "values": ["emea"]},
            ),
            sig("demo", "intent", 18, {"kind": "flag", "field": "demo"}, label="Requested a demo"),
            sig(
                "demo_and_pricing",
                "intent",
                12,
                {"kind": "flag", "field": "demo"},
                {"kind": "range", "field": "pricing", "min": 3},
                label="Demo and pricing 3+",
            ),
            sig("webinar", "engagement", 6, {"kind": "flag", "field": "webinar"}),
            sig(
                "plan",
                "behavioral",
                7,
                {"kind": "field_in", "field": "plan", "values": [1, "2", 3.5, True]},
            ),
            sig(
                "code",
                "behavioral",
                9,
                {"kind": "field_in", "field": "code", "values": ["007", 5, "ab c"]},
            ),
            sig("careers", "negative", -6, {"kind": "flag", "field": "careers"}),
            sig("student", "negative", -8, {"kind": "flag", "field": "student"}),
            sig(
                "no_phone", "negative", -3, {"kind": "missing", "field": "phone"}, label="No phone"
            ),
            sig(
                "referral",
                "engagement",
                6,
                {"kind": "field_in", "field": "source", "values": ["Referral"]},
                label='Rep\'s "pick"; referral – über',
            ),
            sig(
                "revenue", "behavioral", 9, {"kind": "range", "field": "Revenue [EUR]", "min": 1e6}
            ),
            sig(
                "flat_growth",
                "behavioral",
                3,
                {"kind": "range", "field": "growth", "min": -0.5, "max": 0.25},
            ),
            sig("big_deal", "intent", 5, {"kind": "range", "field": "deal_size", "min": 1e6}),
            sig(
                "deal_5000",
                "behavioral",
                4,
                {"kind": "field_in", "field": "deal_size", "values": [5000, "800"]},
            ),
            sig(
                "bool_text",
                "engagement",
                2,
                {"kind": "field_in", "field": "flagtext", "values": [True]},
            ),
        ],
        "thresholds": {"hot": 50.5, "warm": 34, "cool": 24},
        "unscoreable_missing_share": 0.5,
    }


def edge_rows(n: int = 160) -> list[dict[str, str]]:
    """``n`` leads cycling through the values, then one row of each placeholder in every field."""
    rng = random.Random(17)
    rows = []
    for i in range(n):
        row = {"lead_id": f"E{i:04d}"}
        for name, values in COLUMNS.items():  # every value once, then drawn at random
            row[name] = values[i] if i < len(values) else rng.choice(values)
        rows.append(row)
    for k, spelling in enumerate(PLACEHOLDER_SPELLINGS):
        row = {"lead_id": f"P{k:04d}"}
        row.update(dict.fromkeys(COLUMNS, spelling))
        rows.append(row)
    for k in range(2):  # no value at all: empty text, and (odd row, see sql_engines) SQL NULL
        rows.append({"lead_id": f"N{k:04d}", **dict.fromkeys(COLUMNS, "")})
    return rows


def write_csv(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    return path
