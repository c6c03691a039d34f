"""Connect four under the compiled-game protocol (:mod:`games.compiled`): the rules tag, its kernels
over stack rows, and the :class:`~games.compiled.CompiledGame` the connect-four spec declares.

A row is the int64 [4] state of :mod:`games.connect_four_kernels` (bitboards of player 0 and 1, moves
played, outcome code). Connect four needs no history: H = 1, the root is row 0.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit

from games.compiled import CompiledGame, Kernels, attach_kernels
from games.connect_four_kernels import (
    C4_CELLS,
    C4_COL_BITS,
    C4_COLS,
    C4_DRAW,
    C4_NUM_ACTIONS,
    C4_ONGOING,
    C4_ROWS,
    C4_STATE_SIZE,
    C4_WIN_P0,
    c4_column_full,
    c4_play,
    c4_playout_value,
)

if TYPE_CHECKING:
    from games.core import State


class ConnectFourRules(NamedTuple):
    """Rules tag of connect four (its kernels hang on the class)."""

    cells: int = C4_CELLS
    """Cells of the board (the game is a draw once they are all filled)."""


@njit(cache=True, inline="always")
def c4_row_apply(rules: ConnectFourRules, stack: np.ndarray, d: int, action: int) -> None:
    """Row ``d + 1`` = row ``d`` after dropping the mover's stone in column ``action``."""
    p0, p1, ply, outcome = c4_play(stack[d, 0], stack[d, 1], stack[d, 2], action)
    stack[d + 1, 0] = p0
    stack[d + 1, 1] = p1
    stack[d + 1, 2] = ply
    stack[d + 1, 3] = outcome


@njit(cache=True, inline="always")
def c4_row_expand(rules: ConnectFourRules, stack: np.ndarray, d: int, actions: np.ndarray) -> int:
    """Playable columns of row ``d`` in ascending order; 0 once the game is over."""
    if stack[d, 3] != C4_ONGOING:
        return 0
    occupied = stack[d, 0] | stack[d, 1]
    k = 0
    for col in range(C4_NUM_ACTIONS):
        if not c4_column_full(occupied, col):
            actions[k] = col
            k += 1
    return k


@njit(cache=True, inline="always")
def c4_row_outcome(rules: ConnectFourRules, stack: np.ndarray, d: int) -> float:
    """Return of the player who made the last move of the finished row ``d``."""
    outcome = stack[d, 3]
    if outcome == C4_DRAW or outcome == C4_ONGOING:
        return 0.0
    mover = (stack[d, 2] - 1) % 2
    winner = 0 if outcome == C4_WIN_P0 else 1
    return 1.0 if mover == winner else -1.0


@njit(cache=True, inline="always")
def c4_row_player(rules: ConnectFourRules, stack: np.ndarray, d: int) -> int:
    """Player to move in row ``d``."""
    return stack[d, 2] % 2


@njit(cache=True)
def c4_row_observe(rules: ConnectFourRules, stack: np.ndarray, d: int, out: np.ndarray) -> None:
    """``State.observation()`` of row ``d`` flattened into ``out`` (float32 [3 * 6 * 7])."""
    player = stack[d, 2] % 2
    mine = stack[d, player]
    theirs = stack[d, 1 - player]
    plane = C4_ROWS * C4_COLS
    for col in range(C4_COLS):
        for row in range(C4_ROWS):
            bit = col * C4_COL_BITS + row
            a = (mine >> bit) & 1
            b = (theirs >> bit) & 1
            i = row * C4_COLS + col
            out[i] = a
            out[plane + i] = b
            out[2 * plane + i] = 1 - a - b


@njit(cache=True, inline="always")
def c4_row_rollout(rules: ConnectFourRules, stack: np.ndarray, d: int, actions: np.ndarray,
                   rng: np.uint64) -> tuple[float, np.uint64]:
    """One uniformly random playout from the ongoing row ``d``, valued for its player to move."""
    ply = stack[d, 2]
    if ply % 2 == 0:
        return c4_playout_value(stack[d, 0], stack[d, 1], ply, rng)
    return c4_playout_value(stack[d, 1], stack[d, 0], ply, rng)


attach_kernels(ConnectFourRules, Kernels(apply=c4_row_apply, expand=c4_row_expand, outcome=c4_row_outcome,
                                         player=c4_row_player, observe=c4_row_observe, rollout=c4_row_rollout))


def _root_rows(state: "State") -> np.ndarray:
    return state.kernel_state.reshape(1, C4_STATE_SIZE).copy()  # type: ignore[attr-defined]


CONNECT_FOUR_COMPILED = CompiledGame(rules=ConnectFourRules(), root=_root_rows, state_size=C4_STATE_SIZE,
                                     history=1, max_actions=C4_NUM_ACTIONS, max_plies=C4_CELLS)
"""What the connect-four spec declares: whole simulations run on these kernels."""
