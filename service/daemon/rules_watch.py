"""Reload the rules file when ops edit it; a bad edit never replaces the last good rules.

The file's bytes are hashed on every check (cheap for a rules file), so an edit is seen even when
the modification time does not move (a ConfigMap swap, a coarse clock). A file that fails
validation is logged with every key-path problem, once per distinct bad content (a deleted file
is one problem until it comes back), and the rules in force stay in force until a good version
appears. The version in force is the file's ``version`` plus its content hash (``key``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import structlog

from service.data.digest import file_digest
from service.errors import RulesError
from service.scoring.rules import Rules, load_rules

log = structlog.get_logger(__name__)

MISSING_RULES = (
    "no such file; set LEADSCORE_RULES_PATH to the rules the service should use (the model.yaml "
    "that leadscore build wrote), or copy that file here"
)


def rules_key(version: str, digest: str | None) -> str:
    """The rules version in force: the file's ``version`` and its content hash, so an edit that
    keeps the version still re-scores every lead."""
    return f"{version}#{(digest or 'unknown')[:12]}"


def _load(path: Path) -> Rules:
    """``load_rules``, with anything else the file can make the parser do (a YAML nested a
    thousand levels deep raises ``RecursionError``) turned into a ``RulesError``."""
    try:
        return load_rules(path)
    except RulesError:
        raise
    except RecursionError:
        raise RulesError(
            str(path), ["nested too deeply to read; a rules file is a few levels deep"]
        ) from None
    except (ValueError, TypeError, OSError, MemoryError) as exc:
        raise RulesError(str(path), [f"cannot be read ({type(exc).__name__})"]) from None


class RulesWatcher:
    """Holds the rules in force; ``check()`` reloads them when the file changed."""

    def __init__(self, path: Path | str, *, on_change: Callable[[Rules], None] | None = None):
        self.path = Path(path)
        self._on_change = on_change
        self._lock = threading.Lock()
        self._digest = file_digest(self.path)
        #: the rules in force; a bad file at startup raises ``RulesError`` (exit code 2)
        if not self.path.exists():
            raise RulesError(str(self.path), [MISSING_RULES])
        self.current: Rules = _load(self.path)
        #: the version in force, with the content hash (``leadscore_lead_state.model_version``)
        self.key = rules_key(self.current.version, self._digest)
        #: the problems of the file as it is now, while it cannot replace the rules in force
        self.problems: list[str] = []
        #: which bad content ``problems`` belong to (a hash, or ``missing``); None when fine
        self.problem_key: str | None = None
        log.info("rules_loaded", path=str(self.path), version=self.current.version, key=self.key)

    def check(self) -> bool:
        """Reload when the file changed; True when new rules came into force. A problem is
        logged once per distinct bad content (a deleted file is one problem until it is back)."""
        with self._lock:
            digest = file_digest(self.path)
            if digest == self._digest:
                if self.problem_key is not None:  # put back as it was: fixed
                    self.problems, self.problem_key = [], None
                    log.info("rules_fixed", path=str(self.path), version=self.current.version)
                return False
            problem_key = digest or "missing"
            if problem_key == self.problem_key:
                return False
            try:
                if digest is None:
                    raise RulesError(str(self.path), [MISSING_RULES])
                rules = _load(self.path)
            except RulesError as exc:
                self.problems, self.problem_key = exc.problems, problem_key
                log.error(
                    "rules_reload_failed",
                    path=str(self.path),
                    problems=exc.problems,
                    kept_version=self.current.version,
                )
                return False
            previous, self.current = self.current, rules
            was_bad = self.problem_key is not None
            self._digest, self.problems, self.problem_key = digest, [], None
            self.key = rules_key(rules.version, digest)
        if rules.version == previous.version:
            log.warning(
                "rules_changed_same_version",
                path=str(self.path),
                version=rules.version,
                key=self.key,
                hint="every lead is re-scored; give the edit a new version to tell them apart",
            )
        if was_bad:
            log.info("rules_fixed", path=str(self.path), version=rules.version)
        log.info(
            "rules_reloaded",
            path=str(self.path),
            version=rules.version,
            previous_version=previous.version,
            key=self.key,
        )
        if self._on_change is not None:
            self._on_change(rules)
        return True
