"""Exact sudoku solving with statistics: one grid (:func:`solve`) or a batch in compiled code
(:func:`solve_many`).

Deduction levels (see :mod:`games.sudoku.kernels`): 0 none, 1 naked singles, 2 + hidden singles,
3 + locked candidates. The search branches on the empty cell with the fewest candidates and counts
solutions up to ``limit`` (2 proves uniqueness). ``guesses`` counts the digits tried at cells with
two or more candidates, ``nodes`` every state created by branching. With limit 2 on a unique puzzle
the whole search tree is explored, so both are properties of the puzzle and the level. The search is
the fast engine :mod:`games.sudoku.fast`; :func:`solve_many` runs a whole batch in one compiled call
with one set of work arrays (texts parsed in one array operation). Stronger
levels usually need fewer guesses, but the fewest-candidates rule can branch differently and, rarely
(3 of the 200 shipped hard puzzles), a stronger level needs a few more.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numba import njit

from games.core import InputError
from games.sudoku.grid import box_size, format_grid, parse_grid, parse_grids, tables
from games.sudoku.dfs import NUM_STATS, STAT_ABORTED, STAT_GUESSES, STAT_NODES, dfs_solve
from games.sudoku.fast import fast_search, make_work

LEVEL_NAMES = ("none", "naked singles", "hidden singles", "locked candidates")
"""Name of each deduction level, by level."""


class SolverOptionError(InputError):
    """A bad solver option (level out of range, limit below 1, negative seed)."""


@dataclass(frozen=True)
class SolveResult:
    """What one solve found."""

    solution: np.ndarray | None
    """int8 [n*n]: the first solution found, or None when there is none (or the budget ran out first)."""
    count: int
    """Solutions found, at most ``limit`` (with limit 2: 0 none, 1 unique, 2 several)."""
    guesses: int
    """Digits tried at branch cells with two or more candidates."""
    nodes: int
    """States created by branching."""
    micros: float
    """Wall time of the compiled search, microseconds (measured around the kernel call)."""
    aborted: bool = False
    """True when ``max_nodes`` stopped the search (``count`` is then a lower bound)."""

    @property
    def text(self) -> str | None:
        """The solution as text (``.`` never appears), or None."""
        return None if self.solution is None else format_grid(self.solution)


@dataclass(frozen=True)
class BatchResult:
    """What :func:`solve_many` found, one row per grid."""

    solutions: np.ndarray
    """int8 [B, n*n]: first solution of each grid (zeros when none)."""
    counts: np.ndarray
    """int64 [B]: solutions found, at most ``limit``."""
    guesses: np.ndarray
    """int64 [B]: guesses per grid."""
    nodes: np.ndarray
    """int64 [B]: nodes per grid."""
    seconds: float
    """Wall time of the whole compiled batch."""


def _check_options(level: int, limit: int) -> None:
    if not 0 <= level <= 3:
        raise SolverOptionError(f"sudoku solver: level must be 0..3, got {level}")
    if limit < 1:
        raise SolverOptionError(f"sudoku solver: limit must be >= 1, got {limit}")


def as_grid(grid: np.ndarray | str) -> np.ndarray:
    """int8 [n*n] from text (9x9 or 16x16, checked by :func:`parse_grid`) or an integer array."""
    if isinstance(grid, str):
        return parse_grid(grid, size=None)
    arr = np.ascontiguousarray(np.asarray(grid).reshape(-1), dtype=np.int8)
    box_size(arr.shape[0])
    return arr


def solve(grid: np.ndarray | str, level: int = 3, limit: int = 2, max_nodes: int = 0, seed: int = 0) -> SolveResult:
    """Solve a 9x9 or 16x16 grid exactly.

    Args:
        grid: text (``.``/``0`` blanks; 16x16 uses 1-9 then A-G) or int array [n*n] or [n, n], 0 = blank.
        level: deduction level 0..3. limit: stop after this many solutions.
        max_nodes: node budget (0 = none). seed: 0 tries digits in order, otherwise a random order.
    Returns:
        A :class:`SolveResult`.
    """
    _check_options(level, limit)
    if not 0 <= seed < 2 ** 63:
        raise SolverOptionError(f"sudoku solver: seed must be in 0..2**63-1, got {seed}")
    g = as_grid(grid)
    peers, units, inter, box_rest, line_rest = tables(box_size(g.shape[0]))
    solution = np.zeros_like(g)
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    rng = np.array([seed], dtype=np.uint64)
    start = time.perf_counter_ns()
    count = dfs_solve(g, level, limit, max_nodes, rng, solution, stats, peers, units, inter, box_rest, line_rest)
    micros = (time.perf_counter_ns() - start) / 1000.0
    return SolveResult(solution=solution if count > 0 else None, count=int(count), guesses=int(stats[STAT_GUESSES]),
                       nodes=int(stats[STAT_NODES]), micros=micros, aborted=bool(stats[STAT_ABORTED]))


@njit(cache=True)
def _solve_batch(grids: np.ndarray, level: int, limit: int, solutions: np.ndarray, counts: np.ndarray,
                 guesses: np.ndarray, nodes: np.ndarray, peers: np.ndarray, units: np.ndarray, inter: np.ndarray,
                 box_rest: np.ndarray, line_rest: np.ndarray) -> None:
    """Solve each row of ``grids`` (int8 [B, n*n]) into the output arrays (see :class:`BatchResult`)."""
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    rng = np.zeros(1, dtype=np.uint64)
    cands, branch, queue, cell_units, segm = make_work(units)
    for i in range(grids.shape[0]):
        counts[i] = fast_search(grids[i], level, limit, 0, rng, solutions[i], stats, peers, units, inter, box_rest,
                                line_rest, cands, branch, queue, cell_units, segm)
        guesses[i] = stats[STAT_GUESSES]
        nodes[i] = stats[STAT_NODES]


def solve_many(grids: np.ndarray | list[str], level: int = 3, limit: int = 2) -> BatchResult:
    """Solve a batch of same-size grids in one compiled loop (no Python between puzzles).

    Args:
        grids: int array [B, n*n] (0 = blank) or a list of texts (9x9 or 16x16, all one size; read by
            :func:`games.sudoku.grid.parse_grids` in one array operation).
    """
    _check_options(level, limit)
    if isinstance(grids, list):
        arr = parse_grids(grids, size=None)
    else:
        arr = np.ascontiguousarray(grids, dtype=np.int8)
    batch, cells = arr.shape
    solutions = np.zeros((batch, cells), dtype=np.int8)
    counts = np.zeros(batch, dtype=np.int64)
    guesses = np.zeros(batch, dtype=np.int64)
    nodes = np.zeros(batch, dtype=np.int64)
    start = time.perf_counter()
    _solve_batch(arr, level, limit, solutions, counts, guesses, nodes, *tables(box_size(cells)))
    return BatchResult(solutions=solutions, counts=counts, guesses=guesses, nodes=nodes,
                       seconds=time.perf_counter() - start)
