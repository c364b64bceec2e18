"""Compare two ``make demo`` folders: every file must be identical apart from dates and versions.

A refactoring must not change what users see. Run the demo before and after it and compare:

    make demo DEMO=/tmp/demo-before 2>&1 | tee /tmp/demo-before.log   # on the old checkout
    make demo DEMO=/tmp/demo-after0 2>&1 | tee /tmp/demo-after.log    # on the new one
    python scripts/demo_compare.py /tmp/demo-before /tmp/demo-after0 [--log A.log B.log]

(Give the two folders names of the same length: the terminal tables are padded to the paths.)

Text files (CSV, JSON, YAML, Markdown, logs) are compared line by line after replacing dates,
times, clock-made model versions and dotted version numbers with placeholders; SQLite files are
compared as their SQL dumps (lines sorted), normalised the same way; anything else (the PNG plots) byte for
byte. Exit 0 when they match, 1 with a unified diff of the first differences otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import re
import sqlite3
import sys
from pathlib import Path

#: what may differ between two runs of the same demo: when it ran and which versions ran it
_VOLATILE = [
    # ISO dates and datetimes, with optional time, fraction and zone (2026-12-02T01:26:05.123+00:00)
    (
        re.compile(
            r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}|\+00)?)?"
        ),
        "<date>",
    ),
    # model versions made from the clock (2026.12.02-0126)
    (re.compile(r"\b\d{4}\.\d{2}\.\d{2}-\d{4}\b"), "<model-version>"),
    # dotted version numbers of the package and its libraries (0.1.0, 3.10.1, 1.6.1.post1)
    (re.compile(r"\b\d+\.\d+\.\d+(?:[.-]?(?:post|dev|rc|a|b)\d*)?\b"), "<version>"),
    # a bare time of day (01:26 or 01:26:05)
    (re.compile(r"\b\d{2}:\d{2}(?::\d{2})?\b"), "<time>"),
    # which process held the daemon's lease (host:pid:random), in the log
    (re.compile(r'"holder": "[^"]*:\d+:[0-9a-f]+"'), '"holder": "<process>"'),
]
_TEXT = {".csv", ".json", ".yaml", ".yml", ".md", ".txt", ".log", ".html", ".sql"}


def normalise(text: str) -> str:
    """``text`` with every date, time and version replaced by a placeholder."""
    for pattern, placeholder in _VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def _sqlite_dump(path: Path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        return "\n".join(db.iterdump())


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def contents(path: Path, root: Path | None = None) -> list[str] | str:
    """Normalised lines of a text or SQLite file (``root``, the demo folder, written as
    ``<demo>``: the two runs write to different folders); the SHA-256 of any other file."""
    if _is_sqlite(path):
        # sorted: SQLite lists indexes in the order they were created, which may vary
        text = "\n".join(sorted(_sqlite_dump(path).splitlines()))
    elif path.suffix.lower() in _TEXT:
        text = path.read_text(encoding="utf-8", errors="replace")
    else:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    if root is not None:
        text = text.replace(str(root), "<demo>")
    return normalise(text).splitlines()


def _files(root: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(root)): p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(("-journal", "-wal", "-shm", ".lock"))
    }


def differences(before: Path, after: Path, *, max_lines: int = 40) -> list[str]:
    """One entry per file that differs (missing, added, or changed with its diff)."""
    a, b = _files(before), _files(after)
    problems: list[str] = []
    for name in sorted(a.keys() - b.keys()):
        problems.append(f"{name}: missing after")
    for name in sorted(b.keys() - a.keys()):
        problems.append(f"{name}: new after")
    for name in sorted(a.keys() & b.keys()):
        problems += _compare(name, a[name], b[name], max_lines=max_lines, roots=(before, after))
    return problems


def _compare(
    name: str, a: Path, b: Path, *, max_lines: int, roots: tuple[Path, Path] | None = None
) -> list[str]:
    x, y = contents(a, roots and roots[0]), contents(b, roots and roots[1])
    if x == y:
        return []
    if isinstance(x, str) or isinstance(y, str):
        return [f"{name}: bytes differ"]
    diff = list(difflib.unified_diff(x, y, f"before/{name}", f"after/{name}", lineterm="", n=1))
    return [f"{name}: differs\n" + "\n".join(diff[:max_lines])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--log", nargs=2, type=Path, metavar=("BEFORE_LOG", "AFTER_LOG"))
    args = parser.parse_args(argv)
    problems = differences(args.before, args.after)
    if args.log:
        problems += _compare(
            "make demo output", *args.log, max_lines=40, roots=(args.before, args.after)
        )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} difference(s)")
        return 1
    n = len(_files(args.before))
    print(
        f"identical apart from dates and versions: {n} files" + (" and the log" if args.log else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
