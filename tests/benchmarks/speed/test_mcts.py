"""The MCTS speed benchmark CLI with a tiny budget (speeds are reported, never asserted)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEYS = {"sims_per_s", "openspiel_cpp_sims_per_s", "openspiel_python_sims_per_s", "ratio_vs_openspiel_cpp",
        "ratio_vs_openspiel_python"}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("module", [["benchmarks.speed", "mcts"], ["benchmarks.speed.mcts"]])
def test_connect_four_json(module: list[str]) -> None:
    out = run(*module, "--game", "connect_four", "--sims", "30", "--positions", "2", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert KEYS <= set(result) and result["game"] == "connect_four" and result["positions"] == 2
    for key in KEYS:
        assert result[key] > 0
    assert result["ratio_vs_openspiel_cpp"] == pytest.approx(result["sims_per_s"] / result["openspiel_cpp_sims_per_s"])


def test_chess_reports_nodes_and_python_chess_share() -> None:
    out = run("benchmarks.speed.mcts", "--game", "chess", "--sims", "2", "--positions", "1", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert KEYS <= set(result) and result["material_nodes_per_s"] > 0
    assert 0.0 < result["python_chess_time_share"] < 1.0
    assert sum(result["material_time_share"].values()) == pytest.approx(1.0)


def test_text_output_and_bad_input() -> None:
    out = run("benchmarks.speed.mcts", "--sims", "10", "--positions", "1")
    assert out.returncode == 0 and "open_spiel C++" in out.stdout and "ratio" in out.stdout
    bad = run("benchmarks.speed.mcts", "--game", "go")
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
    bad = run("benchmarks.speed.mcts", "--sims", "0")
    assert bad.returncode == 2 and "--sims" in bad.stderr
