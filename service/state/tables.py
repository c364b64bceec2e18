"""The state store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

from service.data.sql_types import UTCDateTime

metadata = MetaData()

#: ``lead_cache.attributes_json`` as written: sorted, standard JSON (``allow_nan=False``: a NaN or
#: an infinity is made null before, as PostgreSQL's JSON, unlike ``json.dumps``, refuses them)
attributes_text = json.JSONEncoder(sort_keys=True, allow_nan=False).encode
#: ... and as read: the ``NaN`` or ``Infinity`` of a copy written before that reads as missing
read_attributes = json.JSONDecoder(parse_constant=lambda _token: None).decode
#: text only a copy written before that can hold (PostgreSQL cannot parse such copies as JSON)
NOT_JSON_TOKENS = ("Infinity", "NaN")

#: JSON paths a lead's source goes by in the CRMs and files we read (``lead_cache.attributes_json``)
SOURCE_PATHS = ("$.lead_source", "$.LeadSource", "$.hs_analytics_source", "$.source")
#: SQLite: those values as one JSON array (NULL for text that is not JSON, such as the Infinity
#: of an old copy: a lead's odd attribute must never fail the daemon's write)
SOURCE_SQLITE = (
    "CASE WHEN json_valid(attributes_json) THEN json_extract(attributes_json, "
    + ", ".join(f"'{p}'" for p in SOURCE_PATHS)
    + ") END"
)


def lead_key() -> tuple[Column[str], Column[str]]:
    """The key of a table with one row per lead: the connector and the CRM's record id (new
    columns at each call: a column belongs to one table)."""
    return (
        Column("connector", String(64), primary_key=True),
        Column("record_id", String(64), primary_key=True),
    )


#: The last values successfully written to the CRM, per connector and record.
pushed_scores = Table(
    "leadscore_pushed_scores",
    metadata,
    *lead_key(),
    Column("object_type", String(64), nullable=False),
    Column("values_hash", String(64), nullable=False),
    Column("values_json", Text, nullable=False),
    Column("pushed_at", UTCDateTime, nullable=False),
)

#: Records the CRM refused, kept until a later push writes them.
push_failures = Table(
    "leadscore_push_failures",
    metadata,
    *lead_key(),
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

# -- the daemon's tables (``service.state.leads.LeadState``) ------------------------------------

#: The last pulled copy of each lead, so a lead whose cadence is due is scored without a CRM call.
lead_cache = Table(
    "leadscore_lead_cache",
    metadata,
    *lead_key(),
    Column("object_type", String(64), nullable=False),
    Column("owner", String(255), nullable=True),
    Column("account_id", String(255), nullable=True),
    Column("attributes_json", Text, nullable=False),
    Column("modified_at", UTCDateTime, nullable=True),
    Column("pulled_at", UTCDateTime, nullable=False),
    # the dashboard's average score by source, without parsing every lead's JSON (SQLite)
    Index(
        "ix_leadscore_lead_cache_source",
        "connector",
        "record_id",
        text(SOURCE_SQLITE),
        info={"dialect": "sqlite"},
    ).ddl_if(dialect="sqlite"),
)

#: Per lead: the tier and total last scored (and written or unchanged), when, with which rules,
#: and how many times it has turned Hot (each turn is alerted once: ``outbox``).
lead_state = Table(
    "leadscore_lead_state",
    metadata,
    *lead_key(),
    Column("tier", String(32), nullable=True),
    Column("total", Float, nullable=True),
    Column("model_version", String(64), nullable=False),
    Column("scored_at", UTCDateTime, nullable=False),
    Column("hot_turns", Integer, nullable=False),
    Index("ix_leadscore_lead_state_due", "connector", "tier", "scored_at"),
    # the dashboard's tier counts, score histogram and Hot list, read from the index alone
    Index("ix_leadscore_lead_state_score", "connector", "tier", "total"),
)

#: The Slack outbox: one row per message that must reach the channel exactly once (a lead's turn
#: into Hot, a rules-change summary or digest). ``status`` moves pending -> claimed (written before
#: the post) -> sent; or skipped (deliberately not sent: ``reason`` says why) or summarised (a turn
#: caused by a rules change, counted in a digest instead). A claim never confirmed is resolved by
#: looking for the message's metadata (``key``) in the channel's history before posting again.
outbox = Table(
    "leadscore_outbox",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("connector", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("record_id", String(64), nullable=True),
    Column("hot_turn", Integer, nullable=True),
    Column("rules_version", String(128), nullable=True),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("payload_json", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    #: the real time of the claim (Slack's time, which the history is searched from; it differs
    #: from the daemon's clock only under ``--now``)
    Column("claimed_at", UTCDateTime, nullable=True),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("channel", String(64), nullable=True),
    Column("message_ts", String(64), nullable=True),
    Index("ix_leadscore_outbox_status", "connector", "status", "created_at"),
    # the dashboard's Hot list: each lead's alert
    Index("ix_leadscore_outbox_record", "connector", "record_id"),
)

#: Activities already acted on, kept while they are inside the overlap window or still in the
#: future: a late-logged activity is caught by re-reading the window, and a future-dated one (a
#: meeting booked for next week) triggers once, not every pass until its date.
seen_activities = Table(
    "leadscore_seen_activities",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("activity_id", String(128), primary_key=True),
    Column("occurred_at", UTCDateTime, nullable=False),
)

#: Leases: which process may run the daemon's passes and jobs now (SQLite; PostgreSQL uses an
#: advisory lock and keeps this row only to say who holds it).
leases = Table(
    "leadscore_leases",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(255), nullable=False),
    Column("acquired_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

#: Every daemon job run: which job, when, whether it succeeded, and a JSON summary or the error.
job_runs = Table(
    "leadscore_job_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("detail", Text, nullable=False),
    Index("ix_leadscore_job_runs_job", "job", "started_at"),
)

#: Every model health check (``service.health.check``): its flags and full report as JSON.
health_checks = Table(
    "leadscore_health_checks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checked_at", UTCDateTime, nullable=False),
    Column("model_version", String(64), nullable=False),
    Column("flags", Integer, nullable=False),
    Column("report_json", Text, nullable=False),
    Index("ix_leadscore_health_checks_at", "checked_at"),
)

#: Each closed deal the daemon has seen, with the score the rules in force gave it when it was
#: first seen closed (``backfill``: it had closed before the daemon's first look at deals), for
#: the dashboard's conversion by tier, score at conversion and false positive/negative rates.
deal_outcomes = Table(
    "leadscore_deal_outcomes",
    metadata,
    *lead_key(),
    Column("won", Boolean, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Column("cycle_days", Float, nullable=True),
    Column("owner", String(255), nullable=True),
    Column("total", Float, nullable=True),
    Column("tier", String(32), nullable=True),
    Column("model_version", String(64), nullable=False),
    Column("scored_at", UTCDateTime, nullable=False),
    Column("backfill", Boolean, nullable=False),
)

#: Each change of a lead's tier (``from_tier`` NULL: its first score), for the dashboard's tier
#: migration over a period and Hot volume over time without reading the whole score history.
tier_changes = Table(
    "leadscore_tier_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("from_tier", String(32), nullable=True),
    Column("to_tier", String(32), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_leadscore_tier_changes_at", "connector", "at"),
    Index("ix_leadscore_tier_changes_to", "connector", "to_tier", "at"),
    Index("ix_leadscore_tier_changes_from", "connector", "from_tier", "at"),
)

# -- Section 5.2's rules 2 to 5 and the 6.5 experiment (``service.state.section5``) ---------------

#: Per lead, what Section 5's rules need beyond ``lead_state``: the owner (CRM user id and name,
#: as last pulled or assigned), the last activity (any kind; Rule 5's stale clock starts there),
#: the stale level applied at its last score (how many distinct ``stale_after_days`` windows had
#: lapsed), the signals that fired and the tier (Rule 3 explains a change against them), and the
#: experiment group (``treatment``/``control``; NULL outside the experiment) with the outcomes
#: the experiment report reads. Kept after a lead retires (``converted_at`` is then set).
lead_facts = Table(
    "leadscore_lead_facts",
    metadata,
    *lead_key(),
    Column("owner_id", String(64), nullable=True),
    Column("owner_name", String(255), nullable=True),
    Column("account_id", String(255), nullable=True),
    Column("first_seen_at", UTCDateTime, nullable=True),
    Column("last_activity_at", UTCDateTime, nullable=True),
    Column("stale_level", Integer, nullable=False, default=0),
    Column("fired_json", Text, nullable=True),
    Column("tier", String(32), nullable=True),
    Column("total", Float, nullable=True),
    Column("experiment_group", String(16), nullable=True),
    Column("first_contact_at", UTCDateTime, nullable=True),
    Column("converted_at", UTCDateTime, nullable=True),
    Index("ix_leadscore_lead_facts_activity", "connector", "last_activity_at"),
)

#: Rule 2's SLA clock: one row per turn into Hot that was alerted (``hot_turn`` as in the
#: outbox). ``stopped_at``/``stopped_by``: the first rep activity after ``started_at``;
#: ``breached``: the deadline passed first (escalated once, ``escalated_at``). A rep's compliance
#: is met / (met + breached) over their rows (``owner_id`` is the owner when the clock started).
sla_clocks = Table(
    "leadscore_sla_clocks",
    metadata,
    *lead_key(),
    Column("hot_turn", Integer, primary_key=True),
    Column("owner_id", String(64), nullable=True),
    Column("owner_name", String(255), nullable=True),
    Column("owner_email", String(255), nullable=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("deadline", UTCDateTime, nullable=False),
    Column("stopped_at", UTCDateTime, nullable=True),
    Column("stopped_by", String(64), nullable=True),
    Column("breached", Boolean, nullable=False, default=False),
    Column("escalated_at", UTCDateTime, nullable=True),
    Index("ix_leadscore_sla_clocks_open", "connector", "stopped_at", "breached", "deadline"),
)

#: Rule 3: the details of a change recorded in ``leadscore_tier_changes`` (same connector,
#: record_id and ``at``) that an owner is told about: the causes (JSON: signals that started and
#: stopped firing, points gained or lost, stale dimensions) and the owner's message
#: (``outbox_key``; NULL until the pass batches it into one message per owner).
tier_notices = Table(
    "leadscore_tier_notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("connector", String(64), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("from_tier", String(32), nullable=True),
    Column("to_tier", String(32), nullable=True),
    Column("owner_id", String(64), nullable=True),
    Column("causes_json", Text, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("outbox_key", String(255), nullable=True),
    Index("ix_leadscore_tier_notices_open", "connector", "outbox_key"),
)

#: Rule 4: every owner assignment, with its explanation; ``status`` pending (chosen, not yet
#: confirmed by the CRM), written, failed (``reason``), or skipped (a rep took the lead in the
#: CRM before the owner was written; ``reason`` names them).
assignments = Table(
    "leadscore_assignments",
    metadata,
    *lead_key(),
    Column("owner_id", String(64), nullable=False),
    Column("owner_name", String(255), nullable=True),
    Column("tier", String(32), nullable=True),
    Column("explanation", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=True),
    Column("at", UTCDateTime, nullable=False),
)

#: Section 5.3's rep productivity: each activity a rep logged on a lead, with the tier the lead
#: had when the pass read it (the tier the rep worked it in; NULL when it was not scored yet).
#: One row per activity id: a pass that reads it again adds nothing.
rep_activity = Table(
    "leadscore_rep_activity",
    metadata,
    Column("connector", String(64), primary_key=True),
    Column("activity_id", String(255), primary_key=True),
    Column("rep_id", String(64), nullable=False),
    Column("record_id", String(64), nullable=False),
    Column("tier", String(32), nullable=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_leadscore_rep_activity_at", "connector", "at", "rep_id", "tier"),
)
