"""Reload the rules file when ops edit it; a bad edit never replaces the last good rules.

The file's bytes are hashed on every check (cheap for a rules file), so an edit is seen even when
the modification time does not move (a ConfigMap swap, a coarse clock). A file that fails
validation is logged with every key-path problem, once per distinct bad content, and the rules in
force stay in force until a good version appears.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import structlog

from service.errors import RulesError
from service.scoring.rules import Rules, load_rules

log = structlog.get_logger(__name__)

MISSING_RULES = (
    "no such file; set LEADSCORE_RULES_PATH to the rules the service should use (the model.yaml "
    "that leadscore build wrote), or copy that file here"
)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class RulesWatcher:
    """Holds the rules in force; ``check()`` reloads them when the file changed."""

    def __init__(self, path: Path | str, *, on_change: Callable[[Rules], None] | None = None):
        self.path = Path(path)
        self._on_change = on_change
        self._lock = threading.Lock()
        self._digest = _digest(self.path)
        self._bad_digest: str | None = None
        #: the rules in force; a bad file at startup raises ``RulesError`` (exit code 2)
        if not self.path.exists():
            raise RulesError(str(self.path), [MISSING_RULES])
        self.current: Rules = load_rules(self.path)
        #: the problems of the last bad edit, while it is still the file's content
        self.problems: list[str] = []
        log.info("rules_loaded", path=str(self.path), version=self.current.version)

    def check(self) -> bool:
        """Reload when the file changed; True when new rules came into force."""
        with self._lock:
            digest = _digest(self.path)
            if digest == self._digest or (digest is not None and digest == self._bad_digest):
                return False
            try:
                rules = load_rules(self.path)
            except RulesError as exc:
                self._bad_digest = digest
                self.problems = exc.problems
                log.error(
                    "rules_reload_failed",
                    path=str(self.path),
                    problems=exc.problems,
                    kept_version=self.current.version,
                )
                return False
            previous, self.current = self.current, rules
            self._digest, self._bad_digest, self.problems = digest, None, []
        log.info(
            "rules_reloaded",
            path=str(self.path),
            version=rules.version,
            previous_version=previous.version,
        )
        if self._on_change is not None:
            self._on_change(rules)
        return True
