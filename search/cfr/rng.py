"""A counter-based random stream for numba kernels (SplitMix64), so parallel work is reproducible.

Each unit of work (a deal, an MCCFR iteration) gets its own stream from ``stream(seed, index)``; the
numbers drawn do not depend on which thread runs the work or in what order. The state is one uint64
kept in a caller-owned array ``state [1]`` so that numba functions can advance it in place.
"""
from __future__ import annotations

import numpy as np
from numba import njit

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2 ** -53


@njit(cache=True)
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def stream(seed: int, index: int) -> np.ndarray:
    """A fresh state ``uint64 [1]`` for work item ``index`` of a run seeded with ``seed``."""
    state = np.empty(1, dtype=np.uint64)
    state[0] = _mix(np.uint64(seed) * _GAMMA + _mix(np.uint64(index) + _GAMMA))
    return state


@njit(cache=True)
def next_u64(state: np.ndarray) -> np.uint64:
    """The next 64 random bits; advances ``state``."""
    state[0] = state[0] + _GAMMA
    return _mix(state[0])


@njit(cache=True)
def uniform(state: np.ndarray) -> float:
    """A float in [0, 1)."""
    return float(next_u64(state) >> _S11) * _TO_UNIT


@njit(cache=True)
def below(state: np.ndarray, n: int) -> int:
    """An int in [0, n) (n > 0)."""
    return min(int(uniform(state) * n), n - 1)
