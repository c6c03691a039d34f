"""Sudoku: the one-player game, grid text and checks, canonical forms and the puzzle generator.

* :mod:`games.sudoku.game` -- :class:`SudokuGame` / :class:`SudokuState` (actions, observation, text).
* :mod:`games.sudoku.grid` -- parsing (9x9 and 16x16 text), rule and uniqueness checks, errors.
* :mod:`games.sudoku.kernels` -- compiled candidates and deductions; :mod:`games.sudoku.dfs` the exact
  counting search.
* :mod:`games.sudoku.generator` -- random full grids, minimal puzzles, difficulty in solver guesses.
* :mod:`games.sudoku.canonical` -- canonical form under all grid symmetries, :func:`split_disjoint`.
* ``python -m games.sudoku generate --count N --min-guesses G --seed S --out FILE`` writes puzzles.
"""
from games.sudoku.canonical import canonical_form, split_disjoint
from games.sudoku.game import DEFAULT_PUZZLE, SUDOKU_SPEC, SudokuGame, SudokuState
from games.sudoku.grid import (
    DuplicateDigitError,
    GridFormatError,
    MultipleSolutionsError,
    NoSolutionError,
    SudokuInputError,
    check_answer,
    format_grid,
    parse_grid,
    parse_puzzle,
)

__all__ = [
    "DEFAULT_PUZZLE", "SUDOKU_SPEC", "DuplicateDigitError", "GridFormatError", "MultipleSolutionsError",
    "NoSolutionError", "SudokuGame", "SudokuInputError", "SudokuState", "canonical_form", "check_answer",
    "format_grid", "parse_grid", "parse_puzzle", "split_disjoint",
]
