"""selfplay.ship: a published run keeps the run layout, drops optimizer state, and loads everywhere."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, list_checkpoints, load_checkpoint, save_checkpoint
from agents.nets.core import NetConfig, build_network
from games.registry import make_game
from selfplay.ship import ShipError, select_checkpoints, ship

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, steps: tuple[int, ...]) -> Path:
    game = make_game("connect_four")
    model = build_network(NetConfig(blocks=1, channels=8), game.spec)
    opt = torch.optim.AdamW(model.parameters())
    model(torch.zeros(2, *game.spec.observation_shape))[0].sum().backward()
    opt.step()
    run = tmp_path / "run"
    for step in steps:
        save_checkpoint(checkpoint_path(run, step), model, "connect_four",
                        TrainingMetadata(learner_steps=step, wall_seconds=6.0 * step), opt.state_dict())
    (run / "config.json").write_text('{"game": "connect_four", "network": {"blocks": 1}}\n')
    return run


def test_select_counts_steps_and_all(tmp_path: Path) -> None:
    paths = list_checkpoints(_run(tmp_path, (10, 20, 30, 40, 50)))
    assert [p.stem for p in select_checkpoints(paths, "3")] == ["000010", "000030", "000050"]
    assert [p.stem for p in select_checkpoints(paths, "1")] == ["000050"]
    assert select_checkpoints(paths, "all") == paths
    assert [p.stem for p in select_checkpoints(paths, "40,10")] == ["000010", "000040"]
    with pytest.raises(ShipError, match="no checkpoint at step"):
        select_checkpoints(paths, "15,20")
    with pytest.raises(ShipError, match="no checkpoints"):
        select_checkpoints([], "all")


def test_ship_drops_optimizer_and_keeps_weights(tmp_path: Path) -> None:
    run = _run(tmp_path, (10, 20, 30))
    out = tmp_path / "models" / "c4"
    written = ship(run, out, "10,30", note="trained by a test")
    assert [p.name for p in written] == ["000010.pt", "000030.pt"]
    original, shipped = load_checkpoint(checkpoint_path(run, 30)), load_checkpoint(written[-1])
    assert original.optimizer is not None and shipped.optimizer is None
    assert shipped.metadata == original.metadata
    assert all(torch.equal(original.weights[k], shipped.weights[k]) for k in original.weights)
    assert written[-1].stat().st_size < checkpoint_path(run, 30).stat().st_size
    assert (out / "config.json").is_file() and "trained by a test" in (out / "MODEL.md").read_text()
    assert list_checkpoints(out) == written
    with pytest.raises(ShipError, match="not empty"):
        ship(run, out, "all")


def test_cli_and_bad_input(tmp_path: Path) -> None:
    run = _run(tmp_path, (10, 20))
    ok = subprocess.run([sys.executable, "-m", "selfplay.ship", str(run), "--out", str(tmp_path / "m"),
                         "--checkpoints", "1"], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("000020.pt")
    bad = subprocess.run([sys.executable, "-m", "selfplay.ship", str(tmp_path / "nope"), "--out", str(tmp_path / "x")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error:") and "Traceback" not in bad.stderr
