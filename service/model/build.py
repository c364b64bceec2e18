"""The model-building pipeline behind ``leadscore build`` (Steps 1 to 5 of the analysis).

1. audit the deals and refuse what cannot be modelled;
2. split off the holdout FIRST: nothing held out touches binning, selection, points or thresholds;
3. win/loss patterns on the training deals (``service.model.patterns.attributes``);
4. points, fitted jointly (``service.model.points``), into rules the engine scores with;
5. thresholds from the training deals' scores (``service.model.thresholds``);
6. the holdout scored by the same engine the daemon uses, and validated;
7. with ``refit_all``, the same procedure (same penalty and point scale) on every deal.

The audit blanks impossible values (a negative employee count, a future date) so that they do
not teach the model anything, but production scores a lead's raw value. So the blanked deals
are only learned from (patterns and points); every score the build reports or cuts tiers on
(thresholds, tier win rates, the holdout's figures, the health reference) is the engine's on
the deals as the file has them, exactly what ``leadscore score`` and the daemon would give.

``build_model(deals, ...)`` returns a ``BuildResult``; ``result.write(out_dir)`` writes
``model.yaml`` and ``analysis.json``, and ``service.report.writer.write_build`` adds the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import structlog

from service.audit.run import run_audit
from service.config import BuildConfig
from service.data.atomic import write_text_atomic
from service.data.current_leads import CurrentLeads
from service.data.deals import Deals
from service.errors import ConfigError, DataFileError, InsufficientDataError
from service.model import analysis as A
from service.model import analysis_schema as S
from service.model.analysis_schema import Analysis
from service.model.fit import MODEL_VERSION, STEPS, Fit, Progress, fit_deals
from service.model.icp import compare_icp, load_icp
from service.model.patterns.candidates import indicator_frames
from service.model.reference import health_reference, score_population
from service.model.thresholds import (
    capacity_check,
    tier_table,
)
from service.model.validation.baselines import baseline_aucs
from service.model.validation.headline import choose_headline
from service.model.validation.holdout import assess_confidence, split_holdout, validate
from service.scoring.engine import score_frame
from service.scoring.rules import Rules, dump_rules

log = structlog.get_logger(__name__)

#: a holdout AUC this high from CRM fields usually means leakage
IMPLAUSIBLE_AUC = 0.93

LOSS_REASON_COLUMNS = (
    "loss_reason",
    "lost_reason",
    "reason_lost",
    "closed_lost_reason",
    "loss reason",
)


@dataclass(frozen=True)
class BuildResult:
    """The rules and the measured analysis; ``service.report.writer.write_build`` writes them
    with the report."""

    rules: Rules
    analysis: Analysis

    def document(self) -> dict[str, Any]:
        """``analysis`` as plain JSON values: what ``analysis.json`` holds."""
        return self.analysis.model_dump(exclude_unset=True)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``model.yaml`` and ``analysis.json`` into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"rules": out / "model.yaml", "analysis": out / "analysis.json"}
        dump_rules(self.rules, paths["rules"])
        write_text_atomic(paths["analysis"], self.analysis.to_json())
        log.info("model_written", out_dir=str(out), signals=len(self.rules.signals))
        return paths


def check_parameters(holdout: float, seed: int) -> None:
    """Reject impossible parameters before any work, naming the value."""
    if not (isinstance(holdout, int | float) and 0 < holdout <= 0.5):
        raise ConfigError(f"holdout must be in (0, 0.5]; got {holdout}.")
    if not isinstance(seed, int) or seed < 0:
        raise ConfigError(f"seed must be a whole number >= 0; got {seed}.")


def build_model(
    deals: Deals,
    *,
    holdout: float = 0.25,
    seed: int = 0,
    refit_all: bool = False,
    icp: str | Path | dict | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
    leads: pd.DataFrame | CurrentLeads | None = None,
) -> BuildResult:
    """Run Steps 1 to 5 on loaded deals; see the module docstring. ``leads``: the current
    leads, one frame or chunks (``CurrentLeads``, read a chunk at a time: a million fit)."""
    check_parameters(holdout, seed)
    if isinstance(leads, pd.DataFrame):
        leads = CurrentLeads.of_frame(leads)
    step = progress or (lambda _name: None)
    config = deals.config
    now = now or datetime.now(UTC)
    icp_data = load_icp(icp) if isinstance(icp, str | Path) else icp
    if config.company is None and icp_data and icp_data.get("company"):
        config = config.model_copy(update={"company": str(icp_data["company"])})
    source = str(deals.table.path)
    frame = deals.table.frame

    step(STEPS[0])
    report = run_audit(
        frame,
        deals.outcome,
        config,
        source=source,
        placeholders=deals.table.placeholders,
        leads=leads,
    )
    if not report.can_model:
        raise InsufficientDataError(f"{source}: {report.adequacy.message}")
    X, y = report.modelling_data()
    X = X.drop(columns=[c for c in _bookkeeping(config) if c in X.columns])
    not_in_leads: list[str] = []
    if leads is not None:
        # a signal no lead can have is not implementable: keep only fields the leads carry
        carried = set(leads.columns)
        not_in_leads = [c for c in X.columns if c not in carried]
        if not_in_leads and len(not_in_leads) == X.shape[1]:
            shown = ", ".join(map(str, not_in_leads[:10]))
            raise DataFileError(
                f"--leads: the leads file has none of the {len(not_in_leads)} fields the deals "
                f"can be scored on ({shown}{' ...' if len(not_in_leads) > 10 else ''}); its "
                f"columns are {', '.join(map(str, leads.columns[:15]))}. Pass the leads "
                "exported from the same CRM, or leave out --leads."
            )
        X = X.drop(columns=not_in_leads)
    y_arr = np.asarray(y, dtype=int)
    # the same deals as production reads them: no audit blanking, the file's own values
    raw = frame.loc[X.index, list(X.columns)]

    step(STEPS[1])
    dates = frame.loc[X.index, config.date_column] if config.date_column in frame else None
    split = split_holdout(
        X, pd.Series(y_arr, index=X.index), holdout=holdout, seed=seed, dates=dates
    )
    train, test = split.train, split.test
    X_tr, y_tr, X_te, y_te = X.iloc[train], y_arr[train], X.iloc[test], y_arr[test]

    fit = fit_deals(X_tr, y_tr, config, seed, step=step, now=now, raw=raw.iloc[train])

    step(STEPS[5])
    # the production engine on the held-out deals' raw values: the figures are its own output
    held = score_frame(fit.rules, raw.iloc[test])
    tiers = tier_table(fit.scores["total"].to_numpy(), fit.y, fit.rules.thresholds, fit.rules.tiers)
    names = frame.loc[X_te.index, config.name_column] if config.name_column in frame else None
    validation = validate(
        held.scores,
        pd.Series(y_te, index=X_te.index),
        fit.rules,
        names=names,
        fires=held.fires,
        known=held.known,
        tier_expectations={t["tier"]: t["expected_conversion"] for t in tiers},
        split=split.kind,
        split_note=getattr(split, "note", None),
        seed=seed,
    )
    validation["baselines"] = baseline_aucs(X_tr, y_tr, X_te, y_te, seed=seed)
    # which deals were held out (row positions in the file), so a later model can be compared
    # with this one on exactly the same deals
    validation["holdout_rows"] = [int(i) for i in X_te.index]
    audit = report.to_dict()
    confidence = assess_confidence(len(y_arr), validation, audit)
    checked = S.Validation.measured(validation)

    final = fit
    refit_skipped = refit_all and not fit.rules.signals
    if refit_all and not refit_skipped:
        step(STEPS[6])
        final = fit_deals(
            X, y_arr, config, seed, C=fit.points.C_, scale=fit.points.scale_, now=now, raw=raw
        )

    headline = choose_headline(
        fit.rules,
        fit.fires if fit.fires is not None else score_frame(fit.rules, raw.iloc[train]).fires,
        held.fires,
        y_te,
        final_rules=final.rules,
    )

    step(STEPS[7])
    icp_rows = compare_icp(icp_data, X, y, source=str(icp)) if icp_data else []

    everything = score_frame(final.rules, raw)
    loss_col = _loss_reason_column(frame)
    capacity = capacity_check(
        tier_table(final.scores["total"].to_numpy(), final.y, final.rules.thresholds),
        config.capacity,
    )
    more_notes = []
    if refit_skipped:
        # nothing was validated to refit: refitting could only add points no holdout has checked
        more_notes.append(
            "--refit-all was not applied: the validated model has no signals, so there is "
            "nothing to refit; the model stays the empty one validated on the holdout."
        )
    if not_in_leads:
        more_notes.append(
            "Left out because the leads file does not carry them, so no lead could earn their points: "
            + ", ".join(not_in_leads)
            + "."
        )
    warning = leakage_warning(checked.auc, final.rules)
    # the current leads scored once, a chunk at a time: only the figures are kept
    on_leads = None if leads is None else score_population(final.rules, leads.frames())
    analysis = A.assemble(
        now=now,
        version=MODEL_VERSION,
        config=config,
        source=S.Source(path=source, rows=len(frame)),
        y=y_arr,
        train_n=len(train),
        holdout_n=len(test),
        audit=S.Audit.measured(audit),
        fit=final,
        validation=checked,
        confidence=S.Confidence.measured(confidence),
        excluded=report.excluded,
        icp=[S.IcpRow.measured(r) for r in icp_rows],
        refit_all=refit_all and not refit_skipped,
        all_scores=everything.scores,
        loss_reasons=None if loss_col is None else frame.loc[X.index, loss_col],
        loss_attributes=None if loss_col is None else _attribute_fires(X, final),
        split_note=getattr(split, "note", None),
        capacity=None if capacity is None else S.Capacity.measured(capacity),
        leakage_warning=None if warning is None else S.LeakageWarning.measured(warning),
        headline=None if headline is None else S.Headline.measured(headline),
        outcome_unit=outcome_unit(deals.outcome.column, deals.outcome.won_values),
        leads=on_leads,
        health_reference=S.HealthReference.measured(health_reference(final.rules, raw, on_leads)),
        fields_not_in_leads=not_in_leads,
        more_notes=more_notes,
    )
    log.info(
        "model_built",
        signals=len(final.rules.signals),
        auc=checked.auc,
        confidence=confidence["level"],
        refit_all=refit_all,
    )
    return BuildResult(rules=final.rules, analysis=analysis)


def leakage_warning(auc: float | None, rules: Rules) -> dict[str, Any] | None:
    """At a holdout AUC of 0.93 or more: the warning, naming the fields with the most points."""
    if auc is None or auc < IMPLAUSIBLE_AUC:
        return None
    weight: dict[str, int] = {}
    for signal in rules.signals:
        for name in dict.fromkeys(signal.fields):
            weight[name] = weight.get(name, 0) + abs(signal.points)
    top = sorted(weight, key=lambda f: -weight[f])[:3]
    return {
        "auc": auc,
        "fields": top,
        "message": (
            f"Holdout AUC {auc:.3f} is implausibly good: check these fields for leakage "
            f"(they carry the most points): {', '.join(top) or 'none'}. A field filled in "
            "during or after the sales process predicts the outcome it records."
        ),
    }


def outcome_unit(column: str, won_values: list[str]) -> str:
    """``"opportunities"`` when the rows are sales opportunities (a won/lost stage, as in
    "Closed Won"), else ``"leads"`` (a conversion flag): what a tier's rate is the rate of."""
    words = " ".join([str(column), *map(str, won_values)]).casefold()
    return "opportunities" if any(w in words for w in ("won", "stage", "opportunit")) else "leads"


def _attribute_fires(X: pd.DataFrame, fit: Fit) -> pd.DataFrame:
    """Rows x attribute label: which measured attributes each deal has."""
    cands = [s.candidate for s in fit.patterns.stats]
    fires, _ = indicator_frames(X, cands)
    fires.columns = [c.label for c in cands]
    return fires.loc[:, ~fires.columns.duplicated()]


def _bookkeeping(config: BuildConfig) -> list[str]:
    """Columns that identify or date a deal: never attributes."""
    cols = [config.id_column, config.name_column, config.date_column, config.outcome.column]
    return [c for c in cols if c]


def _loss_reason_column(frame: pd.DataFrame) -> str | None:
    keyed = {str(c).strip().lower().replace(" ", "_"): c for c in frame.columns}
    for name in LOSS_REASON_COLUMNS:
        if name.replace(" ", "_") in keyed:
            return keyed[name.replace(" ", "_")]
    return None
