"""Contracts of the search layer.

Search sees a network only as an :data:`Evaluator`: numpy in, numpy out, no torch here.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

Evaluator = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
"""``(observations float32 [B, *obs_shape], legal_mask bool [B, A]) -> (logits float32 [B, A],
values float32 [B])``; values are for the player to move, in [-1, 1]."""
