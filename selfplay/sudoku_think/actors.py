"""Where the learner's positions come from: Ray worker actors making them in parallel with training
(:class:`RayFeed`), or the learner's own process (:class:`LocalFeed`, ``workers = 0``, and tests).

A worker actor is a thin wrapper around :class:`~selfplay.sudoku_think.data.PositionMaker`
(``max_restarts=-1``: a killed worker is rebuilt and goes on, with a fresh seed so that it does not repeat
its puzzles). The held-out canonical forms go to each worker once, as a constructor argument (kept by Ray
for restarts; a few hundred forms are a few kB). Each worker has at most ``max_in_flight`` calls in flight,
and :meth:`RayFeed.poll` collects the finished ones with ``ray.wait`` without waiting (or waits for one when
the learner has nothing to train on). Under ``ray job submit`` the same code runs the workers on the
cluster's nodes.
"""
from __future__ import annotations

import logging
import os
import time
from typing import Any

from selfplay.sudoku_think.config import ThinkTrainConfig
from selfplay.sudoku_think.data import PositionMaker, Positions

log = logging.getLogger(__name__)


def maker_seed(cfg: ThinkTrainConfig, worker: int, start_step: int, restart: int = 0) -> list[int]:
    """Seed of worker ``worker`` of an invocation starting at ``start_step``: a resumed run or a restarted
    worker draws other puzzles than before."""
    return [cfg.seed, worker + 1, start_step, restart]


class LocalFeed:
    """Positions made in this process, one call's worth per :meth:`poll`."""

    def __init__(self, cfg: ThinkTrainConfig, heldout: set[str], start_step: int = 0) -> None:
        self.cfg = cfg
        self.maker = PositionMaker(heldout, puzzle_share=cfg.puzzle_share, partial_share=cfg.partial_share,
                                   min_guesses=cfg.min_guesses, seed=maker_seed(cfg, 0, start_step))
        self.failures = 0

    def poll(self, wait: bool = False) -> list[Positions]:
        """One new batch of ``puzzles_per_call`` positions (made now, whatever ``wait``)."""
        return [self.maker.make(self.cfg.puzzles_per_call)]

    def close(self) -> None:
        """Nothing to release."""


class MakerHost:
    """What a worker actor holds: a :class:`PositionMaker` seeded by its worker number, the invocation's
    start step and a restart counter (Ray's ``ray.get_runtime_context().was_current_actor_reconstructed``)."""

    def __init__(self, cfg_dict: dict[str, Any], heldout: set[str], worker: int, start_step: int) -> None:
        import ray

        cfg = ThinkTrainConfig.from_dict(cfg_dict)
        restarted = ray.get_runtime_context().was_current_actor_reconstructed
        restart = time.time_ns() % 1_000_003 if restarted else 0
        self.maker = PositionMaker(heldout, puzzle_share=cfg.puzzle_share, partial_share=cfg.partial_share,
                                   min_guesses=cfg.min_guesses, seed=maker_seed(cfg, worker, start_step, restart))

    def make(self, count: int) -> Positions:
        return self.maker.make(count)

    def pid(self) -> int:
        return os.getpid()


class RayFeed:
    """``workers`` actors making positions, at most ``max_in_flight`` calls each (see the module docstring)."""

    def __init__(self, cfg: ThinkTrainConfig, heldout: set[str], start_step: int = 0) -> None:
        import ray

        self.ray = ray
        self.cfg = cfg
        actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=-1)(MakerHost)
        self.workers = [actor.remote(cfg.to_dict(), heldout, i, start_step) for i in range(cfg.workers)]
        self.pending: dict[Any, int] = {}
        self.failures = 0
        """Calls lost to a dead worker (the call is made again)."""
        for i in range(len(self.workers)):
            for _ in range(cfg.max_in_flight):
                self._submit(i)

    def _submit(self, worker: int) -> None:
        self.pending[self.workers[worker].make.remote(self.cfg.puzzles_per_call)] = worker

    def poll(self, wait: bool = False) -> list[Positions]:
        """The batches finished now (with ``wait``: at least one); each finished call is replaced by a new one."""
        ready, _ = self.ray.wait(list(self.pending), num_returns=1 if wait else len(self.pending),
                                 timeout=None if wait else 0)
        out = []
        for ref in ready:
            worker = self.pending.pop(ref)
            try:
                out.append(self.ray.get(ref))
            except self.ray.exceptions.RayError as err:
                self.failures += 1
                log.warning("position worker %d failed (%s); asking again", worker, type(err).__name__)
            self._submit(worker)
        return out

    def close(self) -> None:
        """End the worker actors."""
        for w in self.workers:
            self.ray.kill(w)
        self.pending.clear()


def make_feed(cfg: ThinkTrainConfig, heldout: set[str], start_step: int = 0) -> LocalFeed | RayFeed:
    """A :class:`RayFeed` (Ray initialised by the caller) for ``workers >= 1``, else a :class:`LocalFeed`."""
    return RayFeed(cfg, heldout, start_step) if cfg.workers > 0 else LocalFeed(cfg, heldout, start_step)
