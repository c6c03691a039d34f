"""The fast exact search engine behind :func:`games.sudoku.dfs.dfs_solve` (any box size, 9x9 and 16x16).

It explores exactly the search tree of the simple reference search (:func:`games.sudoku.dfs.dfs_solve_reference`,
built on :mod:`games.sudoku.kernels`): the same deductions per level, applied to the same fixpoint (the
deductions only remove candidates and are monotone, so the fixpoint and the contradictions found do not
depend on the order they are applied in), the same branching cell (fewest candidates, first in row-major
order) and the same digit order; so counts, solutions, ``nodes`` and ``guesses`` are identical, which the
tests check on thousands of puzzles. What makes it faster:

* **one int32 array per state**: an open cell holds its candidate mask (bits ``0..n-1``, never 0), a placed
  cell holds its digit's bit shifted up by ``n`` (so ``cand & full`` is 0 for it and peer/unit scans need no
  second array); a branch copies one row of ``n*n`` int32;
* **dirty units**: a bitmask of the units (rows, columns, boxes; ``3n <= 48`` bits) holding a cell whose
  candidates changed; hidden singles rescan only those units, not all ``3n`` after every placement;
* **locked candidates from segment unions**: the candidate union of each box/line intersection is computed
  once per pass (``2bn`` segments of ``b`` cells) and pointing/claiming are mask operations on those unions;
  the pass runs only when singles are exhausted and something changed since the last pass;
* **a cheap start**: the givens' digits are gathered per unit and each blank's candidates computed from its
  three units (no placement of givens one by one);
* **preallocated work arrays**: :func:`make_work` once per batch (no allocation per puzzle), bit counts by
  arithmetic (no loops), the naked-single queue as a stack.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.sudoku.kernels import next_random


@njit(cache=True)
def popcount32(m: int) -> int:
    """Number of set bits of ``m`` (0 <= m < 2**32), without a loop."""
    m = m - ((m >> 1) & 0x55555555)
    m = (m & 0x33333333) + ((m >> 2) & 0x33333333)
    m = (m + (m >> 4)) & 0x0F0F0F0F
    return ((m * 0x01010101) & 0xFFFFFFFF) >> 24


@njit(cache=True)
def bit_index64(bit: int) -> int:
    """Index of the single set bit of ``bit`` (a power of two below 2**63)."""
    m = bit - 1
    m = m - ((m >> 1) & 0x5555555555555555)
    m = (m & 0x3333333333333333) + ((m >> 2) & 0x3333333333333333)
    m = (m + (m >> 4)) & 0x0F0F0F0F0F0F0F0F
    return ((m * 0x0101010101010101) >> 56) & 0xFF


@njit(cache=True)
def make_work(units: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Work arrays for :func:`fast_search` on grids of the size of ``units`` (int32 [3n, n]).

    Returns:
        ``cands`` int32 [n*n+1, n*n] (one state per depth), ``branch`` int32 [n*n+1, 2] (cell and untried
        digits per depth), ``queue`` int32 [n*n] (naked singles), ``cell_units`` int64 [n*n] (unit bitmask per
        cell; row ``r`` is unit ``r``, column ``c`` unit ``n+c``, box ``k`` unit ``2n+k``), ``segm`` int64 [2bn]
        (segment unions of the locked-candidates pass).
    """
    n = units.shape[1]
    nc = n * n
    cell_units = np.zeros(nc, dtype=np.int64)
    for u in range(units.shape[0]):
        for i in range(n):
            cell_units[units[u, i]] |= np.int64(1) << u
    box = int(np.sqrt(n) + 0.5)
    return (np.zeros((nc + 1, nc), dtype=np.int32), np.zeros((nc + 1, 2), dtype=np.int32),
            np.zeros(nc, dtype=np.int32), cell_units, np.zeros(2 * box * n, dtype=np.int64))


@njit(cache=True)
def _place(cand: np.ndarray, cell: int, bit: int, n: int, level: int, peers: np.ndarray, queue: np.ndarray,
           qlen: int, cell_units: np.ndarray) -> tuple[int, int]:
    """Place digit ``bit`` in ``cell`` and remove it from the peers.

    Returns:
        (new queue length, or -1 on a contradiction; bitmask of the units that changed).
    """
    cand[cell] = bit << n
    dirty = cell_units[cell]
    for i in range(peers.shape[1]):
        p = peers[cell, i]
        m = cand[p]
        if m & bit:
            m ^= bit
            cand[p] = m
            dirty |= cell_units[p]
            if m == 0:
                return -1, dirty
            if level >= 1 and (m & (m - 1)) == 0:
                queue[qlen] = p
                qlen += 1
    return qlen, dirty


@njit(cache=True)
def _scan_unit(cand: np.ndarray, u: int, n: int, full: int, level: int, peers: np.ndarray, units: np.ndarray,
               queue: np.ndarray, qlen: int, cell_units: np.ndarray) -> tuple[int, int]:
    """Hidden singles of unit ``u``: (queue length or -1 when a digit has no place, changed units)."""
    once = 0
    twice = 0
    for i in range(n):
        m = cand[units[u, i]]
        twice |= once & m
        once |= m
    open_digits = once & full
    if (open_digits | ((once >> n) & full)) != full:
        return -1, 0
    hidden = open_digits & ~twice
    dirty = 0
    while hidden:
        bit = hidden & -hidden
        hidden ^= bit
        target = -1
        for i in range(n):
            if cand[units[u, i]] & bit:
                target = units[u, i]
                break
        if target < 0:
            return -1, dirty
        qlen, changed = _place(cand, target, bit, n, level, peers, queue, qlen, cell_units)
        dirty |= changed
        if qlen < 0:
            return -1, dirty
    return qlen, dirty


@njit(cache=True)
def _strip(cand: np.ndarray, cells: np.ndarray, k: int, remove: int, queue: np.ndarray, qlen: int,
           cell_units: np.ndarray) -> tuple[int, int]:
    """Remove the digits ``remove`` from the open ``cells[k]``: (queue length or -1, changed units)."""
    dirty = 0
    for i in range(cells.shape[1]):
        c = cells[k, i]
        m = cand[c]
        if m & remove:
            m &= ~remove
            cand[c] = m
            dirty |= cell_units[c]
            if m == 0:
                return -1, dirty
            if (m & (m - 1)) == 0:
                queue[qlen] = c
                qlen += 1
    return qlen, dirty


@njit(cache=True)
def _confined(cand: np.ndarray, segm: np.ndarray, k0: int, stride: int, box: int, rest: np.ndarray,
              queue: np.ndarray, qlen: int, cell_units: np.ndarray) -> tuple[int, int]:
    """Digits confined to one of the ``box`` segments ``k0 + j*stride`` leave ``rest[k]`` of that segment.

    Returns:
        (queue length or -1 on a contradiction, changed units).
    """
    once = 0
    twice = 0
    for j in range(box):
        s = segm[k0 + j * stride]
        twice |= once & s
        once |= s
    if once & ~twice == 0:
        return qlen, 0
    dirty = 0
    for j in range(box):
        k = k0 + j * stride
        only = segm[k] & ~twice
        if only:
            qlen, changed = _strip(cand, rest, k, only, queue, qlen, cell_units)
            dirty |= changed
            if qlen < 0:
                return -1, dirty
    return qlen, dirty


@njit(cache=True)
def _locked(cand: np.ndarray, box: int, full: int, inter: np.ndarray, box_rest: np.ndarray, line_rest: np.ndarray,
            queue: np.ndarray, qlen: int, cell_units: np.ndarray, segm: np.ndarray) -> tuple[int, int]:
    """One pass of pointing and claiming over all box/line intersections: (queue length or -1, changed units).

    Segment ``k`` of ``inter`` is in box ``k // 2b``: its ``b`` rows, then its ``b`` columns. A digit of a
    box confined to one of its row (column) segments leaves the rest of that line (pointing); a digit of a
    line confined to one segment leaves the rest of that box (claiming).
    """
    for k in range(inter.shape[0]):
        s = 0
        for i in range(box):
            s |= cand[inter[k, i]]
        segm[k] = s & full
    dirty = 0
    for base in range(0, inter.shape[0], box):  # pointing: the row (column) segments of one box
        qlen, changed = _confined(cand, segm, base, 1, box, line_rest, queue, qlen, cell_units)
        dirty |= changed
        if qlen < 0:
            return -1, dirty
    for band in range(box):
        for i in range(box):
            # claiming: row band*b + i crosses boxes band*b + j as their row i (segments 2b apart);
            # column band*b + i crosses boxes j*b + band as their column i (segments 2b*b apart)
            qlen, changed = _confined(cand, segm, band * box * 2 * box + i, 2 * box, box, box_rest, queue, qlen,
                                      cell_units)
            dirty |= changed
            if qlen < 0:
                return -1, dirty
            qlen, changed = _confined(cand, segm, band * 2 * box + box + i, 2 * box * box, box, box_rest, queue,
                                      qlen, cell_units)
            dirty |= changed
            if qlen < 0:
                return -1, dirty
    return qlen, dirty


@njit(cache=True)
def fast_propagate(cand: np.ndarray, queue: np.ndarray, qlen: int, dirty: int, level: int, peers: np.ndarray,
                   units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray, line_rest: np.ndarray,
                   cell_units: np.ndarray, segm: np.ndarray) -> bool:
    """Apply the deductions of ``level`` to the fixpoint; False on a contradiction.

    Args:
        cand: int32 [n*n] state (see the module docstring). queue: int32 [n*n], ``qlen`` naked singles
            pending. dirty: bitmask of the units changed since they were last scanned.
    """
    n = units.shape[1]
    full = (1 << n) - 1
    box = inter.shape[1]
    locked_pending = True
    while True:
        while qlen > 0:
            qlen -= 1
            c = queue[qlen]
            m = cand[c] & full
            if m:  # 0: placed meanwhile (an open cell is never 0: that is found as a contradiction)
                qlen, changed = _place(cand, c, m, n, level, peers, queue, qlen, cell_units)
                dirty |= changed
                if qlen < 0:
                    return False
        if level < 2:
            return True
        if dirty:
            low = dirty & -dirty
            dirty ^= low
            qlen, changed = _scan_unit(cand, bit_index64(low), n, full, level, peers, units, queue, qlen,
                                       cell_units)
            if qlen < 0:
                return False
            dirty |= changed
            locked_pending = True
            continue
        if level < 3 or not locked_pending:
            return True
        locked_pending = False
        qlen, changed = _locked(cand, box, full, inter, box_rest, line_rest, queue, qlen, cell_units, segm)
        if qlen < 0:
            return False
        dirty |= changed


@njit(cache=True)
def fast_start(grid: np.ndarray, cand: np.ndarray, queue: np.ndarray, level: int, peers: np.ndarray,
               units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray, line_rest: np.ndarray,
               cell_units: np.ndarray, segm: np.ndarray) -> bool:
    """Fill the state ``cand`` from ``grid`` (int8 [n*n], 0 = blank) and propagate; False if contradictory.

    The givens' digits are gathered per unit (a digit twice in a unit, or a value outside ``0..n``, is a
    contradiction), each blank gets the digits absent from its three units (none left: a contradiction),
    and the blanks left with one candidate start the naked-single queue; every unit starts dirty.
    """
    n = units.shape[1]
    full = (1 << n) - 1
    cand[:] = 0
    for u in range(units.shape[0]):
        seen = 0
        for i in range(n):
            d = grid[units[u, i]]
            if d:
                if d < 0 or d > n or seen & (1 << (d - 1)):
                    return False
                seen |= 1 << (d - 1)
        for i in range(n):
            cand[units[u, i]] |= seen
    qlen = 0
    for c in range(cand.shape[0]):
        d = grid[c]
        if d:
            cand[c] = (1 << (d - 1)) << n
        else:
            m = full & ~cand[c]
            if m == 0:
                return False
            cand[c] = m
            if level >= 1 and (m & (m - 1)) == 0:
                queue[qlen] = c
                qlen += 1
    all_units = (np.int64(1) << units.shape[0]) - 1
    return fast_propagate(cand, queue, qlen, all_units, level, peers, units, inter, box_rest, line_rest,
                          cell_units, segm)


@njit(cache=True)
def _pick_cell(cand: np.ndarray, full: int, floor: int) -> int:
    """The open cell with the fewest candidates, first in row-major order; -1 when none is open.

    ``floor`` is the smallest count possible (1 at level 0, else 2: singles are placed): stop there.
    """
    best = -1
    best_count = 1 << 30
    for c in range(cand.shape[0]):
        m = cand[c] & full
        if m:
            k = popcount32(m)
            if k < best_count:
                best, best_count = c, k
                if k <= floor:
                    break
    return best


@njit(cache=True)
def _pick_bit(rem: int, rng: np.ndarray) -> int:
    """The lowest bit of ``rem``, or a uniformly random one when ``rng[0] != 0`` (as the reference search)."""
    if rng[0] != 0:
        k = next_random(rng) % popcount32(rem)
        for _ in range(k):
            rem &= rem - 1
    return rem & -rem


@njit(cache=True)
def fast_search(grid: np.ndarray, level: int, limit: int, max_nodes: int, rng: np.ndarray, solution: np.ndarray,
                stats: np.ndarray, peers: np.ndarray, units: np.ndarray, inter: np.ndarray, box_rest: np.ndarray,
                line_rest: np.ndarray, cands: np.ndarray, branch: np.ndarray, queue: np.ndarray,
                cell_units: np.ndarray, segm: np.ndarray) -> int:
    """Count the solutions of ``grid`` up to ``limit``; same contract as :func:`games.sudoku.dfs.dfs_solve`.

    ``stats`` int64 [3]: nodes, guesses, aborted. The last five arrays come from :func:`make_work`.
    """
    n = units.shape[1]
    full = (1 << n) - 1
    floor = 1 if level == 0 else 2
    stats[:] = 0
    if not fast_start(grid, cands[0], queue, level, peers, units, inter, box_rest, line_rest, cell_units, segm):
        return 0
    count = 0
    depth = 0
    descend = True
    while depth >= 0:
        if descend:
            descend = False
            cell = _pick_cell(cands[depth], full, floor)
            if cell < 0:
                if count == 0:
                    for c in range(solution.shape[0]):
                        solution[c] = bit_index64((cands[depth, c] >> n) & full) + 1
                count += 1
                if count >= limit:
                    break
                depth -= 1
            else:
                branch[depth, 0] = cell
                branch[depth, 1] = cands[depth, cell]
            continue
        rem = branch[depth, 1]
        if rem == 0:
            depth -= 1
            continue
        if max_nodes > 0 and stats[0] >= max_nodes:
            stats[2] = 1
            break
        cell = branch[depth, 0]
        bit = _pick_bit(rem, rng)
        branch[depth, 1] = rem ^ bit
        stats[0] += 1
        parent = cands[depth]
        if parent[cell] & (parent[cell] - 1):
            stats[1] += 1
        child = cands[depth + 1]
        child[:] = parent
        qlen, dirty = _place(child, cell, bit, n, level, peers, queue, 0, cell_units)
        if qlen < 0:
            continue
        if fast_propagate(child, queue, qlen, dirty, level, peers, units, inter, box_rest, line_rest, cell_units,
                          segm):
            depth += 1
            descend = True
    return count
