"""Runtime settings from ``LEADSCORE_*`` environment variables (nested with ``__``).

Example: ``LEADSCORE_SALESFORCE__INSTANCE_URL=https://acme.my.salesforce.com``.
An env file is read only when ``LEADSCORE_ENV_FILE`` names it (a ``.env`` planted in the working
directory is not read). Secrets are ``SecretStr``: they print as ``**********``, and their values
are registered with ``service.redact`` so no text leaving the process repeats them.

Every address a secret is sent to (the CRM, Slack) must be ``https://`` unless
``LEADSCORE_ALLOW_INSECURE_HTTP=true`` (local fakes and tests).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from service import redact
from service.errors import ConfigError

#: the environment variable naming the one env file read (none is read otherwise)
ENV_FILE_VARIABLE = "LEADSCORE_ENV_FILE"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalCRMSettings(_Section):
    """The embedded SQLite CRM used by the demo and the tests."""

    path: Path = Path("leadscore-crm.db")


class SalesforceSettings(_Section):
    instance_url: str | None = None
    api_version: str = "59.0"
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = None
    session_id: SecretStr | None = None
    consumer_key: str | None = None
    consumer_secret: SecretStr | None = None
    private_key_file: Path | None = None
    domain: str = "login"
    bulk_threshold: int = Field(10_000, ge=1)
    max_api_share: float = Field(0.8, gt=0, le=1)
    timeout_seconds: float = Field(30.0, gt=0)
    #: where ``https://{domain}.salesforce.com`` logins go instead (a fake or a proxy)
    login_url: str | None = None
    #: records a query page asks for (Sforce-Query-Options batchSize, 200..2000)
    page_size: int = Field(2000, ge=200, le=2000)
    #: how long a Bulk 2.0 job may run before it is aborted and its records retried next run
    bulk_timeout_seconds: float = Field(1800.0, gt=0)
    #: the largest CSV upload per Bulk 2.0 job; more is split into several jobs (limit 100 MB)
    bulk_max_bytes: int = Field(99 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024)
    #: which Contacts are scored as leads: ``without_won_deal`` (not of an account that won a
    #: deal: those are customers), ``all``, or ``none`` (Leads only)
    contact_leads: Literal["without_won_deal", "all", "none"] = "without_won_deal"


class HubSpotSettings(_Section):
    access_token: SecretStr | None = None
    host: str = "https://api.hubapi.com"
    requests_per_10s: int = Field(100, ge=1)
    searches_per_second: int = Field(5, ge=1)
    timeout_seconds: float = Field(30.0, gt=0)
    #: contacts in these lifecycle stages are customers, not leads: never scored, and retired
    customer_stages: list[str] = Field(default_factory=lambda: ["customer", "evangelist"])


class SlackSettings(_Section):
    #: the bot token (chat:write, channels:history); blank or unset = Slack alerts off
    token: SecretStr | None = None
    #: the channel name or, better, its id (C...); history lookups need the id (found once)
    channel: str = "#hot-leads"
    base_url: str = "https://slack.com/api/"
    #: how long one Slack call may take; a post that times out is never retried blindly
    timeout_seconds: float = Field(10.0, gt=0)

    @property
    def enabled(self) -> bool:
        """True when a non-blank token is set."""
        return self.token is not None and bool(self.token.get_secret_value().strip())


class RetrySettings(_Section):
    attempts: int = Field(6, ge=1)
    max_wait_seconds: float = Field(60.0, gt=0)


class DaemonSettings(_Section):
    """The long-running service (``leadscore daemon``): schedule, batches, recalibration, metrics."""

    #: how often the scoring cycle polls for changed leads, new activity and due cadences
    poll_minutes: float = Field(15.0, gt=0)
    #: re-score cadence per tier in days; unset = the rules file's ``tiers.<Tier>.rescore_every_days``
    hot_every_days: float | None = Field(None, gt=0)
    warm_every_days: float | None = Field(None, gt=0)
    cool_every_days: float | None = Field(None, gt=0)
    cold_every_days: float | None = Field(None, gt=0)
    #: leads scored and written per batch (the connector splits further to its API's limit)
    batch_size: int = Field(2000, ge=1, le=10_000)
    #: how often closed deals are pulled and recorded with their score (for the dashboard)
    deals_poll_minutes: float = Field(60.0, gt=0)
    #: how often the rules file is checked for edits
    rules_poll_seconds: float = Field(30.0, gt=0)
    #: recalibration runs monthly on this day of the month, at this hour (UTC)
    recalibration_day: int = Field(1, ge=1, le=28)
    recalibration_hour: int = Field(3, ge=0, le=23)
    #: promote a recalibrated model to live without a person (only if its AUC holds up)
    auto_promote: bool = False
    #: the most a candidate's holdout AUC may fall below the live model's and still be promoted
    max_auc_drop: float = Field(0.02, ge=0, le=1)
    #: where recalibration writes its versioned candidate folders
    models_dir: Path = Path("models")
    #: a build configuration (as ``leadscore build --config``) for the deals the CRM returns
    recalibration_config: Path | None = None
    #: the weekly model health check runs on this day (mon..sun) at this hour (UTC)
    health_day_of_week: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    health_hour: int = Field(4, ge=0, le=23)
    #: recalibration re-runs the win/loss analysis on the deals closed in this many last days
    recalibration_window_days: int = Field(90, ge=7)
    #: Prometheus metrics and health endpoints; 0 turns the HTTP server off
    metrics_port: int = Field(9464, ge=0, le=65535)
    #: the address the endpoint listens on; the container and the manifests set 0.0.0.0
    metrics_host: str = "127.0.0.1"
    #: alert Slack for leads already Hot on the very first cycle (the initial backfill)
    alert_on_backfill: bool = False
    #: the lead pull starts this long before the cursor (inclusive), so a record stamped in
    #: the same instant as the last one read, or committed late, is not missed
    cursor_overlap_seconds: float = Field(120.0, ge=0)
    #: a job that could not start on time still runs if it is at most this late
    misfire_grace_seconds: int = Field(600, ge=1)
    #: one instance at a time: a lease held by the active instance expires this long after its
    #: last renewal (SQLite state; PostgreSQL releases its advisory lock when the process dies)
    lease_ttl_seconds: float = Field(60.0, ge=5)
    #: how often a standby instance tries to take the lease over
    lease_retry_seconds: float = Field(15.0, gt=0)
    #: ``daemon once`` waits this long for another instance to finish before it gives up (exit 1)
    lease_wait_seconds: float = Field(0.0, ge=0)
    #: ``/livez`` fails when no heartbeat (between batches, or from the main loop) came for this long
    liveness_seconds: float = Field(900.0, gt=0)
    #: activities are re-read this far before the activity cursor (late-logged ones are caught;
    #: those already acted on are not acted on twice)
    activity_overlap_minutes: float = Field(60.0, ge=0)
    #: score history kept this many days (0 = for ever); a row is written only when a score changes
    history_retention_days: int = Field(400, ge=0)

    @property
    def cursor_overlap(self) -> timedelta:
        return timedelta(seconds=self.cursor_overlap_seconds)


class DashboardSettings(_Section):
    """The read-only web dashboard (``leadscore dashboard``, and ``leadscore daemon run``)."""

    #: served by ``leadscore daemon run`` too; 0 turns it off there
    port: int = Field(8080, ge=0, le=65535)
    #: 127.0.0.1 keeps it on this machine; 0.0.0.0 to reach it from others (set auth then)
    host: str = "127.0.0.1"
    #: a bearer token (``Authorization: Bearer ...``, also accepted as the basic-auth password)
    token: SecretStr | None = None
    #: basic-auth user and password (both, or neither)
    username: str | None = None
    password: SecretStr | None = None
    #: link from a lead to its CRM record; ``{id}`` is replaced by the record id. Unset: the
    #: connector's own record address when it has one (Salesforce, HubSpot), else no link
    record_url: str | None = None


class NoticeSettings(_Section):
    """Rule 3: tell owners when their leads change tier (one message per owner per pass)."""

    #: notices of a lead moving up a tier (Cold -> Cool, ... -> Hot)
    upgrades: bool = True
    #: notices of a lead moving down a tier (including Rule 5's stale downgrades)
    downgrades: bool = True
    #: leads named in one owner's message (the rest are counted)
    max_listed: int = Field(25, ge=1, le=200)


class ExperimentSettings(_Section):
    """Section 6.5's A/B test: control leads are scored and recorded but their score fields are
    not written and they raise no alerts, notices, clocks or assignments."""

    #: the first day leads enter the experiment (UTC); unset: no experiment
    start: date | None = None
    #: the day the experiment ends (exclusive); unset: it runs until this is set
    end: date | None = None
    #: share of leads in the control group (by a stable hash of the lead id)
    control_share: float = Field(0.3, gt=0, lt=1)
    #: mixed into the hash: change it to draw new groups for a new experiment
    salt: str = "leadscore-6.5"

    @model_validator(mode="after")
    def _dates(self) -> ExperimentSettings:
        if self.start and self.end and self.end <= self.start:
            raise ValueError("experiment.end must be after experiment.start")
        return self


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="LEADSCORE_",
        env_nested_delimiter="__",
        env_file=None,
        extra="ignore",
    )

    log_level: str = "INFO"
    log_json: bool | None = None
    connector: str = "local"
    #: kept out of ``repr``: a PostgreSQL URL carries the database password
    state_url: str = Field("sqlite:///leadscore-state.db", repr=False)
    #: allow plain ``http://`` addresses for the CRM and Slack (local fakes and tests only)
    allow_insecure_http: bool = False
    rules_path: Path = Path("rules/live.yaml")
    #: Rule 4's routing file (reps, territories, capacity); a missing file turns routing off
    routing_path: Path | None = Path("rules/routing.yaml")
    field_mapping_path: Path | None = None
    local: LocalCRMSettings = LocalCRMSettings()
    salesforce: SalesforceSettings = SalesforceSettings()
    hubspot: HubSpotSettings = HubSpotSettings()
    slack: SlackSettings = SlackSettings()
    retry: RetrySettings = RetrySettings()
    daemon: DaemonSettings = DaemonSettings()
    dashboard: DashboardSettings = DashboardSettings()
    notices: NoticeSettings = NoticeSettings()
    experiment: ExperimentSettings = ExperimentSettings()

    @model_validator(mode="after")
    def _https_only(self) -> Settings:
        """Secrets travel only over TLS unless ``allow_insecure_http`` says otherwise."""
        if self.allow_insecure_http:
            return self
        bad = [
            f"LEADSCORE_{name}: {url.split('://')[0]}:// sends the credentials in clear text; "
            "use an https:// address (LEADSCORE_ALLOW_INSECURE_HTTP=true allows http:// for "
            "local test servers)"
            for name, url in self.addresses().items()
            if url and not url.lower().startswith("https://")
        ]
        if bad:
            raise ValueError("\n".join(bad))
        return self

    def addresses(self) -> dict[str, str | None]:
        """Every address a credential is sent to, by its environment variable name."""
        return {
            "SALESFORCE__INSTANCE_URL": self.salesforce.instance_url,
            "SALESFORCE__LOGIN_URL": self.salesforce.login_url,
            "HUBSPOT__HOST": self.hubspot.host,
            "SLACK__BASE_URL": self.slack.base_url,
        }


def env_file() -> Path | None:
    """The env file ``LEADSCORE_ENV_FILE`` names, checked to exist (``ConfigError`` if not)."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if not named:
        return None
    path = Path(named)
    if not path.is_file():
        raise ConfigError(
            f"{ENV_FILE_VARIABLE}={named}: no such file. Point it at the env file to read, "
            "or unset it to read settings from the environment only."
        )
    return path


def get_settings() -> Settings:
    """Read the settings afresh (tests set environment variables per test).

    A bad variable is a ``ConfigError`` naming it (``LEADSCORE_RETRY__ATTEMPTS: ...``), one line
    per problem; the values themselves are never repeated, since some are secrets. Every secret
    value read is registered with ``service.redact`` before anything can print it.
    """
    path = env_file()
    try:
        settings = Settings(_env_file=path)
    except ValidationError as exc:
        raise ConfigError(settings_problems(exc)) from None
    redact.register_settings(settings, urls=[settings.state_url])
    return settings


def settings_problems(exc: ValidationError) -> str:
    """One ``LEADSCORE_NAME: what is wrong`` line per problem, without the offending values."""
    lines = []
    for err in exc.errors():
        if not err["loc"]:  # a check across settings: its message names them
            lines.append(str(err["ctx"].get("error", err["msg"])) if "ctx" in err else err["msg"])
            continue
        name = "LEADSCORE_" + "__".join(str(part) for part in err["loc"]).upper()
        if err["type"] == "extra_forbidden":
            msg = "not a setting; check its spelling against the settings table in README.md"
        else:
            msg = err["msg"]
        source = os.environ.get(ENV_FILE_VARIABLE)
        lines.append(f"{name}: {msg} (from the environment{' or ' + source if source else ''})")
    return "\n".join(lines)
