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


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """A handler that looks ``sys.stderr`` up at each record (tests swap it out)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _route_stdlib(level: int, renderer: structlog.typing.Processor) -> None:
    """Send the standard library's logging (APScheduler, urllib3, SQLAlchemy) through the same
    processors, so every line is one JSON object (tracebacks included, as a field)."""
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.add_logger_name,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_secrets,
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    handler.set_name("leadscore")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "leadscore"] + [handler]
    root.setLevel(max(level, logging.WARNING))  # their INFO chatter is not ours


def configure_logging(level: str = "INFO", json: bool | None = None) -> None:
    """Log to stderr: coloured console lines on a terminal, JSON lines otherwise; the standard
    library's loggers (APScheduler, ...) go through the same renderer."""
    if json is None:
        json = not sys.stdout.isatty()
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    number = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    _route_stdlib(number, renderer)
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
        wrapper_class=structlog.make_filtering_bound_logger(number),
        # look sys.stderr up at each use: tests and CLI runners swap it out and close the old one
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
