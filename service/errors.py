"""The errors leadscore raises on purpose.

Everything the tool reports to a user is a ``LeadScoreError``; anything else is a bug
(exit code 1). The tree::

    LeadScoreError                    exit 1 unless a subclass says otherwise
    ├── InputError                    exit 2: the user can fix it (file, column, key)
    │   ├── DataFileError             a deals/leads file cannot be read or lacks a column
    │   ├── ConfigError               a build configuration or settings key is wrong
    │   ├── RulesError                a rules YAML fails validation (one line per problem)
    │   └── InsufficientDataError     the data cannot support a model (too few deals, one class)
    ├── StateStoreError               the state database cannot be reached (an outage, not a bug)
    ├── LeaseError                    another instance runs the daemon (``daemon once`` says who)
    ├── PassInterrupted               a stop was asked for; the pass stopped between batches
    └── ConnectorError                talking to a CRM or Slack failed
        ├── FatalConnectorError       exit 2; do not retry: fix configuration first
        │   ├── AuthError             401/403: credentials, scopes or permissions
        │   ├── BadRequestError       400: the request (query, field) is wrong
        │   └── MissingFieldError     a field the mapping or the scores need is not in the CRM
        └── RetryableConnectorError   429, 5xx, timeouts: the shared retry policy retries these
            └── RateLimitedError      429, with ``retry_after`` seconds when the server said

Messages never contain secrets (tokens, passwords, session ids) or personal data.
"""

from __future__ import annotations

from collections.abc import Sequence


class LeadScoreError(Exception):
    """Base of every error leadscore reports to its user."""

    exit_code: int = 1


class InputError(LeadScoreError):
    """Bad input the user can fix; the message says what and how."""

    exit_code = 2


class DataFileError(InputError):
    """A data file cannot be read, is empty, or lacks a needed column."""


class ConfigError(InputError):
    """A configuration file or setting is invalid."""


class InsufficientDataError(InputError):
    """The data cannot support what was asked (for example fewer than 50 closed deals)."""


class RulesError(InputError):
    """A rules file failed validation; ``problems`` holds one ``path: message`` per line."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


class StateStoreError(LeadScoreError):
    """The state database cannot be reached (down, restarting, network); retried, not a bug."""


class LeaseError(LeadScoreError):
    """Another process holds the daemon's lease (or this one lost it)."""


class PassInterrupted(LeadScoreError):
    """SIGTERM (or a lost lease) stopped a pass between two batches; its progress is kept."""


class ConnectorError(LeadScoreError):
    """Talking to a CRM or Slack failed."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FatalConnectorError(ConnectorError):
    """Retrying will not help; the configuration or request must change (exit 2, like bad
    input: the user fixes the credentials, permissions or mapping)."""

    exit_code = 2


class AuthError(FatalConnectorError):
    """The CRM refused the credentials (401) or the permissions (403)."""


class BadRequestError(FatalConnectorError):
    """The CRM rejected the request itself (400)."""


class MissingFieldError(FatalConnectorError):
    """A field the mapping or the score write-back needs does not exist in the CRM."""


class RetryableConnectorError(ConnectorError):
    """A transient failure: 5xx, a timeout, a dropped connection."""


class RateLimitedError(RetryableConnectorError):
    """The CRM answered 429; ``retry_after`` is the wait it asked for, in seconds."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = 429
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after
