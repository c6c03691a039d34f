"""Perft of the compiled chess core: leaf nodes of the legal-move tree to a fixed depth.

Counting is bulk at the last ply (the moves of a position one ply above the leaves are counted, not
made), as Stockfish's ``go perft`` does; draw rules are ignored, as perft always does.
"""
from __future__ import annotations

import chess
import numpy as np
from numba import njit

from games.chess.convert import fen_rows
from games.chess.movegen import MAX_MOVES, generate
from games.chess.position import MOVE_FROM_MASK, MOVE_PROMO_SHIFT, MOVE_TO_SHIFT, make_move


@njit(cache=True)
def perft_rows(stack: np.ndarray, root: int, depth: int, moves: np.ndarray, counts: np.ndarray,
               index: np.ndarray) -> int:
    """Leaves at ``depth`` below row ``root`` of ``stack`` (which needs ``depth`` free rows below it).

    ``moves`` int32 [depth, MAX_MOVES], ``counts`` and ``index`` int64 [depth]: scratch, one level each.
    """
    if depth == 0:
        return 1
    counts[0] = generate(stack, root, moves[0])
    if depth == 1:
        return counts[0]
    index[0] = 0
    level = 0
    total = 0
    while level >= 0:
        if index[level] == counts[level]:
            level -= 1
            continue
        code = moves[level, index[level]]
        index[level] += 1
        make_move(stack, root + level, code & MOVE_FROM_MASK, (code >> MOVE_TO_SHIFT) & MOVE_FROM_MASK,
                  code >> MOVE_PROMO_SHIFT)
        if level + 2 == depth:
            total += generate(stack, root + level + 1, None)
        else:
            level += 1
            counts[level] = generate(stack, root + level, moves[level])
            index[level] = 0
    return total


def perft(board: chess.Board | str, depth: int) -> int:
    """Leaf nodes of the legal-move tree of ``board`` (a python-chess board or a FEN) at ``depth`` plies.

    Raises:
        ValueError: ``depth`` is negative.
    """
    if depth < 0:
        raise ValueError(f"perft: depth must be >= 0, got {depth}")
    fen = board if isinstance(board, str) else board.fen()
    stack = np.zeros((1 + depth + 1, fen_rows(fen, 1).shape[1]), np.int64)
    stack[0] = fen_rows(fen, 1)[0]
    level = max(depth, 1)
    return int(perft_rows(stack, 0, depth, np.zeros((level, MAX_MOVES), np.int32), np.zeros(level, np.int64),
                          np.zeros(level, np.int64)))
