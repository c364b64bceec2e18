"""Monthly recalibration: rebuild the model from the CRM's closed deals, promote it only if it holds.

A candidate is built with ``build_model`` (same pipeline as ``leadscore build``) and written with
its report into ``<models_dir>/<version>/`` (version ``YYYY.MM.DD-HHMM`` from the clock), beside
``decision.json`` and ``recalibration.md`` (the Section 6.4 review of the live model,
``service.health.recalibration``). Champion (the live rules) and challenger (the candidate) are
scored on the same deals: the candidate's holdout, which it never trained on
(``service.health.champion``: AUC and Hot precision with 95% intervals). The candidate replaces
the live rules file only when ``auto_promote`` is on AND its holdout AUC is at most
``max_auc_drop`` (0.02) below the live rules' AUC on those deals. Only when the holdout is unknown
does the live AUC come from a record: the one at its promotion (``<models_dir>/live.json``), the
holdout AUC in an ``analysis.json`` beside the live rules of the same version, else the live
rules measured on every deal pulled; a damaged record is logged and skipped. Promotion goes
through the registry (``service.health.registry``): atomic, the live file's mode kept, the replaced
bytes kept for ``leadscore model rollback``, recorded in ``history.json``; the rules watcher then
loads it like any edit.
"""

from __future__ import annotations

import json
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import structlog

from service.daemon.context import Daemon
from service.data.atomic import write_text_atomic
from service.data.json_file import JsonFileProblem, read_json
from service.errors import DataFileError, InsufficientDataError
from service.model.analysis_schema import Analysis, read_analysis
from service.report.escape import write_markdown
from service.scoring.rules import Rules

log = structlog.get_logger(__name__)

#: leads per chunk when the build reads the lead copy (the peak memory grows with it)
CHUNK = 10_000


@dataclass
class Decision:
    """What recalibration built and whether it went live, with the reason in words."""

    version: str
    folder: str
    candidate_auc: float | None
    live_version: str
    live_auc: float | None
    live_auc_source: str
    promoted: bool
    reason: str
    #: both models on the candidate's holdout deals (``service.health.champion.evaluate``)
    champion: dict[str, Any] = field(default_factory=dict)
    challenger: dict[str, Any] = field(default_factory=dict)


def decide(
    candidate: float | None, live: float | None, *, auto_promote: bool, max_drop: float
) -> tuple[bool, str]:
    """``(promote, reason)`` under the rule: auto_promote on and AUC not worse by more than
    ``max_drop``."""
    if candidate is None:
        return False, "the candidate has no holdout AUC (one class in the holdout)"
    if live is not None and candidate < live - max_drop - 1e-12:
        return False, (
            f"holdout AUC {candidate:.3f} is more than {max_drop:.2f} below the live model's "
            f"{live:.3f}"
        )
    verdict = (
        f"holdout AUC {candidate:.3f} vs live {live:.3f}"
        if live is not None
        else f"holdout AUC {candidate:.3f}; the live model's AUC is unknown"
    )
    if not auto_promote:
        return False, f"{verdict}; auto_promote is off: review the candidate and promote by hand"
    return True, f"{verdict}: within {max_drop:.2f}, promoted"


def _measured_auc(rules: Rules, frame: Any, y: Any) -> float | None:
    from sklearn.metrics import roc_auc_score

    from service.scoring.engine import score_frame

    known = y.notna().to_numpy()
    labels = y.to_numpy()[known].astype(int)
    if len(set(labels)) < 2:
        return None
    total = score_frame(rules, frame.loc[known]).scores["total"].to_numpy(dtype=float)
    return round(float(roc_auc_score(labels, total)), 4)


def _read_json(path: Path) -> dict[str, Any] | None:
    """A JSON file's object, or ``None`` (logged) when it is missing or damaged."""
    if not path.exists():
        return None
    try:
        data = read_json(path)
    except JsonFileProblem as exc:
        log.warning("recalibration_record_unreadable", path=str(path), error=str(exc))
        return None
    return data if isinstance(data, dict) else None


def live_auc(
    d: Daemon, frame: Any, y: Any, holdout_rows: list[int] | None = None
) -> tuple[float | None, str]:
    """The live model's AUC and where it came from (see the module docstring)."""
    live = d.rules.current
    if holdout_rows:
        # the same deals the candidate was validated on: the only fair comparison
        rows = [r for r in holdout_rows if r in frame.index]
        if rows:
            measured = _measured_auc(live, frame.loc[rows], y.loc[rows])
            return measured, f"measured on the candidate's {len(rows)} holdout deals"
    record = d.settings.daemon.models_dir / "live.json"
    data = _read_json(record)
    if data and data.get("version") == live.version and data.get("auc") is not None:
        return float(data["auc"]), f"recorded at promotion ({record})"
    beside = d.settings.rules_path.parent / "analysis.json"
    analysis = read_analysis(beside)
    if analysis is not None:
        auc = analysis.validation.auc
        if analysis.model_version == live.version and auc is not None:
            return float(auc), f"holdout AUC in {beside}"
    measured = _measured_auc(live, frame, y)
    return measured, f"measured on the {len(frame)} closed deals pulled now"


def recalibrate(d: Daemon) -> dict[str, Any]:
    """Build a candidate from every closed deal in the CRM and apply the promotion rule."""
    from connectors.frames import deals_frame
    from service.data.current_leads import CurrentLeads
    from service.data.deals import deals_from_frame
    from service.health.registry import Registry
    from service.model.build import BuildResult, build_model
    from service.report.writer import write_build

    s = d.settings.daemon
    now = d.clock()
    version = now.strftime("%Y.%m.%d-%H%M")
    folder = s.models_dir / version
    with d.connect() as crm:
        name = crm.name
        deals = list(crm.iter_closed_deals(since=None))
    if not deals:
        raise InsufficientDataError(
            f"recalibration: the {name} CRM returned no closed deals; the live model stays."
        )
    source = f"the {name} CRM's closed deals"
    loaded = deals_from_frame(deals_frame(deals), source, s.recalibration_config)
    # only the deals' fields of each lead, a chunk at a time: the build keeps counts and scores,
    # never the leads (a million in one frame take GBs)
    fields = [str(c) for c in loaded.table.frame.columns]
    # numbers or text decided once over the whole copy (one pass), as a file of the leads reads
    kinds = d.leads.field_kinds(name, fields, chunk=CHUNK)
    current = CurrentLeads(lambda: d.leads.lead_frames(name, fields, chunk=CHUNK, kinds=kinds))
    with closing(d.leads.lead_frames(name, fields, chunk=1, kinds=kinds)) as first:
        some = next(first, None) is not None
    built = build_model(loaded, now=now, leads=current if some else None)
    frame, y = loaded.table.frame, loaded.outcome.y
    rules = built.rules.model_copy(update={"version": version})
    result = BuildResult(
        rules=rules, analysis=built.analysis.model_copy(update={"model_version": version})
    )
    try:
        write_build(result, folder)
    except OSError as exc:
        raise DataFileError(
            f"{folder}: cannot write the candidate model ({exc.strerror})."
        ) from exc
    candidate_auc = result.analysis.validation.auc
    holdout_rows = result.analysis.validation.holdout_rows
    live_value, source = live_auc(d, frame, y, holdout_rows)
    champion, challenger = _champion_challenger(d.rules.current, rules, frame, y, holdout_rows)
    go, reason = decide(
        candidate_auc, live_value, auto_promote=s.auto_promote, max_drop=s.max_auc_drop
    )
    decision = Decision(
        version=version,
        folder=str(folder),
        candidate_auc=candidate_auc,
        live_version=d.rules.current.version,
        live_auc=live_value,
        live_auc_source=source,
        promoted=go,
        reason=reason,
        champion=champion,
        challenger=challenger,
    )
    write_text_atomic(folder / "decision.json", json.dumps(asdict(decision), indent=2))
    registry = Registry(s.models_dir, d.settings.rules_path)
    _write_review(d, folder, version, frame, y, loaded.config, result.analysis, asdict(decision))
    registry.record("built", version, now, by="daemon", promoted=go, reason=reason)
    if go:
        registry.promote(version, now, by="daemon (auto_promote)", reason=reason, auc=candidate_auc)
        d.rules.check()
        log.info("model_promoted", version=version, auc=candidate_auc, live_auc=live_value)
    else:
        log.warning("model_not_promoted", version=version, reason=reason, folder=str(folder))
        d.notify(
            f"leadscore recalibration: candidate {version} not promoted: {reason}. "
            f"It is in {folder}."
        )
    return asdict(decision)


def _champion_challenger(
    live: Rules, candidate: Rules, frame: Any, y: Any, holdout_rows: list[int] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both models on the candidate's holdout deals (empty when the holdout is unknown)."""
    from service.health.champion import evaluate

    rows = [r for r in (holdout_rows or []) if r in frame.index]
    if not rows:
        return {}, {}
    held, outcome = frame.loc[rows], y.loc[rows]
    known = outcome.notna().to_numpy()
    held, labels = held.loc[known], outcome.to_numpy()[known].astype(int)
    return evaluate(live, held, labels), evaluate(candidate, held, labels)


def _write_review(
    d: Daemon,
    folder: Path,
    version: str,
    frame: Any,
    y: Any,
    config: Any,
    analysis: Analysis,
    decision: dict[str, Any],
) -> None:
    """``recalibration.md``: the live model's signals re-measured (Section 6.4, monthly)."""
    from service.health.recalibration import model_fields, review
    from service.health.registry import Registry

    live = d.rules.current
    live_analysis = Registry(d.settings.daemon.models_dir, d.settings.rules_path).analysis_of(
        live.version
    )
    fields = [*model_fields(live, analysis), *model_fields(live, live_analysis)]
    columns = [c for c in frame.columns if c in set(fields)]
    known = y.notna().to_numpy()
    dates = frame.get(config.date_column, None)
    result = review(
        live,
        live_analysis,
        frame.loc[known, columns],
        y.to_numpy()[known].astype(int),
        dates=None if dates is None else dates.loc[known],
        now=d.clock(),
        window_days=d.settings.daemon.recalibration_window_days,
        config=config,
        candidate_version=version,
        fields=fields,
    )
    result.decision = decision
    write_markdown(folder / "recalibration.md", result.markdown())
