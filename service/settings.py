"""Runtime settings from ``LEADSCORE_*`` environment variables (nested with ``__``).

Example: ``LEADSCORE_SALESFORCE__INSTANCE_URL=https://acme.my.salesforce.com``.
A ``.env`` file in the working directory is read too. Secrets are ``SecretStr``: they print as
``**********`` and never reach logs or error messages.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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


class HubSpotSettings(_Section):
    access_token: SecretStr | None = None
    host: str = "https://api.hubapi.com"
    requests_per_10s: int = Field(100, ge=1)
    searches_per_second: int = Field(5, ge=1)
    timeout_seconds: float = Field(30.0, gt=0)


class SlackSettings(_Section):
    token: SecretStr | None = None
    channel: str = "#hot-leads"
    base_url: str = "https://slack.com/api/"


class RetrySettings(_Section):
    attempts: int = Field(6, ge=1)
    max_wait_seconds: float = Field(60.0, gt=0)


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="LEADSCORE_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    log_level: str = "INFO"
    log_json: bool | None = None
    connector: str = "local"
    state_url: str = "sqlite:///leadscore-state.db"
    rules_path: Path = Path("rules/live.yaml")
    field_mapping_path: Path | None = None
    local: LocalCRMSettings = LocalCRMSettings()
    salesforce: SalesforceSettings = SalesforceSettings()
    hubspot: HubSpotSettings = HubSpotSettings()
    slack: SlackSettings = SlackSettings()
    retry: RetrySettings = RetrySettings()


def get_settings() -> Settings:
    """Read the settings afresh (tests set environment variables per test)."""
    return Settings()
