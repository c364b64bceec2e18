"""The local CRM's tables: accounts, leads, deals, activities, users and the score fields.

Attributes a CRM export carries (industry, employee_count, ...) live in a JSON column, so any
sample-data or CSV layout loads without a schema change. The score fields the CRM "has" are rows of
``score_fields`` (its describe), so a field can be missing exactly as in a real CRM.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from service.state.tables import UTCDateTime

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("modified_at", UTCDateTime, nullable=False),
)

leads = Table(
    "leads",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=True),
    Column("owner", Text, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("modified_at", UTCDateTime, nullable=False),
    Column("score_writes", Integer, nullable=False, default=0),
    #: the owning user (``users.id``); ``owner`` keeps a name for leads loaded without users
    Column("owner_id", String(64), nullable=True),
    Index("ix_leads_modified", "modified_at", "id"),
)

deals = Table(
    "deals",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("account_id", String(64), nullable=True),
    Column("won", Boolean, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("attributes", JSON, nullable=False, default=dict),
    Column("modified_at", UTCDateTime, nullable=False),
    Index("ix_deals_modified", "modified_at", "id"),
)

activities = Table(
    "activities",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("lead_id", String(64), nullable=True),
    Column("account_id", String(64), nullable=True),
    Column("kind", String(64), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Column("detail", Text, nullable=True),
    #: the user (rep) who logged it; NULL for activity no rep did (an email open, a page view)
    Column("rep_id", String(64), nullable=True),
    Index("ix_activities_occurred", "occurred_at", "id"),
)

#: The CRM's users: the reps who own leads (Section 5's routing and SLA rules), with managers.
users = Table(
    "users",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=True),
    Column("manager_id", String(64), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
)

#: columns added after the first release: (table, column, SQL type), added to older files
ADDED_COLUMNS = (
    ("leads", "owner_id", "VARCHAR(64)"),
    ("activities", "rep_id", "VARCHAR(64)"),
)

#: The score fields that exist on leads (the CRM's describe); name is e.g. ``Lead_Score_Total``.
score_fields = Table(
    "score_fields",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("type", String(64), nullable=False),
)

lead_scores = Table(
    "lead_scores",
    metadata,
    Column("lead_id", String(64), ForeignKey("leads.id"), primary_key=True),
    Column("field", String(64), primary_key=True),
    Column("value", JSON, nullable=True),
)

#: Records an admin locked against edits (approval process, validation rule): writes fail.
record_locks = Table(
    "record_locks",
    metadata,
    Column("record_id", String(64), primary_key=True),
    Column("reason", Text, nullable=False),
)
