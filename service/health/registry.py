"""The model registry on the local file layout: every built, promoted and retired model.

Under ``models_dir`` (``LEADSCORE_DAEMON__MODELS_DIR``)::

    <version>/model.yaml, analysis.json, decision.json, recalibration.md, lead-scoring-model.md
    history.json      every action: built, promoted, rolled_back (when, who, from, to, why)
    live.json         the live version, its AUC and when it went live (read by recalibration)
    replaced/         the exact bytes of every live rules file a promotion or rollback replaced

``promote`` copies a version's ``model.yaml`` over the live rules file and ``rollback`` puts back
the bytes that the last promotion replaced: both atomically (a crash leaves the old file or the
new one), keeping the live file's permissions, and both recorded with who ran them and when. The
daemon picks the new rules up like any edit and re-scores every lead through the version change.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import structlog

from service.data.atomic import write_text_atomic, write_with
from service.data.json_file import JsonFileProblem
from service.data.json_file import read_json as read_json_file
from service.errors import DataFileError, InputError
from service.model.analysis_schema import Analysis, read_analysis
from service.scoring.rules import Rules, load_rules

log = structlog.get_logger(__name__)
HISTORY = "history.json"
LIVE = "live.json"
REPLACED = "replaced"


def actor() -> str:
    """Who runs this: ``LEADSCORE_ACTOR`` when set, else the login name."""
    name = os.environ.get("LEADSCORE_ACTOR")
    if name:
        return name
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; ``None`` when missing; a clear error when damaged."""
    if not path.exists():
        return None
    try:
        data = read_json_file(path)  # within the input limits (size, nesting, digits)
    except JsonFileProblem as exc:
        raise DataFileError(
            f"{path}: cannot be read as JSON ({exc}); restore or remove it."
        ) from None
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a JSON object; restore or remove it.")
    return data


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class ModelEntry:
    """One version in the registry as ``leadscore model list`` shows it."""

    version: str
    status: str
    built_at: str | None
    promoted_at: str | None
    auc: float | None
    folder: Path | None


class Registry:
    """The models of one ``models_dir`` and the live rules file they are promoted to."""

    def __init__(self, models_dir: Path, live_path: Path) -> None:
        self.dir = Path(models_dir)
        self.live_path = Path(live_path)

    # -- history ------------------------------------------------------------------------------
    def events(self) -> list[dict[str, Any]]:
        data = read_json(self.dir / HISTORY) or {}
        events = data.get("events", [])
        return [e for e in events if isinstance(e, dict)]

    def record(self, action: str, version: str, at: datetime, **detail: Any) -> dict[str, Any]:
        """Append one action to ``history.json`` (written atomically)."""
        event = {"at": at.isoformat(timespec="seconds"), "action": action, "version": version}
        event.update({k: v for k, v in detail.items() if v is not None})
        events = [*self.events(), event]
        write_text_atomic(self.dir / HISTORY, json.dumps({"events": events}, indent=2) + "\n")
        log.info("model_registry_event", **{k: str(v) for k, v in event.items()})
        return event

    def live_stack(self) -> list[dict[str, Any]]:
        """The promotions still in force, oldest first (a rollback undoes the last one)."""
        stack: list[dict[str, Any]] = []
        for e in self.events():
            if e["action"] == "promoted":
                stack.append(e)
            elif e["action"] == "rolled_back" and stack:
                stack.pop()
        return stack

    # -- versions -----------------------------------------------------------------------------
    def folder(self, version: str) -> Path:
        path = self.dir / version
        if not (path / "model.yaml").is_file():
            known = ", ".join(e.version for e in self.list()) or "none"
            raise InputError(
                f"model {version!r}: no {path / 'model.yaml'}; versions in {self.dir}: {known}."
            )
        return path

    def rules_of(self, version: str) -> Rules:
        return load_rules(self.folder(version) / "model.yaml")

    def analysis_of(self, version: str) -> Analysis | None:
        """The ``analysis.json`` of ``version``: in its folder, else beside the live rules;
        ``None`` when there is none or it does not load (logged, see ``read_analysis``)."""
        path = self.dir / version / "analysis.json"
        if path.exists():
            return read_analysis(path)
        analysis = read_analysis(self.live_path.parent / "analysis.json")
        if analysis is not None and analysis.model_version == version:
            return analysis
        return None

    def live_version(self) -> str | None:
        try:
            return load_rules(self.live_path).version
        except Exception:  # a missing or bad live file has no version
            return None

    def list(self) -> list[ModelEntry]:
        """Every version with a folder, and the live one even when it has none, oldest first."""
        live = self.live_version()
        promoted: dict[str, str] = {}
        for e in self.events():
            if e["action"] == "promoted":
                promoted[e["version"]] = e["at"]
        out = []
        folders = sorted(p for p in self.dir.glob("*/model.yaml")) if self.dir.exists() else []
        for path in folders:
            version = path.parent.name
            analysis = read_analysis(path.parent / "analysis.json")
            decision = read_json(path.parent / "decision.json") or {}
            if version == live:
                status = "live"
            elif version in promoted:
                status = "retired"
            elif decision and not decision.get("promoted"):
                status = "not promoted"
            else:
                status = "candidate"
            out.append(
                ModelEntry(
                    version=version,
                    status=status,
                    built_at=analysis.built_at if analysis else None,
                    promoted_at=promoted.get(version),
                    auc=analysis.validation.auc if analysis else None,
                    folder=path.parent,
                )
            )
        if live is not None and all(e.version != live for e in out):
            live_analysis = self.analysis_of(live)
            out.insert(
                0,
                ModelEntry(
                    version=live,
                    status="live",
                    built_at=live_analysis.built_at if live_analysis else None,
                    promoted_at=promoted.get(live),
                    auc=live_analysis.validation.auc if live_analysis else None,
                    folder=None,
                ),
            )
        return out

    # -- promotion and rollback ---------------------------------------------------------------
    def _keep_replaced(self, at: datetime, version: str | None) -> Path | None:
        """Copy the live file's exact bytes into ``replaced/`` before it is replaced."""
        if not self.live_path.exists():
            return None
        target = self.dir / REPLACED / f"{at.strftime('%Y%m%dT%H%M%S')}-{version or 'unknown'}.yaml"
        n = 1
        while target.exists():
            n += 1
            target = target.with_name(f"{target.stem.split('~')[0]}~{n}.yaml")
        write_with(target, partial(shutil.copyfile, self.live_path))
        return target

    def _install(self, source: Path) -> None:
        """Replace the live rules file with ``source``'s bytes atomically, keeping its mode."""

        def copy(tmp: Path) -> None:
            shutil.copyfile(source, tmp)

        write_with(self.live_path, copy)

    def promote(
        self,
        version: str,
        at: datetime,
        *,
        by: str | None = None,
        reason: str | None = None,
        auc: float | None = None,
    ) -> dict[str, Any]:
        """Make ``version`` live; return the recorded event."""
        source = self.folder(version) / "model.yaml"
        rules = load_rules(source)  # a bad file never goes live (RulesError, exit 2)
        if rules.version != version:
            raise InputError(
                f"{source}: its version is {rules.version!r}, not {version!r}; a version's rules "
                "must carry its own version so the daemon re-scores through the change."
            )
        current = self.live_version()
        if current == version:
            raise InputError(f"model {version} is already live ({self.live_path}).")
        saved = self._keep_replaced(at, current)
        self._install(source)
        event = self.record(
            "promoted",
            version,
            at,
            by=by or actor(),
            replaced_version=current,
            replaced_file=None if saved is None else str(saved.relative_to(self.dir)),
            sha256=_sha(self.live_path),
            reason=reason,
        )
        live = {"version": version, "auc": auc, "promoted_at": event["at"], "by": event["by"]}
        write_text_atomic(self.dir / LIVE, json.dumps(live, indent=2) + "\n")
        return event

    def rollback(self, at: datetime, *, by: str | None = None) -> dict[str, Any]:
        """Put back the live rules the last promotion replaced, byte for byte."""
        stack = self.live_stack()
        if not stack:
            raise InputError(
                f"nothing to roll back: {self.dir / HISTORY} records no promotion still in force."
            )
        last = stack[-1]
        if not last.get("replaced_file"):
            raise InputError(
                f"cannot roll back {last['version']}: there was no live rules file before it."
            )
        saved = self.dir / last["replaced_file"]
        if not saved.is_file():
            raise DataFileError(f"{saved}: the rules replaced by {last['version']} are missing.")
        restored = load_rules(saved)
        current = self.live_version()
        kept = self._keep_replaced(at, current)
        self._install(saved)
        event = self.record(
            "rolled_back",
            str(last.get("replaced_version") or restored.version),
            at,
            by=by or actor(),
            from_version=current,
            restored_file=last["replaced_file"],
            replaced_file=None if kept is None else str(kept.relative_to(self.dir)),
            sha256=_sha(self.live_path),
        )
        previous = self.live_stack()
        live = {"version": restored.version, "promoted_at": event["at"], "by": event["by"]}
        if previous and previous[-1]["version"] == restored.version:
            live["promoted_at"] = previous[-1]["at"]
        write_text_atomic(self.dir / LIVE, json.dumps(live, indent=2) + "\n")
        return event

    def went_live(self, version: str) -> str | None:
        """When ``version`` last became live (promotion or rollback), if the registry knows."""
        when = None
        for e in self.events():
            if e["version"] == version and e["action"] in ("promoted", "rolled_back"):
                when = e["at"]
        return when
