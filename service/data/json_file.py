"""Reading a JSON file handed to the tool (``analysis.json``) within the input limits.

``read_json`` raises ``JsonFileProblem`` with a sentence that does not repeat the path; each
caller wraps it in its own error naming the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from service.data.limits import MAX_DIGITS, LimitError, check_file_size, limits

_STRING = re.compile(rb'"(?:\\.|[^"\\])*"')
_LONG_NUMBER = re.compile(rb"\d{%d,}" % (MAX_DIGITS + 1))


class JsonFileProblem(ValueError):
    """The file is missing, too large, too deeply nested or not valid JSON."""


def nesting_depth(data: bytes) -> int:
    """How deep ``[`` and ``{`` nest in JSON text (strings skipped), without parsing it."""
    bare = np.frombuffer(_STRING.sub(b'""', data), dtype=np.uint8)
    steps = np.isin(bare, (ord("["), ord("{"))).astype(np.int64)
    steps -= np.isin(bare, (ord("]"), ord("}")))
    return int(np.cumsum(steps).max(initial=0))


def read_json(path: str | Path) -> object:
    """Parse the JSON file at ``path`` within the limits; ``JsonFileProblem`` says what is wrong."""
    path = Path(path)
    try:
        check_file_size(path, config=True)
        data = path.read_bytes()
    except LimitError as exc:
        raise JsonFileProblem(str(exc).split(": ", 1)[1].rstrip(".")) from None
    except FileNotFoundError:
        raise JsonFileProblem("no such file") from None
    except OSError as exc:
        raise JsonFileProblem(f"cannot be read ({exc.strerror})") from None
    most = limits().max_nesting
    depth = nesting_depth(data)
    if depth > most:
        raise JsonFileProblem(
            f"nests {depth:,} levels deep; the limit is {most} "
            "(raise it with LEADSCORE_LIMITS__MAX_NESTING)"
        )
    if _LONG_NUMBER.search(_STRING.sub(b'""', data)):
        raise JsonFileProblem(f"holds a number longer than the {MAX_DIGITS:,} digits Python reads")
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise JsonFileProblem(f"not UTF-8 text (byte at position {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise JsonFileProblem(
            f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except (ValueError, RecursionError) as exc:
        raise JsonFileProblem(f"cannot be read as plain data ({type(exc).__name__})") from None
