"""Data augmentation by a game's left-right symmetry (:attr:`games.core.GameSpec.mirror_actions`).

A mirrored position is as good a training example as the original, with the same value and the
policy permuted: for connect four this doubles the data the learner sees for free.
"""
from __future__ import annotations

import numpy as np


def mirror_half(batch: dict[str, np.ndarray], mirror_actions: tuple[int, ...],
                rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A copy of ``batch`` in which each position is mirrored with probability 1/2.

    Args:
        batch: arrays keyed like :class:`selfplay.core.PlayedGame`: ``observations [B, ..., W]``,
            ``policies [B, A]``, ``legal_masks [B, A]`` (other keys are copied as they are).
        mirror_actions: ``perm[a]`` = the action that corresponds to ``a`` in the mirrored position.
        rng: decides which positions are mirrored.
    """
    perm = np.asarray(mirror_actions, dtype=np.int64)
    flip = rng.random(len(batch["observations"])) < 0.5
    out = dict(batch)
    obs = batch["observations"].copy()
    obs[flip] = obs[flip][..., ::-1]
    out["observations"] = obs
    for key in ("policies", "legal_masks"):
        arr = batch[key].copy()
        arr[flip] = arr[flip][:, perm]
        out[key] = arr
    return out
