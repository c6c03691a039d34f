"""Position records and AlphaZero-like observation planes for chess, from the side to move's view.

Layout of ``observation()``, float32 ``[119, 8, 8]`` indexed ``[plane, rank, file]`` in the mover's
perspective (the board is flipped vertically when Black is to move, so the mover's pieces start on
ranks 0-1 either way):

* planes ``14 * t + 0 .. 14 * t + 13`` for ``t = 0 .. 7`` (``t = 0`` the current position, ``t = 1``
  the one before, ...), every history position seen by the *current* mover:

  * ``+0 .. +5``: the mover's pawns, knights, bishops, rooks, queens, king;
  * ``+6 .. +11``: the opponent's pawns, knights, bishops, rooks, queens, king;
  * ``+12``: all ones if that position had occurred at least once before (its second occurrence);
  * ``+13``: all ones if it had occurred at least twice before (third occurrence).

  Positions before the first one the state knows (the start, or the FEN it was parsed from) are zeros.
* ``112`` colour: all ones when Black is to move (the only plane telling the colours apart);
* ``113`` move count: plies played in the state's history / ``max_game_length`` (0 at the start or
  at a parsed FEN, 1 when the ``max_length`` draw is reached; unlike the fullmove number it is the
  same for a game and its colour-mirrored twin);
* ``114 .. 117`` castling rights: mover king side, mover queen side, opponent king side, opponent
  queen side;
* ``118`` no-progress count: ``min(halfmove_clock / 100, 1)``.

A position and its colour-mirrored counterpart therefore give equal observations except plane 112.
"""
from __future__ import annotations

import chess
import numpy as np

HISTORY = 8
"""Positions in the observation (the current one and the 7 before it)."""
PLANES_PER_POSITION = 14
"""12 piece planes and 2 repetition planes per history position."""
COLOUR_PLANE = HISTORY * PLANES_PER_POSITION
"""112: all ones when Black is to move."""
MOVE_COUNT_PLANE = COLOUR_PLANE + 1
"""113: plies played / max game length."""
CASTLING_PLANE0 = COLOUR_PLANE + 2
"""114..117: mover O-O, mover O-O-O, opponent O-O, opponent O-O-O."""
NO_PROGRESS_PLANE = COLOUR_PLANE + 6
"""118: scaled half-move clock."""
NUM_PLANES = COLOUR_PLANE + 7
"""119 planes in all."""
OBSERVATION_SHAPE = (NUM_PLANES, 8, 8)
"""Shape of one observation."""
NO_PROGRESS_SCALE = 100.0
"""Half-move clock that maps to 1.0 (the fifty-move rule)."""
_ALL = (1 << 64) - 1

PositionKey = tuple[int, int, int, int, int, int, int, int, bool, int, int]
"""(pawns, knights, bishops, rooks, queens, kings, white, black, turn, castling, ep square or -1):
what makes two positions the same for the repetition rules."""


def position_key(board: chess.Board) -> PositionKey:
    """The repetition key of ``board`` (en passant square only if a legal en passant capture exists)."""
    ep = board.ep_square if board.ep_square is not None and board.has_legal_en_passant() else -1
    black, white = board.occupied_co  # indexed by colour: BLACK = False = 0
    return (board.pawns, board.knights, board.bishops, board.rooks, board.queens, board.kings, white, black,
            board.turn, board.clean_castling_rights(), ep)


def count_repetitions(keys: list[PositionKey], halfmove_clock: int) -> int:
    """How often ``keys[-1]`` occurred before, looking back only over the reversible plies.

    Args:
        keys: repetition keys of every known position, oldest first, the current one last.
        halfmove_clock: plies since the last capture or pawn move (no repetition can reach further).
    """
    current = keys[-1]
    start = max(0, len(keys) - 1 - halfmove_clock)
    # Same side to move: only every second position can be equal.
    return sum(1 for i in range(len(keys) - 3, start - 1, -2) if keys[i] == current)


def observation(
    board: chess.Board, keys: list[PositionKey], repetitions: list[int], move_fraction: float
) -> np.ndarray:
    """The observation planes (see the module docstring).

    Args:
        board: the current position.
        keys: repetition keys of the known positions, oldest first (the current one last).
        repetitions: for each of ``keys``, how often it had occurred before it.
        move_fraction: plies played / max game length (the move-count plane).

    Returns:
        float32 array [119, 8, 8].
    """
    turn = board.turn
    words = [0] * COLOUR_PLANE
    for t in range(min(HISTORY, len(keys))):
        key = keys[-1 - t]
        own, opp = (key[6], key[7]) if turn else (key[7], key[6])
        base = t * PLANES_PER_POSITION
        for i in range(6):
            words[base + i] = key[i] & own
            words[base + 6 + i] = key[i] & opp
        reps = repetitions[-1 - t]
        if reps >= 1:
            words[base + 12] = _ALL
        if reps >= 2:
            words[base + 13] = _ALL
    bitboards = np.array(words, dtype="<u8")
    if not turn:
        bitboards = bitboards.byteswap()  # bytes are ranks: swapping them flips the board vertically
    out = np.empty(OBSERVATION_SHAPE, dtype=np.float32)
    out[:COLOUR_PLANE] = np.unpackbits(bitboards.view(np.uint8), bitorder="little").reshape(COLOUR_PLANE, 8, 8)
    out[COLOUR_PLANE] = 0.0 if turn else 1.0
    out[MOVE_COUNT_PLANE] = move_fraction
    rights = (board.has_kingside_castling_rights(turn), board.has_queenside_castling_rights(turn),
              board.has_kingside_castling_rights(not turn), board.has_queenside_castling_rights(not turn))
    for i, right in enumerate(rights):
        out[CASTLING_PLANE0 + i] = 1.0 if right else 0.0
    out[NO_PROGRESS_PLANE] = min(board.halfmove_clock / NO_PROGRESS_SCALE, 1.0)
    return out
