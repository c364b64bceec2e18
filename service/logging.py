"""The only place structlog is configured."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from service import redact

_SECRET_KEYS = ("token", "password", "secret", "session_id", "authorization", "api_key")


def _drop_secrets(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Replace the value of any key that looks like a secret, whatever the caller passed."""
    for key in list(event):
        if any(s in key.lower() for s in _SECRET_KEYS):
            event[key] = "***"
    return event


def _scrub_values(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Remove every registered secret value from every field (a server's echo, a traceback)."""
    for key, value in event.items():
        event[key] = redact.scrub_any(value)
    return event


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """Log to stderr: coloured console lines on a terminal, JSON lines otherwise."""
    if json is None:
        json = not sys.stdout.isatty()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
            structlog.processors.format_exc_info,
            _scrub_values,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
        ),
        # look sys.stderr up at each use: tests and CLI runners swap it out and close the old one
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
