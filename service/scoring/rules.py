"""The rules file (``model.yaml`` / ``rules/live.yaml``): what ops edit and the engine scores with.

Frozen pydantic models with ``extra="forbid"``: a misspelled key is an error, never a no-op.
Conditions are a discriminated union on ``kind``; nothing in the file is ever evaluated as code.

Scoring, as the engine applies it:
- a signal fires when all its ``when`` conditions hold (AND); it adds its ``points``;
- each of the four positive dimensions is capped at its ``max_points``;
- signals in the ``negative`` group carry negative points; their sum is floored at
  ``-negative_max_points``;
- the total is the sum of the four capped dimensions plus the negative sum; the tier comes from
  ``thresholds`` (``total >= hot`` is Hot, ``>= warm`` Warm, ``>= cool`` Cool, else Cold).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from service.data.atomic import write_text_atomic
from service.data.yaml_file import YamlFileProblem, read_yaml
from service.errors import RulesError

DIMENSIONS = ("firmographic", "behavioral", "engagement", "intent")
GROUPS = (*DIMENSIONS, "negative")
TIERS = ("Hot", "Warm", "Cool", "Cold")

Scalar = str | int | float | bool


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FieldIn(_Frozen):
    """The field's value is one of ``values`` (text compared case-insensitively)."""

    kind: Literal["field_in"]
    field: str
    values: list[Scalar] = Field(min_length=1)


class FieldNotIn(_Frozen):
    """The field has a value and it is none of ``values`` (text compared case-insensitively): the
    pooled "other" values of a field with many values, including values not seen when the
    model was built."""

    kind: Literal["field_not_in"]
    field: str
    values: list[Scalar] = Field(min_length=1)


class Range(_Frozen):
    """The numeric field lies in ``[min, max)``; either bound may be left out."""

    kind: Literal["range"]
    field: str
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self


class Flag(_Frozen):
    """The field is true (``true``, ``yes``, ``y``, ``1``, any case)."""

    kind: Literal["flag"]
    field: str


class Missing(_Frozen):
    """The field has no value (where "missing" itself was found to predict the outcome)."""

    kind: Literal["missing"]
    field: str


Condition = Annotated[FieldIn | FieldNotIn | Range | Flag | Missing, Field(discriminator="kind")]


class Evidence(_Frozen):
    """The measurement behind a signal's points, copied from ``analysis.json``."""

    lift: float
    win_rate_present: float
    win_rate_absent: float | None = None
    n: int = Field(ge=0)
    q_value: float | None = None


class Signal(_Frozen):
    name: str = Field(min_length=1)
    #: words a rep understands, used in ``Lead_Score_Top_Factors``
    label: str | None = None
    dimension: Literal["firmographic", "behavioral", "engagement", "intent", "negative"]
    points: int
    when: list[Condition] = Field(min_length=1)
    evidence: Evidence | None = None

    @model_validator(mode="after")
    def _sign(self) -> Signal:
        if self.dimension == "negative" and self.points >= 0:
            raise ValueError("a negative signal must have points below 0")
        if self.dimension != "negative" and self.points <= 0:
            raise ValueError(
                f"{'an' if self.dimension[0] in 'aeiou' else 'a'} {self.dimension} signal must have "
                "points above 0; "
                "move signals that subtract points to dimension: negative"
            )
        return self

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.when]


class DimensionLimit(_Frozen):
    max_points: int = Field(gt=0)


class Thresholds(_Frozen):
    hot: float
    warm: float
    cool: float

    @model_validator(mode="after")
    def _order(self) -> Thresholds:
        if not self.hot > self.warm > self.cool:
            raise ValueError(
                f"thresholds must satisfy hot > warm > cool; got {self.hot}, {self.warm}, {self.cool}"
            )
        return self


class TierPlaybook(_Frozen):
    sla: str
    action: str
    rescore_every_days: int = Field(gt=0)
    #: hours a rep has to make first contact after a turn into Hot (Rule 2's SLA clock); unset:
    #: no clock. Only Hot takes it: the specification times turns into Hot only, and ``Rules``
    #: refuses it on another tier rather than accept a clock that would never run.
    sla_hours: float | None = Field(None, gt=0, le=24 * 90)


Dimension = Literal["firmographic", "behavioral", "engagement", "intent"]


def _default_stale() -> dict[Dimension, int]:
    return {"behavioral": 30, "engagement": 30}


def default_playbook() -> dict[Literal["Hot", "Warm", "Cool", "Cold"], TierPlaybook]:
    return {
        "Hot": TierPlaybook(
            sla="1 hour", action="Call within 1 hour", rescore_every_days=1, sla_hours=1
        ),
        "Warm": TierPlaybook(
            sla="4 hours", action="Call or email within 4 hours", rescore_every_days=3
        ),
        "Cool": TierPlaybook(
            sla="24 hours", action="Email within 24 hours; nurture track", rescore_every_days=7
        ),
        "Cold": TierPlaybook(sla="none", action="Automated nurture only", rescore_every_days=30),
    }


class Rules(_Frozen):
    version: str = Field(min_length=1)
    model_name: str = "Lead scoring model"
    built_at: date | None = None
    dimensions: dict[Literal["firmographic", "behavioral", "engagement", "intent"], DimensionLimit]
    negative_max_points: int = Field(0, ge=0)
    signals: list[Signal] = Field(max_length=100)
    thresholds: Thresholds
    tiers: dict[Literal["Hot", "Warm", "Cool", "Cold"], TierPlaybook] = Field(
        default_factory=default_playbook
    )
    #: fields whose absence makes a lead "Unscoreable" when this share of signals cannot be evaluated
    unscoreable_missing_share: float = Field(0.6, gt=0, le=1)
    #: Rule 5: a dimension's points lapse (count 0) once a lead has had no activity for this many
    #: days; new activity brings them back. A dimension left out never lapses.
    stale_after_days: dict[Dimension, int] = Field(default_factory=_default_stale)

    @model_validator(mode="after")
    def _sla_on_hot_only(self) -> Rules:
        timed = [t for t, p in self.tiers.items() if t != "Hot" and p.sla_hours is not None]
        if timed:
            keys = ", ".join(f"tiers.{t}.sla_hours" for t in timed)
            raise ValueError(
                f"{keys}: only a turn into Hot starts an SLA clock (Rule 2), so "
                f"{' and '.join(timed)} would never be timed; remove the key (the tier's `sla` "
                "words still show in the report and the rep guide)"
            )
        return self

    @model_validator(mode="after")
    def _stale_days(self) -> Rules:
        for dim, days in self.stale_after_days.items():
            if days < 1:
                raise ValueError(f"stale_after_days.{dim} must be at least 1 day; got {days}")
        return self

    def stale_windows(self) -> list[int]:
        """The distinct ``stale_after_days`` values, shortest first (Rule 5's levels)."""
        return sorted(set(self.stale_after_days.values()))

    def transitions(self) -> dict[str, Any]:
        """What the report's Sections 4.3 and 5.2 say about time: Rule 5's stale windows and
        Rule 2's SLA hours per tier (``analysis.json``'s ``transitions``)."""
        return {
            "stale_after_days": dict(self.stale_after_days),
            "sla_hours": {t: p.sla_hours for t, p in self.tiers.items() if p.sla_hours},
        }

    def lapsed_dimensions(self, level: int) -> list[str]:
        """The dimensions whose points lapse at stale ``level`` (that many windows passed)."""
        passed = set(self.stale_windows()[:level])
        return [d for d, days in self.stale_after_days.items() if days in passed]

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        names = [s.name for s in self.signals]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"signal names must be unique; repeated: {', '.join(dupes)}")
        for i, s in enumerate(self.signals):
            if s.dimension != "negative" and s.dimension not in self.dimensions:
                raise ValueError(
                    f"signals[{i}] uses dimension {s.dimension!r}, which has no max_points"
                )
        return self

    @property
    def max_total(self) -> int:
        return sum(d.max_points for d in self.dimensions.values())


#: a message that starts with its own key path (``tiers.Warm.sla_hours: ...``)
_OWN_PATH = re.compile(r"^[A-Za-z_][\w.\[\]]*(, [A-Za-z_][\w.\[\]]*)*: ")


def format_errors(exc: ValidationError) -> list[str]:
    """One ``signals[3].points: message`` line per problem."""
    lines = []
    for err in exc.errors():
        path = ""
        for part in err["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            elif part in ("field_in", "field_not_in", "range", "flag", "missing"):
                continue  # the union tag pydantic adds to the location
            else:
                path += f".{part}" if path else str(part)
        msg = err["msg"].removeprefix("Value error, ")
        if not path and _OWN_PATH.match(msg):  # a whole-file check that names its key path
            lines.append(msg)
            continue
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check its spelling; see rules/README.md)"
        elif err["type"] == "union_tag_invalid":
            msg = "kind must be one of field_in, field_not_in, range, flag, missing"
        elif err["type"] == "string_type" and path == "version":
            msg = 'must be text: put it in quotes (version: "1.1"); unquoted, 1.10 reads as 1.1'
        lines.append(f"{path or '(top level)'}: {msg}")
    return lines


def parse_rules(data: object, source: str = "<rules>") -> Rules:
    if not isinstance(data, dict):
        raise RulesError(source, ["(top level): the rules file must be a mapping of keys"])
    try:
        return Rules.model_validate(data)
    except ValidationError as exc:
        raise RulesError(source, format_errors(exc)) from exc


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules YAML; raise ``RulesError`` listing every problem."""
    path = Path(path)
    try:
        data = read_yaml(path)
    except YamlFileProblem as exc:
        raise RulesError(str(path), [str(exc)]) from None
    return parse_rules(data, str(path))


def dump_rules(rules: Rules, path: str | Path) -> None:
    """Write rules as YAML that keeps the key order an ops person reads top to bottom."""
    data = rules.model_dump(mode="json", exclude_none=True)
    write_text_atomic(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
