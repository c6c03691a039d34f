"""Thin Ray actors around the plain classes: the replay buffer and the self-play workers.

A worker actor is rebuilt from the run's config and its newest checkpoint every time Ray (re)starts
it (``max_restarts=-1``), so a killed worker comes back with current weights and training goes on.
Weights arrive as an object-store reference (``ray.put`` once by the learner) wrapped in a list, so a
worker fetches them only when the version changes.
"""
from __future__ import annotations

import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import ray
import torch

from agents.nets.checkpoint import latest_checkpoint, load_checkpoint
from agents.nets.core import build_network
from agents.nets.evaluator import TorchEvaluator
from games.registry import make_game
from selfplay.core import PlayedGame, TrainConfig
from selfplay.replay_buffer import ReplayBuffer
from selfplay.worker import SelfPlayWorker


def worker_seed(config: TrainConfig, worker_id: int, restarted: bool = False) -> int:
    """Seed of worker ``worker_id``; a restarted worker draws a fresh one so it does not replay its games."""
    base = config.seed + 1000 * (worker_id + 1)
    return base + (time.time_ns() % 1_000_003) * 7919 if restarted else base


class SelfPlayWorkerHost:
    """What a worker actor holds: a :class:`SelfPlayWorker` with a network evaluator, fed by weights."""

    def __init__(self, config_dict: dict[str, Any], run_dir: str, worker_id: int, buffer_name: str) -> None:
        torch.set_num_threads(1)
        self.config = TrainConfig.from_dict(config_dict)
        self.buffer = ray.get_actor(buffer_name)
        game = make_game(self.config.game)
        model = build_network(self.config.network, game.spec)
        self.evaluator = TorchEvaluator(model)
        self.worker = SelfPlayWorker(game, self.config.selfplay, self.evaluator,
                                     seed=worker_seed(self.config, worker_id, _restarted()), worker_id=worker_id)
        newest = latest_checkpoint(run_dir)
        if newest is not None:  # rebuilt after a restart or a resumed run: start from the newest weights
            ckpt = load_checkpoint(newest)
            self.evaluator.load_weights(ckpt.weights)
            self.worker.set_model_version(ckpt.metadata.learner_steps)

    def play(self, weights: list[Any], version: int, min_games: int = 1) -> dict[str, Any]:
        """Load new weights if ``version`` changed, play until ``min_games`` games end, send them to the
        buffer (one call, waited for: at most one buffer call in flight per worker); returns counters."""
        if version != self.worker.model_version and weights:
            self.evaluator.load_weights(ray.get(weights[0]))
            self.worker.set_model_version(version)
        start = time.monotonic()
        evals0, pos0 = self.evaluator.evaluations, self.worker.positions_played
        games: list[PlayedGame] = self.worker.play_games(min_games)
        if games:
            ray.get(self.buffer.add_games.remote(games))
        return {
            "games": len(games),
            "positions": sum(g.num_positions for g in games),
            "moves": self.worker.positions_played - pos0,
            "evaluations": self.evaluator.evaluations - evals0,
            "seconds": time.monotonic() - start,
            "resigned": sum(g.resigned for g in games),
            "model_version": self.worker.model_version,
        }

    def pid(self) -> int:
        """Process id (tests kill workers by it)."""
        import os

        return os.getpid()


def _restarted() -> bool:
    """Whether this process is a Ray actor that was restarted after dying."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(ray.get_runtime_context().was_current_actor_reconstructed)
    except Exception:  # not inside an actor (unit tests build the host directly)
        return False


WorkerActor = ray.remote(SelfPlayWorkerHost)
"""The worker host as an actor class (options set in :func:`make_worker_actor`)."""

ReplayBufferActor = ray.remote(num_cpus=0, max_restarts=-1)(ReplayBuffer)
"""The replay buffer as an actor (rebuilt empty if it dies)."""


def make_buffer_actor(config: TrainConfig) -> tuple[Any, str]:
    """Start the replay-buffer actor under a fresh name (workers look it up by name, so their constructor
    arguments are plain values that survive restarts); returns (handle, name)."""
    name = f"replay-buffer-{uuid.uuid4().hex[:12]}"
    return ReplayBufferActor.options(name=name).remote(config.replay, config.seed), name


def make_worker_actor(config: TrainConfig, run_dir: str | Path, worker_id: int, buffer_name: str,
                      num_cpus: float = 1.0) -> Any:
    """Start worker actor ``worker_id`` (restarted by Ray forever, rebuilt from config + checkpoint)."""
    cls = WorkerActor.options(num_cpus=num_cpus, max_restarts=-1, max_task_retries=0)
    return cls.remote(config.to_dict(), str(run_dir), worker_id, buffer_name)
