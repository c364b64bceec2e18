"""Reading a YAML file a person edited, with problems told in words rather than tracebacks.

``read_yaml`` raises ``YamlFileProblem`` with a sentence that does not repeat the path; each
caller wraps it in its own error (``RulesError``, ``ConfigError``) naming the file.
"""

from __future__ import annotations

from pathlib import Path

import yaml


class YamlFileProblem(ValueError):
    """The file is missing, a folder, not UTF-8 text, or not valid YAML."""


def read_yaml(path: str | Path) -> object:
    """Parse the YAML file at ``path``; ``YamlFileProblem`` says what is wrong and how to fix it."""
    path = Path(path)
    if path.is_dir():
        raise YamlFileProblem("is a folder, not a file; pass the YAML file inside it")
    try:
        text = path.read_text(encoding="utf-8")
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
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise YamlFileProblem(yaml_problem(exc)) from None
    except RecursionError:
        raise YamlFileProblem(
            "nested too deeply to read (hundreds of levels of [ or {); check the brackets"
        ) from None


def yaml_problem(exc: yaml.YAMLError) -> str:
    """``not valid YAML at line 3, column 8: expected ...`` (no parser internals)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    hint = "; indent with spaces, not tabs" if "\t" in problem else ""
    return f"not valid YAML{where}: {problem}{hint}"
