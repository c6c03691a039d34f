"""Training on a local Ray (one Ray start for all): a killed worker is restarted and training goes on;
a run that dies resumes from its newest checkpoint with the same step count, and what it logged past that
checkpoint is dropped (issue 19: metrics.jsonl held steps 101-110 twice after kill -9 and --resume)."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from agents.nets.checkpoint import latest_checkpoint, list_checkpoints, load_checkpoint
from agents.nets.core import NetConfig
from selfplay.core import LearnerConfig, ReplayConfig, SelfPlayConfig, TrainConfig

ray = pytest.importorskip("ray")

TINY = TrainConfig(
    game="connect_four",
    network=NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=16),
    selfplay=SelfPlayConfig(games_per_worker=4, simulations=8),
    replay=ReplayConfig(capacity=2000, min_positions=32),
    learner=LearnerConfig(batch_size=32, publish_every=2, checkpoint_every=4, log_every=2, max_replay_ratio=0.5),
    workers=1,
)


class Crash(RuntimeError):
    pass


@pytest.mark.ray
def test_killed_worker_restarts_and_dead_run_resumes(tmp_path: Path) -> None:
    from selfplay.trainer import Budget, Trainer

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        run = tmp_path / "run"
        seen: dict[str, int] = {}

        def kill_worker_then_crash(t: Trainer) -> None:
            step = t.learner.step
            if step == 3:
                pid = ray.get(t.workers[0].pid.remote())
                os.kill(pid, signal.SIGKILL)  # the worker process dies; Ray restarts the actor
                seen["games_at_kill"] = t.games_by_worker[0]
                seen["kill_time"] = time.monotonic()
            if step > 3 and t.worker_failures and t.games_by_worker[0] > seen["games_at_kill"]:
                seen.setdefault("recovered_at", step)
            if "recovered_at" in seen and step % 4 == 3:
                seen["crash_step"] = step
                raise Crash("the run dies after logging a step past its newest checkpoint")
            if step > 3 and time.monotonic() - seen["kill_time"] > 120:
                raise AssertionError("the killed worker never came back")

        trainer = Trainer(TINY, run, on_step=kill_worker_then_crash, progress=False)
        with pytest.raises(Crash):
            trainer.run(Budget(steps=200))
        assert trainer.worker_failures >= 1 and "recovered_at" in seen
        last = seen["crash_step"] - 3
        logged = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
        assert logged[-1] == last + 2  # logged after the newest checkpoint, before the crash
        assert [p.name for p in list_checkpoints(run)] == [f"{s:06d}.pt" for s in range(4, last + 1, 4)]
        saved = load_checkpoint(latest_checkpoint(run)).metadata
        assert saved.learner_steps == last and saved.selfplay_games > 0 and saved.compute_flops > 0

        resumed = Trainer(TrainConfig.load(run / "config.json"), run, resume=True, progress=False)
        assert resumed.start_step == last
        summary = resumed.run(Budget(steps=last + 4))
        assert summary["start_step"] == last and summary["steps"] == last + 4
        final = load_checkpoint(latest_checkpoint(run)).metadata
        assert final.learner_steps == last + 4 and final.selfplay_games > saved.selfplay_games
        assert final.wall_seconds > saved.wall_seconds
        steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
        assert steps == list(range(2, last + 5, 2))  # the resumed run continues the step count, once each
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        board = EventAccumulator(str(run / "tensorboard"))
        board.Reload()
        assert [e.step for e in board.Scalars("loss")] == steps  # TensorBoard purged the crashed run's last step
        assert json.loads((run / "config.json").read_text())["network"]["channels"] == 8
    finally:
        ray.shutdown()
