"""Network-guided depth-first sudoku search: a scorer orders cells and digits, exact deductions prune.

The search is the exact solver's depth-first search (:mod:`games.sudoku.dfs`) with one change: where
to branch and in which order to try digits come from a *scorer*, a plain callable

    ``scorer(grids int8 [B, 81], givens bool [B, 81]) -> scores float [B, 81, 9]``

(higher = more likely; e.g. a network's per-(cell, digit) logits), so this module needs no torch. In
every state (after the deductions of ``level``, see :mod:`games.sudoku.kernels`) the scores of each
empty cell are turned into probabilities over the cell's remaining candidates, and the cell's
*confidence* is its best candidate's probability. The search branches on

* the most confident cell when its confidence is at least ``trust`` (the scorer is sure: e.g. a network
  that has spotted a hidden single, which level 1 does not deduce);
* otherwise, as the classical search, on a cell with fewest candidates (fail first), the most
  confident of them;

and tries the cell's candidates from most to least probable (first in row-major order on ties). The
scorer thus decides alone where it is sure and orders the digits everywhere, while a weak or unsure
scorer cannot lead the search into a cell with many candidates on a mere hunch, where a wrong guess
opens a large dead subtree (``trust=0``: always the most confident cell; ``trust > 1``: always fail
first). Without a scorer (``scorer=None``) the choice is the classical one of
:func:`games.sudoku.dfs.dfs_solve` (fewest candidates, digits in increasing order), node for node,
which makes the two directly comparable.

Statistics as in the exact solver: ``nodes`` = states created by branching (each counts against
``max_nodes``), ``guesses`` = those created at a cell with two or more candidates, plus
``evaluations`` = grids given to the scorer (one per state branched from). The search stops at the
first solution. :func:`guided_solve_many` runs many searches in lockstep, so that each scorer call
scores one grid of every search still running (one network batch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from games.sudoku.grid import format_grid, tables
from games.sudoku.kernels import assign, propagate, start_state

Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``(grids int8 [B, 81], givens bool [B, 81]) -> scores float [B, 81, 9]`` (higher = more likely)."""
SIZE = 9
"""Digits of the grid (9x9 only: the scorer's output is [81, 9])."""
DEFAULT_TRUST = 0.9
"""Confidence from which the guided search follows the scorer's most confident cell (see the module docstring)."""
_BITS = 1 << np.arange(SIZE, dtype=np.int32)
"""Bit of each digit (index d - 1) in a candidate mask."""


@dataclass(frozen=True)
class GuidedResult:
    """What one guided search found."""

    solution: np.ndarray | None
    """int8 [81]: the first solution found, or None (no solution, or the budget ran out first)."""
    nodes: int
    """States created by branching."""
    guesses: int
    """States created at a cell with two or more candidates."""
    evaluations: int
    """Grids given to the scorer."""
    aborted: bool
    """True when ``max_nodes`` stopped the search before a solution was found."""

    @property
    def text(self) -> str | None:
        """The solution as 81 characters, or None."""
        return None if self.solution is None else format_grid(self.solution)


def candidate_matrix(cand: np.ndarray) -> np.ndarray:
    """bool [81, 9]: digit ``d`` (index d - 1) is a candidate of the cell (masks int32 [81])."""
    return (cand[:, None] & _BITS) != 0


def guided_choice(cand: np.ndarray, val: np.ndarray, scores: np.ndarray,
                  trust: float = DEFAULT_TRUST) -> tuple[int, list[int]]:
    """The branch cell and its candidate digits (1..9), most probable first, under ``scores``.

    Args:
        cand: int32 [81] candidate masks. val: int8 [81] placed digits (0 = empty; at least one empty).
        scores: float [81, 9] scores of (cell, digit - 1).
        trust: confidence from which the most confident cell is taken whatever its candidates.
    """
    allowed = candidate_matrix(cand) & (val == 0)[:, None]
    masked = np.where(allowed, scores.astype(np.float64), -np.inf)
    top = masked.max(axis=1)
    empty = np.isfinite(top)
    shifted = np.where(allowed, np.exp(masked - np.where(empty, top, 0.0)[:, None]), 0.0)
    confidence = np.where(empty, 1.0 / np.maximum(shifted.sum(axis=1), 1e-300), -1.0)
    cell = int(np.argmax(confidence))
    if confidence[cell] < trust:
        counts = np.where(empty, allowed.sum(axis=1), SIZE + 1)
        cell = int(np.argmax(np.where(counts == counts.min(), confidence, -2.0)))
    order = np.argsort(-masked[cell], kind="stable")
    return cell, [int(i) + 1 for i in order if allowed[cell, i]]


def classical_choice(cand: np.ndarray, val: np.ndarray) -> tuple[int, list[int]]:
    """The exact solver's choice: the empty cell with fewest candidates (first in row-major order), digits
    in increasing order."""
    counts = np.where(val == 0, np.bitwise_count(cand.astype(np.uint32)), 99)
    cell = int(np.argmax(counts <= 1)) if np.any(counts <= 1) else int(np.argmin(counts))
    return cell, [d + 1 for d in range(SIZE) if cand[cell] & (1 << d)]


@dataclass
class _Frame:
    """A state being branched on: its arrays, the branch cell and the digits still to try."""

    cand: np.ndarray
    val: np.ndarray
    cell: int
    digits: list[int]
    next: int = 0


class GuidedSearch:
    """One resumable guided depth-first search (driven by :func:`guided_solve_many`).

    After construction and after each :meth:`advance`, either :attr:`done` is True or :attr:`pending`
    holds the grid (int8 [81]) to score next.
    """

    def __init__(self, grid: np.ndarray, level: int, max_nodes: int, trust: float = DEFAULT_TRUST) -> None:
        self.tables = tables(3)
        self.level = level
        self.trust = trust
        self.max_nodes = max_nodes
        self.givens = np.asarray(grid) > 0
        self.frames: list[_Frame] = []
        self.queue = np.empty(81, dtype=np.int32)
        self.nodes = 0
        self.guesses = 0
        self.evaluations = 0
        self.solution: np.ndarray | None = None
        self.aborted = False
        self.done = False
        cand = np.empty(81, dtype=np.int32)
        val = np.empty(81, dtype=np.int8)
        grid8 = np.ascontiguousarray(grid, dtype=np.int8)
        if start_state(grid8, cand, val, self.queue, level, *self.tables):
            self._arrive(cand, val)
        else:
            self.done = True

    @property
    def pending(self) -> np.ndarray | None:
        """The grid (int8 [81]) whose scores the search needs, or None."""
        return None if self.done else self._pending[1]

    def _arrive(self, cand: np.ndarray, val: np.ndarray) -> None:
        """A consistent state after deductions: a solution, or a state waiting to be branched on."""
        if not np.any(val == 0):
            self.solution = val.copy()
            self.done = True
            return
        self._pending = (cand, val)

    def advance(self, scores: np.ndarray | None) -> None:
        """Branch on the pending state (``scores`` float [81, 9], or None for the classical choice) and
        search until the next state to score, a solution, exhaustion or the budget."""
        cand, val = self._pending
        if scores is None:
            cell, digits = classical_choice(cand, val)
        else:
            self.evaluations += 1
            cell, digits = guided_choice(cand, val, scores, self.trust)
        self.frames.append(_Frame(cand, val, cell, digits))
        self._branch()

    def _branch(self) -> None:
        peers, units, inter, box_rest, line_rest = self.tables
        while self.frames:
            frame = self.frames[-1]
            if frame.next >= len(frame.digits):
                self.frames.pop()
                continue
            if self.max_nodes > 0 and self.nodes >= self.max_nodes:
                self.aborted = True
                break
            d = frame.digits[frame.next]
            frame.next += 1
            self.nodes += 1
            if len(frame.digits) >= 2:
                self.guesses += 1
            cand, val = frame.cand.copy(), frame.val.copy()
            qlen = assign(cand, val, frame.cell, d, peers, self.queue, 0, self.level)
            if qlen < 0:
                continue
            if propagate(cand, val, self.queue, qlen, self.level, peers, units, inter, box_rest, line_rest):
                self._arrive(cand, val)
                return
        self.done = True

    def result(self) -> GuidedResult:
        """The search's result so far (final once :attr:`done`)."""
        return GuidedResult(solution=self.solution, nodes=self.nodes, guesses=self.guesses,
                            evaluations=self.evaluations, aborted=self.aborted and self.solution is None)


def _check(level: int, max_nodes: int, trust: float) -> None:
    if not trust >= 0:
        raise ValueError(f"guided search: trust must be >= 0, got {trust}")
    if not 0 <= level <= 3:
        raise ValueError(f"guided search: level must be 0..3, got {level}")
    if max_nodes < 0:
        raise ValueError(f"guided search: max_nodes must be >= 0, got {max_nodes}")


def guided_solve_many(grids: np.ndarray, scorer: Scorer | None, max_nodes: int = 0,
                      level: int = 1, trust: float = DEFAULT_TRUST) -> list[GuidedResult]:
    """Search each 9x9 grid (int [B, 81], 0 = blank) in lockstep; one scorer call per round.

    Args:
        grids: puzzles (rule-abiding; a grid without solution ends with ``solution=None``).
        scorer: see :data:`Scorer`; None = the exact solver's classical choice.
        max_nodes: node budget per grid (0 = none). level: deduction level 0..3.
        trust: confidence from which the scorer's most confident cell is branched on (see the module docstring).
    """
    _check(level, max_nodes, trust)
    arr = np.asarray(grids).reshape(-1, 81)
    searches = [GuidedSearch(g, level, max_nodes, trust) for g in arr]
    while True:
        active = [s for s in searches if not s.done]
        if not active:
            break
        if scorer is None:
            for s in active:
                s.advance(None)
            continue
        batch = np.stack([s.pending for s in active])
        givens = np.stack([s.givens for s in active])
        scores = np.asarray(scorer(batch, givens))
        if scores.shape != (len(active), 81, SIZE):
            raise ValueError(f"guided search: scorer returned shape {scores.shape}, expected {(len(active), 81, SIZE)}")
        for s, row in zip(active, scores):
            s.advance(row)
    return [s.result() for s in searches]


def guided_solve(grid: np.ndarray, scorer: Scorer | None, max_nodes: int = 0, level: int = 1,
                 trust: float = DEFAULT_TRUST) -> GuidedResult:
    """Search one 9x9 grid (int [81]); see :func:`guided_solve_many`."""
    return guided_solve_many(np.asarray(grid).reshape(1, 81), scorer, max_nodes, level, trust)[0]
