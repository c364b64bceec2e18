"""The state store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)

metadata = MetaData()


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


#: The last values successfully written to the CRM, per connector and record.
pushed_scores = Table(
    "leadscore_pushed_scores",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("object_type", String(64), nullable=False),
    Column("values_hash", String(64), nullable=False),
    Column("values_json", Text, nullable=False),
    Column("pushed_at", UTCDateTime, nullable=False),
)

#: Records the CRM refused, kept until a later push writes them.
push_failures = Table(
    "leadscore_push_failures",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("record_id", String(64), primary_key=True),
    Column("reason", Text, nullable=False),
    Column("retryable", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
)

#: Incremental-sync cursors: the last modification time seen per connector and stream.
cursors = Table(
    "leadscore_cursors",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("stream", String(64), primary_key=True),
    Column("value", UTCDateTime, nullable=False),
)

#: Every score computed, for trends.
score_history = Table(
    "leadscore_score_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(64), nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("total", Float, nullable=True),
    Column("tier", String(32), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_leadscore_score_history_record", "record_id", "at"),
)
