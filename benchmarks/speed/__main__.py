"""``python -m benchmarks.speed NAME [options]``: run one speed benchmark, ``benchmarks/speed/<NAME>.py``.

Each benchmark module has ``main(argv) -> int``; this dispatcher passes it the remaining arguments,
e.g. ``python -m benchmarks.speed playouts --games chess --seconds 2 --json``.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Sequence

from games.cli import run_cli
from games.core import InputError


def available() -> list[str]:
    """Names of the speed benchmarks present (the modules beside this file)."""
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not argv or argv[0] in ("-h", "--help"):
        print(f"usage: python -m benchmarks.speed {{{','.join(names)}}} [options]  (--help after the name)")
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name not in names:
        raise InputError(f"unknown speed benchmark '{name}' (known: {', '.join(names)})")
    module = importlib.import_module(f"benchmarks.speed.{name}")
    return int(module.main(rest))


if __name__ == "__main__":
    sys.exit(run_cli(main))
