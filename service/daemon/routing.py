"""Rule 4: the routing file ops edit (``routing.yaml``), hot-reloaded, and choosing an owner.

The file lists the reps (CRM user ids) with their territories, industries, capacity (open Hot and
Warm leads at most), an active flag and, optionally, their manager (SLA breaches are escalated to
them). It is validated like the rules file: frozen pydantic models with ``extra="forbid"``, each
problem on its own line with its key path (``routing.yaml: reps[2].capacity: ...``). A bad edit
never replaces the routing in force; a missing file turns routing off.

Choosing: among the active reps below capacity, each gets the weight ``1 + territory weight if
the lead's territory is one of theirs + industry weight if its industry is``; the rep with the
highest weight / (1 + open Hot and Warm leads) gets the lead (ties: fewer leads, then the order
in the file). Each assignment adds to the rep's load, so equal reps take turns (round robin) and a
rep with twice the match weight takes about twice the leads.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from service.data.digest import file_digest
from service.data.yaml_file import YamlFileProblem, read_yaml
from service.errors import RulesError
from service.scoring.rules import format_errors

log = structlog.get_logger(__name__)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rep(_Frozen):
    #: the CRM user id (Salesforce User Id, HubSpot owner id, the local CRM's users.id)
    id: str = Field(min_length=1)
    name: str | None = None
    territories: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    #: the most open Hot and Warm leads this rep is given
    capacity: int = Field(25, ge=0)
    active: bool = True
    #: the manager told about this rep's SLA breaches: a CRM user id or an e-mail address
    manager: str | None = None


class Match(_Frozen):
    #: the lead attributes holding its territory and industry
    territory_field: str = "region"
    industry_field: str = "industry"


class Weights(_Frozen):
    territory: float = Field(2.0, ge=0)
    industry: float = Field(1.0, ge=0)


class Routing(_Frozen):
    reps: list[Rep] = Field(min_length=1)
    match: Match = Match()
    weights: Weights = Weights()

    @model_validator(mode="after")
    def _unique(self) -> Routing:
        ids = [r.id for r in self.reps]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"each rep once; repeated ids: {', '.join(dupes)}")
        return self

    def manager_of(self, owner_id: str | None) -> str | None:
        return next((r.manager for r in self.reps if r.id == owner_id), None)


def load_routing(path: Path) -> Routing:
    """Read and validate a routing file; ``RulesError`` lists every problem with its key path."""
    try:
        data = read_yaml(path)
    except YamlFileProblem as exc:
        raise RulesError(str(path), [str(exc)]) from None
    if not isinstance(data, dict):
        raise RulesError(str(path), ["(top level): the routing file must be a mapping of keys"])
    try:
        return Routing.model_validate(data)
    except ValidationError as exc:
        raise RulesError(str(path), format_errors(exc)) from None


class RoutingWatcher:
    """Holds the routing in force (None: no file, routing off); ``check()`` reloads it when the
    file changed, keeping the last good routing when an edit is bad (logged once per content)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._digest: str | None = None
        self.current: Routing | None = None
        self.problems: list[str] = []
        self._problem_key: str | None = None
        self.check()

    def check(self) -> bool:
        """Reload when the file changed; True when new routing came into force."""
        if self.path is None:
            return False
        with self._lock:
            digest = file_digest(self.path)
            if digest == self._digest or (digest or "missing") == self._problem_key:
                return False
            if digest is None:
                self._problem_key = "missing"
                log.warning(
                    "routing_file_missing", path=str(self.path), kept=self.current is not None
                )
                return False
            try:
                routing = load_routing(self.path)
            except RulesError as exc:
                self.problems, self._problem_key = exc.problems, digest
                log.error(
                    "routing_reload_failed",
                    path=str(self.path),
                    problems=exc.problems,
                    kept=self.current is not None,
                )
                return False
            self.current, self._digest = routing, digest
            self.problems, self._problem_key = [], None
        log.info("routing_loaded", path=str(self.path), reps=len(routing.reps))
        return True


@dataclass(frozen=True)
class Choice:
    owner_id: str
    owner_name: str | None
    explanation: str


def _norm(value: Any) -> str:
    return str(value).strip().casefold() if value not in (None, "") else ""


def choose(
    routing: Routing, attributes: Mapping[str, Any], load: dict[str, int], names: Mapping[str, str]
) -> Choice | None:
    """The rep for a lead with these attributes (``load``: open Hot and Warm leads per rep id,
    updated in place when a rep is chosen); None when every active rep is at capacity."""
    territory = attributes.get(routing.match.territory_field)
    industry = attributes.get(routing.match.industry_field)
    best: tuple[float, int, int] | None = None
    picked: tuple[Rep, bool, bool] | None = None
    for order, rep in enumerate(routing.reps):
        n = load.get(rep.id, 0)
        if not rep.active or n >= rep.capacity:
            continue
        t_match = bool(territory) and _norm(territory) in {_norm(t) for t in rep.territories}
        i_match = bool(industry) and _norm(industry) in {_norm(i) for i in rep.industries}
        weight = 1 + routing.weights.territory * t_match + routing.weights.industry * i_match
        key = (weight / (1 + n), -n, -order)
        if best is None or key > best:
            best, picked = key, (rep, t_match, i_match)
    if picked is None:
        return None
    rep, t_match, i_match = picked
    n = load.get(rep.id, 0)
    load[rep.id] = n + 1
    parts = [
        f"territory {territory}" if t_match else f"territory {territory or 'unknown'} not theirs",
        f"industry {industry}" if i_match else f"industry {industry or 'unknown'} not theirs",
        f"{n} open Hot/Warm",
    ]
    return Choice(rep.id, rep.name or names.get(rep.id), ", ".join(parts))
