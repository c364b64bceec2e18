"""Monthly recalibration: rebuild the model from the CRM's closed deals, promote it only if it holds.

A candidate is built with ``build_model`` (same pipeline as ``leadscore build``) and written with
its report into ``<models_dir>/<version>/`` (version ``YYYY.MM.DD-HHMM`` from the clock), beside
``decision.json``. It replaces the live rules file only when ``auto_promote`` is on AND its holdout
AUC is at most ``max_auc_drop`` (0.02) below the live model's. The live model's AUC is, in order:
the one recorded when it was promoted (``<models_dir>/live.json``), the holdout AUC in an
``analysis.json`` beside the live rules of the same version, or the live rules' AUC measured on the
candidate's own holdout deals (the same deals, so the two figures compare); a damaged record is
logged and skipped. Promotion copies the file atomically (the old one is kept in the
candidate folder as ``previous-live.yaml``); the rules watcher then loads it like any edit.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import structlog

from service.daemon.context import Daemon
from service.errors import DataFileError, InsufficientDataError
from service.scoring.rules import Rules

log = structlog.get_logger(__name__)


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
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("recalibration_record_unreadable", path=str(path), error=str(exc))
        return None
    return data if isinstance(data, dict) else None


def live_auc(
    d: Daemon, frame: Any, y: Any, holdout_rows: list[int] | None = None
) -> tuple[float | None, str]:
    """The live model's AUC and where it came from (see the module docstring)."""
    live = d.rules.current
    record = d.settings.daemon.models_dir / "live.json"
    data = _read_json(record)
    if data and data.get("version") == live.version and data.get("auc") is not None:
        return float(data["auc"]), f"recorded at promotion ({record})"
    beside = d.settings.rules_path.parent / "analysis.json"
    data = _read_json(beside)
    if data:
        auc = (data.get("validation") or {}).get("auc")
        if data.get("model_version", data.get("version")) == live.version and auc is not None:
            return float(auc), f"holdout AUC in {beside}"
    if holdout_rows:
        # the same deals the candidate was validated on: the only fair comparison left
        rows = [r for r in holdout_rows if r in frame.index]
        measured = _measured_auc(live, frame.loc[rows], y.loc[rows])
        return measured, f"measured on the candidate's {len(rows)} holdout deals"
    measured = _measured_auc(live, frame, y)
    return measured, f"measured on the {len(frame)} closed deals pulled now"


def promote(candidate: Path, live: Path, folder: Path) -> None:
    """Replace the live rules file with ``candidate`` atomically; keep the old one in ``folder``."""
    live.parent.mkdir(parents=True, exist_ok=True)
    if live.exists():
        shutil.copy2(live, folder / "previous-live.yaml")
    fd, tmp = tempfile.mkstemp(dir=live.parent, prefix=".live-", suffix=".yaml")
    os.close(fd)
    shutil.copyfile(candidate, tmp)
    os.replace(tmp, live)


def recalibrate(d: Daemon) -> dict[str, Any]:
    """Build a candidate from every closed deal in the CRM and apply the promotion rule."""
    from service.commands.common import load_deals
    from service.commands.crm import _deals_frame
    from service.daemon.updates import leads_frame
    from service.model.build import BuildResult, build_model

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
    with tempfile.TemporaryDirectory(prefix="leadscore-recalibrate-") as tmp:
        path = Path(tmp) / "deals.csv"
        _deals_frame(deals).to_csv(path, index=False)
        loaded = load_deals(path, s.recalibration_config)
        current = list(d.leads.cached(name).values())
        built = build_model(loaded, now=now, leads=leads_frame(current) if current else None)
        frame, y = loaded.table.frame, loaded.outcome.y
    rules = built.rules.model_copy(update={"version": version})
    result = BuildResult(rules=rules, analysis={**built.analysis, "model_version": version})
    try:
        paths = result.write(folder)
    except OSError as exc:
        raise DataFileError(
            f"{folder}: cannot write the candidate model ({exc.strerror})."
        ) from exc
    candidate_auc = (result.analysis.get("validation") or {}).get("auc")
    holdout_rows = (result.analysis.get("validation") or {}).get("holdout_rows")
    live_value, source = live_auc(d, frame, y, holdout_rows)
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
    )
    (folder / "decision.json").write_text(json.dumps(asdict(decision), indent=2), encoding="utf-8")
    if go:
        promote(paths["rules"], d.settings.rules_path, folder)
        record = {"version": version, "auc": candidate_auc, "promoted_at": now.isoformat()}
        (s.models_dir / "live.json").write_text(json.dumps(record, indent=2), encoding="utf-8")
        d.rules.check()
        log.info("model_promoted", version=version, auc=candidate_auc, live_auc=live_value)
    else:
        log.warning("model_not_promoted", version=version, reason=reason, folder=str(folder))
        d.notify(
            f"leadscore recalibration: candidate {version} not promoted: {reason}. "
            f"It is in {folder}."
        )
    return asdict(decision)
