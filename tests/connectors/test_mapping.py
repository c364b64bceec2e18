"""The field mapping: loading, validation errors that name the key, checks against the CRM."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.mapping import FieldMapping, default_mapping, load_mapping
from service.errors import ConfigError

AVAILABLE = {
    "Lead": {"Id", "Industry", "Country"},
    "Opportunity": {"Id", "Amount", "AccountId"},
    "Opportunity.Account": {"Id", "Industry"},
}


def test_default_mapping_uses_the_sample_data_names() -> None:
    """The shipped Salesforce mapping feeds the sample-data attribute names."""
    mapping = default_mapping("salesforce")
    assert mapping.leads is not None and mapping.deals is not None
    for name in (
        "industry",
        "employee_count",
        "annual_revenue",
        "country",
        "region",
        "lead_source",
    ):
        assert name in mapping.leads.fields and name in mapping.deals.fields
    assert [a.object for a in mapping.activities] == ["Task", "Event"]


def test_check_names_each_unknown_field_with_a_suggestion() -> None:
    """One line per unknown field: key path, object, the close match and the fields that exist."""
    mapping = FieldMapping.model_validate(
        {
            "leads": {"object": "Lead", "fields": {"industry": "Industy", "country": "Country"}},
            "deals": {"object": "Opportunity", "fields": {"industry": "Account.Sector"}},
        }
    )
    assert mapping.check(AVAILABLE) == [
        "deals.fields.industry: Opportunity.Account has no field 'Sector' fields that exist: Id, "
        "Industry",
        "leads.fields.industry: Lead has no field 'Industy'; did you mean 'Industry'? fields that "
        "exist: Country, Id, Industry",
    ]


def test_check_passes_a_matching_mapping() -> None:
    """A mapping whose fields all exist has no problems."""
    mapping = FieldMapping.model_validate(
        {
            "deals": {
                "object": "Opportunity",
                "fields": {"size": "Amount", "ind": "Account.Industry"},
            }
        }
    )
    assert mapping.check(AVAILABLE) == []


def test_check_names_unknown_objects_and_relationships() -> None:
    """An object or a relationship the CRM lacks is named with its key."""
    mapping = FieldMapping.model_validate(
        {
            "contacts": {"object": "Contakt", "fields": {}},
            "leads": {"object": "Lead", "fields": {"x": "Partner.Name"}},
        }
    )
    problems = mapping.check(AVAILABLE)
    assert problems[0].startswith("leads.fields.x: Lead has no relationship 'Partner'")
    assert problems[1].startswith("contacts.object: the CRM has no object 'Contakt'")


def test_load_reports_bad_keys_with_file_and_path(tmp_path: Path) -> None:
    """A misspelled key or an unsafe field name is a ConfigError naming the file and key path."""
    path = tmp_path / "m.yaml"
    path.write_text(
        "leads:\n  object: Lead\n  feilds: {}\n"
        'deals:\n  object: Opportunity\n  fields: {x: "Id FROM User --"}\n'
    )
    with pytest.raises(ConfigError) as info:
        load_mapping(path)
    text = str(info.value)
    assert f"{path}: leads.feilds: Extra inputs are not permitted" in text
    assert f"{path}: deals.fields: Value error, field names must be CRM API names" in text


def test_load_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    """A mapping path that does not exist names the file and the --mapping option."""
    with pytest.raises(ConfigError, match="--mapping"):
        load_mapping(tmp_path / "nope.yaml")


def test_single_activity_section_is_accepted(tmp_path: Path) -> None:
    """``activities`` may be one object or a list of them."""
    path = tmp_path / "m.yaml"
    path.write_text("activities:\n  object: Task\n  fields: {kind: Type}\n")
    assert [a.object for a in load_mapping(path).activities] == ["Task"]
