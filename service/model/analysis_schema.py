"""The typed ``analysis.json``: frozen pydantic models for every block the build measures.

``analysis.json`` is the contract between the builder and everything that reads a model back: the
report (``service.report``), the daemon's health check and recalibration, the dashboard's model
page. Each block is built by the step that measures it (``service.model.build``) and checked
against these models there, so a misspelt key or a missing number fails the build, not a reader.

Serialisation writes the JSON the builder always wrote: ``Analysis.to_json()`` dumps only the keys
that were set (a block or key that does not apply, such as ``leakage_warning`` below an AUC of
0.93, is absent rather than ``null``), in the order of the fields below; NaN and infinity never
reach a model (``json_safe`` turns them into ``null`` first). ``load_analysis(path)`` reads a file
back and names the file and the key path of every problem.

``docs/analysis.schema.json`` is generated from these models (``leadscore model schema --out
docs/analysis.schema.json``) and kept current by a test; ``docs/analysis.md`` describes the blocks.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from service.data.json_file import JsonFileProblem, read_json
from service.errors import DataFileError

log = structlog.get_logger(__name__)

#: a JSON number kept as the builder produced it (an ``int`` stays ``1``, a ``float`` ``1.0``)
Num = Annotated[int | float, WithJsonSchema({"type": "number"})]
#: a value of a deal field: text, a yes/no flag or a number
Scalar = str | bool | int | float


def json_safe(value: Any) -> Any:
    """Plain JSON types: numpy scalars unwrapped, NaN and infinity as ``None``."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return [json_safe(v) for v in value.tolist()]
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, datetime):
        return value.isoformat()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


class Block(BaseModel):
    """A block of ``analysis.json``: frozen, and a key the model does not know is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def measured(cls, raw: Any) -> Any:
        """The block from what a step measured (numpy values, NaN), made JSON-safe first."""
        return cls.model_validate(json_safe(raw))


# --- Step 1: the audit ------------------------------------------------------------------------


class Source(Block):
    """The deals file the model was built from."""

    path: str
    rows: int = Field(description="rows in the file, before any was left out")


class AttributeAdequacy(Block):
    """Whether one attribute has enough deals per value to be judged."""

    field: str
    kind: str
    deals_with_value: int
    values_judgeable: list[Scalar] | None = None
    values_too_few: list[Scalar] | None = None
    values_too_few_count: int | None = None
    sufficient: bool
    note: str


class Adequacy(Block):
    """Sample adequacy: can a model be built, and with what confidence."""

    can_model: bool
    level: str = Field(description="insufficient | low | adequate")
    message: str
    closed_deals: int
    minimum: int
    preferred: int
    attributes: list[AttributeAdequacy]


class DateRange(Block):
    """First and last close date and the months they cover."""

    column: str
    start: str | None
    end: str | None
    months: Num
    covers_12_24_months: bool
    note: str


class Survivorship(Block):
    """Whether the rows are opportunities (deals that got that far) rather than all leads."""

    applies: bool | None
    evidence: list[str]
    note: str


class FieldInfo(Block):
    """One column of the deals file as the audit sees it."""

    name: str
    kind: str = Field(description="numeric | category | boolean | date | text | id")
    dtype: str
    completeness: Num
    distinct: int
    flags: list[str]
    placeholders: dict[str, int]
    top: list[tuple[Scalar | None, int]] = Field(description="most frequent values and counts")
    minimum: Num | None
    maximum: Num | None
    oos_auc: Num | None = Field(description="cross-validated AUC of a one-column model")
    excluded: str | None = Field(description="why the field was left out, if it was")


class Excluded(Block):
    """A field left out of the model, and why."""

    field: str
    reason: str
    detail: str


class OutcomeCoded(Block):
    """Filled in (or one value) for one outcome only."""

    kind: Literal["outcome_coded"]
    value: Scalar
    side: str
    share_of_side: Num
    share_of_other: Num
    detail: str


class ProcessField(Block):
    """Filled in during the sales process: full on deals, empty (or unseen) on open leads."""

    kind: Literal["process_field"]
    filled_deals: Num | None = None
    filled_leads: Num | None = None
    unseen_share: Num | None = None
    detail: str


class StrongSingleField(Block):
    """Separates won from lost implausibly well on its own."""

    kind: Literal["strong_single_field"]
    auc: Num | None = None
    value: Scalar | None = None
    share_of_deals: Num | None = None
    win_rate: Num | None = None
    auc_where_filled: Num | None = None
    detail: str


class NameCue(Block):
    """Its name describes the sales process or the result."""

    kind: Literal["name_cue"]
    cue: str
    detail: str


class SameAsSuspect(Block):
    """Carries the same information as another suspect."""

    kind: Literal["same_as_suspect"]
    other: str
    detail: str


Evidence = Annotated[
    OutcomeCoded | ProcessField | StrongSingleField | NameCue | SameAsSuspect,
    Field(discriminator="kind"),
]


class Suspect(Block):
    """A field suspected of leaking the outcome, with the evidence against it."""

    field: str
    evidence: list[Evidence]
    action: str = Field(description="excluded | flagged")
    kept_by_config: bool
    keep: str | None = Field(description="the configuration line that would keep it")


class DuplicateRow(Block):
    """A row that repeats an earlier one (only the earlier is used)."""

    row: int
    duplicate_of: int = Field(description="the earlier row it repeats")
    id: str | None = Field(
        default=None, description="the id of the row (`duplicate_id`, `duplicate_except_id`)"
    )


class BadCell(Block):
    """A cell that is not a number or date, is impossible, or lies in the future."""

    row: int
    field: str
    value: Scalar | None = Field(description="the cell as read (null: not a finite number)")
    other_field: str | None = Field(
        default=None, description="the field it may not exceed (more clicks than opens)"
    )
    other_value: Num | None = Field(default=None, description="that field's value in the row")


class BadOutcome(Block):
    """An outcome value that means neither won nor lost."""

    row: int
    value: Scalar = Field(description="the value as read, `(missing)` when blank")


class _Problem(Block):
    """A data-quality problem, with the 1-based rows it affects (the first 200 as ``items``)."""

    kind: str
    field: str | None
    rows: list[int]
    detail: str
    items: list[Any]


class DuplicateProblem(_Problem):
    """Rows repeating an earlier row: exactly, by id, or in every field but the id."""

    kind: Literal["duplicate", "duplicate_id", "duplicate_except_id"]
    items: list[DuplicateRow]


class CellProblem(_Problem):
    """Cells of one field that cannot be used as they are."""

    kind: Literal["unparseable_number", "unparseable_date", "future_date", "impossible_value"]
    items: list[BadCell]


class OutcomeProblem(_Problem):
    """Outcome values that mean neither won nor lost."""

    kind: Literal["invalid_outcome"]
    items: list[BadOutcome]


Problem = Annotated[DuplicateProblem | CellProblem | OutcomeProblem, Field(discriminator="kind")]


class MissingInput(Block):
    """An input a lead-scoring model usually has that the data lacks."""

    input: str
    fields_looked_for: list[str]
    impact: str
    dimensions_affected: list[str]


class AuditDimension(Block):
    """The fields that feed one scoring dimension."""

    fields: list[str]
    scorable: bool
    fields_with_enough_deals: list[str]


class Audit(Block):
    """Step 1: the data audit (the same document ``leadscore audit --json`` writes)."""

    source: str
    as_of: str
    rows: int
    outcome_column: str
    base_rate: Num
    closed_deals: int
    won: int
    lost: int
    can_model: bool
    adequacy: Adequacy
    date_range: DateRange | None
    survivorship: Survivorship
    fields: list[FieldInfo]
    excluded: list[Excluded]
    suspected_leakage: list[Suspect]
    problems: list[Problem]
    missing_inputs: list[MissingInput]
    dimensions: dict[str, AuditDimension]
    placeholders: dict[str, dict[str, int]] = Field(
        description="per column: placeholder value and how often it was treated as missing"
    )
    limitations: list[str]


# --- Step 2: win/loss patterns ----------------------------------------------------------------


class Attribute(Block):
    """One measured attribute (a field's value or range) and its association with winning."""

    id: str
    field: str
    range: tuple[Num | None, Num | None] | None = Field(
        default=None, description="[low, high) for a numeric attribute, null for an open end"
    )
    value: Scalar | None = Field(default=None, description="the value, for a categorical one")
    kind: str
    label: str
    dimension: str
    n: int = Field(description="deals with the attribute")
    won_n: int
    n_absent: int
    win_rate_present: Num | None
    win_rate_absent: Num | None
    lift: Num | None = Field(description="win rate when present / base rate")
    p_value: Num | None
    q_value: Num | None = Field(description="Benjamini-Hochberg adjusted p-value")
    test: str
    ci_low: Num | None
    ci_high: Num | None
    significant: bool
    direction: int
    power: Num | None = Field(description="predictive power, see `ranking_formula`")
    confidence: str
    rank: int | None


class Interaction(Block):
    """A pair of attributes tested against the joint model."""

    a: str = Field(description="id of the first attribute")
    b: str = Field(description="id of the second attribute")
    label: str
    n_both: int
    win_rate_both: Num | None
    n_a_only: int
    win_rate_a: Num | None
    n_b_only: int
    win_rate_b: Num | None
    base_rate: Num | None
    expected_both: Num | None
    interaction_lift: Num | None
    p_value: Num | None
    q_value: Num | None
    p_value_alone: Num | None
    test: str
    tested_against: str
    significant: bool
    scored: bool = Field(description="the model scores the pair as its own signal")
    note: str


class NonPredictor(Block):
    """An attribute with a lift near 1 and no significant effect on winning."""

    id: str
    field: str
    range: tuple[Num | None, Num | None] | None = None
    value: Scalar | None = None
    label: str
    n: int
    win_rate_present: Num | None
    win_rate_absent: Num | None
    lift: Num | None
    p_value: Num | None
    note: str


class Insufficient(Block):
    """An attribute value (or a whole field) with too few deals to judge."""

    field: str
    range: tuple[Num | None, Num | None] | None = None
    value: Scalar | None = None
    n: int
    reason: str


class DistinctiveAttribute(Block):
    """An attribute whose rate among one loss reason differs from the other losses."""

    attribute: str
    rate_in_reason: Num
    rate_other_losses: Num
    p_value: Num
    q_value: Num


class LossReason(Block):
    """A loss reason: how often, the average score at loss, and what sets it apart."""

    reason: str
    count: int
    share_of_losses: Num
    avg_score: Num | None
    pattern: str
    distinctive: list[DistinctiveAttribute]


# --- Step 3: points ---------------------------------------------------------------------------


class SignalDetail(Block):
    """A signal of the model with the evidence behind its points."""

    name: str
    id: str
    label: str
    field: str
    fields: list[str]
    dimension: str
    points: int
    lift: Num | None
    n: int
    q_value: Num | None
    coefficient: Num | None
    criteria: str
    kind: str
    source_dimension: str = Field(description="the dimension of the attribute it was made from")
    points_uncapped: int | None = Field(
        default=None, description="the points its fit earned, when the 35% cap held them down"
    )


class DroppedSignal(Block):
    """A candidate signal that earned no points, and why."""

    id: str
    label: str
    dimension: str
    lift: Num | None
    n: int
    coefficient: Num | None
    reason: str


class PointsFit(Block):
    """How the points were fitted."""

    method: str
    C: Num | None = Field(
        description="the L1 penalty chosen by cross-validation (null when no signal was fitted)"
    )
    scale: Num | None = Field(description="points per unit of coefficient")
    rank_fidelity: Num | None = Field(description="Spearman of points against coefficients")


class Dimension(Block):
    """A scoring dimension: its maximum and the average points of won and lost deals."""

    max_points: int
    avg_won: Num | None
    avg_lost: Num | None
    n_signals: int


class ScoreRange(Block):
    """The lowest and highest score the rules can give."""

    min: int
    max: int
    max_positive: int
    max_negative: int


# --- Step 4: thresholds -----------------------------------------------------------------------


class Distribution(Block):
    """Quartiles of the training deals' scores."""

    min: Num | None
    p25: Num | None
    median: Num | None
    p75: Num | None
    max: Num | None


class Distributions(Block):
    won: Distribution
    lost: Distribution


class Separation(Block):
    """The score that best separates won from lost deals (Kolmogorov-Smirnov)."""

    score: Num
    ks: Num
    p_value: Num


class Thresholds(Block):
    """The lowest score of each tier above Cold."""

    hot: Num
    warm: Num
    cool: Num


class TierRow(Block):
    """A tier on the training deals, with its holdout rate beside it."""

    tier: str
    min_score: Num | None
    max_score: Num | None
    expected_conversion: Num | None = Field(description="training win rate")
    ci_low: Num | None
    ci_high: Num | None
    share_of_leads: Num
    n: int
    won_n: int
    sla: str
    action: str
    rescore_every_days: Num | None
    holdout_n: int | None = None
    holdout_won: int | None = None
    holdout_win_rate: Num | None = None
    holdout_ci: tuple[Num | None, Num | None] | None = None
    training_win_rate: Num | None
    share_of_current_leads: Num | None = Field(
        default=None, description="share of the leads file given with --leads"
    )


class Capacity(Block):
    """Whether the reps can work every Hot and Warm lead each week."""

    reps: int
    leads_per_rep_per_week: int
    capacity_per_week: int
    new_leads_per_week: int | None
    hot_share: Num
    hot_warm_share: Num
    hot_per_week: Num | None
    hot_warm_per_week: Num | None
    utilisation: Num | None
    ok: bool | None
    message: str


# --- Step 5: validation on the holdout --------------------------------------------------------


class Baselines(Block):
    """Holdout AUC of two standard models on the same fields."""

    logistic_regression: Num | None
    gradient_boosting: Num | None


class Decile(Block):
    decile: int
    n: int
    won: int
    win_rate: Num | None
    lift: Num | None
    min_score: Num
    max_score: Num


class HoldoutTier(Block):
    tier: str
    holdout_n: int
    holdout_won: int
    holdout_win_rate: Num | None
    holdout_ci: tuple[Num | None, Num | None] | None
    precision: Num | None
    recall: Num | None


class Confusion(Block):
    """Hot and Warm as a predicted win."""

    tp: int
    fn: int
    fp: int
    tn: int


class Calibration(Block):
    tier: str
    expected: Num | None
    actual: Num | None
    n: int
    won: int


class Target(Block):
    """A validation metric against its target."""

    metric: str
    label: str
    value: Num | None
    target: Num
    passed: bool | None
    note: str | None = None


class Driver(Block):
    signal: str
    label: str
    points: int


class Misclassified(Block):
    """A holdout deal the model placed in the wrong half, and why."""

    deal: str
    score: Num
    tier: str
    drivers: list[Driver]
    missing: list[str] = Field(description="signals that could not be evaluated")
    why: str


class Roc(Block):
    fpr: list[Num]
    tpr: list[Num]


class HoldoutScore(Block):
    score: Num
    #: absent in documents written before the tier was recorded
    tier: str | None = Field(
        None, description="Hot | Warm | Cool | Cold | Unscoreable, as the engine tiers the deal"
    )
    won: int


class Validation(Block):
    """Step 5: the holdout scored by the engine the daemon uses."""

    holdout_n: int
    holdout_won: int
    holdout_lost: int
    split: str | None
    split_note: str | None
    auc: Num | None
    auc_ci: tuple[Num | None, Num | None] | None
    accuracy: Num | None
    no_skill_accuracy: Num | None
    baselines: Baselines
    deciles: list[Decile]
    tiers: list[HoldoutTier]
    precision_hot: Num | None
    recall_hot: Num | None
    f1_hot: Num | None
    precision_hot_warm: Num | None
    recall_hot_warm: Num | None
    f1_hot_warm: Num | None
    spearman: Num | None
    tier_separation: Num | None
    confusion: Confusion
    calibration: list[Calibration]
    targets: list[Target]
    targets_passed: int
    false_positives: list[Misclassified]
    false_negatives: list[Misclassified]
    false_positive_n: int
    false_negative_n: int
    fp_pattern: str | None
    fp_fix: str | None
    fn_pattern: str | None
    fn_fix: str | None
    roc: Roc
    holdout_scores: list[HoldoutScore]
    unscoreable_n: int
    unavailable: dict[str, str] = Field(description="metric: why it could not be measured")
    holdout_rows: list[int] = Field(description="row positions of the held-out deals")


class Confidence(Block):
    level: Literal["High", "Medium", "Low"]
    reasons: list[str]


class IcpGap(Block):
    part: str
    n: int
    win_rate: Num
    win_rate_rest_of_icp: Num
    base_rate: Num
    q_value: Num


class IcpRow(Block):
    """A stated ICP criterion against what the won deals show."""

    criterion: str
    stated: str
    column: str | None
    not_in_data: list[str] | None = None
    gaps: list[IcpGap] | None = None
    observed: str
    verdict: str
    win_rate_inside: Num | None = None
    win_rate_outside: Num | None = None
    p_value: Num | None = None
    n_inside: int | None = None


class LeakageWarning(Block):
    """Set when the holdout AUC is implausibly good (0.93 or more)."""

    auc: Num
    fields: list[str]
    message: str


class Headline(Block):
    """The strongest predictor of the fitted model, measured on the holdout."""

    name: str
    label: str
    dimension: str
    points: int
    contribution: Num
    holdout_n: int
    holdout_won: int
    holdout_win_rate: Num | None
    holdout_ci: tuple[Num | None, Num | None]
    holdout_win_rate_without: Num | None
    holdout_n_without: int


class CurrentLeads(Block):
    n: int
    unscoreable: int


class ScoreBins(Block):
    edges: list[Num]
    shares: list[Num]


class SignalRate(Block):
    dimension: str
    fire_rate: Num
    known_rate: Num


class HealthReference(Block):
    """What the daemon's health check compares live leads with."""

    population: Literal["leads", "deals"]
    n: int
    deals_n: int
    scores: dict[str, ScoreBins]
    signals: dict[str, SignalRate]
    values: dict[str, dict[str, Num]] = Field(description="per text field: value shares")


class Transitions(Block):
    """Rule 5's stale windows and Rule 2's SLA hours per tier."""

    stale_after_days: dict[str, int]
    sla_hours: dict[str, Num]


class Analysis(Block):
    """``analysis.json``: everything the build measured, the report is written from it."""

    model_version: str
    built_at: str
    company: str | None
    source: Source
    base_rate: Num | None
    won: int
    lost: int
    train_n: int
    holdout_n: int
    fitted_on: str
    audit: Audit
    attributes: list[Attribute]
    ranking_formula: str
    interactions: list[Interaction]
    non_predictors: list[NonPredictor]
    insufficient_data: list[Insufficient]
    loss_reasons: list[LossReason]
    signals: list[SignalDetail]
    signals_without_points: list[DroppedSignal]
    points_fit: PointsFit
    dimensions: dict[str, Dimension]
    score_range: ScoreRange
    distributions: Distributions
    separation: Separation | None
    thresholds: Thresholds
    tiers: list[TierRow]
    capacity: Capacity | None
    validation: Validation
    split_note: str | None
    confidence: Confidence
    excluded: list[Excluded]
    icp_comparison: list[IcpRow]
    refit_all: bool
    notes: list[str]
    suspected_leakage: list[Suspect]
    leakage_warning: LeakageWarning | None = None
    headline: Headline | None
    outcome_unit: Literal["opportunities", "leads"]
    current_leads: CurrentLeads | None = Field(
        default=None, description="the leads file given with --leads"
    )
    health_reference: HealthReference
    transitions: Transitions
    fields_not_in_leads: list[str] | None = Field(
        default=None, description="fields left out because the leads file lacks them"
    )

    def to_json(self) -> str:
        """The text of ``analysis.json``."""
        return json.dumps(self.model_dump(exclude_unset=True), indent=2, allow_nan=False)


def load_analysis(path: str | Path) -> Analysis:
    """Read ``analysis.json``; a file that is not one names the file and the key path of each
    problem (``analysis.json: validation.auc: Input should be a valid number``)."""
    path = Path(path)
    try:
        raw = read_json(path)  # within the input limits (size, nesting, digits)
    except JsonFileProblem as exc:
        raise DataFileError(f"{path}: {exc}.") from None
    return parse_analysis(raw, source=str(path))


def read_analysis(path: Path) -> Analysis | None:
    """For the daemon and the dashboard, which must keep running beside an older build:
    ``path`` as an ``Analysis``, ``None`` when it is missing or does not load (logged as
    ``analysis_unreadable`` with the file and the key paths)."""
    if not path.exists():
        return None
    try:
        return load_analysis(path)
    except DataFileError as exc:
        log.warning("analysis_unreadable", path=str(path), error=str(exc))
        return None


def parse_analysis(raw: Any, *, source: str = "analysis.json") -> Analysis:
    """``raw`` (parsed JSON) as an ``Analysis``, naming ``source`` and the key path of each
    problem."""
    try:
        return Analysis.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{source}: not a valid analysis.json ({exc.error_count()} problems):"]
        for err in exc.errors()[:20]:
            lines.append(f"  {key_path(err['loc'])}: {err['msg']}")
        raise DataFileError("\n".join(lines)) from None


def key_path(loc: tuple[int | str, ...]) -> str:
    """``("validation", "tiers", 0, "tier")`` as ``validation.tiers[0].tier``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def schema_text() -> str:
    """``docs/analysis.schema.json`` as generated from the models."""
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Analysis.model_json_schema(),
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
