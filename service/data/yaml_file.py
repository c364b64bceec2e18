"""Reading a YAML file a person edited, with problems told in words rather than tracebacks.

``read_yaml`` raises ``YamlFileProblem`` with a sentence that does not repeat the path; each
caller wraps it in its own error (``RulesError``, ``ConfigError``) naming the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from service.data.limits import LimitError, check_file_size, limits, over, too_many_digits

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileProblem(ValueError):
    """The file is missing, a folder, not UTF-8 text, or not valid YAML."""


def read_yaml(path: str | Path) -> object:
    """Parse the YAML file at ``path``; ``YamlFileProblem`` says what is wrong and how to fix it."""
    path = Path(path)
    if path.is_dir():
        raise YamlFileProblem("is a folder, not a file; pass the YAML file inside it")
    try:
        check_file_size(path, config=True)
        text = path.read_text(encoding="utf-8")
    except LimitError as exc:
        raise YamlFileProblem(str(exc).split(": ", 1)[1].rstrip(".")) from None
    except FileNotFoundError:
        raise YamlFileProblem("no such file") from None
    except UnicodeDecodeError as exc:
        raise YamlFileProblem(
            f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
            "save it as UTF-8 in your editor"
        ) from None
    except OSError as exc:
        raise YamlFileProblem(f"cannot be read ({exc.strerror})") from None
    try:
        check_yaml_text(text)
        return yaml.load(text, Loader=_Loader)  # a safe loader: plain data only
    except YamlFileProblem:
        raise
    except yaml.YAMLError as exc:
        raise YamlFileProblem(yaml_problem(exc)) from None
    except (ValueError, RecursionError) as exc:  # backstop: what the checks above should catch
        raise YamlFileProblem(f"cannot be read as plain data ({type(exc).__name__})") from None


def _where(event: yaml.Event) -> str:
    mark = event.start_mark
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _events(text: str, most: int) -> Iterator[yaml.Event]:
    """The parser's events; libyaml's own nesting cap (1,000) reported as our limit."""
    try:
        yield from yaml.parse(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        if "nesting depth" not in str(exc):
            raise
        raise YamlFileProblem(
            f"nests deeper than {most} levels; the limit is {most} "
            "(raise it with LEADSCORE_LIMITS__MAX_NESTING)"
        ) from None


def check_yaml_text(text: str) -> None:
    """``YamlFileProblem`` when the YAML nests deeper than ``max_nesting``, expands (through
    aliases) to more than ``max_yaml_nodes`` values, refers to itself, or holds an integer
    longer than Python converts. One pass over the parser's events: nothing is built or expanded.
    """
    lim = limits()
    depth = 0
    expanded = 0
    sizes: dict[str, int] = {}
    open_: list[tuple[str | None, int]] = []
    for event in _events(text, lim.max_nesting):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > lim.max_nesting:
                raise YamlFileProblem(
                    f"nests deeper than {lim.max_nesting} levels{_where(event)}; the limit is "
                    f"{lim.max_nesting} (raise it with LEADSCORE_LIMITS__MAX_NESTING)"
                )
            expanded += 1
            open_.append((event.anchor, expanded - 1))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, start = open_.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
            if not event.style and too_many_digits(event.value.replace("_", "")):
                raise YamlFileProblem(
                    f"a number{_where(event)} has {len(event.value):,} digits, more than the "
                    f"4,300 Python reads; put it in quotes to keep it as text"
                )
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_):
                raise YamlFileProblem(
                    f"the alias *{event.anchor}{_where(event)} refers to the value it is inside "
                    "of (a value that contains itself); write the value out instead"
                )
            expanded += sizes.get(str(event.anchor), 1)
        if expanded > lim.max_yaml_nodes:
            raise YamlFileProblem(
                over(
                    f"its aliases (*name) expand it to more than {lim.max_yaml_nodes:,} values"
                    f"{_where(event)}",
                    "",
                    f"{lim.max_yaml_nodes:,} values",
                    "MAX_YAML_NODES",
                ).replace(" ;", ";")
            )


def yaml_problem(exc: yaml.YAMLError) -> str:
    """``not valid YAML at line 3, column 8: expected ...`` (no parser internals)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    hint = "; indent with spaces, not tabs" if "\t" in problem else ""
    return f"not valid YAML{where}: {problem}{hint}"
