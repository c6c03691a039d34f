"""AlphaZero's chess action encoding: 8 x 8 x 73 = 4672 actions, from the side to move's view.

Glossary (all squares are python-chess square numbers ``rank * 8 + file``, a1 = 0, h8 = 63):

* **Perspective square**: the square as the side to move sees it. White's squares are unchanged; for
  Black the board is flipped vertically (``square ^ 56``: a8 <-> a1, files unchanged), so Black's
  pawns also move "up" the board. Encoding a position and its colour-mirrored counterpart
  (``board.mirror()``) gives the same actions: the encoding is colour-symmetric.
* **Action** ``= plane * 64 + from_square`` with ``from_square`` a perspective square; a policy head
  with output ``[73, 8, 8]`` (plane, rank, file) flattens to exactly this numbering.
* **Planes 0..55, queen-like moves**: ``plane = direction * 7 + (distance - 1)`` with distance 1..7
  and direction 0..7 = N, NE, E, SE, S, SW, W, NW (N = towards the opponent, E = towards the h-file).
  King moves, castling (the king's two-square move, e.g. e1g1 = E distance 2), rook, bishop, queen
  and pawn moves, **including promotions to a queen**, use these planes.
* **Planes 56..63, knight moves**: ``plane = 56 + k`` with k over the jumps (rank, file) =
  (+2,+1), (+1,+2), (-1,+2), (-2,+1), (-2,-1), (-1,-2), (+1,-2), (+2,-1).
* **Planes 64..72, underpromotions**: ``plane = 64 + piece * 3 + (file_delta + 1)`` with piece
  0..2 = knight, bishop, rook and file_delta -1 (capture towards the a-file), 0 (push), +1 (capture
  towards the h-file).

:func:`move_to_action` and :func:`action_to_move` convert one move; :func:`legal_actions_and_moves`
encodes a whole legal-move list at once (the hot path of :class:`~games.chess.state.ChessState`).
Chess960 castling (king takes rook) is not supported.
"""
from __future__ import annotations

import chess

from games.core import IllegalActionError

NUM_PLANES = 73
"""Move-type planes per from-square."""
NUM_ACTIONS = 64 * NUM_PLANES
"""4672 actions."""
QUEEN_DIRECTIONS: tuple[tuple[int, int], ...] = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))
"""(rank delta, file delta) of the 8 queen directions N, NE, E, SE, S, SW, W, NW (planes 0..55)."""
KNIGHT_JUMPS: tuple[tuple[int, int], ...] = ((2, 1), (1, 2), (-1, 2), (-2, 1), (-2, -1), (-1, -2), (1, -2), (2, -1))
"""(rank delta, file delta) of the 8 knight jumps (planes 56..63)."""
KNIGHT_PLANE0 = 56
"""First knight plane."""
UNDERPROMOTION_PLANE0 = 64
"""First underpromotion plane."""
UNDERPROMOTION_PIECES: tuple[int, ...] = (chess.KNIGHT, chess.BISHOP, chess.ROOK)
"""Piece types of the underpromotion planes, in plane order."""
FLIP = 56
"""XOR mask turning a square into its vertically mirrored square (Black's perspective)."""


def _build_tables() -> tuple[list[int], list[int], list[int]]:
    """Encode/decode tables over perspective squares.

    Returns:
        ``plane_of`` [64 * 64]: plane of the non-underpromotion move from*64+to (-1: not a queen or
        knight geometry); ``to_of`` [4672]: perspective to-square of each action (-1: off the board);
        ``promo_of`` [73]: underpromotion piece type of each plane (0 for planes 0..63).
    """
    plane_of = [-1] * (64 * 64)
    to_of = [-1] * NUM_ACTIONS
    promo_of = [0] * NUM_PLANES

    def target(square: int, dr: int, df: int) -> int:
        rank, file = divmod(square, 8)
        rank, file = rank + dr, file + df
        return rank * 8 + file if 0 <= rank < 8 and 0 <= file < 8 else -1

    for frm in range(64):
        for d, (dr, df) in enumerate(QUEEN_DIRECTIONS):
            for dist in range(1, 8):
                plane = d * 7 + dist - 1
                to = target(frm, dr * dist, df * dist)
                to_of[plane * 64 + frm] = to
                if to >= 0:
                    plane_of[frm * 64 + to] = plane
        for k, (dr, df) in enumerate(KNIGHT_JUMPS):
            plane = KNIGHT_PLANE0 + k
            to = target(frm, dr, df)
            to_of[plane * 64 + frm] = to
            if to >= 0:
                plane_of[frm * 64 + to] = plane
        for p, piece in enumerate(UNDERPROMOTION_PIECES):
            for df in (-1, 0, 1):
                plane = UNDERPROMOTION_PLANE0 + p * 3 + df + 1
                to_of[plane * 64 + frm] = target(frm, 1, df)
                promo_of[plane] = piece
    return plane_of, to_of, promo_of


_PLANE_OF, _TO_OF, _PROMO_OF = _build_tables()


def encoding_tables() -> tuple[list[int], list[int], list[int]]:
    """Copies of the encode/decode tables (for the compiled core, :mod:`games.chess.encode`).

    Returns:
        ``plane_of`` [64 * 64]: plane of the non-underpromotion move from*64+to over perspective
        squares (-1: no queen or knight geometry); ``to_of`` [4672]: perspective to-square of each
        action (-1: off the board); ``promo_of`` [73]: python-chess underpromotion piece type of each
        plane (0 for planes 0..63).
    """
    return list(_PLANE_OF), list(_TO_OF), list(_PROMO_OF)
_UNDERPROMO_BASE: dict[int, int] = {
    piece: UNDERPROMOTION_PLANE0 + 3 * i + 1 for i, piece in enumerate(UNDERPROMOTION_PIECES)
}
"""Underpromotion piece type -> plane of the straight push (add the file delta)."""


def move_to_action(board: chess.Board, move: chess.Move) -> int:
    """The action number of ``move`` (legal or not) for the side to move of ``board``.

    Raises:
        IllegalActionError: the move has no encoding (null move, drop, impossible geometry).
    """
    flip = 0 if board.turn else FLIP
    frm, to = move.from_square ^ flip, move.to_square ^ flip
    promo = move.promotion
    if move.drop or frm == to:
        raise IllegalActionError(f"chess: move {move.uci()} has no action encoding")
    if promo and promo != chess.QUEEN:
        df = (to & 7) - (frm & 7)
        if promo not in _UNDERPROMO_BASE or to - frm != 8 + df or not -1 <= df <= 1:
            raise IllegalActionError(f"chess: move {move.uci()} has no action encoding")
        return (_UNDERPROMO_BASE[promo] + df) * 64 + frm
    plane = _PLANE_OF[frm * 64 + to]
    if plane < 0:
        raise IllegalActionError(f"chess: move {move.uci()} has no action encoding")
    return plane * 64 + frm


def action_to_move(board: chess.Board, action: int) -> chess.Move:
    """Decode ``action`` into a move for the side to move of ``board`` (not checked for legality).

    A queen-like move of one of the mover's pawns onto the last rank decodes as a queen promotion.

    Raises:
        IllegalActionError: ``action`` is outside 0..4671 or leads off the board.
    """
    action = int(action)
    if not 0 <= action < NUM_ACTIONS or _TO_OF[action] < 0:
        raise IllegalActionError(f"chess: action {action} is not a move on the board")
    plane, frm = divmod(action, 64)
    to = _TO_OF[action]
    flip = 0 if board.turn else FLIP
    promo: int | None = _PROMO_OF[plane] or None
    if promo is None and to >= 56 and plane < KNIGHT_PLANE0 and (board.pawns >> (frm ^ flip)) & 1:
        promo = chess.QUEEN
    return chess.Move(frm ^ flip, to ^ flip, promo)


def legal_actions_and_moves(board: chess.Board) -> tuple[list[int], dict[int, chess.Move]]:
    """Encode every legal move of ``board`` at once.

    Returns:
        (sorted list of the legal actions, dict action -> python-chess move).
    """
    flip = 0 if board.turn else FLIP
    plane_of = _PLANE_OF
    moves: dict[int, chess.Move] = {}
    for move in board.generate_legal_moves():
        frm = move.from_square ^ flip
        promo = move.promotion
        if promo and promo != chess.QUEEN:
            to = move.to_square ^ flip
            moves[(_UNDERPROMO_BASE[promo] + (to & 7) - (frm & 7)) * 64 + frm] = move
        else:
            moves[plane_of[frm * 64 + (move.to_square ^ flip)] * 64 + frm] = move
    return sorted(moves), moves
