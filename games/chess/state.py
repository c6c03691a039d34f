"""The chess State: a python-chess board, its legal actions cached until the next move, and the
position records the observation history and repetition planes need.

Terminal conditions, checked in this order (the first that holds names the termination):

* ``checkmate``: no legal move and in check; the side to move loses (returns ``[-1, 1]`` if White
  is mated, ``[1, -1]`` if Black is);
* ``stalemate``: no legal move, not in check;
* ``insufficient_material``: ``board.is_insufficient_material()`` (neither side can ever mate);
* ``fifty_moves``: 100 plies without a capture or pawn move, applied automatically (no claim);
* ``threefold_repetition``: the position occurred for the third time (``board.is_repetition(3)``),
  applied automatically;
* ``max_length``: the game reached ``spec.max_game_length`` plies by its move counter (``board.ply()``, so it survives a FEN round trip).

Every ending but checkmate is a draw: returns ``[0, 0]``. Player 0 is White, player 1 Black.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import chess
import numpy as np

from games.chess.actions import action_to_move, legal_actions_and_moves, move_to_action
from games.chess.observation import PositionKey, count_repetitions, observation, position_key
from games.core import TERMINAL, IllegalActionError, State

if TYPE_CHECKING:
    from games.chess.game import ChessGame

_EMPTY = np.zeros(0, dtype=np.int64)
_EMPTY.flags.writeable = False
_UNKNOWN = "?"
"""Marker of a termination not computed yet (``None`` means: the game goes on)."""


class ChessState(State):
    """A chess position with its move stack (for repetitions) and the project's State API."""

    def __init__(self, game: "ChessGame", board: chess.Board | None = None) -> None:
        """Wrap ``board`` (a valid standard-chess board, owned from now on) or the start position."""
        super().__init__(game)
        self._board = board if board is not None else chess.Board()
        self._keys: list[PositionKey] = [position_key(self._board)]
        self._reps: list[int] = [0]
        self._clear_cache()

    def _clear_cache(self) -> None:
        self._moves: dict[int, chess.Move] | None = None
        self._legal: np.ndarray | None = None
        self._termination: str | None = _UNKNOWN

    # ----- read-only views ----------------------------------------------------------------------
    @property
    def board(self) -> chess.Board:
        """The python-chess board (with its move stack). Read it, do not change it: copy it first."""
        return self._board

    @property
    def current_player(self) -> int:
        """0 (White) or 1 (Black) to move, or :data:`~games.core.TERMINAL`."""
        if self.termination() is not None:
            return TERMINAL
        return 0 if self._board.turn else 1

    # ----- legal moves ----------------------------------------------------------------------------
    def _legal_moves(self) -> dict[int, chess.Move]:
        """action -> move for every legal move of the board (ignoring draw rules); cached."""
        if self._moves is None:
            actions, self._moves = legal_actions_and_moves(self._board)
            legal = np.array(actions, dtype=np.int64)
            legal.flags.writeable = False
            self._legal = legal
        return self._moves

    def legal_actions(self) -> np.ndarray:
        """Sorted int64 array of the legal actions (empty once terminal)."""
        if self.termination() is not None:
            return _EMPTY.copy()
        assert self._legal is not None
        return self._legal.copy()

    def is_legal(self, action: int) -> bool:
        """Whether ``action`` is legal here (a dict lookup once the legal moves are known)."""
        if self.termination() is not None:
            return False
        return int(action) in self._legal_moves()

    def action_to_move(self, action: int) -> chess.Move:
        """The python-chess move of ``action`` (legal or not) in this position."""
        moves = self._legal_moves()
        move = moves.get(int(action))
        return move if move is not None else action_to_move(self._board, action)

    def move_to_action(self, move: chess.Move) -> int:
        """The action number of ``move`` in this position."""
        return move_to_action(self._board, move)

    # ----- transitions and outcome --------------------------------------------------------------
    def _apply(self, action: int) -> None:
        move = self._moves.get(action) if self._moves is not None else None
        if move is None:
            move = action_to_move(self._board, action)
        board = self._board
        board.push(move)
        self._keys.append(position_key(board))
        self._reps.append(count_repetitions(self._keys, board.halfmove_clock))
        self._clear_cache()

    def termination(self) -> str | None:
        """How the game ended (see the module docstring), or ``None`` while it goes on."""
        if self._termination == _UNKNOWN:
            self._termination = self._compute_termination()
        return self._termination

    def _compute_termination(self) -> str | None:
        board = self._board
        if not self._legal_moves():
            return "checkmate" if board.is_check() else "stalemate"
        if board.is_insufficient_material():
            return "insufficient_material"
        if board.halfmove_clock >= 100:
            return "fifty_moves"
        # A third occurrence needs at least 8 reversible plies; the guard keeps the common case cheap.
        if board.halfmove_clock >= 8 and board.is_repetition(3):
            return "threefold_repetition"
        if self._board.ply() >= self._game.spec.max_game_length:
            return "max_length"
        return None

    def is_terminal(self) -> bool:
        return self.termination() is not None

    def returns(self) -> np.ndarray:
        """float64 [2]: +1 for the side that mated, -1 for the mated side, zeros otherwise."""
        if self.termination() == "checkmate":
            return np.array([-1.0, 1.0] if self._board.turn else [1.0, -1.0])
        return np.zeros(2)

    def repetitions(self) -> int:
        """How often the current position occurred before (2 = this is its third occurrence)."""
        return self._reps[-1]

    def position_records(self) -> tuple[list[PositionKey], list[int]]:
        """(repetition keys, repetition counts) of every position this state knows, oldest first, the
        current one last: what the observation's history reads (the compiled core's root rows are built
        from them). The lists are the state's own: read them, do not change them."""
        return self._keys, self._reps

    # ----- encodings ----------------------------------------------------------------------------
    def observation(self) -> np.ndarray:
        """float32 [119, 8, 8] planes from the mover's view (layout: :mod:`games.chess.observation`)."""
        return observation(self._board, self._keys, self._reps, len(self.history) / self._game.spec.max_game_length)

    def copy(self) -> "ChessState":
        """An independent copy, move stack included (O(1) Python work per ply: list copies)."""
        new = ChessState.__new__(ChessState)
        new._game = self._game
        new.history = self.history.copy()
        board = self._board
        nb = board.copy(stack=False)
        # Board.copy(stack=True) copies every Move object one by one (~150 us at ply 120); the moves
        # and the saved board states are never mutated, so sharing them in new lists is safe.
        nb.move_stack = board.move_stack.copy()
        nb._stack = board._stack.copy()  # noqa: SLF001 - python-chess's saved states (see above)
        new._board = nb
        new._keys = self._keys.copy()
        new._reps = self._reps.copy()
        new._moves, new._legal, new._termination = self._moves, self._legal, self._termination
        return new

    def __str__(self) -> str:
        """The FEN of the position."""
        return self._board.fen()

    def action_to_string(self, action: int) -> str:
        """SAN of a legal action (``e4``, ``Nxf7+``, ``O-O``, ``e8=N``)."""
        if not self.is_legal(action):
            raise IllegalActionError(f"chess: action {int(action)} is not legal in {self}")
        return self._board.san(self._legal_moves()[int(action)])

    def string_to_action(self, text: str) -> int:
        """The legal action written ``text`` in SAN (``Nf3``) or UCI (``g1f3``)."""
        text = text.strip()
        move: chess.Move | None = None
        try:
            move = self._board.parse_san(text)
        except ValueError:
            try:
                move = chess.Move.from_uci(text)
            except ValueError:
                move = None
        if move is not None and move:
            try:
                action = move_to_action(self._board, move)
            except IllegalActionError:
                action = -1
            if action >= 0 and self.is_legal(action) and self._legal_moves()[action] == move:
                return action
        raise IllegalActionError(f"chess: '{text}' is not a legal move (SAN or UCI) in {self}")
