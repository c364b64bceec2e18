"""``column_words``: the one tokeniser for column names."""

from __future__ import annotations

import pytest

from service.audit.fields import name_tokens
from service.data.names import column_words
from service.model.patterns.dimensions import field_words


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("SalesCycleDays", ["sales", "cycle", "days"]),
        ("tech_stack", ["tech", "stack"]),
        ("Lead Source (web)", ["lead", "source", "web"]),
        ("employeeCount2024", ["employee", "count2024"]),
        ("HTTPStatus", ["httpstatus"]),
        ("utm-campaign", ["utm", "campaign"]),
        ("", []),
        (42, ["42"]),
    ],
)
def test_column_words(name: object, words: list[str]) -> None:
    """Camel case, underscores, spaces and punctuation separate words; all lower case."""
    assert column_words(name) == words


def test_the_audit_and_the_dimensions_read_names_the_same_way() -> None:
    """The audit's stems and the dimensions' words come from the same split."""
    assert name_tokens("SalesCycleDays") == ["sale", "cycle", "day"]
    assert field_words("TotalVisits") == "total visits"
    assert field_words("Owner_Name") == " ".join(column_words("Owner_Name"))
