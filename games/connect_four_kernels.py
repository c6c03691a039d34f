"""Connect four as numba kernels over bitboards: the compiled core that search runs whole simulations with.

State layout (a plain 1-D ``np.int64`` array of length :data:`C4_STATE_SIZE` = 4):

* ``s[0]``: bitboard of player 0's stones (``x`` in open_spiel, who moves first);
* ``s[1]``: bitboard of player 1's stones;
* ``s[2]``: number of moves played so far (player to move = ``s[2] % 2``);
* ``s[3]``: outcome code: :data:`C4_ONGOING` = 0, :data:`C4_WIN_P0` = 1, :data:`C4_WIN_P1` = 2,
  :data:`C4_DRAW` = 3.

Bitboards are column-major with 7 bits per column: bit index ``col * 7 + row``, row 0 at the bottom,
rows 0..5 hold stones and row 6 is an always-empty sentinel, so that shifting never carries a line
from one column into the next. Action = column 0..6, as in open_spiel's ``connect_four``.

Kernels (all ``@njit(cache=True)`` free functions; ``s`` is the state array above):

* ``c4_init(s) -> None``: the empty board, player 0 to move.
* ``c4_current_player(s) -> int``: ``s[2] % 2`` (also after the end: the player who would move).
* ``c4_legal_bits(s) -> int``: bit ``c`` set iff column ``c`` is playable; 0 once terminal.
* ``c4_legal_mask(s, out) -> None``: ``out`` bool [7], True at playable columns (all False if terminal).
* ``c4_apply(s, col) -> None``: drops the mover's stone in ``col`` in place and updates the outcome
  (4-in-a-row test on the mover's bitboard; draw when the 42nd stone fills the board). No legality test.
* ``c4_is_terminal(s) -> bool``: ``s[3] != C4_ONGOING``.
* ``c4_value_for(s, player) -> float``: +1.0 if ``player`` won, -1.0 if they lost, 0.0 for a draw or an
  ongoing game.
* ``c4_random_playout(s) -> int``: plays uniformly random legal moves in place to the end with numba's
  ``np.random`` (seed it with :func:`c4_seed`) and returns the outcome code.

Extras beyond that core: ``c4_seed(seed)`` seeds numba's generator (numba keeps its own, separate from
NumPy's); ``c4_observation(s, out)`` writes the network input (float32 [3, 6, 7], from the mover's view:
mover's stones, opponent's stones, empty; ``out[plane, row, col]`` with row 0 at the bottom);
``c4_has_won(board) -> bool`` is the 4-in-a-row test on one bitboard.

Scalar kernels for search's hot loops (no array traffic: a position is two bitboards and a ply count in
registers): ``c4_column_full(occupied, col)``, ``c4_drop(occupied, col)`` (the cell a stone lands on),
``c4_play(p0, p1, ply, col) -> (p0, p1, ply, outcome)`` (:func:`c4_apply` on scalars),
``c4_rng_seed(seed)`` / ``c4_rng_next(rng)`` (splitmix64, a generator kept in a local variable) and
``c4_playout_value(mine, theirs, ply, rng) -> (value, rng)``: one uniformly random playout, valued for
the player to move at its start.
"""
from __future__ import annotations

import numpy as np
from numba import njit

C4_STATE_SIZE = 4
"""Length of a state array."""
C4_ROWS = 6
"""Rows of the board."""
C4_COLS = 7
"""Columns of the board."""
C4_NUM_ACTIONS = 7
"""Actions are the columns 0..6."""
C4_COL_BITS = 7
"""Bits per column in a bitboard (6 rows + 1 sentinel)."""

C4_ONGOING = 0
"""Outcome code: the game goes on."""
C4_WIN_P0 = 1
"""Outcome code: player 0 made four in a row."""
C4_WIN_P1 = 2
"""Outcome code: player 1 made four in a row."""
C4_DRAW = 3
"""Outcome code: the board is full without four in a row."""

_COLUMN_MASK = (1 << C4_ROWS) - 1
"""The 6 stone bits of column 0 (shift by ``col * 7`` for another column)."""
_TOP_ROW = C4_ROWS - 1
"""Index of the top row."""
C4_CELLS = C4_ROWS * C4_COLS
"""42 cells: the game is a draw once they are all filled without a line."""


@njit(cache=True)
def c4_init(s: np.ndarray) -> None:
    """Reset ``s`` (int64 [4]) to the empty board with player 0 to move."""
    s[0] = 0
    s[1] = 0
    s[2] = 0
    s[3] = C4_ONGOING


@njit(cache=True)
def c4_current_player(s: np.ndarray) -> int:
    """Player to move (0 or 1): ``s[2] % 2``."""
    return s[2] % 2


@njit(cache=True)
def c4_legal_bits(s: np.ndarray) -> int:
    """Bit ``c`` set iff column ``c`` is playable (its top cell is empty); 0 once the game is over."""
    if s[3] != C4_ONGOING:
        return 0
    occupied = s[0] | s[1]
    bits = 0
    for col in range(C4_COLS):
        if ((occupied >> (col * C4_COL_BITS + _TOP_ROW)) & 1) == 0:
            bits |= 1 << col
    return bits


@njit(cache=True)
def c4_legal_mask(s: np.ndarray, out: np.ndarray) -> None:
    """Write the playable columns into ``out`` (bool [7]); all False once the game is over."""
    bits = c4_legal_bits(s)
    for col in range(C4_COLS):
        out[col] = ((bits >> col) & 1) == 1


@njit(cache=True, inline="always")
def c4_has_won(board: np.int64) -> bool:
    """True iff the bitboard holds four stones in a line (vertical, horizontal or diagonal)."""
    # Shifts: 1 = vertical, 7 = horizontal, 6 = diagonal down-right, 8 = diagonal up-right.
    m = board & (board >> 1)
    if (m & (m >> 2)) != 0:
        return True
    m = board & (board >> 7)
    if (m & (m >> 14)) != 0:
        return True
    m = board & (board >> 6)
    if (m & (m >> 12)) != 0:
        return True
    m = board & (board >> 8)
    if (m & (m >> 16)) != 0:
        return True
    return False


# ----- scalar kernels: a position in registers (search's hot loops) ------------------------------

_U3 = np.uint64(3)
_U7 = np.uint64(7)
_SPLITMIX_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_SPLITMIX_MUL1 = np.uint64(0xBF58476D1CE4E5B9)
_SPLITMIX_MUL2 = np.uint64(0x94D049BB133111EB)
_DRAWS_PER_WORD = 21
"""3-bit column draws taken from one 64-bit random word."""


@njit(cache=True, inline="always")
def c4_column_full(occupied: np.int64, col: int) -> bool:
    """True iff the top cell of column ``col`` is taken in the ``occupied`` bitboard."""
    return ((occupied >> (col * C4_COL_BITS + _TOP_ROW)) & 1) != 0


@njit(cache=True, inline="always")
def c4_drop(occupied: np.int64, col: int) -> np.int64:
    """Bitboard with the single cell a stone dropped into column ``col`` (not full) lands on."""
    # Column bits fill from the bottom without gaps, so adding the bottom bit lands on the lowest empty cell.
    shift = col * C4_COL_BITS
    return (occupied + (np.int64(1) << shift)) & (np.int64(_COLUMN_MASK) << shift)


@njit(cache=True, inline="always")
def c4_play(p0: np.int64, p1: np.int64, ply: int, col: int) -> tuple[np.int64, np.int64, np.int64, np.int64]:
    """:func:`c4_apply` on scalars: the position ``p0``, ``p1``, ``ply`` after the mover drops a stone in
    ``col`` (assumed playable), as (p0, p1, ply, outcome code)."""
    move = c4_drop(p0 | p1, col)
    outcome = C4_ONGOING
    if ply % 2 == 0:
        p0 = p0 | move
        if c4_has_won(p0):
            outcome = C4_WIN_P0
    else:
        p1 = p1 | move
        if c4_has_won(p1):
            outcome = C4_WIN_P1
    ply += 1
    if outcome == C4_ONGOING and ply >= C4_CELLS:
        outcome = C4_DRAW
    return np.int64(p0), np.int64(p1), np.int64(ply), np.int64(outcome)


@njit(cache=True, inline="always")
def c4_rng_seed(seed: int) -> np.uint64:
    """State of the splitmix64 generator :func:`c4_rng_next` advances (any int seed)."""
    return np.uint64(seed & 0x7FFFFFFFFFFFFFFF) * _SPLITMIX_MUL2 + _SPLITMIX_GAMMA


@njit(cache=True, inline="always")
def c4_rng_next(rng: np.uint64) -> tuple[np.uint64, np.uint64]:
    """(next state, 64 random bits): splitmix64 (Steele, Lea and Flood 2014), a local-variable generator."""
    rng = np.uint64(rng) + _SPLITMIX_GAMMA  # np.uint64: a Python int caller may pass an int64
    z = rng
    z = (z ^ (z >> np.uint64(30))) * _SPLITMIX_MUL1
    z = (z ^ (z >> np.uint64(27))) * _SPLITMIX_MUL2
    return rng, z ^ (z >> np.uint64(31))


@njit(cache=True)
def c4_playout_value(mine: np.int64, theirs: np.int64, ply: int, rng: np.uint64) -> tuple[float, np.uint64]:
    """One uniformly random playout from an ongoing position; returns (value, generator state).

    ``mine``/``theirs``: bitboards of the player to move and of the opponent; ``ply``: moves played so
    far. The value is +1.0 / -1.0 / 0.0 if the player to move at the start wins / loses / draws.
    Columns are drawn 3 random bits at a time, rejecting 7 and full columns: uniform over the legal ones.
    """
    rng = np.uint64(rng)
    sign = 1.0
    word = np.uint64(0)
    left = 0
    while True:
        occupied = mine | theirs
        while True:
            if left == 0:
                rng, word = c4_rng_next(rng)
                left = _DRAWS_PER_WORD
            col = np.int64(word & _U7)
            word = word >> _U3
            left -= 1
            if col < C4_COLS and not c4_column_full(occupied, col):
                break
        mine = mine | c4_drop(occupied, col)
        ply += 1
        if c4_has_won(mine):
            return sign, rng
        if ply >= C4_CELLS:
            return 0.0, rng
        mine, theirs = theirs, mine
        sign = -sign


# ----- the state-array API, continued ------------------------------------------------------------


@njit(cache=True)
def c4_apply(s: np.ndarray, col: int) -> None:
    """Drop the mover's stone into column ``col`` (assumed playable) and update the outcome, in place."""
    s[0], s[1], s[2], s[3] = c4_play(s[0], s[1], s[2], col)


@njit(cache=True)
def c4_is_terminal(s: np.ndarray) -> bool:
    """True once somebody has won or the board is full."""
    return s[3] != C4_ONGOING


@njit(cache=True)
def c4_value_for(s: np.ndarray, player: int) -> float:
    """+1.0 if ``player`` won, -1.0 if they lost, 0.0 for a draw or a game still going on."""
    outcome = s[3]
    if outcome == C4_WIN_P0:
        return 1.0 if player == 0 else -1.0
    if outcome == C4_WIN_P1:
        return 1.0 if player == 1 else -1.0
    return 0.0


@njit(cache=True)
def c4_random_playout(s: np.ndarray) -> int:
    """Play uniformly random legal moves in place until the end (numba's ``np.random``); returns the outcome."""
    while s[3] == C4_ONGOING:
        bits = c4_legal_bits(s)
        count = 0
        for col in range(C4_COLS):
            count += (bits >> col) & 1
        k = np.random.randint(0, count)
        for col in range(C4_COLS):
            if ((bits >> col) & 1) != 0:
                if k == 0:
                    c4_apply(s, col)
                    break
                k -= 1
    return s[3]


@njit(cache=True)
def c4_seed(seed: int) -> None:
    """Seed numba's random generator (used by :func:`c4_random_playout`) in this process."""
    np.random.seed(seed)


@njit(cache=True)
def c4_observation(s: np.ndarray, out: np.ndarray) -> None:
    """Write the mover's view into ``out`` float32 [3, 6, 7]: planes mover's stones, opponent's, empty.

    ``out[plane, row, col]``, row 0 at the bottom (the layout of open_spiel's connect_four tensor).
    """
    player = s[2] % 2
    mine = s[player]
    theirs = s[1 - player]
    for col in range(C4_COLS):
        for row in range(C4_ROWS):
            bit = col * C4_COL_BITS + row
            a = (mine >> bit) & 1
            b = (theirs >> bit) & 1
            out[0, row, col] = a
            out[1, row, col] = b
            out[2, row, col] = 1 - a - b
