"""The exact sudoku solver: ``solve(grid, level=3, limit=2) -> SolveResult`` for 9x9 and 16x16 grids.

The compiled depth-first search and deductions are :mod:`games.sudoku.dfs` and :mod:`games.sudoku.kernels`
(the game layer needs them to check uniqueness and to generate puzzles, and may not import ``search/``);
this package is the solver's API: parsing, timing, statistics, and a compiled batch loop (:func:`solve_many`).
"""
from search.sudoku.solver import LEVEL_NAMES, BatchResult, SolveResult, solve, solve_many

__all__ = ["LEVEL_NAMES", "BatchResult", "SolveResult", "solve", "solve_many"]
