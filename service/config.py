"""The build configuration (``--config build.yaml``): how the user's columns map to ours.

Every key is checked (``extra="forbid"``): a misspelled key is an error that names it. The same
settings can come from flags (``--outcome-column``, ``--won``, ``--exclude``); flags win.

Example::

    company: Acme HR Cloud
    outcome: {column: Stage, won: ["Closed Won"], lost: ["Closed Lost"]}
    id_column: Opportunity ID
    name_column: Account Name
    date_column: Close Date
    exclude: [Owner]
    keep: []                      # suspected-leakage columns to keep anyway
    dimensions: {Industry: firmographic, Webinar Attended: behavioral}
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.data.yaml_file import YamlFileProblem, read_yaml
from service.errors import ConfigError, DataFileError


class Dimension(StrEnum):
    firmographic = "firmographic"
    behavioral = "behavioral"
    engagement = "engagement"
    intent = "intent"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutcomeConfig(_Strict):
    column: str | None = None
    won: list[str] = Field(default_factory=list)
    lost: list[str] = Field(default_factory=list)

    @field_validator("won", "lost", mode="before")
    @classmethod
    def _as_text_list(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            value = [value]
        return [str(v) for v in value]


class TierPolicy(_Strict):
    hot_max_share: float = Field(0.15, gt=0, lt=1)
    cold_min_share: float = Field(0.30, ge=0, lt=1)


class CapacityConfig(_Strict):
    reps: int = Field(ge=1)
    leads_per_rep_per_week: int = Field(ge=1)
    new_leads_per_week: int | None = Field(None, ge=1)


class BuildConfig(_Strict):
    company: str | None = None
    outcome: OutcomeConfig = Field(default_factory=OutcomeConfig)
    id_column: str | None = None
    name_column: str | None = None
    date_column: str | None = None
    exclude: list[str] = Field(default_factory=list)
    keep: list[str] = Field(default_factory=list)
    dimensions: dict[str, Dimension] = Field(default_factory=dict)
    max_signals: int = Field(30, ge=1, le=100)
    min_attribute_deals: int = Field(15, ge=5)
    tiers: TierPolicy = Field(default_factory=lambda: TierPolicy())
    capacity: CapacityConfig | None = None


def _format_validation_error(source: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key; check the spelling against the README's configuration section"
        lines.append(f"{source}: {loc}: {msg}")
    return "\n".join(lines)


def load_build_config(path: str | Path | None) -> BuildConfig:
    """Read a build configuration YAML; an empty or missing path gives the defaults."""
    if path is None:
        return BuildConfig()
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such configuration file.")
    try:
        data = read_yaml(path) or {}
    except YamlFileProblem as exc:
        raise ConfigError(f"{path}: {exc}.") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the configuration must be a mapping of keys to values.")
    try:
        return BuildConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_validation_error(str(path), exc)) from exc


def apply_flags(
    config: BuildConfig,
    *,
    outcome_column: str | None = None,
    won: Sequence[str] = (),
    lost: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> BuildConfig:
    """Return a copy of ``config`` with command-line flags applied on top."""
    outcome = config.outcome.model_copy(
        update={
            "column": outcome_column or config.outcome.column,
            "won": list(won) or config.outcome.won,
            "lost": list(lost) or config.outcome.lost,
        }
    )
    return config.model_copy(update={"outcome": outcome, "exclude": [*config.exclude, *exclude]})


# --- recognising the standard columns -------------------------------------------------------

OUTCOME_COLUMN_NAMES = (
    "outcome",
    "status",
    "stage",
    "stagename",
    "result",
    "won",
    "is_won",
    "converted",
    "y",
)
WON_VALUES = ("won", "closed won", "closed-won", "closedwon", "win", "yes", "y", "true", "1", "1.0")
LOST_VALUES = (
    "lost",
    "closed lost",
    "closed-lost",
    "closedlost",
    "loss",
    "no",
    "n",
    "false",
    "0",
    "0.0",
)
ID_COLUMN_NAMES = ("deal_id", "id", "opportunity_id", "lead_id", "record_id")
NAME_COLUMN_NAMES = ("company", "account", "account_name", "company_name")
DATE_COLUMN_NAMES = ("closed_at", "close_date", "closedate", "closed_date", "date_closed")


def _find(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    by_lower = {str(c).strip().lower().replace(" ", "_"): str(c) for c in frame.columns}
    for name in names:
        if name in by_lower:
            return by_lower[name]
    return None


class Outcome(BaseModel):
    """The resolved outcome of each row: 1 won, 0 lost, missing when neither."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    column: str
    won_values: list[str]
    lost_values: list[str]
    y: pd.Series  # float 1.0 / 0.0 / NaN
    #: row numbers (1-based data rows, header not counted) whose outcome is neither won nor lost
    invalid_rows: list[int]
    invalid_values: dict[str, int]


def resolve_columns(frame: pd.DataFrame, config: BuildConfig, source: str) -> BuildConfig:
    """Fill in id, name and date columns by their standard names; check named columns exist."""
    cols = set(map(str, frame.columns))
    for key in ("id_column", "name_column", "date_column"):
        value = getattr(config, key)
        if value is not None and value not in cols:
            raise ConfigError(
                f"{source}: {key} {value!r} is not a column of the file. "
                f"Columns are: {', '.join(map(str, frame.columns))}."
            )
    for key in ("exclude", "keep", "dimensions"):
        for col in getattr(config, key):
            if col not in cols:
                raise ConfigError(
                    f"{source}: {key} names {col!r}, which is not a column of the file."
                )
    return config.model_copy(
        update={
            "id_column": config.id_column or _find(frame, ID_COLUMN_NAMES),
            "name_column": config.name_column or _find(frame, NAME_COLUMN_NAMES),
            "date_column": config.date_column or _find(frame, DATE_COLUMN_NAMES),
        }
    )


def resolve_outcome(frame: pd.DataFrame, config: BuildConfig, source: str) -> Outcome:
    """Find the outcome column and map its values to won (1) / lost (0) / neither (NaN)."""
    column = config.outcome.column or _find(frame, OUTCOME_COLUMN_NAMES)
    if column is None:
        raise DataFileError(
            f"{source}: no outcome column. Name it with --outcome-column COL (and --won VALUE), "
            f"or `outcome: {{column: ...}}` in the config. Columns are: "
            f"{', '.join(map(str, frame.columns))}."
        )
    if column not in frame.columns:
        raise DataFileError(
            f"{source}: outcome column {column!r} is not in the file. "
            f"Columns are: {', '.join(map(str, frame.columns))}."
        )
    raw = frame[column]
    text = raw.astype("string").str.strip()
    norm = text.str.lower()
    # numbers read as floats: "1.0" must match "1"
    norm = norm.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True)
    won_values = [v.strip().lower() for v in config.outcome.won] or list(WON_VALUES)
    won_values = [v[:-2] if v.endswith(".0") else v for v in won_values]
    if config.outcome.lost:
        lost_values = [v.strip().lower() for v in config.outcome.lost]
    elif config.outcome.won:
        lost_values = []  # everything that is not won counts as lost
    else:
        lost_values = list(LOST_VALUES)
    is_won = norm.isin(won_values).fillna(False).astype(bool)
    if lost_values:
        is_lost = norm.isin(lost_values).fillna(False).astype(bool)
    else:
        is_lost = (~is_won) & norm.notna()
    y = pd.Series(float("nan"), index=frame.index, dtype="float64")
    y[is_won.to_numpy()] = 1.0
    y[is_lost.to_numpy()] = 0.0
    invalid = y.isna()
    if not is_won.any():
        seen = ", ".join(repr(v) for v in text.dropna().unique()[:10])
        raise DataFileError(
            f"{source}: no value of outcome column {column!r} means won "
            f"(looked for {', '.join(dict.fromkeys(won_values))}; the column holds {seen}). "
            "Say which values mean won with --won VALUE."
        )
    invalid_values = text[invalid].fillna("(missing)").value_counts()
    return Outcome(
        column=str(column),
        won_values=won_values,
        lost_values=lost_values,
        y=y,
        invalid_rows=[int(i) + 1 for i in frame.index[invalid.to_numpy()]],
        invalid_values={str(k): int(v) for k, v in invalid_values.items()},
    )
