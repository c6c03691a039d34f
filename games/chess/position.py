"""A chess position as one int64 row of a stack, copy-make, Zobrist keys and repetition counts (numba).

Row layout (``STATE_SIZE`` = 17 int64 words; bitboards are uint64 bit patterns stored as int64):

==============  ======================================================================================
word            meaning
==============  ======================================================================================
0 .. 5          piece bitboards by type, both colours: pawns, knights, bishops, rooks, queens, kings
                (python-chess piece type - 1; :data:`PAWN` .. :data:`KING`)
6, 7            occupancy of White (:data:`W_WHITE`), of Black (:data:`W_BLACK`): word ``6 + colour``
8  W_TURN       player to move: 0 White, 1 Black
9  W_CASTLING   castling rights, bits :data:`WHITE_OO` 1, :data:`WHITE_OOO` 2, :data:`BLACK_OO` 4,
                :data:`BLACK_OOO` 8 (python-chess's ``clean_castling_rights``)
10 W_EP         en-passant square if the side to move has a LEGAL en-passant capture, else -1 (what
                python-chess's FEN and ``_transposition_key`` show; the move generator needs no more)
11 W_HALFMOVE   half-move clock (plies since the last capture or pawn move)
12 W_PLY        ``board.ply()`` (the ``max_length`` rule's counter: survives a FEN round trip)
13 W_HISTORY    plies played in the State's own history (``len(state.history)``: the observation's
                move-count plane)
14 W_KEY        Zobrist key (uint64 bits) of pieces, side to move, castling rights and the legal
                en-passant file: equal keys <=> equal repetition keys (``observation.position_key``)
15 W_REPS       how often this position occurred before (``observation.count_repetitions``)
16 W_VALID      1 if the row holds a position, 0 for the absent history rows before the first known one
==============  ======================================================================================

History rows of a root (see :mod:`games.chess.rules`) carry pieces, side to move, castling rights,
en-passant square, key, repetition count and the valid flag; their clocks are not known there (0):
only the root row and rows written by :func:`make_move` have all words.

:func:`make_move` writes row ``d + 1`` from row ``d`` (copy-make), updating the key incrementally and
counting repetitions by looking back every second row over the half-move clock's window, stopping at
the first absent row: rows ``d + 1 - 2``, ``d + 1 - 4``, ... down to ``d + 1 - halfmove``.

Moves inside the core are int32 codes ``from | to << 6 | promotion << 12`` (promotion 0 or the piece
index 1 knight .. 4 queen); :mod:`games.chess.encode` maps them to the AlphaZero actions.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.chess.bitboards import (
    DARK_SQUARES,
    KING_ATTACKS,
    KNIGHT_ATTACKS,
    LIGHT_SQUARES,
    PAWN_ATTACKS,
    U0,
    U1,
    bishop_attacks,
    bit,
    lsb,
    popcount,
    rook_attacks,
)

PAWN, KNIGHT, BISHOP, ROOK, QUEEN, KING = 0, 1, 2, 3, 4, 5
"""Piece indices (python-chess piece type - 1) = row words of their bitboards."""
W_WHITE = 6
"""Word of White's occupancy (Black's is ``W_WHITE + 1``)."""
W_BLACK = 7
"""Word of Black's occupancy."""
W_TURN, W_CASTLING, W_EP, W_HALFMOVE, W_PLY, W_HISTORY, W_KEY, W_REPS, W_VALID = 8, 9, 10, 11, 12, 13, 14, 15, 16
"""Scalar words of a row (see the module docstring)."""
STATE_SIZE = 17
"""S: int64 words of one row."""
NO_SQUARE = -1
"""``W_EP`` when there is no legal en-passant capture."""
WHITE_OO, WHITE_OOO, BLACK_OO, BLACK_OOO = 1, 2, 4, 8
"""Castling-right bits."""
MOVE_FROM_MASK = 63
"""Bits of the from-square in a move code."""
MOVE_TO_SHIFT = 6
"""Shift of the to-square in a move code."""
MOVE_PROMO_SHIFT = 12
"""Shift of the promotion piece index in a move code."""

_CASTLE_KEEP = np.full(64, 15, np.int64)
for _square, _lost in ((4, WHITE_OO | WHITE_OOO), (7, WHITE_OO), (0, WHITE_OOO),
                       (60, BLACK_OO | BLACK_OOO), (63, BLACK_OO), (56, BLACK_OOO)):
    _CASTLE_KEEP[_square] = 15 & ~_lost
CASTLE_KEEP = _CASTLE_KEEP
"""int64 [64]: castling rights kept when a move starts or ends on a square (king and rook squares)."""

ZOBRIST_SEED = 0x5EED_C4E55
"""Seed of the Zobrist tables: fixed, so that rows built in one process (root rows sent to a Ray worker)
and numba's cached code (which freezes these tables) agree."""
_rng = np.random.default_rng(ZOBRIST_SEED)


def _random_words(shape: int | tuple[int, ...]) -> np.ndarray:
    """Random 64-bit words (int64 bit patterns)."""
    return _rng.integers(1, 2**64, shape, dtype=np.uint64, endpoint=False).view(np.int64)


ZOBRIST_PIECE = _random_words((2, 6, 64))
"""int64 [2, 6, 64]: key of (colour, piece, square)."""


def _castling_keys() -> np.ndarray:
    rights = _random_words(4)
    keys = np.zeros(16, np.int64)
    for mask in range(16):
        for i in range(4):
            if mask >> i & 1:
                keys[mask] ^= rights[i]
    return keys


ZOBRIST_CASTLING = _castling_keys()
"""int64 [16]: key of each castling-rights mask (the XOR of its rights' keys; 0 for none)."""
ZOBRIST_EP = _random_words(8)
"""int64 [8]: key of the file of a legal en-passant square."""
ZOBRIST_BLACK = np.int64(_random_words(1)[0])
"""Key XORed in when Black is to move."""


@njit(cache=True)
def word(stack: np.ndarray, d: int, w: int) -> np.uint64:
    """Word ``w`` of row ``d`` as a uint64 bitboard."""
    return np.uint64(stack[d, w])


@njit(cache=True)
def occupied(stack: np.ndarray, d: int) -> np.uint64:
    """All occupied squares of row ``d``."""
    return np.uint64(stack[d, W_WHITE] | stack[d, W_BLACK])


@njit(cache=True)
def king_square(stack: np.ndarray, d: int, colour: int) -> int:
    """Square of ``colour``'s king in row ``d``."""
    return lsb(np.uint64(stack[d, KING] & stack[d, W_WHITE + colour]))


@njit(cache=True)
def piece_on(stack: np.ndarray, d: int, square: int) -> int:
    """Piece index on ``square`` of row ``d`` (-1 if empty)."""
    for p in range(6):
        if (stack[d, p] >> square) & 1:
            return p
    return -1


@njit(cache=True)
def attacked_by(stack: np.ndarray, d: int, square: int, by: int, occ: np.uint64) -> bool:
    """True iff a piece of colour ``by`` in row ``d`` that is still on ``occ`` attacks ``square`` when the
    board's occupancy is ``occ`` (pass a changed ``occ`` to test a move before making it)."""
    mine = word(stack, d, W_WHITE + by) & occ
    if KNIGHT_ATTACKS[square] & word(stack, d, KNIGHT) & mine:
        return True
    if PAWN_ATTACKS[1 - by, square] & word(stack, d, PAWN) & mine:
        return True
    if KING_ATTACKS[square] & word(stack, d, KING) & mine:
        return True
    queens = word(stack, d, QUEEN)
    rooks = (word(stack, d, ROOK) | queens) & mine
    if rooks != U0 and (rook_attacks(square, occ) & rooks) != U0:
        return True
    bishops = (word(stack, d, BISHOP) | queens) & mine
    return bishops != U0 and (bishop_attacks(square, occ) & bishops) != U0


@njit(cache=True)
def en_passant_legal(stack: np.ndarray, d: int, frm: int, ep: int) -> bool:
    """Whether the pawn of the side to move of row ``d`` on ``frm`` may capture en passant on ``ep``
    (the pawn it takes stands just behind ``ep``): its own king must not be attacked afterwards."""
    us = stack[d, W_TURN]
    captured = ep - 8 if us == 0 else ep + 8
    occ = (occupied(stack, d) ^ bit(frm) ^ bit(captured)) | bit(ep)
    return not attacked_by(stack, d, king_square(stack, d, us), 1 - us, occ)


@njit(cache=True)
def legal_en_passant_square(stack: np.ndarray, d: int, ep: int) -> int:
    """``ep`` if the side to move of row ``d`` (whose opponent just pushed a pawn two squares over
    ``ep``) can legally capture en passant there, else :data:`NO_SQUARE`."""
    us = stack[d, W_TURN]
    candidates = PAWN_ATTACKS[1 - us, ep] & word(stack, d, PAWN) & word(stack, d, W_WHITE + us)
    while candidates:
        if en_passant_legal(stack, d, lsb(candidates), ep):
            return ep
        candidates &= candidates - U1
    return NO_SQUARE


@njit(cache=True)
def _toggle(stack: np.ndarray, d: int, colour: int, piece: int, squares: np.uint64) -> None:
    """XOR ``squares`` into the piece and colour bitboards of row ``d``."""
    stack[d, piece] ^= np.int64(squares)
    stack[d, W_WHITE + colour] ^= np.int64(squares)


@njit(cache=True)
def count_repetitions(stack: np.ndarray, d: int) -> int:
    """How often row ``d``'s position occurred in rows ``d - 2, d - 4, ...`` within its half-move
    clock's window (stopping at an absent row or the top of the stack)."""
    key = stack[d, W_KEY]
    reps = 0
    back = 2
    window = stack[d, W_HALFMOVE]
    while back <= window and d - back >= 0 and stack[d - back, W_VALID]:
        if stack[d - back, W_KEY] == key:
            reps += 1
        back += 2
    return reps


@njit(cache=True)
def make_move(stack: np.ndarray, d: int, frm: int, to: int, promo: int) -> None:
    """Row ``d + 1`` = row ``d`` after the legal move ``frm`` -> ``to`` (``promo``: piece index of a
    promotion, 0 if none); castling is the king's two-square move, en passant a pawn's diagonal step
    onto the en-passant square."""
    n = d + 1
    for w in range(STATE_SIZE):
        stack[n, w] = stack[d, w]
    us = stack[d, W_TURN]
    them = 1 - us
    key = stack[d, W_KEY]
    piece = piece_on(stack, d, frm)
    captured = -1
    if (stack[d, W_WHITE + them] >> to) & 1:
        captured = piece_on(stack, d, to)
        _toggle(stack, n, them, captured, bit(to))
        key ^= ZOBRIST_PIECE[them, captured, to]
    elif piece == PAWN and to == stack[d, W_EP]:
        captured = PAWN
        behind = to - 8 if us == 0 else to + 8
        _toggle(stack, n, them, PAWN, bit(behind))
        key ^= ZOBRIST_PIECE[them, PAWN, behind]
    _toggle(stack, n, us, piece, bit(frm) | bit(to))
    key ^= ZOBRIST_PIECE[us, piece, frm] ^ ZOBRIST_PIECE[us, piece, to]
    if promo:
        stack[n, PAWN] ^= np.int64(bit(to))
        stack[n, promo] ^= np.int64(bit(to))
        key ^= ZOBRIST_PIECE[us, PAWN, to] ^ ZOBRIST_PIECE[us, promo, to]
    elif piece == KING and (to - frm == 2 or frm - to == 2):
        rook_from = to + 1 if to > frm else to - 2
        rook_to = to - 1 if to > frm else to + 1
        _toggle(stack, n, us, ROOK, bit(rook_from) | bit(rook_to))
        key ^= ZOBRIST_PIECE[us, ROOK, rook_from] ^ ZOBRIST_PIECE[us, ROOK, rook_to]
    rights = stack[d, W_CASTLING]
    new_rights = rights & CASTLE_KEEP[frm] & CASTLE_KEEP[to]
    stack[n, W_CASTLING] = new_rights
    key ^= ZOBRIST_CASTLING[rights] ^ ZOBRIST_CASTLING[new_rights]
    old_ep = stack[d, W_EP]
    if old_ep != NO_SQUARE:
        key ^= ZOBRIST_EP[old_ep & 7]
    stack[n, W_TURN] = them
    stack[n, W_EP] = NO_SQUARE
    if piece == PAWN and (to - frm == 16 or frm - to == 16):
        ep = legal_en_passant_square(stack, n, (frm + to) // 2)
        if ep != NO_SQUARE:
            stack[n, W_EP] = ep
            key ^= ZOBRIST_EP[ep & 7]
    stack[n, W_KEY] = key ^ ZOBRIST_BLACK
    stack[n, W_HALFMOVE] = 0 if piece == PAWN or captured >= 0 else stack[d, W_HALFMOVE] + 1
    stack[n, W_PLY] = stack[d, W_PLY] + 1
    stack[n, W_HISTORY] = stack[d, W_HISTORY] + 1
    stack[n, W_VALID] = 1
    stack[n, W_REPS] = count_repetitions(stack, n)


@njit(cache=True)
def compute_key(stack: np.ndarray, d: int) -> np.int64:
    """The Zobrist key of row ``d`` from scratch (pieces, side, castling rights, en-passant file)."""
    key = np.int64(0)
    for colour in range(2):
        own = word(stack, d, W_WHITE + colour)
        for p in range(6):
            bb = word(stack, d, p) & own
            while bb:
                key ^= ZOBRIST_PIECE[colour, p, lsb(bb)]
                bb &= bb - U1
    key ^= ZOBRIST_CASTLING[stack[d, W_CASTLING]]
    if stack[d, W_EP] != NO_SQUARE:
        key ^= ZOBRIST_EP[stack[d, W_EP] & 7]
    if stack[d, W_TURN] == 1:
        key ^= ZOBRIST_BLACK
    return key


@njit(cache=True)
def insufficient_material(stack: np.ndarray, d: int) -> bool:
    """python-chess's ``is_insufficient_material()`` for row ``d`` (neither side can ever mate)."""
    return _side_insufficient(stack, d, 0) and _side_insufficient(stack, d, 1)


@njit(cache=True)
def _side_insufficient(stack: np.ndarray, d: int, colour: int) -> bool:
    """python-chess's ``has_insufficient_material(colour)``, word for word."""
    own = word(stack, d, W_WHITE + colour)
    other = word(stack, d, W_BLACK - colour)
    pawns = word(stack, d, PAWN)
    knights = word(stack, d, KNIGHT)
    bishops = word(stack, d, BISHOP)
    if own & (pawns | word(stack, d, ROOK) | word(stack, d, QUEEN)):
        return False
    if own & knights:
        return popcount(own) <= np.uint64(2) and (other & ~word(stack, d, KING) & ~word(stack, d, QUEEN)) == U0
    if own & bishops:
        same_colour = (bishops & DARK_SQUARES) == U0 or (bishops & LIGHT_SQUARES) == U0
        return same_colour and pawns == U0 and knights == U0
    return True
