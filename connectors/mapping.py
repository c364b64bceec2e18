"""The field mapping: which CRM field feeds which model attribute.

A YAML file maps the attribute names the model uses (the sample-data column names: ``industry``,
``employee_count``, ...) to CRM fields, per object::

    deals:
      object: Opportunity
      fields: {industry: Account.Industry, deal_size: Amount}
    leads:
      object: Lead
      fields: {industry: Industry, employee_count: NumberOfEmployees}
    contacts: {object: Contact, fields: {industry: Account.Industry}}
    activities:
      - {object: Task, fields: {kind: Type, detail: Subject}}

Field names must look like identifiers (``Name`` or ``Relationship.Name``); ``check`` compares them
with the CRM's own field lists and returns one clear line per unknown field.
"""

from __future__ import annotations

import difflib
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.data.yaml_file import YamlFileProblem, read_yaml
from service.errors import ConfigError

IDENTIFIER = r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,2}$"
SECTIONS = ("deals", "leads", "contacts", "activities")


class ObjectMapping(BaseModel):
    """One CRM object and its attribute -> field map."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    object: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    fields: dict[str, str] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _identifiers(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [f"{k}: {v!r}" for k, v in value.items() if not re.match(IDENTIFIER, v or "")]
        if bad:
            raise ValueError(
                "field names must be CRM API names like Industry or Account.Industry; got "
                + ", ".join(bad)
            )
        return value


class FieldMapping(BaseModel):
    """The whole mapping; every section is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deals: ObjectMapping | None = None
    leads: ObjectMapping | None = None
    contacts: ObjectMapping | None = None
    activities: list[ObjectMapping] = Field(default_factory=list)

    @field_validator("activities", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    def sections(self) -> list[tuple[str, ObjectMapping]]:
        """(key path, mapping) for every section present, e.g. ``("activities[1]", Event)``."""
        out: list[tuple[str, ObjectMapping]] = []
        for name in ("deals", "leads", "contacts"):
            section = getattr(self, name)
            if section is not None:
                out.append((name, section))
        out.extend((f"activities[{i}]", a) for i, a in enumerate(self.activities))
        return out

    def objects(self) -> set[str]:
        """Every object named, with the related objects dotted paths reach (``Opportunity.Account``)."""
        names = set()
        for _, section in self.sections():
            names.add(section.object)
            for path in section.fields.values():
                if "." in path:
                    names.add(f"{section.object}.{path.rsplit('.', 1)[0]}")
        return names

    def check(self, available_fields: dict[str, set[str]]) -> list[str]:
        """One line per field the CRM lacks; ``[]`` when the mapping matches the CRM.

        ``available_fields`` maps an object (``Lead``) or a relationship path from an object
        (``Opportunity.Account``) to the API names of its fields.
        """
        problems: list[str] = []
        for key, section in self.sections():
            if section.object not in available_fields:
                known = ", ".join(sorted(k for k in available_fields if "." not in k))
                problems.append(
                    f"{key}.object: the CRM has no object {section.object!r}; objects read: {known}"
                )
                continue
            for attribute, path in section.fields.items():
                owner, _, name = path.rpartition(".")
                target = f"{section.object}.{owner}" if owner else section.object
                fields = available_fields.get(target)
                where = f"{key}.fields.{attribute}"
                if fields is None:
                    problems.append(
                        f"{where}: {section.object} has no relationship {owner!r} "
                        f"(in {path!r}); use a lookup such as Account.Industry"
                    )
                elif name not in fields:
                    problems.append(f"{where}: {_unknown(target, name, fields)}")
        return problems


def _unknown(obj: str, name: str, fields: set[str]) -> str:
    """``Lead has no field 'Industy'; did you mean 'Industry'? fields that exist: ...``"""
    close = difflib.get_close_matches(name, fields, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    listed = sorted(fields)
    shown = ", ".join(listed[:20]) + (
        f", ... ({len(listed) - 20} more)" if len(listed) > 20 else ""
    )
    return f"{obj} has no field {name!r}{hint} fields that exist: {shown}"


def load_mapping(path: Path | str) -> FieldMapping:
    """Read a mapping YAML; a bad file is a ``ConfigError`` naming the file and each key."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(
            f"{path}: field mapping file not found; pass --mapping with an existing file "
            "or leave it out to use the connector's default mapping."
        )
    try:
        raw = read_yaml(path)
    except YamlFileProblem as exc:
        raise ConfigError(f"{path}: {exc}.") from None
    return parse_mapping(raw, str(path))


def parse_mapping(raw: Any, source: str) -> FieldMapping:
    """Validate an already-parsed mapping; errors name ``source`` and the key path."""
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{source}: a field mapping must be a mapping with the keys {', '.join(SECTIONS)}"
        )
    try:
        return FieldMapping.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            lines.append(f"{source}: {loc}: {err['msg']}")
        raise ConfigError("\n".join(lines)) from None


def default_mapping(connector: str) -> FieldMapping:
    """The mapping a connector ships (``connectors/<name>/default_mapping.yaml``)."""
    ref = resources.files(f"connectors.{connector}").joinpath("default_mapping.yaml")
    return parse_mapping(yaml.safe_load(ref.read_text(encoding="utf-8")), str(ref))
