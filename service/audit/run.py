"""Step 1 of the analysis: audit a closed-deals file before any model is built.

``run_audit`` takes the frame as read (placeholders already missing), the resolved outcome and
the build configuration, and returns an ``AuditReport``: the inventory of every field, the
data-quality problems with row numbers, sample adequacy, survivorship bias, leakage and other
exclusions, and the recommended inputs that are missing. The model builder calls
``report.modelling_data()`` to get the rows and columns it may use.

Rows in problems are 1-based data rows (the header is not counted), as in ``Outcome``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import structlog

from service.audit.fields import (
    FieldInfo,
    close_date_column,
    identifier_reason,
    inventory,
    looks_numeric,
    near_constant,
    parse_dates,
)
from service.audit.inputs import (
    Adequacy,
    MissingInput,
    adequacy,
    attribute_sufficiency,
    date_range,
    dimensions,
    limitations,
    missing_inputs,
    survivorship,
)
from service.audit.leakage import (
    Suspect,
    name_cue,
    oos_auc,
    outcome_coded,
    process_field,
    same_as,
    strong_single_field,
)
from service.audit.process_fields import DETAIL as PROCESS_DETAIL
from service.audit.process_fields import sales_process_field
from service.audit.quality import (
    Problem,
    find_duplicates,
    find_outcome_problems,
    find_value_problems,
)
from service.config import BuildConfig, Outcome
from service.data.current_leads import CurrentLeads, LeadColumn, normalised_text

__all__ = [
    "AuditReport",
    "Excluded",
    "FieldInfo",
    "MissingInput",
    "Problem",
    "Suspect",
    "run_audit",
]

log = structlog.get_logger(__name__)
_BLANKED = {"impossible_value", "unparseable_number", "unparseable_date", "future_date"}
_DROPPED = {"duplicate", "duplicate_id", "duplicate_except_id"}


@dataclass
class Excluded:
    """A field the model builder must not use, and why."""

    field: str
    reason: str
    detail: str = ""


@dataclass
class AuditReport:
    """Everything the audit found; ``to_dict()`` is the JSON written by ``leadscore audit``."""

    source: str
    rows: int
    outcome_column: str
    base_rate: float
    closed_deals: int
    won: int
    lost: int
    fields: list[FieldInfo]
    excluded: list[Excluded]
    suspected_leakage: list[Suspect]
    problems: list[Problem]
    missing_inputs: list[MissingInput]
    adequacy: Adequacy
    dimensions: dict[str, dict[str, Any]]
    survivorship: dict[str, Any]
    date_range: dict[str, Any] | None
    placeholders: dict[str, dict[str, int]]
    as_of: date
    limitations: list[str]
    _frame: pd.DataFrame = field(repr=False)
    _y: pd.Series = field(repr=False)
    _keep: list[str] = field(repr=False, default_factory=list)

    @property
    def can_model(self) -> bool:
        """True when there are enough closed deals of both outcomes to build a model."""
        return self.adequacy.can_model

    def excluded_fields(self) -> list[str]:
        """Names of the excluded fields, in file order."""
        return [e.field for e in self.excluded]

    def problems_of(self, kind: str) -> list[Problem]:
        """The problems of one kind (``duplicate``, ``impossible_value`` ...)."""
        return [p for p in self.problems if p.kind == kind]

    def modelling_data(self, *, include: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.Series]:
        """(X, y) for the builder: closed, de-duplicated rows with bad cells blanked, excluded
        columns dropped unless ``config.keep`` (or ``include``, e.g. the date column) names them.
        The index keeps the original 0-based row positions."""
        frame = self._frame.copy()
        kinds = {f.name: f.kind for f in self.fields}
        for name, kind in kinds.items():
            if kind == "date":
                frame[name] = parse_dates(frame[name])
            elif kind == "numeric" and not pd.api.types.is_numeric_dtype(frame[name]):
                converted = looks_numeric(frame[name])
                if converted is not None:
                    frame[name] = converted
        for problem in self.problems:
            if problem.kind in _BLANKED and problem.field is not None and problem.field in frame:
                positions = [r - 1 for r in problem.rows]
                column = frame[problem.field].copy()
                column.iloc[positions] = pd.NaT if kinds[problem.field] == "date" else np.nan
                frame[problem.field] = column
        drop_rows = {r - 1 for p in self.problems if p.kind in _DROPPED for r in p.rows}
        rows = self._y.notna().to_numpy() & ~np.isin(np.arange(len(frame)), list(drop_rows))
        allowed = set(self._keep) | set(include)
        drop_cols = [
            e.field for e in self.excluded if e.field not in allowed or e.reason == "outcome"
        ]
        x = frame.loc[rows].drop(columns=drop_cols)
        return x, self._y[rows].astype(int)

    def _suspect_entry(self, suspect: Suspect) -> dict[str, Any]:
        kept = suspect.field in self._keep
        return {
            "field": suspect.field,
            "evidence": suspect.evidence,
            "action": "flagged" if kept else suspect.action,
            "kept_by_config": kept,
            "keep": f"keep: [{suspect.field!r}]" if suspect.action == "excluded" else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The audit as plain JSON-ready data."""
        excluded_by = {e.field: e.reason for e in self.excluded}
        fields = []
        for f in self.fields:
            entry = asdict(f)
            entry["top"] = [[k, v] for k, v in f.top]
            entry["excluded"] = excluded_by.get(f.name)
            fields.append(entry)
        return {
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "rows": self.rows,
            "outcome_column": self.outcome_column,
            "base_rate": self.base_rate,
            "closed_deals": self.closed_deals,
            "won": self.won,
            "lost": self.lost,
            "can_model": self.can_model,
            "adequacy": asdict(self.adequacy),
            "date_range": self.date_range,
            "survivorship": self.survivorship,
            "fields": fields,
            "excluded": [asdict(e) for e in self.excluded],
            "suspected_leakage": [self._suspect_entry(s) for s in self.suspected_leakage],
            "problems": [asdict(p) for p in self.problems],
            "missing_inputs": [asdict(m) for m in self.missing_inputs],
            "dimensions": self.dimensions,
            "placeholders": self.placeholders,
            "limitations": self.limitations,
        }


def run_audit(
    frame: pd.DataFrame,
    outcome: Outcome,
    config: BuildConfig,
    *,
    source: str = "deals",
    placeholders: dict[str, dict[str, int]] | None = None,
    as_of: date | None = None,
    leads: pd.DataFrame | CurrentLeads | None = None,
) -> AuditReport:
    """Audit a deals frame (as returned by ``read_table``) against its resolved outcome.

    ``leads`` (the open leads, when given; a frame or chunks) lets the leakage checks see which
    fields are filled in only during the sales process."""
    as_of = as_of or date.today()
    frame = frame.reset_index(drop=True)
    y_all = pd.Series(outcome.y.to_numpy(dtype=float), index=frame.index)
    placeholders = placeholders or {}
    fields = inventory(frame, placeholders)
    problems = find_duplicates(frame, config.id_column)
    problems += find_outcome_problems(frame, outcome)
    problems += find_value_problems(frame, fields, as_of)

    dropped = {r - 1 for p in problems if p.kind in _DROPPED for r in p.rows}
    closed = y_all.notna().to_numpy() & ~np.isin(np.arange(len(frame)), list(dropped))
    y = y_all[closed].to_numpy(dtype=int)
    won, lost = int(y.sum()), int(len(y) - y.sum())
    on_leads = None if leads is None else _survey(leads, frame, closed)
    excluded, suspects = _exclusions(frame, fields, outcome, config, closed, y, on_leads)
    excluded_names = {e.field for e in excluded}
    for info in fields:
        if info.name in excluded_names:
            info.flag(next(e.reason for e in excluded if e.field == info.name))
        elif near_constant(frame[info.name]):
            info.flag("near_constant")
        if info.name in {s.field for s in suspects if s.action == "flagged"}:
            info.flag("suspected_leakage")
        for p in problems:
            if p.field == info.name:
                info.flag(p.kind)

    usable = [f for f in fields if f.name not in excluded_names or f.name in config.keep]
    usable = [f for f in usable if f.name != outcome.column]
    dims = dimensions([f.name for f in usable], config)
    fit = adequacy(len(y), won, lost)
    fit.attributes = attribute_sufficiency(
        frame.loc[closed].reset_index(drop=True), usable, y, config.min_attribute_deals
    )
    enough = {a["field"] for a in fit.attributes if a["sufficient"]}
    for entry in dims.values():
        entry["fields_with_enough_deals"] = [f for f in entry["fields"] if f in enough]
    won_text = [str(v) for v in outcome.won_values]
    surv = survivorship(frame, outcome.column, won_text, fields)
    dates = date_range(frame, config.date_column or close_date_column(fields), as_of)
    missing = missing_inputs([f.name for f in usable], dims)
    report = AuditReport(
        source=source,
        rows=len(frame),
        outcome_column=outcome.column,
        base_rate=round(won / len(y), 4) if len(y) else 0.0,
        closed_deals=len(y),
        won=won,
        lost=lost,
        fields=fields,
        excluded=excluded,
        suspected_leakage=suspects,
        problems=problems,
        missing_inputs=missing,
        adequacy=fit,
        dimensions=dims,
        survivorship=surv,
        date_range=dates,
        placeholders=placeholders,
        as_of=as_of,
        limitations=limitations(fit, surv, dates, usable, missing, config.min_attribute_deals),
        _frame=frame,
        _y=y_all,
        _keep=list(config.keep),
    )
    log.info(
        "audit_finished",
        source=source,
        closed_deals=report.closed_deals,
        won=won,
        lost=lost,
        excluded=len(excluded),
        problems=len(problems),
        can_model=report.can_model,
    )
    return report


def _exclusions(  # noqa: C901 -- one rule per kind of exclusion, in report order
    frame: pd.DataFrame,
    fields: list[FieldInfo],
    outcome: Outcome,
    config: BuildConfig,
    closed: np.ndarray,
    y: np.ndarray,
    leads: dict[str, LeadColumn] | None,
) -> tuple[list[Excluded], list[Suspect]]:
    """One reason per excluded field, the first that applies, in this order: outcome,
    configured, identifier/constant/empty/free text, date, then leakage (two kinds of evidence);
    and every leakage suspect, excluded or flagged (see ``service.audit.leakage``)."""
    out: list[Excluded] = []
    suspects: dict[str, Suspect] = {}
    configured_ids = {config.id_column, config.name_column} - {None}
    scorable: list[FieldInfo] = []
    for info in fields:
        series = frame[info.name]
        if info.name == outcome.column:
            out.append(Excluded(info.name, "outcome", "the outcome itself"))
            continue
        if info.name in config.exclude:
            out.append(Excluded(info.name, "configured_exclude", "excluded by the configuration"))
            continue
        if sales_process_field(info.name) and info.name not in configured_ids:
            out.append(Excluded(info.name, "sales_process", PROCESS_DETAIL))
            continue
        closed_values = series[closed].reset_index(drop=True)
        coded = None if info.name in configured_ids else outcome_coded(closed_values, y)
        shape = identifier_reason(info, series, configured=info.name in configured_ids)
        if shape and not (coded and shape == "constant"):
            if shape == "identifier":
                info.kind = "id"
            detail = _SHAPE_DETAIL[shape].format(n=info.distinct)
            if shape == "constant" and info.completeness < 1:
                detail += (
                    f" (filled for {info.completeness:.0%} of rows; if a blank means 'no', "
                    "fill the blanks with No and audit again)"
                )
            out.append(Excluded(info.name, shape, detail))
            continue
        if info.kind == "date":
            out.append(Excluded(info.name, "date", "a date; used for the date range, not scored"))
            continue
        suspect = Suspect(info.name)
        if coded:
            suspect.evidence.append(coded)
        process = process_field(closed_values, None if leads is None else leads.get(info.name))
        if process:
            suspect.evidence.append(process)
        auc = None
        if info.kind in {"numeric", "category", "boolean"}:
            auc = oos_auc(closed_values, info.kind, y)
            info.oos_auc = None if auc is None else round(auc, 4)
            strong = strong_single_field(closed_values, info.kind, y, auc)
            if strong:
                suspect.evidence.append(strong)
        cue = name_cue(info.name)
        if cue:
            suspect.evidence.append(cue)
        if suspect.evidence:
            suspects[info.name] = suspect
        scorable.append(info)
    first = list(suspects)
    for info in scorable:  # a field carrying a suspect's information is a suspect too
        for other in first:
            if info.name in first:
                break
            evidence = same_as(frame[info.name][closed], frame[other][closed], other)
            if evidence:
                suspects.setdefault(info.name, Suspect(info.name)).evidence.append(evidence)
                break
    for suspect in suspects.values():
        suspect.decide()
        if suspect.action == "excluded":
            out.append(Excluded(suspect.field, f"leakage_{suspect.kinds[0]}", suspect.describe()))
    order = {f.name: i for i, f in enumerate(fields)}
    out.sort(key=lambda e: order.get(e.field, len(order)))
    return out, sorted(suspects.values(), key=lambda s: order.get(s.field, len(order)))


def _survey(
    leads: pd.DataFrame | CurrentLeads, frame: pd.DataFrame, closed: np.ndarray
) -> dict[str, LeadColumn]:
    """Each field of the leads counted, with the values no closed deal shows (one pass)."""
    if isinstance(leads, pd.DataFrame):
        leads = CurrentLeads.of_frame(leads)
    known = {c: set(normalised_text(frame[c][closed])) for c in frame.columns}
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    return leads.survey(known, numeric=numeric)


_SHAPE_DETAIL = {
    "identifier": "an identifier: {n} distinct values, (nearly) one per row; it cannot generalise",
    "constant": "constant: a single value (apart from missing), so it cannot separate deals",
    "empty": "empty: no values at all",
    "free_text": "free text: sentences, not categories; not scored",
}
