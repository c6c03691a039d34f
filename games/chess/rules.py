"""Chess under the compiled-game protocol (:mod:`games.compiled`): the rules tag with its kernels, and the
:class:`~games.compiled.CompiledGame` the chess spec declares.

Rows: :mod:`games.chess.position` (S = 17 int64 words). History: H = 100 rows
(:data:`games.chess.convert.HISTORY_ROWS`: the observation's 8 positions and the repetition look-back
over the half-move clock). Actions: the AlphaZero numbering of :mod:`games.chess.actions`; at most 218
legal moves. The python-chess State stays the front door: ``root(state)`` turns a
:class:`~games.chess.state.ChessState` into rows, :func:`games.chess.convert.row_to_board` reads one back.
"""
from __future__ import annotations

from typing import NamedTuple

from games.chess.convert import HISTORY_ROWS, root_rows
from games.chess.kernels import (
    chess_apply,
    chess_expand,
    chess_heuristic,
    chess_observe,
    chess_outcome,
    chess_player,
    chess_rollout,
)
from games.chess.movegen import MAX_MOVES
from games.chess.position import STATE_SIZE
from games.compiled import CompiledGame, Kernels, attach_kernels


class ChessRules(NamedTuple):
    """Rules tag of chess (its kernels hang on the class)."""

    max_game_length: int
    """Plies (``board.ply()``) at which the game is a draw (``max_length``); also scales the move-count plane."""


attach_kernels(ChessRules, Kernels(apply=chess_apply, expand=chess_expand, outcome=chess_outcome, player=chess_player,
                                   observe=chess_observe, rollout=chess_rollout, heuristic=chess_heuristic))


def chess_compiled(max_game_length: int) -> CompiledGame:
    """What the chess spec with length limit ``max_game_length`` declares: whole simulations run on these
    kernels (a path or a playout adds at most ``max_game_length`` plies below a root)."""
    return CompiledGame(rules=ChessRules(max_game_length), root=root_rows, state_size=STATE_SIZE,
                        history=HISTORY_ROWS, max_actions=MAX_MOVES, max_plies=max_game_length)
