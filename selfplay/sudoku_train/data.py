"""Training positions for the sudoku network and their labels (used by :mod:`selfplay.sudoku_train`).

Every position is a grid reached from a training puzzle (after a random symmetry of the grid), shown
after the deductions of the guided search's level (:data:`SEARCH_LEVEL`, naked singles), as the
search shows its states to the network (:func:`deduce`):

* *correct* positions: a random fraction of the blanks filled with the solution, halved until the
  deductions leave some blank (:func:`search_positions`);
* *off-path* positions: a correct position after some more placements that may be wrong. With
  ``search`` targets (the default) these placements are the network's own: its guesses (digits drawn
  from its probabilities) at 1..``max_fill`` random open cells (self-play on puzzles); with
  ``solution`` targets (the ablation) one random legal digit that differs from the known solution.

Labels: the value target is +1 when the grid can still be completed to a solution, -1 otherwise; the
policy target is, for each blank of a solvable grid, the digit of its solution; for an unsolvable
grid there is no right digit (``policy`` -1 everywhere) and the trainer asks for a uniform policy
over each blank's legal digits (:func:`selfplay.sudoku_train.train.sudoku_loss`). With ``search`` targets both come from the project's exact solver
(:func:`search.sudoku.solve_many` on every position, including the solution of each puzzle); with
``solution`` targets from the generator's known solutions (a grid is solvable when it agrees with
the puzzle's unique solution).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

import numpy as np
from tqdm import tqdm

from games.sudoku.canonical import random_symmetry
from games.sudoku.generator import generate_puzzles
from games.sudoku.grid import parse_grid, tables
from games.sudoku.kernels import start_state
from search.sudoku import solve_many

Targets = Literal["search", "solution"]
"""Where labels come from: the exact solver (default) or the generator's known solutions (ablation)."""
SOLVER_LEVEL = 3
"""Deduction level of the solver that labels positions (all deductions: fastest)."""
SEARCH_LEVEL = 1
"""Deduction level of the guided search the network serves (:mod:`search.sudoku.guided`): training
positions are shown after its deductions, as the search shows them to the network."""


@dataclass(frozen=True)
class PuzzleSet:
    """Generated puzzles with their known solutions."""

    puzzles: np.ndarray
    """int8 [N, 81], 0 = blank."""
    solutions: np.ndarray
    """int8 [N, 81]: the generator's solutions (used only by ``solution`` targets)."""
    texts: list[str]
    """The puzzles as 81-character lines."""
    guesses: np.ndarray
    """int64 [N]: difficulty (solver guesses at level 1)."""


def make_puzzle_set(count: int, rng: np.random.Generator, exclude: set[str], *, progress: bool = False) -> PuzzleSet:
    """``count`` distinct generated puzzles whose canonical forms are not in ``exclude`` (which grows);
    ``progress``: a bar on stderr (4,000 puzzles take about a minute)."""
    stream = zip(range(count), generate_puzzles(rng, 0, exclude))
    bar = tqdm(stream, total=count, desc="generate puzzles", unit="puzzle", file=sys.stderr, disable=not progress,
               dynamic_ncols=True)
    items = [p for _, p in bar]
    return PuzzleSet(puzzles=np.stack([parse_grid(p.puzzle) for p in items]),
                     solutions=np.stack([parse_grid(p.solution) for p in items]),
                     texts=[p.puzzle for p in items], guesses=np.array([p.guesses for p in items]))


@dataclass(frozen=True)
class Batch:
    """Labelled positions (numpy; the trainer makes tensors)."""

    grids: np.ndarray
    """int8 [B, 81] positions."""
    givens: np.ndarray
    """bool [B, 81] cells given in the puzzle."""
    policy: np.ndarray
    """int64 [B, 81]: target digit index (0..8) of each blank of a solvable grid, -1 elsewhere."""
    value: np.ndarray
    """float32 [B]: +1 solvable, -1 not."""


def symmetric_copies(puzzles: np.ndarray, solutions: np.ndarray, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The same random grid symmetry applied to each (puzzle, solution) pair; int8 [B, 81] each."""
    p_out, s_out = np.empty_like(puzzles), np.empty_like(solutions)
    for i in range(len(puzzles)):
        seed = int(rng.integers(2 ** 63))
        p_out[i] = random_symmetry(puzzles[i], np.random.default_rng(seed))
        s_out[i] = random_symmetry(solutions[i], np.random.default_rng(seed))
    return p_out, s_out


def correct_positions(puzzles: np.ndarray, solutions: np.ndarray, rng: np.random.Generator,
                      share: float | None = None) -> np.ndarray:
    """int8 [B, 81]: each puzzle with a uniformly random fraction (or ``share``) of its blanks filled from
    its solution."""
    fraction = rng.random((len(puzzles), 1)) if share is None else np.full((len(puzzles), 1), share)
    fill = (puzzles == 0) & (rng.random(puzzles.shape) < fraction)
    return np.where(fill, solutions, puzzles).astype(np.int8)


def deduce(grids: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """The grids as a search at deduction ``level`` sees them: after its deductions (at level 1 every
    naked single filled, again and again).

    Args:
        grids: int8 [B, 81] rule-abiding grids.
    Returns:
        (int8 [B, 81] grids after the deductions, bool [B] the deductions found a contradiction; such a
        grid is returned unchanged).
    """
    tabs = tables(3)
    cand = np.empty(81, dtype=np.int32)
    val = np.empty(81, dtype=np.int8)
    queue = np.empty(81, dtype=np.int32)
    out = np.array(grids, dtype=np.int8)
    dead = np.zeros(len(out), dtype=bool)
    for i in range(len(out)):
        if start_state(np.ascontiguousarray(out[i]), cand, val, queue, level, *tabs):
            out[i] = val
        else:
            dead[i] = True
    return out, dead


def search_positions(puzzles: np.ndarray, solutions: np.ndarray, rng: np.random.Generator,
                     level: int) -> np.ndarray:
    """int8 [B, 81] correct positions as a guided search at ``level`` meets them: a random share of each
    puzzle's blanks filled from its solution, then the deductions of ``level``; while that leaves no
    blank the share is halved (at share 0: the puzzle itself after deductions), so that positions are
    spread over a search from its first state on and few are already solved."""
    out = np.empty_like(puzzles, dtype=np.int8)
    for i in range(len(puzzles)):
        share = float(rng.random())
        while True:
            grid = correct_positions(puzzles[i:i + 1], solutions[i:i + 1], rng, share=share)
            grid, _ = deduce(grid, level)
            if np.any(grid == 0) or share < 1e-3:
                break
            share /= 2
        out[i] = grid[0]
    return out


def _fits(grid: np.ndarray, cell: int, digit: int) -> bool:
    """``digit`` is absent from the row, column and box of the (empty) ``cell`` of ``grid`` [81]."""
    g = grid.reshape(9, 9)
    r, c = divmod(cell, 9)
    br, bc = 3 * (r // 3), 3 * (c // 3)
    return not (np.any(g[r] == digit) or np.any(g[:, c] == digit) or np.any(g[br:br + 3, bc:bc + 3] == digit))


def network_fill(grids: np.ndarray, log_probs: np.ndarray, rng: np.random.Generator, max_fill: int) -> np.ndarray:
    """The network's own placements: for each grid k ~ U{1..max_fill} times, a random blank with two or
    more legal digits (a cell with one is forced, never wrong: the value would see no mistakes) gets a
    digit drawn from the network's probabilities for that cell; every placement is re-checked against
    the grid so far so that the grid never breaks a rule. A network sure and right at a cell adds a right
    digit, an unsure one often a wrong digit: the mistakes are the network's own, as often as it makes them.

    Args:
        grids: int8 [B, 81]. log_probs: float [B, 81, 9] per-cell log-probabilities over legal digits
            (-inf where illegal), from the network on ``grids``.
    """
    out = grids.copy()
    probs = np.exp(log_probs)
    open_cells = np.isfinite(log_probs).sum(axis=2) >= 2
    for i in range(len(grids)):
        k = int(rng.integers(1, max_fill + 1))
        placed = 0
        for cell in rng.permutation(np.flatnonzero(open_cells[i])):
            if placed >= k:
                break
            d = int(rng.choice(9, p=probs[i, cell] / probs[i, cell].sum()))
            if _fits(out[i], int(cell), d + 1):
                out[i, cell] = d + 1
                placed += 1
    return out


def random_wrong_fill(grids: np.ndarray, solutions: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each grid one random blank given a random legal digit other than its solution's (grids
    without such a placement are left as they are)."""
    out = grids.copy()
    for i in range(len(grids)):
        for cell in rng.permutation(np.flatnonzero(out[i] == 0)):
            wrong = [d for d in range(1, 10) if d != solutions[i, cell] and _fits(out[i], int(cell), d)]
            if wrong:
                out[i, cell] = wrong[int(rng.integers(len(wrong)))]
                break
    return out


def label(grids: np.ndarray, givens: np.ndarray, solutions: np.ndarray | None) -> Batch:
    """Labels of ``grids``: from the exact solver (``solutions`` None) or from the known ``solutions``."""
    if solutions is None:
        result = solve_many(grids, level=SOLVER_LEVEL, limit=1)
        solvable, completed = result.counts > 0, result.solutions
    else:
        solvable = np.all((grids == 0) | (grids == solutions), axis=1)
        completed = solutions
    policy = np.where((grids == 0) & solvable[:, None], completed.astype(np.int64) - 1, -1)
    value = np.where(solvable, 1.0, -1.0).astype(np.float32)
    return Batch(grids=grids, givens=givens, policy=policy, value=value)


def concat(batches: list[Batch]) -> Batch:
    """One batch from several."""
    return Batch(*(np.concatenate([getattr(b, f) for b in batches]) for f in ("grids", "givens", "policy", "value")))
