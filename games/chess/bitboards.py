"""Bitboard tables and attack functions of the compiled chess core (numba).

A bitboard is a ``np.uint64`` with bit ``s`` set for square ``s`` (python-chess numbering: a1 = 0,
b1 = 1, ..., h8 = 63). Everything here stays in ``uint64``: numba turns ``uint64 op int64`` into
float64 silently, so shifts and masks always use the ``np.uint64`` constants below.

Sliding attacks use the **obstruction difference** method (Michael Hoffmann; chessprogramming wiki,
"Obstruction Difference"): for a square and one of its four lines (file, rank, diagonal,
anti-diagonal), the occupied squares below the square give the nearest lower blocker by a bit scan
reverse, those above give the nearest upper blocker by isolating the lowest bit, and
``2 * ls1b(upper) - 2 ** msb(lower | 1)`` covers exactly the squares between them. It needs only
3 x 64 x 4 small masks (no 800 KB magic tables baked into every compiled function) and costs about
ten instructions per line.

Bit scans and population counts are LLVM intrinsics (``cttz``, ``ctlz``, ``ctpop``): one instruction
each on the host CPU numba compiles for.
"""
from __future__ import annotations

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import leading_zeros, trailing_zeros
from numba.extending import intrinsic

U0 = np.uint64(0)
"""The empty bitboard."""
U1 = np.uint64(1)
"""Bit 0 (a1); also the uint64 one for shifts."""
U8 = np.uint64(8)
"""Shift of one rank."""
U63 = np.uint64(63)
"""Highest bit index."""
FULL = np.uint64(0xFFFFFFFFFFFFFFFF)
"""All 64 squares."""
FILE_A = np.uint64(0x0101010101010101)
"""Squares of the a-file."""
FILE_H = np.uint64(0x8080808080808080)
"""Squares of the h-file."""
RANK_1 = np.uint64(0x00000000000000FF)
"""Squares of rank 1."""
RANK_3 = np.uint64(0x0000000000FF0000)
"""Squares of rank 3 (White's pawns land here after one step from their start)."""
RANK_6 = np.uint64(0x0000FF0000000000)
"""Squares of rank 6 (Black's pawns land here after one step from their start)."""
RANK_8 = np.uint64(0xFF00000000000000)
"""Squares of rank 8."""
DARK_SQUARES = np.uint64(0xAA55AA55AA55AA55)
"""Dark squares (a1 is dark), as python-chess's ``BB_DARK_SQUARES``."""
LIGHT_SQUARES = np.uint64(0x55AA55AA55AA55AA)
"""Light squares, as python-chess's ``BB_LIGHT_SQUARES``."""

LINE_FILE, LINE_RANK, LINE_DIAG, LINE_ANTI = 0, 1, 2, 3
"""The four lines through a square (diagonal: a1-h8 direction, anti-diagonal: h1-a8 direction)."""
_LINE_STEPS = ((1, 0), (0, 1), (1, 1), (1, -1))
"""(rank step, file step) going 'up' each line (towards higher square numbers)."""
_KNIGHT_STEPS = ((2, 1), (1, 2), (-1, 2), (-2, 1), (-2, -1), (-1, -2), (1, -2), (2, -1))
_KING_STEPS = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


@intrinsic
def popcount(typingctx, x):  # type: ignore[no-untyped-def]
    """Number of set bits of an integer (LLVM ``ctpop``; same type as ``x``)."""
    sig = x(x)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.ctpop(args[0])
    return sig, codegen


@njit(cache=True)
def lsb(bb: np.uint64) -> int:
    """Index of the lowest set bit of a non-empty bitboard."""
    return np.int64(trailing_zeros(bb))


@njit(cache=True)
def bit(square: int) -> np.uint64:
    """The bitboard of one square."""
    return U1 << np.uint64(square)


@njit(cache=True)
def more_than_one(bb: np.uint64) -> bool:
    """True iff at least two bits are set."""
    return (bb & (bb - U1)) != U0


# ----- tables (built once at import, in plain Python; frozen into compiled code as constants) ---------


def _on_board(rank: int, file: int) -> bool:
    return 0 <= rank < 8 and 0 <= file < 8


def _step_table(steps: tuple[tuple[int, int], ...]) -> np.ndarray:
    """uint64 [64]: squares one step (knight or king) away from each square."""
    table = np.zeros(64, np.uint64)
    for sq in range(64):
        rank, file = divmod(sq, 8)
        bits = 0
        for dr, df in steps:
            if _on_board(rank + dr, file + df):
                bits |= 1 << ((rank + dr) * 8 + file + df)
        table[sq] = bits
    return table


def _pawn_table() -> np.ndarray:
    """uint64 [2, 64]: squares a pawn of colour c (0 White, 1 Black) on square s attacks."""
    table = np.zeros((2, 64), np.uint64)
    for sq in range(64):
        rank, file = divmod(sq, 8)
        for colour, dr in ((0, 1), (1, -1)):
            bits = 0
            for df in (-1, 1):
                if _on_board(rank + dr, file + df):
                    bits |= 1 << ((rank + dr) * 8 + file + df)
            table[colour, sq] = bits
    return table


def _ray(sq: int, dr: int, df: int) -> list[int]:
    rank, file = divmod(sq, 8)
    out = []
    rank, file = rank + dr, file + df
    while _on_board(rank, file):
        out.append(rank * 8 + file)
        rank, file = rank + dr, file + df
    return out


def _line_masks() -> np.ndarray:
    """uint64 [64, 4, 2]: for each square and line, the line's squares below (0) and above (1) it."""
    masks = np.zeros((64, 4, 2), np.uint64)
    for sq in range(64):
        for line, (dr, df) in enumerate(_LINE_STEPS):
            masks[sq, line, 1] = sum(1 << s for s in _ray(sq, dr, df))
            masks[sq, line, 0] = sum(1 << s for s in _ray(sq, -dr, -df))
    return masks


def _between_and_line() -> tuple[np.ndarray, np.ndarray]:
    """uint64 [64, 64] twice: squares strictly between two aligned squares, and the whole line
    through them (both 0 when the squares share no rank, file or diagonal)."""
    between = np.zeros((64, 64), np.uint64)
    line = np.zeros((64, 64), np.uint64)
    for a in range(64):
        for dr, df in _KING_STEPS:
            ray = _ray(a, dr, df)
            full = (1 << a) | sum(1 << s for s in ray) | sum(1 << s for s in _ray(a, -dr, -df))
            for i, b in enumerate(ray):
                between[a, b] = sum(1 << s for s in ray[:i])
                line[a, b] = full
    return between, line


KNIGHT_ATTACKS = _step_table(_KNIGHT_STEPS)
"""uint64 [64]: knight jumps from each square."""
KING_ATTACKS = _step_table(_KING_STEPS)
"""uint64 [64]: king steps from each square."""
PAWN_ATTACKS = _pawn_table()
"""uint64 [2, 64]: squares attacked by a pawn of colour ``c`` (0 White, 1 Black) on square ``s``."""
LINE_MASKS = _line_masks()
"""uint64 [64, 4, 2]: squares of line ``l`` below (0) / above (1) square ``s``."""
BETWEEN, LINE = _between_and_line()
"""uint64 [64, 64]: squares strictly between two aligned squares; the full line through them."""
ROOK_PSEUDO = np.bitwise_or.reduce(LINE_MASKS[:, [LINE_FILE, LINE_RANK]].reshape(64, 4), axis=1)
"""uint64 [64]: rook attacks from each square on an empty board."""
BISHOP_PSEUDO = np.bitwise_or.reduce(LINE_MASKS[:, [LINE_DIAG, LINE_ANTI]].reshape(64, 4), axis=1)
"""uint64 [64]: bishop attacks from each square on an empty board."""


# ----- attacks -----------------------------------------------------------------------------------------


@njit(cache=True)
def line_attacks(square: int, line: int, occupied: np.uint64) -> np.uint64:
    """Squares a slider on ``square`` reaches along ``line`` (blockers included), obstruction difference."""
    below = LINE_MASKS[square, line, 0]
    above = LINE_MASKS[square, line, 1]
    lower = below & occupied
    upper = above & occupied
    from_lower = FULL << (U63 - leading_zeros(lower | U1))  # squares from the nearest lower blocker up
    lowest_upper = upper & (U0 - upper)
    return (below | above) & ((lowest_upper << U1) + from_lower)


@njit(cache=True)
def rook_attacks(square: int, occupied: np.uint64) -> np.uint64:
    """Rook attacks from ``square`` given the ``occupied`` squares."""
    return line_attacks(square, LINE_FILE, occupied) | line_attacks(square, LINE_RANK, occupied)


@njit(cache=True)
def bishop_attacks(square: int, occupied: np.uint64) -> np.uint64:
    """Bishop attacks from ``square`` given the ``occupied`` squares."""
    return line_attacks(square, LINE_DIAG, occupied) | line_attacks(square, LINE_ANTI, occupied)


@njit(cache=True)
def piece_attacks(piece: int, square: int, occupied: np.uint64) -> np.uint64:
    """Attacks of a knight (1), bishop (2), rook (3), queen (4) or king (5) on ``square``."""
    if piece == 1:
        return KNIGHT_ATTACKS[square]
    if piece == 2:
        return bishop_attacks(square, occupied)
    if piece == 3:
        return rook_attacks(square, occupied)
    if piece == 4:
        return bishop_attacks(square, occupied) | rook_attacks(square, occupied)
    return KING_ATTACKS[square]


@njit(cache=True)
def pawn_pushes(pawns: np.uint64, colour: int) -> np.uint64:
    """Pawns of ``colour`` moved one rank forward (0 White: up, 1 Black: down)."""
    return pawns << U8 if colour == 0 else pawns >> U8


@njit(cache=True)
def attackers_to(square: int, occupied: np.uint64, by: np.uint64, pawns: np.uint64, knights: np.uint64,
                 bishops: np.uint64, rooks: np.uint64, queens: np.uint64, kings: np.uint64,
                 by_colour: int) -> np.uint64:
    """Pieces of ``by`` (colour ``by_colour``'s pieces, already masked by ``occupied``) that attack
    ``square`` when the board holds ``occupied``."""
    hits = KNIGHT_ATTACKS[square] & knights
    hits |= PAWN_ATTACKS[1 - by_colour, square] & pawns
    hits |= KING_ATTACKS[square] & kings
    hits |= rook_attacks(square, occupied) & (rooks | queens)
    hits |= bishop_attacks(square, occupied) & (bishops | queens)
    return hits & by
