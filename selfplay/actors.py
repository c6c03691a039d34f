"""Thin Ray actors around the plain classes: the replay buffer, the self-play workers and the shared
inference actor.

A worker actor is rebuilt from the run's config and its newest checkpoint (else the ``init``
checkpoint of the config) every time Ray (re)starts it (``max_restarts=-1``), so a killed worker comes
back with current weights and training goes on. Weights arrive as an object-store reference
(``ray.put`` once by the learner) wrapped in a list, so a worker fetches them only when the version
changes. With shared inference (:mod:`selfplay.inference`) workers hold no network: they call the
inference actor, which the trainer sends the weights to, and which is rebuilt the same way.
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
from games.registry import make_game
from selfplay.backend import make_evaluator
from selfplay.core import PlayedGame, TrainConfig
from selfplay.inference import BatchingEvaluator, RemoteEvaluator, unpack_mask
from selfplay.replay_buffer import ReplayBuffer
from selfplay.worker import SelfPlayWorker


def worker_seed(config: TrainConfig, worker_id: int, restarted: bool = False) -> int:
    """Seed of worker ``worker_id``; a restarted worker draws a fresh one so it does not replay its games."""
    base = config.seed + 1000 * (worker_id + 1)
    return base + (time.time_ns() % 1_000_003) * 7919 if restarted else base


def starting_weights(config: TrainConfig, run_dir: str | Path) -> tuple[dict[str, torch.Tensor], int] | None:
    """(weights, learner step) a rebuilt actor starts from: the run's newest checkpoint, else the config's
    ``init`` checkpoint (step 0), else None (random weights)."""
    newest = latest_checkpoint(run_dir)
    if newest is not None:
        ckpt = load_checkpoint(newest)
        return ckpt.weights, ckpt.metadata.learner_steps
    if config.init:
        return load_checkpoint(config.init).weights, 0
    return None


class SelfPlayWorkerHost:
    """What a worker actor holds: a :class:`SelfPlayWorker` with its own network evaluator fed by weights
    (one thread; ONNX Runtime or torch, :mod:`selfplay.backend`), or (shared inference) a
    :class:`~selfplay.inference.RemoteEvaluator` calling the inference actor."""

    def __init__(self, config_dict: dict[str, Any], run_dir: str, worker_id: int, buffer_name: str,
                 inference_name: str = "") -> None:
        torch.set_num_threads(1)
        self.config = TrainConfig.from_dict(config_dict)
        self.buffer = ray.get_actor(buffer_name)
        game = make_game(self.config.game)
        self.shared = bool(inference_name)
        backend = self.config.inference.backend
        self.evaluator: Any = (RemoteEvaluator(ray.get_actor(inference_name), game.spec.num_actions) if self.shared
                               else make_evaluator(build_network(self.config.network, game.spec), game, backend=backend))
        self.worker = SelfPlayWorker(game, self.config.selfplay, self.evaluator,
                                     seed=worker_seed(self.config, worker_id, _restarted()), worker_id=worker_id)
        self.loaded_version: int | None = None
        """Learner step of the weights in use (None: the random weights of a fresh network)."""
        start = None if self.shared else starting_weights(self.config, run_dir)
        if start is not None:  # restarted, resumed or --init: start from those weights
            self.evaluator.load_weights(start[0])
            self._use_version(start[1])

    def _use_version(self, version: int) -> None:
        self.loaded_version = version
        self.worker.set_model_version(version)

    def play(self, weights: list[Any], version: int, min_games: int = 1, max_steps: int = 100_000,
             resign_threshold: float | None = None) -> dict[str, Any]:
        """Load new weights if ``version`` changed (shared inference: only note the version; the trainer
        sends the weights to the inference actor), use ``resign_threshold`` if given (the learner's
        calibrated one), play until ``min_games`` games end or ``max_steps``
        moves of every game, send the finished games to the buffer (one call, waited for: at most one
        buffer call in flight per worker); returns counters."""
        if weights and version != self.loaded_version:
            if not self.shared:
                self.evaluator.load_weights(ray.get(weights[0]))
            self._use_version(version)
        if resign_threshold is not None:
            self.worker.resign_threshold = resign_threshold
        start = time.monotonic()
        evals0, pos0 = self.evaluator.evaluations, self.worker.positions_played
        games: list[PlayedGame] = self.worker.play_games(min_games, max_steps)
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


class InferenceHost:
    """What the shared inference actor holds: one network (built from the run's config, weights as
    :func:`starting_weights`, then from the trainer) behind a :class:`~selfplay.inference.BatchingEvaluator`.

    Args:
        config_dict: the run's :class:`TrainConfig` as a dict (``inference`` picks device, precision, threads).
        run_dir: the run folder (newest checkpoint).
        max_requests: requests that start a forward pass at once (the number of workers).
    """

    def __init__(self, config_dict: dict[str, Any], run_dir: str, max_requests: int) -> None:
        config = TrainConfig.from_dict(config_dict)
        inf = config.inference
        torch.set_num_threads(inf.threads)
        game = make_game(config.game)
        self.num_actions = game.spec.num_actions
        self.evaluator = make_evaluator(build_network(config.network, game.spec), game, backend=inf.backend,
                                        device=inf.device, precision=inf.precision, threads=inf.threads)
        self.version = -1
        """Learner step of the weights in use (-1: random weights)."""
        start = starting_weights(config, run_dir)
        if start is not None:
            self.evaluator.load_weights(start[0])
            self.version = start[1]
        self.batcher = BatchingEvaluator(self.evaluator, max_requests=max_requests, max_wait_s=inf.max_wait_ms / 1000)

    async def evaluate(self, observations: Any, packed_mask: Any) -> tuple[Any, Any]:
        """One worker's leaf batch (wire format of :mod:`selfplay.inference`) -> (legal logits, values)."""
        mask = unpack_mask(packed_mask, self.num_actions)
        logits, values = await self.batcher.evaluate(observations, mask)
        return logits[mask], values

    async def load_weights(self, weights: dict[str, torch.Tensor], version: int) -> int:
        """Use ``weights`` (learner step ``version``) unless newer ones are in use; returns the version."""
        if version > self.version:
            self.evaluator.load_weights(weights)
            self.version = version
        return self.version

    async def stats(self) -> dict[str, float]:
        """The batcher's counters and the weights' version."""
        return {**self.batcher.stats(), "version": self.version}


WorkerActor = ray.remote(SelfPlayWorkerHost)
"""The worker host as an actor class (options set in :func:`make_worker_actor`)."""

ReplayBufferActor = ray.remote(num_cpus=0, max_restarts=-1)(ReplayBuffer)
"""The replay buffer as an actor (rebuilt empty if it dies)."""


def make_buffer_actor(config: TrainConfig) -> tuple[Any, str]:
    """Start the replay-buffer actor under a fresh name (workers look it up by name, so their constructor
    arguments are plain values that survive restarts); returns (handle, name)."""
    name = f"replay-buffer-{uuid.uuid4().hex[:12]}"
    return ReplayBufferActor.options(name=name).remote(config.replay, config.seed,
                                                       config.selfplay.resign_target_false_positives), name


def make_worker_actor(config: TrainConfig, run_dir: str | Path, worker_id: int, buffer_name: str,
                      num_cpus: float = 1.0, inference_name: str = "") -> Any:
    """Start worker actor ``worker_id`` (restarted by Ray forever, rebuilt from config + checkpoint); with
    ``inference_name`` it evaluates through that shared inference actor."""
    cls = WorkerActor.options(num_cpus=num_cpus, max_restarts=-1, max_task_retries=0)
    return cls.remote(config.to_dict(), str(run_dir), worker_id, buffer_name, inference_name)


InferenceActor = ray.remote(InferenceHost)
"""The shared inference host as an (asyncio) actor class (options set in :func:`make_inference_actor`)."""


def make_inference_actor(config: TrainConfig, run_dir: str | Path) -> tuple[Any, str]:
    """Start the shared inference actor under a fresh name (restarted by Ray forever, calls retried across
    a restart); returns (handle, name)."""
    inf = config.inference
    name = f"inference-{uuid.uuid4().hex[:12]}"
    cls = InferenceActor.options(name=name, num_cpus=inf.cpus, num_gpus=inf.gpus, max_restarts=-1,
                                 max_task_retries=-1)
    return cls.remote(config.to_dict(), str(run_dir), config.workers), name
