"""Every ``python -m`` entry point of the project answers ``--help`` with a useful usage and exit status 0.

Entry points are found on the sources: packages with a ``__main__.py`` and modules with an
``if __name__ == "__main__":`` block, in every layer; commands with subcommands (``{solve,speed,...}`` in
their usage) are asked once more for each subcommand's ``--help``. A useful help:

* starts with ``usage: python -m X``, where X is the module itself, or for a module its package's
  entry point followed by the module's name (``python -m benchmarks.sudoku budget`` for
  ``benchmarks.sudoku.budget``) — never another command's usage; a subcommand's usage names it;
* says in words what the command does (a paragraph besides the usage);
* gives every option a line of help, not just its name.

The helps run in one subprocess (:data:`DRIVER`), each as ``python -m`` runs a module.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("games", "search", "agents", "selfplay", "benchmarks")
MAIN_BLOCK = re.compile(r"^if __name__ == ['\"]__main__['\"]:", re.MULTILINE)


def entry_points() -> list[str]:
    """Dotted names runnable with ``python -m``."""
    found = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__main__":
                found.append(".".join(parts[:-1]))
            elif parts[-1] != "__init__" and MAIN_BLOCK.search(path.read_text()):
                found.append(".".join(parts))
    return sorted(set(found))


DRIVER = r"""
import contextlib, io, json, runpy, sys, traceback
results = []
for words in json.loads(sys.argv[1]):
    out, err, code = io.StringIO(), io.StringIO(), 0
    sys.argv = [words[0], *words[1:], "--help"]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_module(words[0], run_name="__main__", alter_sys=True)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException:
            code = 1
            err.write(traceback.format_exc())
    results.append({"returncode": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
sys.__stdout__.write(json.dumps(results))
"""
"""Runs ``python -m WORDS --help`` for each item in one process (``runpy``, as ``-m`` does), so that the
heavy imports (torch, ray, numba) are paid once: one subprocess per help took minutes on 2 busy cores."""


def run_helps(commands: list[tuple[str, ...]]) -> dict[tuple[str, ...], subprocess.CompletedProcess[str]]:
    """``--help`` of each command, as a CompletedProcess per command (args = the words)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(commands)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {words: subprocess.CompletedProcess(list(words), r["returncode"], r["stdout"], r["stderr"])
            for words, r in zip(commands, json.loads(proc.stdout))}


def _subcommands(usage: str) -> list[str]:
    """The choices of a subcommand argument in a usage (``{solve,speed,tradeoff} ...``); the choices of
    options (``[--device {cpu,cuda}]``, ``--kind {a,b}``) are not subcommands."""
    text = " ".join(usage.split("\n\n")[0].split())
    while (shorter := re.sub(r"\[[^\[\]]*\]", "", text)) != text:
        text = shorter
    text = re.sub(r"--?[\w-]+ \{[^}]*\}", "", text)
    match = re.search(r"\{([a-z_]+(?:,[a-z_]+)*)\}", text)
    return match.group(1).split(",") if match else []


@cache
def helps() -> dict[tuple[str, ...], subprocess.CompletedProcess[str]]:
    """``--help`` of every entry point and of every subcommand they list."""
    done = run_helps([(m,) for m in entry_points()])
    subs = [(words[0], sub) for words, proc in done.items() if proc.returncode == 0
            for sub in _subcommands(proc.stdout)]
    done.update(run_helps(subs))
    return done


def expected_progs(words: tuple[str, ...]) -> set[str]:
    """The usage names acceptable for ``python -m WORDS --help``."""
    if len(words) == 2:
        return {f"python -m {words[0]} {words[1]}"}
    module = words[0]
    package, _, name = module.rpartition(".")
    progs = {f"python -m {module}"}
    if package and (ROOT / package.replace(".", "/") / "__main__.py").is_file():
        progs.add(f"python -m {package} {name}")
    return progs


def options_without_help(text: str) -> list[str]:
    """Option lines of an argparse help that carry no help text (``  --seed SEED`` alone)."""
    lines = text.splitlines()
    bare = []
    for i, line in enumerate(lines):
        if not re.match(r"^  -", line) or line.strip().startswith("-h, --help"):
            continue
        same_line = re.match(r"^  -\S.*?\S {2,}\S", line)
        next_line = i + 1 < len(lines) and re.match(r"^ {6,}\S", lines[i + 1]) and not lines[i + 1].lstrip().startswith("-")
        if not (same_line or next_line):
            bare.append(line.strip())
    return bare


def test_entry_points_are_found() -> None:
    found = entry_points()
    for name in ("agents.play", "selfplay.train", "benchmarks.scaling", "benchmarks.poker", "games.sudoku"):
        assert name in found
    assert "benchmarks.poker.tradeoff" not in found  # the leaves command runs as benchmarks.poker leaves


def test_every_entry_point_has_a_useful_help() -> None:
    problems = []
    for words, proc in helps().items():
        command = "python -m " + " ".join(words) + " --help"
        if proc.returncode != 0 or "Traceback" in proc.stderr:
            problems.append(f"{command}: exit {proc.returncode} {proc.stderr.strip()[-300:]}")
            continue
        text = proc.stdout
        first = " ".join(text.split("\n\n")[0].split())
        progs = expected_progs(words)
        if not any(first.startswith(f"usage: {prog}") and first[len(f"usage: {prog}"):][:1] in ("", " ")
                   for prog in progs):
            problems.append(f"{command}: usage '{first[:80]}', expected one of {sorted(progs)}")
            continue
        paragraphs = [p for p in text.split("\n\n")[1:] if p.strip()]
        if not any(not p.lstrip().startswith(("-", "positional arguments:", "options:")) for p in paragraphs):
            problems.append(f"{command}: no description")
        if bare := options_without_help(text):
            problems.append(f"{command}: options without help: {', '.join(bare)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("words", [("benchmarks.poker", "headsup"), ("benchmarks.poker", "tradeoff"),
                                   ("benchmarks.sudoku", "budget"), ("benchmarks.speed", "selfplay")])
def test_subcommands_named_in_the_issue_are_checked(words: tuple[str, str]) -> None:
    assert words in helps(), sorted(helps())
