"""Shared inference for self-play workers: one network serves the leaf batches of many workers.

With ``InferenceConfig(mode="shared")`` no worker runs a network of its own. Each worker's batched MCTS
calls a :class:`RemoteEvaluator`, which sends the step's leaf batch to the one inference actor
(:class:`selfplay.actors.InferenceHost` under Ray) and waits for the answer (``ray.get``); the actor's
:class:`BatchingEvaluator` merges the requests that arrive together (from different workers) into ONE
forward pass: it runs as soon as ``max_requests`` requests wait (one per worker), or ``max_wait_s``
after the first one arrived.

Wire format (chess sends 30 KB of observation per position; the answer would be 18 KB of logits of
which ~30 are legal):

* request: observations float32 ``[B, *obs]`` and the legal mask packed to bits
  (``np.packbits(mask, axis=1)``, uint8 ``[B, ceil(A / 8)]``);
* answer: the logits at the legal actions only (float32, the mask's True entries in row-major order)
  and the values float32 ``[B]``.

:class:`RemoteEvaluator` rebuilds full logits with :data:`~agents.nets.evaluator.ILLEGAL_LOGIT`
elsewhere, so the search sees exactly what a local :class:`~agents.nets.evaluator.TorchEvaluator`
would give (tested).
"""
from __future__ import annotations

import asyncio
from typing import Any, Callable

import numpy as np

from agents.nets.evaluator import ILLEGAL_LOGIT

Evaluation = tuple[np.ndarray, np.ndarray]
"""(logits float32 [B, A], values float32 [B])."""


def pack_mask(legal_mask: np.ndarray) -> np.ndarray:
    """bool [B, A] -> uint8 [B, ceil(A / 8)] (bits along the action axis)."""
    return np.packbits(np.asarray(legal_mask, bool), axis=1)


def unpack_mask(packed: np.ndarray, num_actions: int) -> np.ndarray:
    """Inverse of :func:`pack_mask`: bool [B, num_actions]."""
    return np.unpackbits(packed, axis=1, count=num_actions).astype(bool)


def expand_logits(legal_logits: np.ndarray, legal_mask: np.ndarray) -> np.ndarray:
    """Full logits float32 [B, A] from the legal entries (row-major order of the mask's True cells)."""
    full = np.full(legal_mask.shape, ILLEGAL_LOGIT, np.float32)
    full[legal_mask] = legal_logits
    return full


class BatchingEvaluator:
    """Merges concurrent evaluation requests (asyncio tasks) into one call of ``evaluator``.

    A request waits until ``max_requests`` requests are pending (then all run at once) or ``max_wait_s``
    has passed since the first pending one arrived. Each caller gets its own rows back.

    Args:
        evaluator: a :data:`search.core.Evaluator` (numpy in, numpy out).
        max_requests: requests that trigger a forward pass at once (the number of workers).
        max_wait_s: longest wait for more requests after the first.
    """

    def __init__(self, evaluator: Callable[[np.ndarray, np.ndarray], Evaluation], *, max_requests: int,
                 max_wait_s: float) -> None:
        self.evaluator = evaluator
        self.max_requests = max(1, int(max_requests))
        self.max_wait_s = max(0.0, float(max_wait_s))
        self._pending: list[tuple[np.ndarray, np.ndarray, asyncio.Future[Evaluation]]] = []
        self._generation = 0
        self.requests = 0
        """Requests answered."""
        self.forward_passes = 0
        """Evaluator calls made (requests / forward passes = how many requests one pass merged)."""
        self.positions = 0
        """Positions evaluated."""

    async def evaluate(self, observations: np.ndarray, legal_mask: np.ndarray) -> Evaluation:
        """Evaluate one request's batch together with whatever requests arrive with it."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Evaluation] = loop.create_future()
        self._pending.append((observations, legal_mask, future))
        if len(self._pending) >= self.max_requests:
            self._flush()
        elif len(self._pending) == 1:
            loop.call_later(self.max_wait_s, self._flush_if_current, self._generation)
        return await future

    def _flush_if_current(self, generation: int) -> None:
        if generation == self._generation and self._pending:
            self._flush()

    def _flush(self) -> None:
        """One forward pass over every pending request; each future gets its rows."""
        batch, self._pending = self._pending, []
        self._generation += 1
        sizes = [len(obs) for obs, _, _ in batch]
        try:
            logits, values = self.evaluator(np.concatenate([obs for obs, _, _ in batch]),
                                            np.concatenate([mask for _, mask, _ in batch]))
        except Exception as err:  # the callers see the evaluator's error
            for _, _, future in batch:
                future.set_exception(err)
            return
        self.requests += len(batch)
        self.forward_passes += 1
        self.positions += sum(sizes)
        start = 0
        for (_, _, future), size in zip(batch, sizes):
            future.set_result((logits[start:start + size], values[start:start + size]))
            start += size

    def stats(self) -> dict[str, float]:
        """Requests, forward passes, positions, and requests merged per forward pass."""
        return {"requests": self.requests, "forward_passes": self.forward_passes, "positions": self.positions,
                "requests_per_pass": self.requests / self.forward_passes if self.forward_passes else 0.0}


class RemoteEvaluator:
    """A worker's :data:`search.core.Evaluator` that asks the shared inference actor (module docstring).

    Args:
        actor: handle of the inference actor (its ``evaluate`` method takes observations and the packed
            mask and returns legal logits and values).
        num_actions: actions of the game.
    """

    def __init__(self, actor: Any, num_actions: int) -> None:
        self.actor = actor
        self.num_actions = num_actions
        self.evaluations = 0
        """Positions sent for evaluation."""

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> Evaluation:
        import ray

        mask = np.asarray(legal_mask, bool).reshape(len(observations), self.num_actions)
        if len(observations) == 0:
            return np.zeros(mask.shape, np.float32), np.zeros(0, np.float32)
        obs = np.ascontiguousarray(observations, np.float32)
        legal_logits, values = ray.get(self.actor.evaluate.remote(obs, pack_mask(mask)))
        self.evaluations += len(obs)
        return expand_logits(legal_logits, mask), np.asarray(values, np.float32)
