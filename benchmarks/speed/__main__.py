"""``python -m benchmarks.speed NAME [options]``: run one speed benchmark, ``benchmarks/speed/<NAME>.py``.

Each benchmark module has ``main(argv) -> int``; this dispatcher passes it the remaining arguments,
e.g. ``python -m benchmarks.speed playouts --games chess --seconds 2 --json``.
"""
from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path
from typing import Sequence

from games.cli import run_cli
from games.core import InputError


def available() -> list[str]:
    """Names of the speed benchmarks present (the modules beside this file)."""
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if not p.stem.startswith("_"))


def summary_line(name: str) -> str:
    """The first sentence of benchmark ``name``'s module docstring (read from the file, nothing imported)."""
    tree = ast.parse((Path(__file__).parent / f"{name}.py").read_text())
    doc = " ".join((ast.get_docstring(tree) or "").split("\n\n")[0].split())
    return re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", doc)[0].rstrip(".")


def usage(names: Sequence[str]) -> str:
    """``--help``: the usage line and one line per benchmark."""
    lines = [f"usage: python -m benchmarks.speed {{{','.join(names)}}} [options]", "",
             "Speed benchmarks, each against a reference measured in the same run; options after the name "
             "(python -m benchmarks.speed NAME --help).", "", "benchmarks:"]
    lines += [f"  {name:10s} {summary_line(name)}" for name in names]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = available()
    if not argv or argv[0] in ("-h", "--help"):
        if not argv:
            raise InputError(f"name a speed benchmark: python -m benchmarks.speed {{{','.join(names)}}} [options]")
        print(usage(names))
        return 0
    name, rest = argv[0], argv[1:]
    if name not in names:
        raise InputError(f"unknown speed benchmark '{name}' (known: {', '.join(names)})")
    module = importlib.import_module(f"benchmarks.speed.{name}")
    return int(module.main(rest))


if __name__ == "__main__":
    sys.exit(run_cli(main))
