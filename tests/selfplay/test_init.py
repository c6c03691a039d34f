"""``--init``: a new run starts from a checkpoint's weights and network (equal outputs, step 0, parent
recorded); another game's checkpoint is refused with one line and exit status 2; a resumed run ignores it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import CheckpointError, TrainingMetadata, load_checkpoint, load_network, save_checkpoint
from agents.nets.core import NetConfig, build_network
from agents.nets.evaluator import TorchEvaluator
from games.registry import make_game
from selfplay.actors import starting_weights
from selfplay.core import LearnerConfig, TrainConfig
from selfplay.learner import Learner
from selfplay.train import build_config, parse_args
from tests.selfplay.chess_positions import chess_positions

ROOT = Path(__file__).resolve().parents[2]
PARENT_NET = NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8)


def _checkpoint(path: Path, game_name: str, seed: int = 7) -> Path:
    torch.manual_seed(seed)
    model = build_network(PARENT_NET, make_game(game_name).spec)
    meta = TrainingMetadata(learner_steps=321, samples=1000, network_evaluations=5, flops_per_evaluation=10,
                            training="distilled for a test")
    return save_checkpoint(path, model, game_name, meta)


def _positions(n: int) -> tuple[np.ndarray, np.ndarray]:
    return chess_positions(n, seed=0)


def test_init_loads_the_weights_and_records_the_parent(tmp_path: Path) -> None:
    parent = _checkpoint(tmp_path / "parent.pt", "chess")
    args = parse_args(["chess", "--init", str(parent), "--steps", "1", "--network-blocks", "3"])
    config = build_config(args, tmp_path / "run")
    assert config.network == PARENT_NET and config.init == str(parent)  # the checkpoint's network wins
    learner = Learner("chess", make_game("chess").spec, config.network, LearnerConfig(lr=1e-4, warmup_steps=10))
    learner.initialize(load_checkpoint(parent))
    assert learner.step == 0 and "parent.pt (chess, learner step 321" in learner.parent
    assert "distilled for a test" in learner.parent
    reference, _ = load_network(parent, make_game("chess"))
    obs, masks = _positions(6)
    learner.model.eval()
    ours = TorchEvaluator(learner.model)(obs, masks)
    theirs = TorchEvaluator(reference)(obs, masks)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], theirs[1])
    assert learner.set_progress(0.0) == pytest.approx(1e-5)  # warm-up: step 0 of 10
    saved = load_checkpoint(learner.save(tmp_path / "run"))
    assert saved.metadata.learner_steps == 0 and saved.metadata.parent == learner.parent
    restored = Learner("chess", make_game("chess").spec, config.network, LearnerConfig())
    restored.restore(saved)
    assert restored.parent == learner.parent  # a resumed run keeps naming its parent


def test_rebuilt_actors_start_from_the_newest_checkpoint_else_init(tmp_path: Path) -> None:
    parent = _checkpoint(tmp_path / "parent.pt", "chess")
    config = TrainConfig(game="chess", network=PARENT_NET, init=str(parent))
    weights, step = starting_weights(config, tmp_path / "run")
    assert step == 0 and all(torch.equal(weights[k], v) for k, v in load_checkpoint(parent).weights.items())
    newer = _checkpoint(tmp_path / "run" / "checkpoints" / "000012.pt", "chess", seed=8)
    weights, step = starting_weights(config, tmp_path / "run")
    assert step == 321 and torch.equal(next(iter(weights.values())), next(iter(load_checkpoint(newer).weights.values())))
    assert starting_weights(TrainConfig(game="chess"), tmp_path / "none") is None


def test_another_games_checkpoint_is_refused(tmp_path: Path) -> None:
    c4 = _checkpoint(tmp_path / "c4.pt", "connect_four")
    with pytest.raises(CheckpointError, match="is a connect_four network, not chess"):
        build_config(parse_args(["chess", "--init", str(c4), "--steps", "1"]), tmp_path / "run")
    learner = Learner("chess", make_game("chess").spec, PARENT_NET, LearnerConfig())
    with pytest.raises(CheckpointError, match="connect_four network"):
        learner.initialize(load_checkpoint(c4))
    config = tmp_path / "chess.json"
    config.write_text(json.dumps({"init": str(c4)}))
    for extra in (["--init", str(c4)], ["--config", str(config)], ["--init", str(tmp_path / "missing.pt")]):
        proc = subprocess.run([sys.executable, "-m", "selfplay.train", "chess", "--steps", "1",
                               "--out", str(tmp_path / "run"), *extra], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 2 and proc.stderr.startswith("error: "), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1 and ("connect_four" in proc.stderr or "missing" in proc.stderr)


def test_a_resumed_run_keeps_its_own_network(tmp_path: Path) -> None:
    run = tmp_path / "run"
    _checkpoint(run / "checkpoints" / "000004.pt", "chess")
    TrainConfig(game="chess", network=PARENT_NET, init=str(tmp_path / "moved-away.pt")).save(run / "config.json")
    config = build_config(parse_args(["chess", "--resume", "--out", str(run), "--steps", "8"]), run)
    assert config.network == PARENT_NET  # the init file is gone, but a resumed run does not need it


def test_shipped_chess_config_starts_from_the_distilled_network(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the config names the checkpoint relative to the repository
    config = build_config(parse_args(["chess", "--config", str(ROOT / "configs" / "chess.json"), "--minutes", "1"]),
                          ROOT / "runs" / "unused")
    assert config.init == "models/chess/checkpoints/011485.pt"
    assert config.network == load_checkpoint(ROOT / config.init).network
    sp = config.selfplay
    assert sp.simulations == 200 and sp.fast_simulations == 32 and sp.resign_threshold > 0 and sp.draw_adjudication_ply > 0
