"""``python -m benchmarks.training_curve`` on a tiny run made here: selection, scores, files, resume, bad input."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, save_checkpoint
from agents.nets.core import NetConfig, build_network
from benchmarks.training_curve import Match, Point, main, select_points
from games.cli import run_cli
from games.registry import make_game

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    run = tmp_path_factory.mktemp("run")
    spec = make_game("connect_four").spec
    for i, step in enumerate((10, 20, 30)):
        torch.manual_seed(i)
        net = build_network(NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8), spec)
        save_checkpoint(checkpoint_path(run, step), net, "connect_four",
                        TrainingMetadata(learner_steps=step, wall_seconds=60.0 * step))
    return run


def _points(*minutes: float) -> list[Point]:
    return [Point(Path(f"{i}.pt"), i, m, "connect_four") for i, m in enumerate(minutes)]


def test_select_points_by_count_and_by_minutes():
    points = _points(1.0, 2.0, 3.0, 9.5, 10.0)
    assert [p.minutes for p in select_points(points, 2)] == [3.0, 10.0]
    assert [p.minutes for p in select_points(points, 1)] == [10.0]
    assert [p.minutes for p in select_points(points, minutes=[2.5, 9.9, 100])] == [2.0, 9.5, 10.0]


def test_match_parse_and_specs():
    match = Match.parse("mcts:net={net},sims=8 vs mcts:sims=8,eval=rollout")
    assert match.specs(Path("runs/x/000010.pt")) == ("mcts:net=runs/x/000010.pt,sims=8", "mcts:sims=8,eval=rollout")


def test_end_to_end_files_scores_and_resume(tiny_run, tmp_path, capsys):
    out = tmp_path / "curve"
    argv = [str(tiny_run), "--match", "net:{net} vs random", "--games", "4", "--points", "2", "--workers", "1",
            "--out", str(out), "--quiet", "--json"]
    assert run_cli(main, argv) == 0
    summary = json.loads(capsys.readouterr().out)
    rows = summary["rows"]
    assert [r["step"] for r in rows] == [10, 30] or [r["step"] for r in rows] == [20, 30]
    assert rows[-1]["minutes"] == pytest.approx(30.0)
    records = [json.loads(line) for line in (out / "games.jsonl").read_text().splitlines()]
    assert len(records) == 8
    for row in rows:
        mine = [r for r in records if any(row["checkpoint"] in s for s in r["specs"])]
        seats = [next(i for i, s in enumerate(r["specs"]) if s.startswith("net:")) for r in mine]
        expected = [1.0 if r["returns"][s] > r["returns"][1 - s] else 0.0 if r["returns"][s] < r["returns"][1 - s]
                    else 0.5 for r, s in zip(mine, seats)]
        assert row["games"] == 4 and row["score"] == pytest.approx(sum(expected) / 4)
        assert row["wins"] + row["draws"] + row["losses"] == 4
        assert 0.0 <= row["score_ci95"][0] <= row["score"] <= row["score_ci95"][1] <= 1.0
    assert (out / "curve.png").read_bytes()[:4] == b"\x89PNG"
    table = (out / "curve.md").read_text()
    assert "| minutes | step |" in table and "## How to make this again" in table
    written = json.loads((out / "curve.json").read_text())
    assert written["provenance"]["command"] == shlex.join(["python", "-m", "benchmarks.training_curve", *argv])
    assert run_cli(main, argv) == 0  # resume: nothing new to play
    capsys.readouterr()
    assert len((out / "games.jsonl").read_text().splitlines()) == 8


@pytest.mark.parametrize("extra, message", [
    (["--match", "net:{net} random"], "separated by 'vs'"),
    (["--match", "random vs random"], "does not use {net}"),
    (["--minutes", "0.5"], "no checkpoint was written within 0.5"),
    (["--minutes", "x"], "comma-separated numbers"),
    (["--games", "0"], "--games must be >= 1"),
    (["--match", "net:{net} vs nosuchagent"], "nosuchagent"),
])
def test_bad_input_exits_2(tiny_run, tmp_path, capsys, extra, message):
    argv = [str(tiny_run), "--games", "2", "--workers", "1", "--quiet", "--out", str(tmp_path / "o"), *extra]
    assert run_cli(main, argv) == 2
    assert message in capsys.readouterr().err


def test_missing_or_empty_run_exits_2(tmp_path, capsys):
    assert run_cli(main, [str(tmp_path / "nope")]) == 2
    assert "does not exist" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run_cli(main, [str(tmp_path / "empty")]) == 2
    assert "no checkpoints" in capsys.readouterr().err
