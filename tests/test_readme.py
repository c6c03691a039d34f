"""The README's commands: every ``python -m`` command of the project in its code blocks and in its text is
accepted by that command's parser (no missing required option such as ``--out``, no unknown flag), and
the quick start and the test command stay what ``.ci/run`` runs."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LAYERS = ("games", "search", "agents", "selfplay", "benchmarks")

DRIVER = r"""
import argparse, contextlib, io, json, runpy, sys, traceback

class Parsed(Exception):
    pass

parse_args = argparse.ArgumentParser.parse_args

def parse_and_stop(self, args=None, namespace=None):
    parse_args(self, args, namespace)
    raise Parsed()

argparse.ArgumentParser.parse_args = parse_and_stop
results = []
for words in json.loads(sys.argv[1]):
    err = io.StringIO()
    sys.argv = list(words)
    ok = False
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        try:
            runpy.run_module(words[0], run_name="__main__", alter_sys=True)
        except Parsed:
            ok = True
        except SystemExit:
            pass
        except BaseException:
            err.write(traceback.format_exc())
    results.append({"ok": ok, "stderr": err.getvalue()})
sys.__stdout__.write(json.dumps(results))
"""
"""Runs each command's module as ``python -m`` does, and stops it as soon as its parser accepted the
arguments (nothing is played or trained)."""


def code_lines(text: str) -> list[str]:
    """Shell lines of the ```bash blocks (continuations joined, comments dropped) and inline
    `python -m ... --option` commands."""
    lines: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL):
        joined = block.replace("\\\n", " ")
        lines += [line.split(" #")[0].strip() for line in joined.splitlines() if line.strip()
                  and not line.lstrip().startswith("#")]
    # inline commands with options; a bare `python -m agents.play` in a sentence names the command
    lines += [c for c in re.findall(r"`(python -m [^`]+)`", text) if any(w.startswith("-") for w in c.split()[3:])]
    return lines


def project_commands(text: str) -> list[list[str]]:
    """``[module, args...]`` of every ``python -m MODULE`` of this project in ``text``."""
    commands = []
    for line in code_lines(text):
        for part in re.split(r"&&|;|\|\|", line):
            words = shlex.split(part)
            while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):  # OMP_NUM_THREADS=1 python ...
                words.pop(0)
            if len(words) >= 3 and words[:2] == ["python", "-m"] and words[2].split(".")[0] in LAYERS:
                if any(w in ("...", "N", "GAME", "SPEC_A") or w.startswith("[") for w in words):
                    continue  # a synopsis (python -m agents.play GAME SPEC_A SPEC_B [--games N]), not a command
                commands.append(words[2:])
    return commands


def test_readme_commands_are_accepted_by_their_parsers() -> None:
    commands = project_commands(README.read_text())
    assert len(commands) >= 20 and ["benchmarks.elo", "runs/t"] in commands
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(commands)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    refused = [f"python -m {' '.join(c)}: {r['stderr'].strip()[-300:]}"
               for c, r in zip(commands, json.loads(proc.stdout)) if not r["ok"]]
    assert not refused, "\n".join(refused)


def test_the_test_command_is_what_ci_runs() -> None:
    text = README.read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.rstrip().splitlines()[-1] == "python -m pytest -q tests"
    assert "python -m pytest -q tests" in code_lines(text)[-1] or \
        any(line.endswith("python -m pytest -q tests") for line in code_lines(text))
    for in_ci, in_readme in (("python -m pip install -q torch==2.13.0", "python -m pip install torch==2.13.0"),
                             ('python -m pip install -q -e ".[test]"', 'python -m pip install -e ".[test]"'),
                             ("apt-get install -y -qq stockfish", "apt-get install -y stockfish")):
        assert in_ci in ci and in_readme in text, in_readme


def test_the_quick_start_plays_the_shipped_network_it_names() -> None:
    text = README.read_text()
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    networks = re.findall(r"mcts:net=(models/connect_four/checkpoints/\d+\.pt)", quick)
    assert networks and all((ROOT / n).is_file() for n in networks)
    assert "-m venv" in quick and "3.11" in quick
