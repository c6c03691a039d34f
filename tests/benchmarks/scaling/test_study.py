"""``python -m benchmarks.scaling`` end to end on a tiny run made here, resuming, and bad input (exit 2)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, save_checkpoint
from agents.nets.core import NetConfig, build_network
from benchmarks.scaling.study import main
from games.cli import run_cli
from games.registry import make_game

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("run")
    spec = make_game("connect_four").spec
    for i, step in enumerate((100, 200)):
        torch.manual_seed(i)
        net = build_network(NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8), spec)
        save_checkpoint(checkpoint_path(run, step), net, "connect_four",
                        TrainingMetadata(learner_steps=step, selfplay_games=10 * step, samples=300 * step,
                                         wall_seconds=6.0 * step, network_evaluations=1000 * step,
                                         flops_per_evaluation=10 ** 6))
    return run


def _cli(args: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "benchmarks.scaling", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def _panels(tmp_path: Path) -> list[str]:
    poker, sudoku = tmp_path / "poker_tradeoff", tmp_path / "sudoku_budget"
    poker.mkdir()
    sudoku.mkdir()
    cells = [{"blueprint_iters": b, "subgame_iters": s, "safe": True, "mbb_per_hand": 100.0 / (b + s)}
             for b in (10, 30) for s in (0, 10)]
    (poker / "results.json").write_text(json.dumps({"game": "leduc_poker", "blueprint_iters": [10, 30],
                                                    "subgame_iters": [0, 10], "cells": cells}))
    (sudoku / "results.json").write_text("{}")
    (sudoku / "solve_rate.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return ["--include", str(poker), "--include", str(sudoku)]


def test_end_to_end_json_report_and_resume(tiny_run, tmp_path, monkeypatch):
    out = tmp_path / "study"
    args = ["connect_four", "--run", str(tiny_run), "--sims", "1,4", "--games-per-pair", "4", "--workers", "1",
            "--anchors", "random=0;mcts:sims=4,eval=rollout", "--target-ci", "0", "--bootstrap", "10",
            "--measure-positions", "2", "--out", str(out), "--json"] + _panels(tmp_path)
    done = _cli(args)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert len(data["cells"]) == 4 and {c["sims"] for c in data["cells"]} == {1, 4}
    assert {c["step"] for c in data["cells"]} == {100, 200}
    for cell in data["cells"]:
        assert cell["games"] >= 4 and cell["ci95"][0] < cell["elo"] < cell["ci95"][1]
    assert data["anchors"]["random"]["elo"] == 0.0 and data["anchors"]["random"]["fixed"]
    assert "k" in data["exchange_rate"]
    lines = (out / "games.jsonl").read_text().splitlines()
    # grid 4 pairs + 1 ladder pair (x2 games) + 4 anchor links: 4 games each (pilot games are reused)
    assert len(lines) >= 4 * 4 + 8 + 4 * 4 - 4
    for name in ("report.md", "report.html", "results.json", "elo_vs_sims.png", "elo_vs_training.png",
                 "compute_per_move.png", "plan.json", "compute.json"):
        assert (out / name).is_file(), name
    results = json.loads((out / "results.json").read_text())
    assert all(c["evaluations_per_move"] is not None and c["seconds_per_move"] > 0 for c in results["cells"])
    report = (out / "report.md").read_text()
    assert "Closing note" in report and "Included: poker_tradeoff" in report and "Included: sudoku_budget" in report
    assert (out / "include_poker_tradeoff_tradeoff.png").is_file()
    assert (out / "include_sudoku_budget_solve_rate.png").is_file()
    provenance = results["provenance"]
    assert provenance["command"].startswith("python -m benchmarks.scaling connect_four --run ")
    # the ledger: one line per invocation, the cost from the games' own seconds
    first = [json.loads(x) for x in (out / "invocations.jsonl").read_text().splitlines()]
    assert len(first) == 1 and first[0]["games_before"] == 0 and first[0]["games_after"] == len(lines)
    assert first[0]["ended"] == "finished" and first[0]["workers"] == 1
    cost = results["cost"]
    assert cost["invocations"] == 1 and cost["complete"]
    assert cost["core_hours"] == pytest.approx(first[0]["wall_seconds"] / 3600, rel=1e-6)
    assert cost["projected_wall_hours"]["16"] == pytest.approx(cost["core_hours"] / 16)
    # "so far" only while a cell is over the target or the time limit stopped the schedule
    unfinished = results["cells_over_target"] != 0 or results["stopped_early"]
    assert ("Cost so far:" if unfinished else "Cost:") in report and "UCI_Elo" not in report  # no Stockfish anchor
    assert "## How to make this again" in report
    # a re-run resumes: no game is played again, the same ratings come out; without --include no other
    # benchmark's panel is added, even where a poker trade-off report lies in runs/benchmarks (it once was)
    stray = tmp_path / "cwd" / "runs" / "benchmarks" / "poker_tradeoff"
    stray.mkdir(parents=True)
    (stray / "results.json").write_text((tmp_path / "poker_tradeoff" / "results.json").read_text())
    monkeypatch.chdir(tmp_path / "cwd")
    again = args[:args.index("--json")]
    assert run_cli(main, again) == 0
    assert len((out / "games.jsonl").read_text().splitlines()) == len(lines)
    ledger = [json.loads(x) for x in (out / "invocations.jsonl").read_text().splitlines()]
    assert len(ledger) == 2 and ledger[1]["games_before"] == ledger[1]["games_after"] == len(lines)
    assert "Included" not in (out / "report.md").read_text()
    assert json.loads((out / "results.json").read_text())["included"] == []
    assert results["to_target"] is None and "Left to do" not in report  # no target, nothing left
    # what is left to reach a target: the top-up design from the current fit, reported, no game played,
    # and no held-out pairing chosen from a fit whose cells are over the target (as if none were stored)
    plan = json.loads((out / "plan.json").read_text())
    assert plan.pop("holdouts")
    (out / "plan.json").write_text(json.dumps(plan))
    assert run_cli(main, again + ["--target-ci", "1", "--max-minutes", "0"]) == 0
    assert len((out / "games.jsonl").read_text().splitlines()) == len(lines)
    assert "holdouts" not in json.loads((out / "plan.json").read_text())
    left = json.loads((out / "results.json").read_text())["to_target"]
    assert left["cells_over"] == 4 and left["games"] > 0 and left["core_hours"] > 0
    assert sum(p["games"] for p in left["pairs"]) == left["games"]
    assert f"takes about {left['games']:,} more games" in (out / "report.md").read_text()


@pytest.mark.parametrize("extra,message", [
    (["--run", "/nonexistent/run", "--sims", "1,4"], "does not exist"),
    (["--sims", "1,x"], "--sims"),
    (["--sims", "4,4"], "--sims"),
    (["--checkpoints", "100,12345"], "no checkpoint at step"),
    (["--checkpoints", "last"], "--checkpoints"),
    (["--anchors", "mcts:sims=4"], "fixed rating"),
    (["--include", "/nonexistent/folder"], "no results.json"),
])
def test_bad_input_exits_2(tiny_run, tmp_path, capsys, extra, message):
    argv = ["connect_four", "--run", str(tiny_run), "--sims", "1", "--out", str(tmp_path / "o")]
    argv += extra
    assert run_cli(main, argv) == 2
    assert message in capsys.readouterr().err


def test_empty_run_folder_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    done = _cli(["connect_four", "--run", str(tmp_path / "empty"), "--sims", "1,4", "--out", str(tmp_path / "o")])
    assert done.returncode == 2 and "no checkpoints" in done.stderr and "Traceback" not in done.stderr
