"""Run every benchmark, or the one named: ``python -m benchmarks [name [args...]]``.

A benchmark is any module of this package with a ``main()`` function; it may take the remaining
command-line arguments as a list and may return an exit code (non-zero or ``False`` = a target
was missed).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys
import time
from collections.abc import Callable
from types import ModuleType

import benchmarks


def names() -> list[str]:
    """The modules of this package, in alphabetical order (not imported yet)."""
    mods = [m.name for m in pkgutil.iter_modules(benchmarks.__path__)]
    return sorted(m for m in mods if not m.startswith("_"))


def load(name: str) -> Callable[..., object] | None:
    """The module's ``main``, or ``None`` when it is a helper module without one."""
    module: ModuleType = importlib.import_module(f"benchmarks.{name}")
    main = getattr(module, "main", None)
    return main if callable(main) else None


def _call(main: Callable[..., object], args: list[str]) -> int:
    takes_args = bool(inspect.signature(main).parameters)
    result = main(args) if takes_args else main()
    if result is False:
        return 1
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


def run(argv: list[str]) -> int:
    available = names()
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("modules:", ", ".join(available) or "(none)")
        return 0
    if argv:
        name, args = argv[0], argv[1:]
        main = load(name) if name in available else None
        if main is None:
            print(
                f"no benchmark named {name!r}; choose one of: {', '.join(available)}",
                file=sys.stderr,
            )
            return 2
        return _call(main, args)
    status = 0
    for name in available:
        main = load(name)
        if main is None:
            continue
        print(f"\n=== benchmark: {name} ===", flush=True)
        start = time.perf_counter()
        code = _call(main, [])
        print(f"=== {name}: {time.perf_counter() - start:.1f} s, exit {code} ===", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
