"""Fully legal move generation for one row of a chess stack (numba), generated directly as Stockfish does:
checkers and pinned pieces are computed once per position, then

* king steps onto squares the opponent does not attack (tested with the king lifted off the board,
  so a slider's ray through the king's square counts);
* in double check, nothing else;
* otherwise every other move must land on ``target``: any square not holding an own piece, or, in
  single check, the checker or a square between it and the king;
* a pinned piece moves only along the line through its king and itself (a pinned knight never);
* en passant is tested by lifting both pawns and asking whether the king is attacked afterwards
  (this covers the rank pin of the capturing and the captured pawn, and checks the capture does or
  does not answer);
* castling: the right, empty squares between king and rook, not in check, and neither the square the
  king crosses nor the one it lands on attacked;
* a pawn reaching the last rank makes four moves (queen, knight, bishop, rook).

:func:`generate` writes the move codes (``from | to << 6 | promotion << 12``, see
:mod:`games.chess.position`) into an int32 buffer and returns their count; with ``out=None`` it only
counts (numba compiles that variant separately, without the stores). :func:`in_check` tests the side to
move.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.chess.bitboards import (
    BETWEEN,
    BISHOP_PSEUDO,
    FILE_A,
    FILE_H,
    KING_ATTACKS,
    KNIGHT_ATTACKS,
    LINE,
    PAWN_ATTACKS,
    RANK_1,
    RANK_3,
    RANK_6,
    RANK_8,
    ROOK_PSEUDO,
    U0,
    U1,
    U8,
    attackers_to,
    bishop_attacks,
    bit,
    lsb,
    more_than_one,
    pawn_pushes,
    rook_attacks,
)
from games.chess.position import (
    BISHOP,
    BLACK_OO,
    BLACK_OOO,
    KING,
    KNIGHT,
    MOVE_PROMO_SHIFT,
    MOVE_TO_SHIFT,
    NO_SQUARE,
    PAWN,
    QUEEN,
    ROOK,
    W_CASTLING,
    W_EP,
    W_TURN,
    W_WHITE,
    WHITE_OO,
    WHITE_OOO,
    attacked_by,
    en_passant_legal,
    king_square,
    occupied,
    word,
)

MAX_MOVES = 218
"""Most legal moves a chess position can have (the known maximum): the size of move buffers."""
_U7 = np.uint64(7)
_U9 = np.uint64(9)
_OO_EMPTY = np.uint64((1 << 5) | (1 << 6))
"""f1, g1: must be empty for White's O-O (shift by 56 for Black)."""
_OOO_EMPTY = np.uint64((1 << 1) | (1 << 2) | (1 << 3))
"""b1, c1, d1: must be empty for White's O-O-O."""


@njit(cache=True)
def _put(out: np.ndarray | None, n: int, frm: int, to: int, promo: int) -> int:
    """Store one move code at ``out[n]`` (unless only counting); returns ``n + 1``."""
    if out is not None:
        out[n] = frm | (to << MOVE_TO_SHIFT) | (promo << MOVE_PROMO_SHIFT)
    return n + 1


@njit(cache=True)
def _put_pawn(out: np.ndarray | None, n: int, frm: int, to: int) -> int:
    """A pawn move; four of them (queen, knight, bishop, rook) onto the last rank."""
    if to >= 56 or to < 8:
        n = _put(out, n, frm, to, QUEEN)
        n = _put(out, n, frm, to, KNIGHT)
        n = _put(out, n, frm, to, BISHOP)
        return _put(out, n, frm, to, ROOK)
    return _put(out, n, frm, to, 0)


@njit(cache=True)
def _put_targets(out: np.ndarray | None, n: int, frm: int, targets: np.uint64) -> int:
    """One move from ``frm`` to each square of ``targets``."""
    while targets:
        n = _put(out, n, frm, lsb(targets), 0)
        targets &= targets - U1
    return n


@njit(cache=True)
def _put_shifted(out: np.ndarray | None, n: int, targets: np.uint64, delta: int) -> int:
    """Pawn moves onto each square of ``targets`` from ``to - delta``."""
    while targets:
        to = lsb(targets)
        n = _put_pawn(out, n, to - delta, to)
        targets &= targets - U1
    return n


@njit(cache=True)
def pinned_pieces(stack: np.ndarray, d: int, colour: int, king: int, occ: np.uint64) -> np.uint64:
    """Pieces of ``colour`` that alone stand between their ``king`` and an enemy slider."""
    own = word(stack, d, W_WHITE + colour)
    opp = word(stack, d, W_WHITE + 1 - colour)
    queens = word(stack, d, QUEEN)
    snipers = ((ROOK_PSEUDO[king] & (word(stack, d, ROOK) | queens))
               | (BISHOP_PSEUDO[king] & (word(stack, d, BISHOP) | queens))) & opp
    pinned = U0
    while snipers:
        between = BETWEEN[king, lsb(snipers)] & occ
        if between != U0 and not more_than_one(between) and (between & own) != U0:
            pinned |= between
        snipers &= snipers - U1
    return pinned


@njit(cache=True)
def checkers_of(stack: np.ndarray, d: int) -> np.uint64:
    """Enemy pieces giving check to the side to move of row ``d``."""
    us = stack[d, W_TURN]
    occ = occupied(stack, d)
    return attackers_to(king_square(stack, d, us), occ, word(stack, d, W_WHITE + 1 - us), word(stack, d, PAWN),
                        word(stack, d, KNIGHT), word(stack, d, BISHOP), word(stack, d, ROOK), word(stack, d, QUEEN),
                        word(stack, d, KING), 1 - us)


@njit(cache=True)
def in_check(stack: np.ndarray, d: int) -> bool:
    """True iff the side to move of row ``d`` is in check."""
    return checkers_of(stack, d) != U0


@njit(cache=True)
def generate(stack: np.ndarray, d: int, out: np.ndarray | None) -> int:
    """The legal moves of row ``d`` into ``out`` (int32, at least :data:`MAX_MOVES` long; None: count
    only), in no particular order; returns their number."""
    us = stack[d, W_TURN]
    them = 1 - us
    own = word(stack, d, W_WHITE + us)
    opp = word(stack, d, W_WHITE + them)
    occ = own | opp
    king = king_square(stack, d, us)
    checkers = checkers_of(stack, d)
    n = 0
    steps = KING_ATTACKS[king] & ~own
    lifted = occ ^ bit(king)
    while steps:
        to = lsb(steps)
        if not attacked_by(stack, d, to, them, lifted):
            n = _put(out, n, king, to, 0)
        steps &= steps - U1
    if more_than_one(checkers):
        return n
    target = ~own
    if checkers != U0:
        target = BETWEEN[king, lsb(checkers)] | checkers
    pinned = pinned_pieces(stack, d, us, king, occ)
    queens = word(stack, d, QUEEN)

    pieces = word(stack, d, KNIGHT) & own & ~pinned
    while pieces:
        frm = lsb(pieces)
        n = _put_targets(out, n, frm, KNIGHT_ATTACKS[frm] & target)
        pieces &= pieces - U1
    pieces = (word(stack, d, BISHOP) | queens) & own
    while pieces:
        frm = lsb(pieces)
        reach = bishop_attacks(frm, occ) & target
        if (pinned >> np.uint64(frm)) & U1:
            reach &= LINE[king, frm]
        n = _put_targets(out, n, frm, reach)
        pieces &= pieces - U1
    pieces = (word(stack, d, ROOK) | queens) & own
    while pieces:
        frm = lsb(pieces)
        reach = rook_attacks(frm, occ) & target
        if (pinned >> np.uint64(frm)) & U1:
            reach &= LINE[king, frm]
        n = _put_targets(out, n, frm, reach)
        pieces &= pieces - U1

    n = _pawn_moves(stack, d, out, n, us, own, opp, target, pinned, king)
    if checkers == U0:
        n = _castling(stack, d, out, n, us, occ, king)
    return n


@njit(cache=True)
def _pawn_moves(stack: np.ndarray, d: int, out: np.ndarray | None, n: int, us: int, own: np.uint64, opp: np.uint64,
                target: np.uint64, pinned: np.uint64, king: int) -> int:
    """Pushes, double pushes, captures, promotions and en passant of the side to move."""
    pawns = word(stack, d, PAWN) & own
    empty = ~(own | opp)
    free = pawns & ~pinned
    single = pawn_pushes(free, us) & empty
    double = pawn_pushes(single & (RANK_3 if us == 0 else RANK_6), us) & empty & target
    single &= target
    if us == 0:
        west = ((free & ~FILE_A) << _U7) & opp & target
        east = ((free & ~FILE_H) << _U9) & opp & target
        n = _put_shifted(out, n, single, 8)
        n = _put_shifted(out, n, double, 16)
        n = _put_shifted(out, n, west, 7)
        n = _put_shifted(out, n, east, 9)
    else:
        west = ((free & ~FILE_A) >> _U9) & opp & target
        east = ((free & ~FILE_H) >> _U7) & opp & target
        n = _put_shifted(out, n, single, -8)
        n = _put_shifted(out, n, double, -16)
        n = _put_shifted(out, n, west, -9)
        n = _put_shifted(out, n, east, -7)
    stuck = pawns & pinned
    while stuck:  # pinned pawns: only along the pin line
        frm = lsb(stuck)
        allowed = LINE[king, frm] & target
        one = pawn_pushes(bit(frm), us) & empty
        reach = (one | (PAWN_ATTACKS[us, frm] & opp)) & allowed
        start = RANK_1 << U8 if us == 0 else RANK_8 >> U8
        if one != U0 and (bit(frm) & start) != U0:
            reach |= pawn_pushes(one, us) & empty & allowed
        while reach:
            n = _put_pawn(out, n, frm, lsb(reach))
            reach &= reach - U1
        stuck &= stuck - U1
    ep = stack[d, W_EP]
    if ep != NO_SQUARE:
        takers = PAWN_ATTACKS[1 - us, ep] & pawns
        while takers:
            frm = lsb(takers)
            if en_passant_legal(stack, d, frm, ep):
                n = _put(out, n, frm, ep, 0)
            takers &= takers - U1
    return n


@njit(cache=True)
def _castling(stack: np.ndarray, d: int, out: np.ndarray | None, n: int, us: int, occ: np.uint64, king: int) -> int:
    """Castling moves (the king's two-square move) of a side not in check."""
    rights = stack[d, W_CASTLING]
    shift = np.uint64(56 * us)
    them = 1 - us
    if (rights & (WHITE_OO if us == 0 else BLACK_OO)) != 0 and (occ & (_OO_EMPTY << shift)) == U0:
        if not attacked_by(stack, d, king + 1, them, occ) and not attacked_by(stack, d, king + 2, them, occ):
            n = _put(out, n, king, king + 2, 0)
    if (rights & (WHITE_OOO if us == 0 else BLACK_OOO)) != 0 and (occ & (_OOO_EMPTY << shift)) == U0:
        if not attacked_by(stack, d, king - 1, them, occ) and not attacked_by(stack, d, king - 2, them, occ):
            n = _put(out, n, king, king - 2, 0)
    return n

