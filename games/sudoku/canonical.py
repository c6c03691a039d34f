"""Canonical form of a 9x9 sudoku grid under all its symmetries, to keep train and test sets apart.

The symmetry group: digit relabelling, permutations of rows within a band and of columns within a
stack, permutations of bands and of stacks, and transposition (2 * 6^8 geometric maps times 9!
relabellings). The canonical form is the lexicographically smallest text of the orbit, reading a
blank as 0: for one geometric map the best relabelling numbers digits by order of first appearance,
so a compiled branch-and-bound search over the geometric maps (columns fixed first, rows chosen row
by row and pruned as soon as a row is larger than the best so far) finds it. Two puzzles are the
same puzzle in disguise exactly when their canonical forms are equal.
"""
from __future__ import annotations

import itertools
from functools import lru_cache
from typing import Iterable

import numpy as np
from numba import njit

from games.sudoku.grid import format_grid, parse_grid

_BIG = 127
"""Sentinel larger than any relabelled digit: marks rows of the best grid not yet written."""


@lru_cache(maxsize=1)
def column_permutations() -> np.ndarray:
    """int32 [1296, 9]: every column order (stack order, then the order within each stack)."""
    perms = list(itertools.permutations(range(3)))
    out = []
    for stacks in perms:
        for inner in itertools.product(perms, repeat=3):
            out.append([3 * s + inner[k][j] for k, s in enumerate(stacks) for j in range(3)])
    return np.array(out, dtype=np.int32)


@njit(cache=True)
def _row_search(g: np.ndarray, cols: np.ndarray, best: np.ndarray) -> None:
    """Branch and bound over row orders of ``g`` (int8 [9, 9]) with column order ``cols``; lowers ``best``."""
    maps = np.zeros((10, 10), dtype=np.int8)
    nexts = np.zeros(10, dtype=np.int8)
    chosen = np.full(9, -1, dtype=np.int32)
    used = np.zeros(9, dtype=np.bool_)
    row = np.empty(9, dtype=np.int8)
    nexts[0] = 1
    depth = 0
    while depth >= 0:
        # advance the choice at this depth to the next admissible row
        if chosen[depth] >= 0:
            used[chosen[depth]] = False
        cand = chosen[depth] + 1
        found = -1
        while cand < 9:
            if not used[cand]:
                if depth % 3 == 0 or cand // 3 == chosen[depth - 1] // 3:
                    found = cand
                    break
            cand += 1
        if found < 0:
            chosen[depth] = -1
            depth -= 1
            continue
        chosen[depth] = found
        used[found] = True
        maps[depth + 1] = maps[depth]
        nxt = nexts[depth]
        for j in range(9):
            v = g[found, cols[j]]
            if v != 0 and maps[depth + 1, v] == 0:
                maps[depth + 1, v] = nxt
                nxt += 1
            row[j] = maps[depth + 1, v] if v != 0 else 0
        nexts[depth + 1] = nxt
        cmp = 0
        for j in range(9):
            if row[j] != best[depth, j]:
                cmp = -1 if row[j] < best[depth, j] else 1
                break
        if cmp > 0:
            continue
        if cmp < 0:
            best[depth] = row
            best[depth + 1:] = _BIG
        if depth < 8:
            depth += 1
        # at depth 8 the loop tries the next row at the same depth (none left: it backtracks)


@njit(cache=True)
def _canonical_kernel(grid: np.ndarray, col_perms: np.ndarray) -> np.ndarray:
    """Lexicographically smallest relabelled image of ``grid`` (int8 [9, 9]); int8 [9, 9]."""
    best = np.full((9, 9), _BIG, dtype=np.int8)
    for t in range(2):
        g = grid.copy() if t == 0 else grid.T.copy()
        for k in range(col_perms.shape[0]):
            _row_search(g, col_perms[k], best)
    return best


def canonical_grid(grid: np.ndarray) -> np.ndarray:
    """Canonical form of an int8 [81] grid (0 = blank), as int8 [81]."""
    g = np.ascontiguousarray(grid, dtype=np.int8).reshape(9, 9)
    return _canonical_kernel(g, column_permutations()).reshape(81)


def canonical_form(grid: np.ndarray | str) -> str:
    """Canonical text (81 characters, ``.`` for blanks) of a 9x9 grid given as int8 [81] or text."""
    if isinstance(grid, str):
        grid = parse_grid(grid)
    return format_grid(canonical_grid(grid))


def random_symmetry(grid: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random member of the orbit of ``grid`` (int8 [81]): relabelling, row/column maps, transpose."""
    g = np.asarray(grid, dtype=np.int8).reshape(9, 9)
    relabel = np.concatenate([[0], rng.permutation(9) + 1]).astype(np.int8)
    rows = np.concatenate([3 * b + rng.permutation(3) for b in rng.permutation(3)])
    cols = np.concatenate([3 * s + rng.permutation(3) for s in rng.permutation(3)])
    out = relabel[g[rows][:, cols]]
    if rng.integers(2):
        out = out.T
    return np.ascontiguousarray(out).reshape(81)


def split_disjoint(puzzles: Iterable[str], exclude: Iterable[str]) -> list[str]:
    """The ``puzzles`` whose canonical form is not that of any ``exclude`` puzzle, nor of an earlier
    puzzle of the list (order kept)."""
    seen = {canonical_form(p) for p in exclude}
    kept = []
    for p in puzzles:
        key = canonical_form(p)
        if key not in seen:
            seen.add(key)
            kept.append(p)
    return kept
