"""Compiled sudoku rules: unit tables, bitmask candidates and deductions (the search is :mod:`games.sudoku.dfs`).

Everything works for any box size ``b`` (``n = b*b`` digits, ``n*n`` cells): 9x9 (``b = 3``) and
16x16 (``b = 4``) go through the same code. A grid is an int8 array [n*n] in row-major order, 0 for a
blank and ``1..n`` for a digit. Candidates are int32 bitmasks, bit ``d - 1`` meaning digit ``d``.

Deduction levels (``level``):

* 0 -- none: placing a digit only removes it from the candidates of the cell's peers;
* 1 -- + naked singles (a cell with one candidate gets it);
* 2 -- + hidden singles (a digit with one place left in a row/column/box goes there);
* 3 -- + locked candidates (pointing and claiming across box/line intersections).

These kernels are the simple, readable form of the deductions: :func:`games.sudoku.dfs.dfs_solve_reference`
searches with them, and the fast engine :mod:`games.sudoku.fast` (behind ``dfs_solve``) is checked against
that reference. Why these kernels and the exact search live in ``games/`` and not ``search/``: checking
that a puzzle has exactly one solution is part of reading a puzzle and of generating one, and ``games/`` may not
import ``search/``; :mod:`search.sudoku` is the solver's API (timing, statistics, batches).
"""
from __future__ import annotations

import numpy as np
from numba import njit


def build_tables(box: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unit tables for box size ``box`` (n = box*box).

    Returns:
        ``peers`` int32 [n*n, 3n-2b-1] (cells sharing a row, column or box, without the cell),
        ``units`` int32 [3n, n] (rows, then columns, then boxes),
        ``inter`` int32 [2bn, b] (cells of each box/line intersection: box ``k // 2b``, its rows then
        its columns), ``box_rest`` and ``line_rest`` int32 [2bn, n-b] (the other cells of that box / line).
    """
    n = box * box
    rows = [[r * n + c for c in range(n)] for r in range(n)]
    cols = [[r * n + c for r in range(n)] for c in range(n)]
    boxes = [[(br * box + i) * n + bc * box + j for i in range(box) for j in range(box)]
             for br in range(box) for bc in range(box)]
    units = np.array(rows + cols + boxes, dtype=np.int32)
    peers = []
    for cell in range(n * n):
        r, c = divmod(cell, n)
        bx = (r // box) * box + c // box
        peers.append(sorted((set(rows[r]) | set(cols[c]) | set(boxes[bx])) - {cell}))
    inter, box_rest, line_rest = [], [], []
    for bx in range(n):
        br, bc = divmod(bx, box)
        lines = [rows[br * box + i] for i in range(box)] + [cols[bc * box + j] for j in range(box)]
        for line in lines:
            common = sorted(set(boxes[bx]) & set(line))
            inter.append(common)
            box_rest.append(sorted(set(boxes[bx]) - set(common)))
            line_rest.append(sorted(set(line) - set(common)))
    as32 = lambda x: np.array(x, dtype=np.int32)  # noqa: E731 - local shorthand
    return as32(peers), units, as32(inter), as32(box_rest), as32(line_rest)


@njit(cache=True)
def popcount(mask: int) -> int:
    """Number of set bits of a non-negative int."""
    count = 0
    while mask:
        mask &= mask - 1
        count += 1
    return count


@njit(cache=True)
def lowest_digit(mask: int) -> int:
    """Digit (1-based) of the lowest set bit of a non-zero mask."""
    d = 1
    while not (mask & 1):
        mask >>= 1
        d += 1
    return d


@njit(cache=True)
def next_random(rng: np.ndarray) -> int:
    """xorshift64* step on ``rng`` (uint64 [1], non-zero); returns a non-negative 62-bit int."""
    x = rng[0]
    x ^= x >> np.uint64(12)
    x ^= x << np.uint64(25)
    x ^= x >> np.uint64(27)
    rng[0] = x
    return int((x * np.uint64(2685821657736338717)) >> np.uint64(2))


@njit(cache=True)
def first_duplicate(grid: np.ndarray, units: np.ndarray) -> tuple[int, int]:
    """(unit, digit) of the first unit (rows, columns, boxes) holding a digit twice, or (-1, -1)."""
    for u in range(units.shape[0]):
        seen = 0
        for c in units[u]:
            d = grid[c]
            if d:
                bit = 1 << (d - 1)
                if seen & bit:
                    return u, int(d)
                seen |= bit
    return -1, -1


@njit(cache=True)
def first_bad_row(grids: np.ndarray, units: np.ndarray) -> int:
    """Index of the first grid of ``grids`` (int8 [B, n*n]) with a value outside ``0..n`` or a digit twice
    in a unit, or -1 when all are valid."""
    n = units.shape[1]
    for i in range(grids.shape[0]):
        for c in range(grids.shape[1]):
            if grids[i, c] < 0 or grids[i, c] > n:
                return i
        if first_duplicate(grids[i], units)[0] >= 0:
            return i
    return -1


@njit(cache=True)
def candidates(grid: np.ndarray, peers: np.ndarray, out: np.ndarray) -> None:
    """Candidate masks of ``grid`` (int8 [n*n]) into ``out`` (int32 [n*n]): for an empty cell the digits
    absent from its peers, for a filled cell 0."""
    n = int(np.sqrt(grid.shape[0]) + 0.5)
    full = (1 << n) - 1
    for c in range(grid.shape[0]):
        if grid[c]:
            out[c] = 0
            continue
        seen = 0
        for p in peers[c]:
            if grid[p]:
                seen |= 1 << (grid[p] - 1)
        out[c] = full & ~seen


@njit(cache=True)
def assign(cand: np.ndarray, val: np.ndarray, cell: int, d: int, peers: np.ndarray, queue: np.ndarray,
           qlen: int, level: int) -> int:
    """Place digit ``d`` in ``cell`` and remove it from the peers' candidates.

    Args:
        cand: int32 [n*n] candidate masks; val: int8 [n*n] placed digits (0 = empty).
        queue: int32 [n*n] cells that became naked singles (level >= 1), ``qlen`` of them so far.
    Returns:
        The new queue length, or -1 on a contradiction (a peer left without candidates).
    """
    bit = 1 << (d - 1)
    val[cell] = d
    cand[cell] = bit
    for p in peers[cell]:
        if val[p] == 0 and cand[p] & bit:
            m = cand[p] & ~bit
            cand[p] = m
            if m == 0:
                return -1
            if level >= 1 and (m & (m - 1)) == 0:
                queue[qlen] = p
                qlen += 1
    return qlen


@njit(cache=True)
def _hidden_singles(cand: np.ndarray, val: np.ndarray, units: np.ndarray, peers: np.ndarray,
                    queue: np.ndarray, qlen: int, level: int, full: int) -> tuple[int, bool]:
    """One pass of hidden singles over every unit; returns (queue length or -1, whether it placed)."""
    placed_any = False
    for u in range(units.shape[0]):
        once = 0
        twice = 0
        placed = 0
        for c in units[u]:
            if val[c]:
                placed |= 1 << (val[c] - 1)
            else:
                m = cand[c]
                twice |= once & m
                once |= m
        if (once | placed) != full:
            return -1, placed_any
        hidden = once & ~twice & ~placed
        while hidden:
            bit = hidden & -hidden
            hidden ^= bit
            target = -1
            for c in units[u]:
                if val[c] == 0 and cand[c] & bit:
                    target = c
                    break
            if target < 0:
                return -1, placed_any
            qlen = assign(cand, val, target, lowest_digit(bit), peers, queue, qlen, level)
            if qlen < 0:
                return -1, placed_any
            placed_any = True
    return qlen, placed_any


@njit(cache=True)
def _strip(cand: np.ndarray, val: np.ndarray, cells: np.ndarray, remove: int, queue: np.ndarray,
           qlen: int) -> tuple[int, bool]:
    """Remove the digits of ``remove`` from the empty ``cells``; returns (queue length or -1, changed)."""
    changed = False
    for c in cells:
        if val[c] == 0 and cand[c] & remove:
            m = cand[c] & ~remove
            cand[c] = m
            changed = True
            if m == 0:
                return -1, changed
            if (m & (m - 1)) == 0:
                queue[qlen] = c
                qlen += 1
    return qlen, changed


@njit(cache=True)
def _locked_candidates(cand: np.ndarray, val: np.ndarray, inter: np.ndarray, box_rest: np.ndarray,
                       line_rest: np.ndarray, queue: np.ndarray, qlen: int) -> tuple[int, bool]:
    """One pass of pointing/claiming over every box/line intersection; (queue length or -1, changed)."""
    changed = False
    for k in range(inter.shape[0]):
        in_m = 0
        for c in inter[k]:
            if val[c] == 0:
                in_m |= cand[c]
        if in_m == 0:
            continue
        box_m = 0
        for c in box_rest[k]:
            if val[c] == 0:
                box_m |= cand[c]
        line_m = 0
        for c in line_rest[k]:
            if val[c] == 0:
                line_m |= cand[c]
        pointing = in_m & ~box_m & line_m
        if pointing:
            qlen, ch = _strip(cand, val, line_rest[k], pointing, queue, qlen)
            changed |= ch
            if qlen < 0:
                return -1, changed
        claiming = in_m & ~line_m & box_m
        if claiming:
            qlen, ch = _strip(cand, val, box_rest[k], claiming, queue, qlen)
            changed |= ch
            if qlen < 0:
                return -1, changed
    return qlen, changed


@njit(cache=True)
def propagate(cand: np.ndarray, val: np.ndarray, queue: np.ndarray, qlen: int, level: int, peers: np.ndarray,
              units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray, line_rest: np.ndarray) -> bool:
    """Apply the deductions of ``level`` until nothing changes; False on a contradiction."""
    full = (1 << units.shape[1]) - 1
    while True:
        qi = 0
        while qi < qlen:
            c = queue[qi]
            qi += 1
            if val[c] == 0:
                qlen = assign(cand, val, c, lowest_digit(cand[c]), peers, queue, qlen, level)
                if qlen < 0:
                    return False
        qlen = 0
        if level < 2:
            return True
        qlen, placed = _hidden_singles(cand, val, units, peers, queue, qlen, level, full)
        if qlen < 0:
            return False
        if placed:
            continue
        if level < 3:
            return True
        qlen, changed = _locked_candidates(cand, val, inter, box_rest, line_rest, queue, qlen)
        if qlen < 0:
            return False
        if not changed:
            return True


@njit(cache=True)
def start_state(grid: np.ndarray, cand: np.ndarray, val: np.ndarray, queue: np.ndarray, level: int,
                peers: np.ndarray, units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray,
                line_rest: np.ndarray) -> bool:
    """Fill ``cand``/``val`` from ``grid`` (int8 [n*n]) and propagate; False if contradictory."""
    full = (1 << units.shape[1]) - 1
    cand[:] = full
    val[:] = 0
    qlen = 0
    for c in range(grid.shape[0]):
        d = grid[c]
        if d:
            if not (cand[c] & (1 << (d - 1))):
                return False
            qlen = assign(cand, val, c, d, peers, queue, qlen, level)
            if qlen < 0:
                return False
    return propagate(cand, val, queue, qlen, level, peers, units, inter, box_rest, line_rest)
