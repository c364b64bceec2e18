"""The content hash by which the daemon tells that a watched file (rules, routing) changed."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file's bytes, or ``None`` when it cannot be read (missing, no access)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
