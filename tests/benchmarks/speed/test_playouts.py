"""The playouts speed benchmark: runs with a tiny budget, reports ratios, skips unknown games."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.speed.playouts import ours, python_chess_share
from games.registry import make_game

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "benchmarks.speed", *args], capture_output=True, text=True,
                          timeout=240, cwd=ROOT, env=env)


def test_cli_with_a_tiny_budget() -> None:
    proc = _run("playouts", "--games", "connect_four,chess,kuhn_poker,no_such_game", "--seconds", "0.05", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    results = data["results"]
    for name in ("connect_four", "chess", "kuhn_poker"):
        r = results[name]
        assert r["playouts"] >= 1 and r["playouts_per_s"] > 0 and r["plies_per_s"] >= r["playouts_per_s"]
        assert r["ratio_vs_openspiel"] == r["playouts_per_s"] / r["openspiel_playouts_per_s"]
    assert 0.0 < results["chess"]["python_chess_share"] <= 1.0
    assert "python_chess_share" not in results["connect_four"]
    assert "no_such_game" in data["skipped"] and "unknown game" in data["skipped"]["no_such_game"]


def test_table_output_and_bad_input() -> None:
    proc = _run("playouts", "--games", "openspiel:tic_tac_toe", "--seconds", "0.02")
    assert proc.returncode == 0 and "openspiel:tic_tac_toe" in proc.stdout and "ratio" in proc.stdout
    for args in (["nope"], ["playouts", "--seconds", "0"], ["playouts", "--games", ","]):
        bad = _run(*args)
        assert bad.returncode == 2 and bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr


def test_python_chess_dominates_chess_playouts() -> None:
    share = python_chess_share(ours(make_game("chess"), np.random.default_rng(0)), 0.05)
    assert 0.3 < share <= 1.0  # legal-move generation and pushes are python-chess's work
