"""TorchEvaluator: a policy/value network as a :data:`search.core.Evaluator` (numpy in, numpy out)."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import torch

from agents.nets.core import PolicyValueNet

ILLEGAL_LOGIT = np.float32(-1.0e9)
"""Logit written at illegal actions (finite, so a softmax over an all-illegal row stays defined)."""


class TorchEvaluator:
    """Batched network evaluation under ``torch.inference_mode()`` on CPU or CUDA.

    ``evaluator(obs float32 [B, *obs_shape], legal_mask bool [B, A]) -> (logits float32 [B, A],
    values float32 [B])``: logits of illegal actions are :data:`ILLEGAL_LOGIT`; values are for the
    player to move, in [-1, 1]. Batches larger than ``batch_size`` are split. With ``cache_size > 0``
    results are kept in an LRU cache keyed by the observation bytes.
    """

    def __init__(self, model: PolicyValueNet, *, device: str = "cpu", iters: int | None = None,
                 cache_size: int = 0, batch_size: int = 1024) -> None:
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.iters = iters
        self.batch_size = max(1, int(batch_size))
        self.cache_size = max(0, int(cache_size))
        self._cache: OrderedDict[bytes, tuple[np.ndarray, np.float32]] = OrderedDict()
        self.evaluations = 0
        """Positions run through the network (cache hits excluded)."""
        self.cache_hits = 0
        """Positions answered from the cache."""

    def load_weights(self, weights: dict[str, torch.Tensor]) -> None:
        """Replace the network's weights (new weights from the learner); clears the cache."""
        self.model.load_state_dict(weights)
        self.model.eval()
        self._cache.clear()

    def _forward(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits_out = []
        values_out = []
        with torch.inference_mode():
            for start in range(0, len(obs), self.batch_size):
                x = torch.from_numpy(np.ascontiguousarray(obs[start:start + self.batch_size], np.float32))
                logits, values = self.model(x.to(self.device), iters=self.iters)
                logits_out.append(logits.float().cpu().numpy())
                values_out.append(values.float().cpu().numpy())
        self.evaluations += len(obs)
        return np.concatenate(logits_out), np.concatenate(values_out)

    def __call__(self, observations: np.ndarray, legal_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        obs = np.asarray(observations, dtype=np.float32)
        mask = np.asarray(legal_mask, dtype=bool)
        n = obs.shape[0]
        if n == 0:
            return np.zeros(mask.shape, np.float32), np.zeros(0, np.float32)
        if self.cache_size == 0:
            logits, values = self._forward(obs)
        else:
            logits, values = self._cached(obs)
        logits = np.where(mask, logits, ILLEGAL_LOGIT).astype(np.float32, copy=False)
        return logits, values.astype(np.float32, copy=False)

    def _cached(self, obs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = [row.tobytes() for row in obs]
        missing = [i for i, k in enumerate(keys) if k not in self._cache]
        fresh: dict[bytes, tuple[np.ndarray, np.float32]] = {}
        if missing:
            new_logits, new_values = self._forward(obs[missing])
            for j, i in enumerate(missing):
                fresh[keys[i]] = (new_logits[j], new_values[j])
        self.cache_hits += len(keys) - len(missing)
        rows = []
        vals = np.empty(len(keys), np.float32)
        for i, k in enumerate(keys):
            entry = fresh.get(k) or self._cache[k]
            self._cache[k] = entry
            self._cache.move_to_end(k)
            rows.append(entry[0])
            vals[i] = entry[1]
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return np.stack(rows), vals
