"""The one scrubber: every configured secret value is removed from text that leaves the process.

A CRM, a proxy or an error page can answer with text that repeats the request, token and all.
Rather than trusting each message to be clean, the secret *values* are registered once (from the
settings when they are read, and from a login when it hands back a session id) and ``scrub``
replaces each with ``***`` wherever it appears. It runs at the few doors text leaves by: the
command's error printer, the structlog processor chain, the state store's error text, Slack
messages and the health endpoints.

Values shorter than ``MIN_LENGTH`` characters are not registered: masking every ``a`` in a log
would hide everything and protect nothing.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"
MIN_LENGTH = 6

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()


def _variants(value: str) -> set[str]:
    """The value as written and as it travels in a URL or a form body."""
    forms = {value, urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
    return {f for f in forms if len(f) >= MIN_LENGTH}


def register(*values: str | SecretStr | None) -> None:
    """Add secret values to scrub from now on (``None``, empty and short values are ignored)."""
    global _secrets
    found: set[str] = set()
    for value in values:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text and len(text) >= MIN_LENGTH:
            found |= _variants(text)
    if not found:
        return
    with _lock:
        # longest first: a secret that contains another is replaced whole
        _secrets = tuple(sorted(set(_secrets) | found, key=len, reverse=True))


def forget_all() -> None:
    """Drop every registered value (tests start from a clean slate)."""
    global _secrets
    with _lock:
        _secrets = ()


def url_password(url: str) -> str | None:
    """The password in ``scheme://user:password@host/...``, if there is one."""
    try:
        return urllib.parse.urlsplit(url).password
    except ValueError:
        return None


def safe_url(url: str) -> str:
    """A database URL as it may be shown, with its password as ``***``. Text SQLAlchemy cannot
    read as a URL shows only what follows its last ``@``: never a user or a password."""
    from sqlalchemy.engine import make_url  # here: most callers of this module need no SQL
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return url.rsplit("@", 1)[-1]


def secret_values(model: BaseModel) -> list[str]:
    """Every ``SecretStr`` value in a settings model, its sections included."""
    found: list[str] = []
    for name in type(model).model_fields:
        value = getattr(model, name, None)
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            found.extend(secret_values(value))
    return found


def register_settings(model: BaseModel, urls: Iterable[str] = ()) -> None:
    """Register every secret in ``model`` and the passwords in ``urls`` (``state_url``)."""
    register(*secret_values(model), *(url_password(u) for u in urls))


def scrub(text: str) -> str:
    """``text`` with every registered secret value replaced by ``***``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def scrub_any(value: Any) -> Any:
    """``scrub`` applied to every string inside dicts, lists and tuples (for log events, JSON)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, Mapping):
        return {k: scrub_any(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_any(v) for v in value)
    if isinstance(value, BaseException):
        return scrub(str(value))
    return value
