"""Chess self-play training on a local Ray from an ``init`` checkpoint, with shared inference (ONNX Runtime
re-exported per publish): checkpoints name the parent, metrics log how games ended, and ``--resume``
continues the step count from the run's own checkpoint."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, latest_checkpoint, load_checkpoint, save_checkpoint
from agents.nets.core import NetConfig, build_network
from games.registry import make_game
from selfplay.core import InferenceConfig, LearnerConfig, ReplayConfig, SelfPlayConfig, TrainConfig

ray = pytest.importorskip("ray")
NET = NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8)


@pytest.mark.ray
def test_chess_run_from_init_with_shared_inference_then_resume(tmp_path: Path) -> None:
    from selfplay.trainer import Budget, Trainer

    torch.manual_seed(0)
    parent = save_checkpoint(tmp_path / "parent.pt", build_network(NET, make_game("chess").spec), "chess",
                             TrainingMetadata(learner_steps=99, training="test parent"))
    config = TrainConfig(
        game="chess", network=NET, init=str(parent), workers=1, seed=3,
        selfplay=SelfPlayConfig(games_per_worker=2, simulations=4, leaves_per_eval=2, max_plies=8,
                                draw_adjudication_ply=4, draw_value_threshold=0.9, draw_adjudication_plies=2,
                                resign_threshold=0.5, resign_target_false_positives=0.05,
                                resign_check_fraction=0.5),
        replay=ReplayConfig(capacity=500, min_positions=16),
        learner=LearnerConfig(batch_size=16, lr=1e-4, publish_every=1, checkpoint_every=2, log_every=1,
                              max_replay_ratio=0.0),
        inference=InferenceConfig(mode="shared", backend="onnx"))
    run = tmp_path / "run"
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = Trainer(config, run, progress=False).run(Budget(steps=2))
        assert summary["steps"] == 2 and summary["games"] > 0 and summary["worker_failures"] == 0
        first = load_checkpoint(latest_checkpoint(run))
        assert first.metadata.learner_steps == 2 and "parent.pt (chess, learner step 99" in first.metadata.parent
        assert first.network == NET
        lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        endings = {k for line in lines for k in line if k.startswith("ended_")}
        assert endings and endings <= {"ended_adjudicated_draw", "ended_max_plies", "ended_checkmate"}
        assert all("draw_false_positive_rate" in line and "mean_plies" in line for line in lines)
        assert all(line["resign_threshold"] == 0.5 for line in lines)  # too few check games to move it

        resumed = Trainer(TrainConfig.load(run / "config.json"), run, resume=True, progress=False)
        assert resumed.start_step == 2 and resumed.learner.parent == first.metadata.parent
        summary = resumed.run(Budget(steps=4))
        final = load_checkpoint(latest_checkpoint(run))
        assert summary["start_step"] == 2 and final.metadata.learner_steps == 4
        assert final.metadata.selfplay_games > first.metadata.selfplay_games
        assert [line["step"] for line in map(json.loads, (run / "metrics.jsonl").read_text().splitlines())] == [1, 2, 3, 4]
    finally:
        ray.shutdown()
