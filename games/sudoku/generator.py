"""Sudoku puzzle generation: random full grids, clue removal keeping the solution unique, difficulty.

* :func:`random_full_grid` fills an empty grid with the solver trying digits in a random order.
* :func:`generate_puzzle` blanks cells in a random order, keeping a blank only if the puzzle still has
  one solution; one pass over all cells leaves a *minimal* puzzle (every clue is needed), about 24
  clues for 9x9. ``min_clues`` stops earlier (16x16 puzzles are kept well above minimal so that they
  stay quick to check).
* :func:`difficulty` is the number of solver guesses at :data:`DIFFICULTY_LEVEL` (naked singles only)
  needed to solve the puzzle and prove it unique (limit 2, the whole search tree). Measured on 300
  seeded minimal 9x9 puzzles: mean 153 guesses, 81% with 20 or more ("hard").
* :func:`generate_puzzles` yields puzzles with at least ``min_guesses`` guesses whose canonical form
  is new (not excluded, not yet produced).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from games.sudoku.canonical import canonical_form
from games.sudoku.grid import format_grid, tables
from games.sudoku.dfs import NUM_STATS, STAT_ABORTED, STAT_GUESSES, dfs_solve, reduce_to_minimal

DIFFICULTY_LEVEL = 1
"""Deduction level at which difficulty (solver guesses) is measured: naked singles only."""
HARD_GUESSES = 20
"""Puzzles with at least this many guesses at :data:`DIFFICULTY_LEVEL` count as hard."""
FILL_MAX_NODES = {3: 0, 4: 20_000}
"""Node budget for filling an empty grid, by box size (0 = none); a fill over budget is retried."""
REDUCE_MAX_NODES = {3: 0, 4: 5_000}
"""Node budget of each uniqueness check while removing clues, by box size (over budget keeps the clue)."""


@dataclass(frozen=True)
class GeneratedPuzzle:
    """A generated puzzle with its solution and difficulty."""

    puzzle: str
    """Text form, ``.`` for blanks."""
    solution: str
    """Text form of the unique solution."""
    clues: int
    """Number of givens."""
    guesses: int
    """Solver guesses at :data:`DIFFICULTY_LEVEL` to solve and prove uniqueness."""


def _seed_array(rng: np.random.Generator) -> np.ndarray:
    return np.array([rng.integers(1, 2 ** 62)], dtype=np.uint64)


def random_full_grid(rng: np.random.Generator, box: int = 3) -> np.ndarray:
    """A random solved grid, int8 [box**4]."""
    peers, units, inter, box_rest, line_rest = tables(box)
    n = box * box
    empty = np.zeros(n * n, dtype=np.int8)
    solution = np.zeros(n * n, dtype=np.int8)
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    while True:
        count = dfs_solve(empty, 3, 1, FILL_MAX_NODES[box], _seed_array(rng), solution, stats, peers, units,
                          inter, box_rest, line_rest)
        if count == 1:
            return solution


def generate_puzzle(rng: np.random.Generator, box: int = 3, min_clues: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(puzzle, solution), int8 [box**4] each: a random puzzle with exactly one solution.

    Clues are removed in a random order down to a minimal puzzle, or until ``min_clues`` remain.
    """
    solution = random_full_grid(rng, box)
    puzzle = solution.copy()
    order = rng.permutation(puzzle.shape[0]).astype(np.int32)
    reduce_to_minimal(puzzle, order, min_clues, 3, REDUCE_MAX_NODES[box], *tables(box))
    return puzzle, solution


def difficulty(puzzle: np.ndarray) -> int:
    """Guesses the solver makes at :data:`DIFFICULTY_LEVEL` to solve ``puzzle`` and prove it unique."""
    box = 3 if puzzle.shape[0] == 81 else 4
    solution = np.zeros_like(puzzle)
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    dfs_solve(puzzle, DIFFICULTY_LEVEL, 2, 0, np.zeros(1, dtype=np.uint64), solution, stats, *tables(box))
    if stats[STAT_ABORTED]:
        raise RuntimeError("difficulty: search aborted without a node budget")
    return int(stats[STAT_GUESSES])


def generate_puzzles(rng: np.random.Generator, min_guesses: int = 0, exclude: set[str] | None = None,
                     max_attempts: int | None = None) -> Iterator[GeneratedPuzzle]:
    """Endless stream of distinct 9x9 puzzles with at least ``min_guesses`` guesses.

    Args:
        rng: source of randomness (seeded: the stream is repeatable).
        min_guesses: difficulty filter (:func:`difficulty`).
        exclude: canonical forms to avoid (e.g. a test set); the forms produced are added to it.
        max_attempts: stop after this many candidate puzzles (None = never stop).
    """
    seen = exclude if exclude is not None else set()
    attempts = 0
    while max_attempts is None or attempts < max_attempts:
        attempts += 1
        puzzle, solution = generate_puzzle(rng)
        guesses = difficulty(puzzle)
        if guesses < min_guesses:
            continue
        key = canonical_form(puzzle)
        if key in seen:
            continue
        seen.add(key)
        yield GeneratedPuzzle(puzzle=format_grid(puzzle), solution=format_grid(solution),
                              clues=int(np.count_nonzero(puzzle)), guesses=guesses)
