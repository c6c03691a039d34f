"""The 119-plane chess observation written from stack rows (numba): exactly what
``ChessState.observation()`` gives (layout: :mod:`games.chess.observation`), flattened to
float32 ``[119 * 64]`` as ``plane * 64 + rank * 8 + file`` in the mover's perspective.

History plane group ``t`` reads row ``d - t`` (the rows above a position are its predecessors: the
root's history rows, then the path); it stops at the first absent row, as the python encoder stops at
the first position the state does not know.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.chess.bitboards import U0, U1, lsb
from games.chess.observation import (
    CASTLING_PLANE0,
    COLOUR_PLANE,
    HISTORY,
    MOVE_COUNT_PLANE,
    NO_PROGRESS_PLANE,
    NO_PROGRESS_SCALE,
    NUM_PLANES,
    PLANES_PER_POSITION,
)
from games.chess.position import (
    BLACK_OO,
    BLACK_OOO,
    W_CASTLING,
    W_HALFMOVE,
    W_HISTORY,
    W_REPS,
    W_TURN,
    W_VALID,
    W_WHITE,
    WHITE_OO,
    WHITE_OOO,
    word,
)

SQUARES = 64
"""Entries of one plane."""
OBSERVATION_SIZE = NUM_PLANES * SQUARES
"""7616 float32 entries of a flattened observation."""
REPEATED_ONCE = 12
"""Offset, within a history group, of the plane 'occurred at least once before'."""
REPEATED_TWICE = 13
"""Offset of the plane 'occurred at least twice before'."""


@njit(cache=True)
def _fill(out: np.ndarray, plane: int, value: float) -> None:
    start = plane * SQUARES
    v = np.float32(value)
    for i in range(start, start + SQUARES):
        out[i] = v


@njit(cache=True)
def _scatter(out: np.ndarray, plane: int, squares: np.uint64, flip: int) -> None:
    """Ones at the (perspective) squares of a bitboard in a zeroed plane."""
    start = plane * SQUARES
    while squares != U0:
        out[start + (lsb(squares) ^ flip)] = np.float32(1.0)
        squares &= squares - U1


@njit(cache=True)
def write_observation(stack: np.ndarray, d: int, max_game_length: int, out: np.ndarray) -> None:
    """``ChessState.observation()`` of row ``d`` into ``out`` (float32 [7616]).

    Args:
        stack: int64 [R, S] rows (:mod:`games.chess.position`); rows above ``d`` are its history.
        d: the row of the position.
        max_game_length: the spec's length limit (the move-count plane is plies played / it).
        out: float32 [119 * 64], overwritten.
    """
    for i in range(OBSERVATION_SIZE):
        out[i] = np.float32(0.0)
    us = stack[d, W_TURN]
    flip = 56 * us
    for t in range(HISTORY):
        r = d - t
        if r < 0 or stack[r, W_VALID] == 0:
            break
        base = t * PLANES_PER_POSITION
        own = word(stack, r, W_WHITE + us)
        opp = word(stack, r, W_WHITE + 1 - us)
        for p in range(6):
            pieces = word(stack, r, p)
            _scatter(out, base + p, pieces & own, flip)
            _scatter(out, base + 6 + p, pieces & opp, flip)
        if stack[r, W_REPS] >= 1:
            _fill(out, base + REPEATED_ONCE, 1.0)
        if stack[r, W_REPS] >= 2:
            _fill(out, base + REPEATED_TWICE, 1.0)
    if us == 1:
        _fill(out, COLOUR_PLANE, 1.0)
    _fill(out, MOVE_COUNT_PLANE, stack[d, W_HISTORY] / max_game_length)
    rights = stack[d, W_CASTLING]
    mine_oo, mine_ooo = (WHITE_OO, WHITE_OOO) if us == 0 else (BLACK_OO, BLACK_OOO)
    theirs_oo, theirs_ooo = (BLACK_OO, BLACK_OOO) if us == 0 else (WHITE_OO, WHITE_OOO)
    for i, right in enumerate((mine_oo, mine_ooo, theirs_oo, theirs_ooo)):
        if rights & right:
            _fill(out, CASTLING_PLANE0 + i, 1.0)
    _fill(out, NO_PROGRESS_PLANE, min(stack[d, W_HALFMOVE] / NO_PROGRESS_SCALE, 1.0))
