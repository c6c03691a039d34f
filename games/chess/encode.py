"""The AlphaZero 8 x 8 x 73 action encoding of :mod:`games.chess.actions` in numba: move codes of the
compiled core (:mod:`games.chess.position`) to actions and back.

The tables are :func:`games.chess.actions.encoding_tables`, so the numbering is exactly the python
encoder's: ``action = plane * 64 + from`` over perspective squares (``square ^ 56`` for Black), queen
planes (queen promotions and castling included), knight planes, underpromotion planes.
"""
from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from games.chess.actions import KNIGHT_PLANE0, NUM_ACTIONS, UNDERPROMOTION_PLANE0, encoding_tables
from games.chess.bitboards import U0, U1, lsb
from games.chess.position import MOVE_FROM_MASK, MOVE_PROMO_SHIFT, MOVE_TO_SHIFT, PAWN, QUEEN, W_TURN

_plane_of, _to_of, _promo_of = encoding_tables()
PLANE_OF = np.array(_plane_of, np.int32)
"""int32 [64 * 64]: plane of the queen-like or knight move ``from * 64 + to`` (perspective squares)."""
TO_OF = np.array(_to_of, np.int32)
"""int32 [4672]: perspective to-square of each action (-1: off the board)."""
PROMO_OF = np.array([max(piece - 1, 0) for piece in _promo_of], np.int32)
"""int32 [73]: piece index (1 knight, 2 bishop, 3 rook) of each underpromotion plane, 0 elsewhere."""
FLIP = 56
"""XOR turning a square into Black's perspective square."""
LAST_RANK0 = 56
"""First perspective square of the promotion rank."""
BITSET_WORDS = (NUM_ACTIONS + 31) // 32
"""146 int32 words: a bitset over the actions (tail of the action buffer while sorting)."""
_U32_0 = np.uint32(0)
_U32_1 = np.uint32(1)


@njit(cache=True)
def encode_move(code: int, us: int) -> int:
    """The action of the move ``code`` for the side ``us`` (0 White, 1 Black) to move."""
    flip = FLIP * us
    frm = (code & MOVE_FROM_MASK) ^ flip
    to = ((code >> MOVE_TO_SHIFT) & MOVE_FROM_MASK) ^ flip
    promo = code >> MOVE_PROMO_SHIFT
    if promo != 0 and promo != QUEEN:
        plane = UNDERPROMOTION_PLANE0 + (promo - 1) * 3 + (to & 7) - (frm & 7) + 1
    else:
        plane = PLANE_OF[frm * 64 + to]
    return plane * 64 + frm


@njit(cache=True)
def decode_action(stack: np.ndarray, d: int, action: int) -> tuple[int, int, int]:
    """(from, to, promotion piece index or 0) of a legal ``action`` in row ``d``: a queen-plane move
    of a pawn onto the last rank is a queen promotion."""
    flip = FLIP * stack[d, W_TURN]
    plane = action >> 6
    frm_p = action & 63
    to_p = TO_OF[action]
    frm = frm_p ^ flip
    promo = PROMO_OF[plane]
    if promo == 0 and to_p >= LAST_RANK0 and plane < KNIGHT_PLANE0 and (stack[d, PAWN] >> frm) & 1:
        promo = QUEEN
    return frm, to_p ^ flip, promo


@njit(cache=True)
def sort_actions(actions: np.ndarray, k: int) -> None:
    """Sort the distinct actions ``actions[:k]`` ascending in place without allocating.

    When the buffer has room behind them (``k + 146 <= len(actions)``: almost every position), its
    tail holds a bitset of the 4672 actions (146 int32 words) whose used words are marked in three
    64-bit summary words, so nothing needs clearing and only used words are scanned (about 6x faster
    than insertion sort at 40 moves); otherwise insertion sort.
    """
    base = actions.shape[0] - BITSET_WORDS
    if k > base:
        insertion_sort(actions, k)
        return
    used0 = U0
    used1 = U0
    used2 = U0
    for i in range(k):
        a = actions[i]
        w = a >> 5
        b = np.int32(np.uint32(1) << np.uint32(a & 31))
        m = U1 << np.uint64(w & 63)
        group = w >> 6
        used = used0 if group == 0 else (used1 if group == 1 else used2)
        if used & m:
            actions[base + w] |= b
        else:
            actions[base + w] = b
            if group == 0:
                used0 |= m
            elif group == 1:
                used1 |= m
            else:
                used2 |= m
    n = 0
    for group in range(3):
        used = used0 if group == 0 else (used1 if group == 1 else used2)
        while used != U0:
            w = group * 64 + lsb(used)
            bits = np.uint32(actions[base + w])
            while bits != _U32_0:
                actions[n] = w * 32 + np.int64(trailing_zeros(bits))
                n += 1
                bits &= bits - _U32_1
            used &= used - U1


@njit(cache=True)
def insertion_sort(actions: np.ndarray, k: int) -> None:
    """Sort ``actions[:k]`` ascending in place."""
    for i in range(1, k):
        a = actions[i]
        j = i - 1
        while j >= 0 and actions[j] > a:
            actions[j + 1] = actions[j]
            j -= 1
        actions[j + 1] = a
