"""Connect four (6 rows x 7 columns): the project's State/Game API around the numba kernels.

Rules and action numbering are those of open_spiel's ``connect_four``: action = column 0..6 (left to
right), player 0 moves first, four in a row in any direction wins (+1/-1), a full board is a draw (0.0).

* ``str(state)`` is the sequence of columns played, one digit each (``"3342"``; the empty game is
  ``""``). :meth:`ConnectFourGame.state_from_string` replays such text (whitespace ignored) and raises
  :class:`~games.core.StateParseError` on anything else: a character other than a digit 0..6, a move
  into a full column, or a move after the game has ended. :meth:`ConnectFourState.board_string` draws
  the board for people.
* ``action_to_string(col)`` is the column number as text, ``"0"`` .. ``"6"``.
* ``observation()`` is float32 [3, 6, 7] from the mover's view: planes (mover's stones, opponent's
  stones, empty cells), indexed ``[plane, row, col]`` with row 0 at the bottom.
* ``state.kernel_state`` is the int64 [4] array of :mod:`games.connect_four_kernels`; the spec's
  ``compiled`` (:mod:`games.connect_four_rules`) gives search the kernels over such rows.
"""
from __future__ import annotations

import numpy as np

from games.connect_four_kernels import (
    C4_COL_BITS,
    C4_COLS,
    C4_NUM_ACTIONS,
    C4_ONGOING,
    C4_ROWS,
    C4_STATE_SIZE,
    C4_WIN_P0,
    C4_WIN_P1,
    c4_apply,
    c4_init,
    c4_legal_bits,
    c4_observation,
)
from games.connect_four_rules import CONNECT_FOUR_COMPILED
from games.core import TERMINAL, Game, GameSpec, IllegalActionError, State, StateParseError

CONNECT_FOUR_SPEC = GameSpec(
    name="connect_four",
    num_players=2,
    num_actions=C4_NUM_ACTIONS,
    observation_shape=(3, C4_ROWS, C4_COLS),
    max_game_length=C4_ROWS * C4_COLS,
    min_utility=-1.0,
    max_utility=1.0,
    zero_sum=True,
    perfect_information=True,
    has_chance=False,
    compiled=CONNECT_FOUR_COMPILED,
    mirror_actions=tuple(range(C4_NUM_ACTIONS - 1, -1, -1)),
)
"""The connect four spec (compiled rules: :mod:`games.connect_four_rules`)."""

_LEGAL_BY_BITS: tuple[np.ndarray, ...] = tuple(
    np.array([c for c in range(C4_COLS) if (bits >> c) & 1], dtype=np.int64) for bits in range(1 << C4_COLS)
)
"""Sorted legal-action arrays for every 7-bit legal mask (read-only; copied when handed out)."""
_DIGITS = "0123456"
"""Characters allowed in the text form."""


class ConnectFourState(State):
    """A connect four position: the kernel array plus the move history."""

    def __init__(self, game: "ConnectFourGame") -> None:
        super().__init__(game)
        self.kernel_state = np.zeros(C4_STATE_SIZE, dtype=np.int64)
        """int64 [4]: the kernel state (player 0 bitboard, player 1 bitboard, moves, outcome)."""
        c4_init(self.kernel_state)

    @property
    def current_player(self) -> int:
        """0 or 1, or :data:`~games.core.TERMINAL` once the game is over."""
        s = self.kernel_state
        if s[3] != C4_ONGOING:
            return TERMINAL
        return int(s[2] % 2)

    def is_chance_node(self) -> bool:
        """Always False: connect four has no chance."""
        return False

    def legal_actions(self) -> np.ndarray:
        """Sorted int64 array of playable columns (empty once terminal)."""
        return _LEGAL_BY_BITS[c4_legal_bits(self.kernel_state)].copy()

    def is_legal(self, action: int) -> bool:
        """Whether ``action`` is a playable column (cheaper than the generic test)."""
        return 0 <= action < C4_COLS and ((c4_legal_bits(self.kernel_state) >> action) & 1) == 1

    def _apply(self, action: int) -> None:
        c4_apply(self.kernel_state, action)

    def is_terminal(self) -> bool:
        return bool(self.kernel_state[3] != C4_ONGOING)

    def returns(self) -> np.ndarray:
        """float64 [2]: +1 for the winner, -1 for the loser, zeros for a draw or before the end."""
        outcome = self.kernel_state[3]
        if outcome == C4_WIN_P0:
            return np.array([1.0, -1.0])
        if outcome == C4_WIN_P1:
            return np.array([-1.0, 1.0])
        return np.zeros(2)

    def observation(self) -> np.ndarray:
        """float32 [3, 6, 7]: mover's stones, opponent's stones, empty cells; row 0 at the bottom."""
        out = np.empty((3, C4_ROWS, C4_COLS), dtype=np.float32)
        c4_observation(self.kernel_state, out)
        return out

    def copy(self) -> "ConnectFourState":
        other = ConnectFourState.__new__(ConnectFourState)
        State.__init__(other, self._game)
        other.history = list(self.history)
        other.kernel_state = self.kernel_state.copy()
        return other

    def __str__(self) -> str:
        return "".join(str(a) for a in self.history)

    def action_to_string(self, action: int) -> str:
        """The column number as text, ``"0"`` .. ``"6"``."""
        return str(int(action))

    def board_string(self) -> str:
        """Six lines, top row first: ``x`` = player 0, ``o`` = player 1, ``.`` = empty (as open_spiel)."""
        p0, p1 = int(self.kernel_state[0]), int(self.kernel_state[1])
        lines = []
        for row in range(C4_ROWS - 1, -1, -1):
            cells = []
            for col in range(C4_COLS):
                bit = 1 << (col * C4_COL_BITS + row)
                cells.append("x" if p0 & bit else "o" if p1 & bit else ".")
            lines.append("".join(cells))
        return "\n".join(lines)


class ConnectFourGame(Game):
    """Connect four; see the module docstring for the text form and the observation."""

    spec = CONNECT_FOUR_SPEC

    def new_state(self, rng: np.random.Generator | None = None) -> ConnectFourState:
        """The empty board, player 0 (``x``) to move; ``rng`` is unused."""
        return ConnectFourState(self)

    def state_from_string(self, text: str) -> ConnectFourState:
        """Replay a string of column digits (whitespace ignored); raises StateParseError if malformed."""
        moves = "".join(text.split())
        state = ConnectFourState(self)
        for i, ch in enumerate(moves):
            if ch not in _DIGITS:
                raise StateParseError(f"connect_four: bad character {ch!r} at move {i + 1} of {text!r} "
                                      "(expected column digits 0..6)")
            try:
                state.apply(int(ch))
            except IllegalActionError:
                why = "the game is over" if state.is_terminal() else f"column {ch} is full"
                raise StateParseError(f"connect_four: move {i + 1} of {text!r} is illegal ({why})") from None
        return state
