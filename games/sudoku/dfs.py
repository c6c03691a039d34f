"""Compiled exact sudoku search: depth-first search counting solutions, and clue removal to a minimal puzzle.

:func:`dfs_solve` runs the fast engine (:mod:`games.sudoku.fast`); :func:`dfs_solve_reference` is the
simple search over :mod:`games.sudoku.kernels` that it replaced, kept as the oracle the fast engine is
checked against: both explore the same tree, so they agree on counts, solutions, nodes and guesses.

The search branches on the empty cell with the fewest candidates (first in row-major order on ties),
propagating the deductions of ``level`` (see :mod:`games.sudoku.kernels`) in every state, and counts
solutions up to a limit, with an explicit stack (no recursion). Statistics: ``nodes`` = states created
by branching, ``guesses`` = those created at a cell that had two or more candidates (trying all k
candidates of a cell counts k). States live in preallocated arrays ``[depth, n*n]``, one row per depth,
so a branch costs one row copy.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.sudoku.fast import fast_search, make_work
from games.sudoku.kernels import assign, lowest_digit, next_random, popcount, propagate, start_state

STAT_NODES = 0
"""Index of the node count in the ``stats`` array of :func:`dfs_solve`."""
STAT_GUESSES = 1
"""Index of the guess count in ``stats``."""
STAT_ABORTED = 2
"""Index of the flag set when ``max_nodes`` stopped the search (the count is then a lower bound)."""
NUM_STATS = 3
"""Length of ``stats``."""


@njit(cache=True)
def _pick_cell(cand: np.ndarray, val: np.ndarray) -> int:
    """The empty cell with the fewest candidates (first such in row-major order); -1 if none is empty."""
    best = -1
    best_count = 1 << 30
    for c in range(val.shape[0]):
        if val[c] == 0:
            k = popcount(cand[c])
            if k < best_count:
                best, best_count = c, k
                if k <= 1:
                    break
    return best


@njit(cache=True)
def _pick_digit(rem: int, rng: np.ndarray) -> int:
    """The lowest digit of ``rem``, or a uniformly random one when ``rng[0] != 0``."""
    if rng[0] == 0:
        return lowest_digit(rem)
    k = next_random(rng) % popcount(rem)
    for _ in range(k):
        rem &= rem - 1
    return lowest_digit(rem)


@njit(cache=True)
def dfs_solve(grid: np.ndarray, level: int, limit: int, max_nodes: int, rng: np.ndarray, solution: np.ndarray,
              stats: np.ndarray, peers: np.ndarray, units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray,
              line_rest: np.ndarray) -> int:
    """Count the solutions of ``grid`` up to ``limit`` by depth-first search (the fast engine).

    Same arguments, result and statistics as :func:`dfs_solve_reference`; allocates its work arrays
    (loops over many grids call :func:`games.sudoku.fast.fast_search` with one :func:`make_work`).
    """
    cands, branch, queue, cell_units, segm = make_work(units)
    return fast_search(grid, level, limit, max_nodes, rng, solution, stats, peers, units, inter, box_rest,
                       line_rest, cands, branch, queue, cell_units, segm)


@njit(cache=True)
def dfs_solve_reference(grid: np.ndarray, level: int, limit: int, max_nodes: int, rng: np.ndarray,
                        solution: np.ndarray, stats: np.ndarray, peers: np.ndarray, units: np.ndarray,
                        inter: np.ndarray, box_rest: np.ndarray, line_rest: np.ndarray) -> int:
    """Count the solutions of ``grid`` up to ``limit`` by depth-first search (the simple reference).

    Args:
        grid: int8 [n*n] puzzle (0 = blank). level: deduction level 0..3. limit: stop after this many
            solutions (>= 1). max_nodes: stop after this many nodes (0 = no limit; sets STAT_ABORTED).
        rng: uint64 [1]; 0 tries digits in increasing order, otherwise the xorshift state of a random order.
        solution: int8 [n*n], receives the first solution found. stats: int64 [NUM_STATS], overwritten.
    Returns:
        The number of solutions found (at most ``limit``).
    """
    nc = grid.shape[0]
    stats[:] = 0
    cands = np.empty((nc + 1, nc), dtype=np.int32)
    vals = np.empty((nc + 1, nc), dtype=np.int8)
    branch_cell = np.empty(nc + 1, dtype=np.int32)
    branch_rem = np.empty(nc + 1, dtype=np.int32)
    queue = np.empty(nc, dtype=np.int32)
    if not start_state(grid, cands[0], vals[0], queue, level, peers, units, inter, box_rest, line_rest):
        return 0
    count = 0
    depth = 0
    descend = True
    while depth >= 0:
        if descend:
            cell = _pick_cell(cands[depth], vals[depth])
            if cell < 0:
                if count == 0:
                    solution[:] = vals[depth]
                count += 1
                if count >= limit:
                    break
                depth -= 1
            else:
                branch_cell[depth] = cell
                branch_rem[depth] = cands[depth, cell]
            descend = False
            continue
        rem = branch_rem[depth]
        if rem == 0:
            depth -= 1
            continue
        if max_nodes > 0 and stats[STAT_NODES] >= max_nodes:
            stats[STAT_ABORTED] = 1
            break
        cell = branch_cell[depth]
        d = _pick_digit(rem, rng)
        branch_rem[depth] = rem & ~(1 << (d - 1))
        stats[STAT_NODES] += 1
        if popcount(cands[depth, cell]) >= 2:
            stats[STAT_GUESSES] += 1
        cands[depth + 1] = cands[depth]
        vals[depth + 1] = vals[depth]
        qlen = assign(cands[depth + 1], vals[depth + 1], cell, d, peers, queue, 0, level)
        if qlen < 0:
            continue
        if propagate(cands[depth + 1], vals[depth + 1], queue, qlen, level, peers, units, inter, box_rest,
                     line_rest):
            depth += 1
            descend = True
    return count


@njit(cache=True)
def reduce_to_minimal(grid: np.ndarray, order: np.ndarray, min_clues: int, level: int, max_nodes: int,
                      peers: np.ndarray, units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray,
                      line_rest: np.ndarray) -> int:
    """Blank the cells of ``order`` one by one, keeping each blank only if the solution stays unique.

    One pass over every cell leaves a minimal puzzle (each remaining clue is needed). ``grid`` (int8
    [n*n], a puzzle with one solution) is changed in place; stops early at ``min_clues`` clues. A
    uniqueness check cut short by ``max_nodes`` keeps the clue. Returns the number of clues left.
    """
    nc = grid.shape[0]
    clues = 0
    for c in range(nc):
        if grid[c]:
            clues += 1
    rng = np.zeros(1, dtype=np.uint64)
    solution = np.empty(nc, dtype=np.int8)
    stats = np.zeros(NUM_STATS, dtype=np.int64)
    cands, branch, queue, cell_units, segm = make_work(units)
    for c in order:
        if clues <= min_clues:
            break
        saved = grid[c]
        if saved == 0:
            continue
        grid[c] = 0
        count = fast_search(grid, level, 2, max_nodes, rng, solution, stats, peers, units, inter, box_rest,
                            line_rest, cands, branch, queue, cell_units, segm)
        if count == 1 and stats[STAT_ABORTED] == 0:
            clues -= 1
        else:
            grid[c] = saved
    return clues
