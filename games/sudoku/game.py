"""Sudoku (9x9) as a one-player game: place digits until the grid is solved or stuck.

* Action ``cell * 9 + (d - 1)`` places digit ``d`` (1..9) in ``cell`` (0..80, row-major): 729 actions.
  Legal actions are the placements that break no rule right now: an empty cell and a digit absent
  from its row, column and box (no further deduction is applied, so a legal move can still lead to a
  dead end). ``action_to_string`` is ``r{row}c{col}={d}`` with 1-based row/column, e.g. ``r3c5=7``.
* The game ends when the grid is full (return ``[1.0]``: every move obeyed the rules, so the grid is
  a solution) or when an empty cell has no candidate left (return ``[-1.0]``).
* ``observation()`` is float32 [10, 9, 9]: planes 0..8 one-hot of digits 1..9 (all zero on a blank),
  plane 9 the givens (cells filled at the start).
* Text: ``str(state)`` is the 81-character grid with ``.`` for blanks; ``state_from_string`` reads
  ``.`` or ``0`` as blanks and treats every digit as a given (the givens/placed distinction is not
  part of the text). It rejects bad length, bad characters and a repeated digit, but not a grid
  without solution, since play can reach such states; use :func:`games.sudoku.grid.parse_puzzle` to
  read a puzzle that must have exactly one solution.
* ``new_state(rng)`` generates a random minimal puzzle with a unique solution (about 24 clues, a few
  milliseconds); ``new_state()`` without ``rng`` returns the fixed :data:`DEFAULT_PUZZLE`.
"""
from __future__ import annotations

import re

import numpy as np

from games.core import TERMINAL, Game, GameSpec, IllegalActionError, State
from games.sudoku.generator import generate_puzzle
from games.sudoku.grid import format_grid, parse_grid, tables
from games.sudoku.kernels import candidates

SIZE = 9
"""Digits, rows and columns of the grid."""
NUM_CELLS = SIZE * SIZE
"""Cells of the grid."""
DEFAULT_PUZZLE = "3..6.1..7...8..2.5.....2.1.576....4884..9..............5.....8.1...3..2.7..5....."
"""Puzzle of ``new_state()`` without a generator: one of the shipped hard puzzles (unique solution)."""

SUDOKU_SPEC = GameSpec(
    name="sudoku",
    num_players=1,
    num_actions=NUM_CELLS * SIZE,
    observation_shape=(SIZE + 1, SIZE, SIZE),
    max_game_length=NUM_CELLS,
    min_utility=-1.0,
    max_utility=1.0,
    zero_sum=False,
    perfect_information=True,
    has_chance=False,
)
"""The sudoku spec: one player, 729 actions, observation [10, 9, 9]."""

_ACTION_RE = re.compile(r"^r([1-9])c([1-9])=([1-9])$")
"""Text of an action, ``r3c5=7``."""


class SudokuState(State):
    """A grid (int8 [81]), the givens mask (bool [81]) and the candidate masks (int32 [81])."""

    def __init__(self, game: "SudokuGame", grid: np.ndarray) -> None:
        super().__init__(game)
        self.grid = grid.astype(np.int8, copy=True)
        """int8 [81]: digits, 0 = blank."""
        self.givens = self.grid > 0
        """bool [81]: cells filled at the start."""
        self._cand = np.zeros(NUM_CELLS, dtype=np.int32)
        self._refresh()

    def _refresh(self) -> None:
        candidates(self.grid, tables(3)[0], self._cand)
        empty = self.grid == 0
        self._full = not empty.any()
        self._stuck = bool(np.any(empty & (self._cand == 0)))

    @property
    def current_player(self) -> int:
        """0 while the grid is open, :data:`~games.core.TERMINAL` once solved or stuck."""
        return TERMINAL if self.is_terminal() else 0

    def is_chance_node(self) -> bool:
        return False

    def legal_actions(self) -> np.ndarray:
        """Sorted int64 array of ``cell * 9 + d - 1`` for each candidate digit of each empty cell."""
        if self.is_terminal():
            return np.zeros(0, dtype=np.int64)
        bits = (self._cand[:, None] >> np.arange(SIZE)) & 1
        return np.flatnonzero(bits.reshape(-1)).astype(np.int64)

    def is_legal(self, action: int) -> bool:
        if self.is_terminal() or not 0 <= action < NUM_CELLS * SIZE:
            return False
        cell, d = divmod(action, SIZE)
        return bool((self._cand[cell] >> d) & 1)

    def _apply(self, action: int) -> None:
        cell, d = divmod(action, SIZE)
        self.grid[cell] = d + 1
        self._refresh()

    def is_terminal(self) -> bool:
        return self._full or self._stuck

    def is_solved(self) -> bool:
        """True once the grid is full (then it is a valid solution)."""
        return self._full

    def returns(self) -> np.ndarray:
        """float64 [1]: 1.0 solved, -1.0 stuck, 0.0 while open."""
        return np.array([1.0 if self._full else -1.0 if self._stuck else 0.0])

    def observation(self) -> np.ndarray:
        """float32 [10, 9, 9]: one-hot digits (planes 0..8) and givens (plane 9)."""
        obs = np.zeros((SIZE + 1, NUM_CELLS), dtype=np.float32)
        filled = np.flatnonzero(self.grid)
        obs[self.grid[filled].astype(np.int64) - 1, filled] = 1.0
        obs[SIZE] = self.givens
        return obs.reshape(SIZE + 1, SIZE, SIZE)

    def copy(self) -> "SudokuState":
        other = SudokuState.__new__(SudokuState)
        State.__init__(other, self._game)
        other.history = list(self.history)
        other.grid = self.grid.copy()
        other.givens = self.givens.copy()
        other._cand = self._cand.copy()
        other._full, other._stuck = self._full, self._stuck
        return other

    def __str__(self) -> str:
        return format_grid(self.grid)

    def action_to_string(self, action: int) -> str:
        """``r{row}c{col}={digit}``, 1-based, e.g. ``r3c5=7``."""
        cell, d = divmod(int(action), SIZE)
        r, c = divmod(cell, SIZE)
        return f"r{r + 1}c{c + 1}={d + 1}"

    def string_to_action(self, text: str) -> int:
        """Inverse of :meth:`action_to_string`; raises IllegalActionError if malformed or illegal."""
        match = _ACTION_RE.match(text.strip())
        if match is None:
            raise IllegalActionError(f"sudoku: '{text}' is not a move like r3c5=7")
        r, c, d = (int(x) for x in match.groups())
        action = ((r - 1) * SIZE + c - 1) * SIZE + d - 1
        if not self.is_legal(action):
            raise IllegalActionError(f"sudoku: '{text}' is not a legal move here")
        return action

    def board_string(self) -> str:
        """The grid drawn in 9 lines with box separators, for people."""
        text = str(self)
        lines = []
        for r in range(SIZE):
            row = text[r * SIZE:(r + 1) * SIZE]
            lines.append(" | ".join(" ".join(row[i:i + 3]) for i in range(0, SIZE, 3)))
            if r in (2, 5):
                lines.append("------+-------+------")
        return "\n".join(lines)


class SudokuGame(Game):
    """Sudoku as a one-player game; see the module docstring."""

    spec = SUDOKU_SPEC

    def new_state(self, rng: np.random.Generator | None = None) -> SudokuState:
        """A generated minimal puzzle with a unique solution, or :data:`DEFAULT_PUZZLE` without ``rng``."""
        if rng is None:
            return SudokuState(self, parse_grid(DEFAULT_PUZZLE))
        puzzle, _ = generate_puzzle(rng)
        return SudokuState(self, puzzle)

    def state_from_string(self, text: str) -> SudokuState:
        """Read 81 characters (``.``/``0`` blank); raises a StateParseError subclass if malformed."""
        return SudokuState(self, parse_grid(text))
