"""Fields that describe the sales process, not the lead: who owns or works the deal.

A score that rewards "Seller 1" feeds itself once Hot leads are routed to the top sellers: the
owner is chosen because of the score, then predicts the outcome because good sellers win. Such
fields are excluded by default with reason ``sales_process``; ops who really want them scored
name them under ``keep:`` in the build configuration.

A column is a sales-process field when its name (read as word tokens, as the audit reads names)
is an owner, seller, sales rep or assignee: ``Owner``, ``Lead Owner``, ``OwnerId``, ``Seller``,
``Sales Rep``, ``salesperson``, ``Assigned To``, ``assignee``, ``Account Executive``, ``SDR``.
"""

from __future__ import annotations

import itertools

from service.audit.fields import name_tokens

#: one token that names who works the deal
PROCESS_TOKENS = frozenset(
    {"owner", "seller", "salesperson", "salesman", "saleswoman", "assignee", "sdr", "bdr"}
)
#: token pairs that do (``sales rep``, ``assigned to``, ``account executive``)
PROCESS_PAIRS = frozenset(
    {
        ("sale", "rep"),
        ("sale", "representative"),
        ("sale", "owner"),
        ("sale", "agent"),
        ("assigned", "to"),
        ("account", "executive"),
        ("account", "manager"),
    }
)

DETAIL = (
    "describes the sales process (who owns or works the deal), not the lead: scoring it would "
    "feed itself once Hot leads go to the top sellers; name it under keep: to score it anyway"
)


def sales_process_field(name: str) -> bool:
    """Whether the column ``name`` records who owns, sells or is assigned the deal."""
    tokens = name_tokens(name)
    if PROCESS_TOKENS & set(tokens) or "rep" in tokens:
        return True
    return any(pair in PROCESS_PAIRS for pair in itertools.pairwise(tokens))
