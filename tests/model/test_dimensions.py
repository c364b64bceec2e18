"""Scoring dimensions inferred from field names, overridable by the configuration."""

from __future__ import annotations

import pytest

from service.config import Dimension
from service.model.patterns.dimensions import field_words, infer_dimension


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("industry", "firmographic"),
        ("employee_count", "firmographic"),
        ("Country", "firmographic"),
        ("tech_stack", "firmographic"),
        ("What is your current occupation", "firmographic"),
        ("demo_requested", "behavioral"),
        ("pricing_page_visits", "behavioral"),
        ("Lead Origin", "behavioral"),
        ("webinar_attended", "behavioral"),
        ("email_opens", "engagement"),
        ("TotalVisits", "engagement"),
        ("Total Time Spent on Website", "engagement"),
        ("stakeholders", "engagement"),
        ("campaign", "engagement"),
        ("intent_topic_surge", "intent"),
        ("competitor_research", "intent"),
        ("review_site_activity", "intent"),
    ],
)
def test_known_fields_get_their_dimension(field, expected):
    """Field names are read by keyword: company facts, actions, interactions, buying intent."""
    assert infer_dimension(field) == expected


def test_unknown_fields_default_by_kind():
    """An unrecognised descriptive field is firmographic; an unrecognised count is engagement."""
    assert infer_dimension("pdays") == "firmographic"
    assert infer_dimension("pdays", is_count=True) == "engagement"


def test_keywords_match_whole_words_not_fragments():
    """``count`` does not make ``Country`` a count and ``age`` does not match ``page``."""
    assert infer_dimension("Country", is_count=True) == "firmographic"
    assert infer_dimension("stage", is_count=True) == "engagement"


def test_the_configuration_overrides_the_keywords():
    """``config.dimensions`` wins, whether given as text or as the config's enum."""
    assert infer_dimension("industry", {"industry": "intent"}) == "intent"
    assert infer_dimension("industry", {"industry": Dimension.behavioral}) == "behavioral"


def test_an_unknown_override_is_refused_with_the_choices():
    """An override naming no dimension is an error that lists the valid ones."""
    with pytest.raises(ValueError, match="behavioral, engagement, firmographic, intent"):
        infer_dimension("industry", {"industry": "fit"})


def test_field_names_are_split_into_words():
    """camelCase, snake_case and punctuation all become spaced lower-case words."""
    assert field_words("TotalVisits") == "total visits"
    assert field_words("emp.var_rate") == "emp var rate"
