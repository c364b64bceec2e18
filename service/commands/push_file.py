"""Reading a scored file for ``crm push``: the text as written, typed by the score fields.

Nothing is guessed by pandas: every cell is read as text and converted by its score field's kind
(``SCORE_FIELDS``), so ``1.10`` stays ``1.10`` and a Top_Factors of ``N/A`` stays ``N/A``. Every
row is validated before the first CRM call; a row is refused, with the reason, when:

- it has no id, or its id appears on another row (which row is right cannot be known);
- it names an object type the connector does not write scores to;
- its Total is empty or a missing marker (``N/A``, ``-``, ``null``) and ``clear_missing`` is off;
- a number is not finite or does not fit the score fields (Number(6,1): below 100,000 in size);
- a picklist value (Tier, Trend) is not one of the field's values, or a text is too long.

In a text field (Version, Top_Factors) only an empty cell is missing. An empty cell of another
score field is left out of the update (the CRM keeps what it has),
unless ``clear_missing``: then it is sent empty and the CRM clears it. A score is never cleared
unless the user asks for it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.base import SCORE_FIELDS, ScoreUpdate, score_field_name
from service.data.csv_out import restore_cell
from service.data.io import read_table
from service.errors import DataFileError

ID_COLUMNS = ("lead_id", "record_id", "Id", "id", "contact_id")
#: cell texts that mean "no value" (compared case-insensitively, stripped)
MISSING = frozenset({"", "n/a", "na", "-", "--", "null", "none", "nan", "#n/a", "?"})
#: the score number fields are Number(6,1) in Salesforce: at most 99,999.9 either way
NUMBER_LIMIT = 100_000.0
TEXT_LIMITS = {"text": 40, "textarea": 2000}


@dataclass(frozen=True)
class RefusedRow:
    """A row of the push file that is not sent, and why (``row`` counts the header as 1)."""

    row: int
    record_id: str | None
    reason: str


@dataclass
class PushFile:
    """The updates to send and the rows refused, from one scored file."""

    path: Path
    rows: int = 0
    updates: list[ScoreUpdate] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)


def is_missing(text: str | None) -> bool:
    return text is None or text.strip().lower() in MISSING


def _text(value: Any) -> str | None:
    """A cell as text; ``None`` for an empty cell (CSV gives text, Parquet typed values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def parse_value(logical: str, text: str) -> Any:
    """One score cell (not missing) as the value to send; ``ValueError`` says what is wrong."""
    kind = SCORE_FIELDS[logical]
    name = score_field_name(logical, "local")
    text = text.strip()
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            raise ValueError(f"{name} is not a number: {text!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"{name} is not a finite number: {text!r}")
        if abs(number) >= NUMBER_LIMIT:
            raise ValueError(f"{name} {text} is out of range (the field holds up to 99,999.9)")
        return int(number) if number.is_integer() and "." not in text else number
    if kind.startswith("picklist:"):
        allowed = kind.split(":", 1)[1].split(",")
        if text not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {text!r}")
        return text
    if kind == "datetime":
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name} is not an ISO 8601 date-time: {text!r}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    limit = TEXT_LIMITS.get(kind)
    if limit is not None and len(text) > limit:
        raise ValueError(f"{name} is {len(text)} characters long; the field holds {limit}")
    return text


def read_push_file(
    path: Path,
    *,
    objects: tuple[str, ...],
    default_object: str,
    now: datetime,
    clear_missing: bool = False,
) -> PushFile:
    """Every row of ``path`` either as a ``ScoreUpdate`` or as a ``RefusedRow`` with the reason.

    A file without an id column or a ``Lead_Score_Total`` column is a ``DataFileError``.
    """
    table = read_table(path, keep_raw=True, clean=())
    frame = table.raw if table.raw is not None else table.frame
    id_col = next((c for c in ID_COLUMNS if c in frame.columns), None)
    if id_col is None:
        raise DataFileError(
            f"{path}: no record id column; add one named {' or '.join(ID_COLUMNS[:2])} holding "
            "the CRM id of each lead (leadscore crm pull writes lead_id)."
        )
    columns = {k: score_field_name(k, "local") for k in SCORE_FIELDS}
    present = {k: c for k, c in columns.items() if c in frame.columns}
    if "Total" not in present:
        raise DataFileError(
            f"{path}: no Lead_Score_Total column; push a file written by leadscore score."
        )
    has_object = "object_type" in frame.columns
    out = PushFile(path=path, rows=len(frame))
    ids = [_text(v) for v in frame[id_col].tolist()]
    # an id that a spreadsheet-safe export (score, crm pull) prefixed with ' comes back as it was
    ids = [None if i is None or not i.strip() else restore_cell(i.strip()) for i in ids]
    counts = Counter(i for i in ids if i is not None)
    cells = {k: frame[c].tolist() for k, c in present.items()}
    kinds = frame["object_type"].tolist() if has_object else [None] * len(frame)
    for n, record_id in enumerate(ids):
        row = n + 2

        def refuse(reason: str, row: int = row, record_id: str | None = record_id) -> None:
            out.refused.append(RefusedRow(row, record_id, reason))

        if record_id is None:
            refuse(f"{id_col} is empty; every row needs the CRM id of its record")
            continue
        if counts[record_id] > 1:
            refuse(f"{id_col} {record_id!r} is on {counts[record_id]} rows; keep one of them")
            continue
        kind = _text(kinds[n])
        object_type = kind.strip() if kind and kind.strip() else default_object
        if object_type not in objects:
            refuse(f"object_type {object_type!r} is not one of {', '.join(objects)}")
            continue
        values: dict[str, Any] = {}
        problems: list[str] = []
        for logical, column in present.items():
            text = _text(cells[logical][n])
            textual = SCORE_FIELDS[logical] in TEXT_LIMITS  # "N/A" is a text like any other
            if text is None or (not text.strip() if textual else is_missing(text)):
                if logical == "Total" and not clear_missing:
                    problems.append(
                        f"{column} is empty ({(text or '').strip() or 'blank'!s}); the CRM's "
                        "score is kept. Pass --clear-missing to clear it"
                    )
                elif clear_missing:
                    values[logical] = None
                continue
            try:
                values[logical] = parse_value(logical, text)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            refuse("; ".join(problems))
            continue
        if values.get("Last_Calculated") is None:
            values["Last_Calculated"] = now
        out.updates.append(ScoreUpdate(record_id, object_type, values))
    return out
