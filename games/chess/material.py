"""The classical chess evaluation of :class:`search.evaluators.MaterialEvaluator` in numba: material, and
whether a move captures or gives check (for its prior logits).

:func:`gives_check` follows Stockfish's ``Position::gives_check``: the squares from which each piece type
would check the enemy king and the pieces whose move would uncover a check ("discoverers") are computed
once per position (:func:`check_info`); a normal move checks iff it lands on a checking square of its
piece type or it uncovers a check off the line to the king; promotions, en passant and castling are
decided on the board after the move.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.chess.bitboards import (
    BETWEEN,
    BISHOP_PSEUDO,
    KNIGHT_ATTACKS,
    LINE,
    PAWN_ATTACKS,
    ROOK_PSEUDO,
    U0,
    U1,
    bishop_attacks,
    bit,
    lsb,
    more_than_one,
    piece_attacks,
    popcount,
    rook_attacks,
)
from games.chess.position import (
    BISHOP,
    KING,
    KNIGHT,
    PAWN,
    QUEEN,
    ROOK,
    W_EP,
    W_TURN,
    W_WHITE,
    king_square,
    occupied,
    piece_on,
    word,
)

PIECE_WORTH = (1.0, 3.0, 3.0, 5.0, 9.0)
"""Material of a pawn, knight, bishop, rook and queen (``search.evaluators.PIECE_VALUES``)."""
MATERIAL_SCALE = 10.0
"""The value is ``tanh(material difference / MATERIAL_SCALE)`` (``search.evaluators.MATERIAL_SCALE``)."""


@njit(cache=True)
def material_difference(stack: np.ndarray, d: int) -> float:
    """Material of the side to move minus the opponent's in row ``d`` (P1 N3 B3 R5 Q9)."""
    us = stack[d, W_TURN]
    own = word(stack, d, W_WHITE + us)
    opp = word(stack, d, W_WHITE + 1 - us)
    diff = 0.0
    for p in range(5):
        pieces = word(stack, d, p)
        diff += PIECE_WORTH[p] * (np.float64(popcount(pieces & own)) - np.float64(popcount(pieces & opp)))
    return diff


@njit(cache=True)
def check_info(stack: np.ndarray, d: int) -> tuple[int, np.uint64, np.uint64, np.uint64, np.uint64]:
    """(enemy king square, discoverers, pawn, bishop and rook checking squares) for the side to move."""
    us = stack[d, W_TURN]
    own = word(stack, d, W_WHITE + us)
    occ = occupied(stack, d)
    king = king_square(stack, d, 1 - us)
    queens = word(stack, d, QUEEN)
    snipers = ((ROOK_PSEUDO[king] & (word(stack, d, ROOK) | queens))
               | (BISHOP_PSEUDO[king] & (word(stack, d, BISHOP) | queens))) & own
    discoverers = U0
    while snipers:
        between = BETWEEN[king, lsb(snipers)] & occ
        if between != U0 and not more_than_one(between) and (between & own) != U0:
            discoverers |= between
        snipers &= snipers - U1
    return king, discoverers, PAWN_ATTACKS[1 - us, king], bishop_attacks(king, occ), rook_attacks(king, occ)


@njit(cache=True)
def _sliders_hit(stack: np.ndarray, d: int, king: int, occ: np.uint64, rooks: np.uint64,
                 bishops: np.uint64) -> bool:
    """True iff one of the ``rooks`` (rook movers) or ``bishops`` (bishop movers) attacks ``king``."""
    return ((rook_attacks(king, occ) & rooks) | (bishop_attacks(king, occ) & bishops)) != U0


@njit(cache=True)
def gives_check(stack: np.ndarray, d: int, frm: int, to: int, promo: int, king: int, discoverers: np.uint64,
                pawn_checks: np.uint64, bishop_checks: np.uint64, rook_checks: np.uint64) -> bool:
    """Whether the legal move ``frm`` -> ``to`` (promotion piece index ``promo`` or 0) of row ``d`` checks
    the enemy king; the other arguments are :func:`check_info` of row ``d``."""
    piece = piece_on(stack, d, frm)
    target = bit(to)
    if promo == 0:
        if piece == PAWN:
            direct = pawn_checks
        elif piece == KNIGHT:
            direct = KNIGHT_ATTACKS[king]
        elif piece == BISHOP:
            direct = bishop_checks
        elif piece == ROOK:
            direct = rook_checks
        elif piece == QUEEN:
            direct = bishop_checks | rook_checks
        else:
            direct = U0
        if direct & target:
            return True
    if (discoverers >> np.uint64(frm)) & U1 != U0 and (LINE[frm, to] >> np.uint64(king)) & U1 == U0:
        return True
    us = stack[d, W_TURN]
    own = word(stack, d, W_WHITE + us)
    occ = occupied(stack, d)
    queens = word(stack, d, QUEEN) & own
    rooks = (word(stack, d, ROOK) & own) | queens
    bishops = (word(stack, d, BISHOP) & own) | queens
    if promo != 0:
        after = (occ ^ bit(frm)) | target
        return (piece_attacks(promo, to, after) >> np.uint64(king)) & U1 != U0
    if piece == PAWN and to == stack[d, W_EP]:
        behind = to - 8 if us == 0 else to + 8
        after = (occ ^ bit(frm) ^ bit(behind)) | target
        return _sliders_hit(stack, d, king, after, rooks, bishops)
    if piece == KING and (to - frm == 2 or frm - to == 2):
        rook_from = to + 1 if to > frm else to - 2
        rook_to = to - 1 if to > frm else to + 1
        after = occ ^ bit(frm) ^ target ^ bit(rook_from) ^ bit(rook_to)
        return _sliders_hit(stack, d, king, after, rooks ^ bit(rook_from) ^ bit(rook_to), bishops)
    return False


@njit(cache=True)
def is_capture(stack: np.ndarray, d: int, frm: int, to: int) -> bool:
    """python-chess's ``is_capture`` of a legal move of row ``d`` (en passant included)."""
    us = stack[d, W_TURN]
    if (stack[d, W_WHITE + 1 - us] >> to) & 1:
        return True
    return to == stack[d, W_EP] and (stack[d, PAWN] >> frm) & 1 == 1

