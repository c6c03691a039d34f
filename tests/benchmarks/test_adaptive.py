"""The adaptive-thinking panel: ladder, fixed-line interpolation, measured simulations, CLI with a tiny budget."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from agents.arena.records import GameRecord
from benchmarks.adaptive import fixed_equivalent, ladder_pairings, ladder_specs, measure_simulations
from games.core import InputError
from games.registry import make_game

ROOT = Path(__file__).resolve().parents[2]


def test_ladder_specs_and_pairings() -> None:
    fixed, adaptive = ladder_specs([10, 20, 40], "rollout")
    assert fixed == ["mcts:sims=10,eval=rollout", "mcts:sims=20,eval=rollout", "mcts:sims=40,eval=rollout"]
    assert adaptive == [f + ",adaptive=1" for f in fixed]
    assert ladder_specs([5, 9], "net:runs/x/000010.pt")[0] == ["mcts:sims=5,net=runs/x/000010.pt",
                                                                "mcts:sims=9,net=runs/x/000010.pt"]
    with pytest.raises(InputError):
        ladder_specs([5, 9], "stockfish")
    pairs = {(p.a, p.b) for p in ladder_pairings(fixed, adaptive, 4)}
    assert pairs == {(fixed[0], fixed[1]), (fixed[1], fixed[2]),
                     (adaptive[0], fixed[0]), (adaptive[0], fixed[1]),
                     (adaptive[1], fixed[0]), (adaptive[1], fixed[1]), (adaptive[1], fixed[2]),
                     (adaptive[2], fixed[1]), (adaptive[2], fixed[2])}


def test_fixed_equivalent_interpolates_in_log_simulations() -> None:
    line = [(100.0, 100.0), (10.0, 0.0), (1000.0, 150.0)]
    assert fixed_equivalent(line, 50.0) == pytest.approx(math.sqrt(10 * 100))
    assert fixed_equivalent(line, 0.0) == pytest.approx(10.0)
    assert fixed_equivalent(line, 125.0) == pytest.approx(math.sqrt(100 * 1000))
    assert fixed_equivalent(line, 151.0) is None and fixed_equivalent(line, -1.0) is None


def test_measure_simulations_replays_the_agents_positions() -> None:
    game = make_game("connect_four")
    # player 0 stacks column 3 and wins with its fourth stone: 4 searches, the last one proven at once
    actions = (3, 4, 3, 4, 3, 4, 3)
    spec, other = "mcts:sims=40,eval=rollout", "random"
    record = GameRecord(game="connect_four", specs=(spec, other), seed=0, moves=tuple(map(str, actions)),
                        actions=actions, players=(0, 1, 0, 1, 0, 1, 0), returns=(1.0, -1.0), plies=7,
                        seconds=0.0, termination="terminal")
    mean, moves, seconds = measure_simulations(game, spec, [record], max_games=1)
    assert moves == 4 and 0 < mean <= 40 and seconds > 0
    adaptive, moves, _ = measure_simulations(game, spec + ",adaptive=1",
                                          [replace(record, specs=(spec + ",adaptive=1", other))], max_games=1)
    assert moves == 4 and 0 < adaptive <= 80


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "benchmarks.adaptive", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_cli_tiny_budget_json(tmp_path: Path) -> None:
    out = run("connect_four", "--sims", "4,8", "--games-per-pair", "2", "--measure-games", "1", "--workers", "1",
              "--out", str(tmp_path), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["game"] == "connect_four" and result["games"] == 2 * (1 + 2 + 2)
    assert [r["nominal_sims"] for r in result["fixed"]] == [4, 8] == [r["nominal_sims"] for r in result["adaptive"]]
    assert result["fixed"][0]["elo"] == 0.0  # the anchor
    for r in result["fixed"]:
        assert 0 < r["mean_sims"] <= r["nominal_sims"] and r["moves_measured"] > 0
    for r in result["adaptive"]:
        assert 0 < r["mean_sims"] <= 2 * r["nominal_sims"] and "ratio_vs_fixed" in r
    assert "ratio_vs_fixed" in result
    assert {"report.md", "report.html", "elo_vs_sims.png", "results.json", "games.jsonl"} <= \
        {p.name for p in tmp_path.iterdir()}
    again = run("connect_four", "--sims", "4,8", "--games-per-pair", "2", "--measure-games", "1", "--workers", "1",
                "--out", str(tmp_path), "--json")  # resumed: every game reused, same ratings
    assert again.returncode == 0
    untimed = [{k: v for k, v in r.items() if k != "ms_per_move"} for r in result["fixed"]]
    assert [{k: v for k, v in r.items() if k != "ms_per_move"} for r in json.loads(again.stdout)["fixed"]] == untimed


@pytest.mark.parametrize("args", [["connect_four", "--sims", "5"], ["connect_four", "--eval", "bogus"],
                                  ["connect_four", "--sims", "a,b"], ["go"]])
def test_cli_bad_input(args: list[str], tmp_path: Path) -> None:
    out = run(*args, "--games-per-pair", "1", "--out", str(tmp_path))
    assert out.returncode == 2 and out.stderr.startswith("error:") and "Traceback" not in out.stderr
