"""The chess Game: its spec, the start position, and states from FEN text or a list of moves."""
from __future__ import annotations

from collections.abc import Sequence

import chess
import numpy as np

from games.chess.actions import NUM_ACTIONS
from games.chess.observation import OBSERVATION_SHAPE
from games.chess.rules import chess_compiled
from games.chess.state import ChessState
from games.core import Game, GameSpec, IllegalActionError, StateParseError

DEFAULT_MAX_GAME_LENGTH = 512
"""Plies after which a game is adjudicated a draw."""


def chess_spec(max_game_length: int = DEFAULT_MAX_GAME_LENGTH) -> GameSpec:
    """The chess spec: 4672 actions, observation [119, 8, 8], draw after ``max_game_length`` plies, and
    the compiled core (:mod:`games.chess.rules`) for search."""
    return GameSpec(
        name="chess",
        num_players=2,
        num_actions=NUM_ACTIONS,
        observation_shape=OBSERVATION_SHAPE,
        max_game_length=max_game_length,
        min_utility=-1.0,
        max_utility=1.0,
        zero_sum=True,
        perfect_information=True,
        has_chance=False,
        compiled=chess_compiled(max_game_length),
    )


def _status_names(status: chess.Status) -> str:
    """Readable names of the problems in a python-chess board status, e.g. ``no white king``."""
    names = [flag.name.lower().replace("_", " ") for flag in chess.Status if flag and flag.name and flag in status]
    return ", ".join(names) or str(int(status))


def parse_fen(text: str) -> chess.Board:
    """A standard-chess board from FEN ``text``.

    Raises:
        StateParseError: malformed FEN, or a position that cannot occur (no king, pawns on the back
            rank, impossible check, bad castling rights or en passant square, ...).
    """
    fen = " ".join(text.split())
    if not fen:
        raise StateParseError("chess: empty FEN")
    try:
        board = chess.Board(fen)
    except ValueError as err:
        raise StateParseError(f"chess: malformed FEN '{fen}': {err}") from None
    status = board.status()
    if status != chess.STATUS_VALID:
        raise StateParseError(f"chess: impossible position in FEN '{fen}': {_status_names(status)}")
    return board


class ChessGame(Game):
    """Standard chess with automatic draw rules (see :mod:`games.chess`)."""

    def __init__(self, max_game_length: int = DEFAULT_MAX_GAME_LENGTH) -> None:
        """Args: max_game_length: plies after which the game is a draw (``max_length``)."""
        if max_game_length < 1:
            raise ValueError(f"chess: max_game_length must be positive, got {max_game_length}")
        self.spec = chess_spec(max_game_length)

    def new_state(self, rng: np.random.Generator | None = None) -> ChessState:
        """The standard start position (``rng`` is unused: the start is fixed)."""
        return ChessState(self)

    def state_from_string(self, text: str) -> ChessState:
        """The position of a FEN (no earlier history); raises :class:`StateParseError` on bad text."""
        return ChessState(self, parse_fen(text))

    def state_from_moves(self, moves: Sequence[str], fen: str | None = None) -> ChessState:
        """Play ``moves`` (each SAN or UCI) from ``fen`` (default: the start position).

        Raises:
            StateParseError: ``fen`` is malformed.
            IllegalActionError: a move is not legal where it is played (the message gives its number).
        """
        state = self.new_state() if fen is None else self.state_from_string(fen)
        for i, text in enumerate(moves):
            if state.is_terminal():
                raise IllegalActionError(f"chess: move {i + 1} '{text}' comes after the end of the game "
                                         f"({state.termination()})")
            try:
                action = state.string_to_action(text)
            except IllegalActionError:
                raise IllegalActionError(f"chess: move {i + 1} '{text}' is not legal in {state}") from None
            state.apply_unchecked(action)
        return state
