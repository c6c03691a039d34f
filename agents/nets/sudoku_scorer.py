"""The sudoku network read per cell, for search and training: batched observations, legal digits,
per-cell log-probabilities, greedy placements and :class:`NetScorer` (a network as a
:data:`search.sudoku.guided.Scorer`).

A sudoku network outputs one logit per (cell, digit) (729, action order ``cell * 9 + d - 1``) and a
value ("this grid is still solvable", in [-1, 1]). Its policy is read *per cell*: the logits of each
empty cell are turned into probabilities over the digits still legal there (absent from the cell's
row, column and box), which is how :mod:`selfplay.sudoku_train` trains it (cross-entropy per cell).
:func:`greedy_fill` places, at each step, the digit of the most probable (cell, digit) pair, one
network call per placement, with no backtracking and no deduction. The trainer, the ``net`` and
``guided`` agents (:mod:`agents.net`, :mod:`agents.guided`) and the budget benchmark share these.
"""
from __future__ import annotations

import numpy as np

from agents.nets.evaluator import TorchEvaluator
from games.core import Game

SIZE = 9
"""Digits, rows and columns."""
CELLS = SIZE * SIZE
"""Cells of the grid."""


def observations(grids: np.ndarray, givens: np.ndarray) -> np.ndarray:
    """float32 [B, 10, 9, 9] as :meth:`SudokuState.observation`: one-hot digits, then the givens plane.

    Args:
        grids: int [B, 81] digits (0 = blank). givens: bool [B, 81] cells filled in the puzzle.
    """
    grids = np.asarray(grids, dtype=np.int64).reshape(-1, CELLS)
    obs = np.zeros((grids.shape[0], SIZE + 1, CELLS), dtype=np.float32)
    b, c = np.nonzero(grids)
    obs[b, grids[b, c] - 1, c] = 1.0
    obs[:, SIZE] = np.asarray(givens, dtype=bool).reshape(-1, CELLS)
    return obs.reshape(-1, SIZE + 1, SIZE, SIZE)


def legal_digits(grids: np.ndarray) -> np.ndarray:
    """bool [B, 81, 9]: digit d (index d - 1) may go in the empty cell (absent from row, column, box)."""
    g = np.asarray(grids, dtype=np.int64).reshape(-1, SIZE, SIZE)
    onehot = (g[..., None] == np.arange(1, SIZE + 1)).astype(np.int8)  # [B, 9, 9, 9]
    rows = onehot.sum(axis=2, keepdims=True) > 0
    cols = onehot.sum(axis=1, keepdims=True) > 0
    boxes = onehot.reshape(-1, 3, 3, 3, 3, SIZE).sum(axis=(2, 4), keepdims=True) > 0
    boxes = np.broadcast_to(boxes, (g.shape[0], 3, 3, 3, 3, SIZE)).reshape(-1, SIZE, SIZE, SIZE)
    used = rows | cols | boxes
    return (~used & (g == 0)[..., None]).reshape(-1, CELLS, SIZE)


def cell_log_probs(logits: np.ndarray, legal: np.ndarray) -> np.ndarray:
    """float64 [B, 81, 9]: log-softmax of each cell's logits over its legal digits (-inf elsewhere).

    Args:
        logits: float [B, 81, 9] (or [B, 729]). legal: bool [B, 81, 9].
    """
    z = np.where(legal, np.asarray(logits, dtype=np.float64).reshape(legal.shape), -np.inf)
    top = z.max(axis=2, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    total = np.exp(z - top).sum(axis=2, keepdims=True)
    lse = np.log(np.where(total > 0, total, 1.0))
    return np.where(legal, z - top - lse, -np.inf)


def greedy_actions(logits: np.ndarray, grids: np.ndarray) -> np.ndarray:
    """int64 [B]: the most probable legal placement ``cell * 9 + d - 1`` of each grid, or -1 when the
    grid is full or stuck (an empty cell without legal digit)."""
    legal = legal_digits(grids)
    logp = cell_log_probs(logits, legal).reshape(len(legal), -1)
    empty = np.asarray(grids).reshape(-1, CELLS) == 0
    stuck = np.any(empty & ~legal.any(axis=2), axis=1) | ~empty.any(axis=1)
    return np.where(stuck, -1, np.argmax(logp, axis=1))


class NetScorer:
    """A sudoku network as a :data:`search.sudoku.guided.Scorer`: ``(grids, givens) -> logits [B, 81, 9]``."""

    def __init__(self, evaluator: TorchEvaluator) -> None:
        self.evaluator = evaluator

    @property
    def evaluations(self) -> int:
        """Grids run through the network so far."""
        return self.evaluator.evaluations

    def __call__(self, grids: np.ndarray, givens: np.ndarray) -> np.ndarray:
        obs = observations(grids, givens)
        logits, _ = self.evaluator(obs, np.ones((len(obs), CELLS * SIZE), dtype=bool))
        return logits.reshape(-1, CELLS, SIZE)

    def values(self, grids: np.ndarray, givens: np.ndarray) -> np.ndarray:
        """float32 [B]: the network's "still solvable" values in [-1, 1]."""
        obs = observations(grids, givens)
        return self.evaluator(obs, np.ones((len(obs), CELLS * SIZE), dtype=bool))[1]


def greedy_fill(scorer: NetScorer, puzzles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill many puzzles at once, one placement per grid and network call, until full or stuck.

    Args:
        scorer: the network. puzzles: int [B, 81] (0 = blank).
    Returns:
        (final grids int8 [B, 81], placements made int64 [B]).
    """
    grids = np.array(puzzles, dtype=np.int8).reshape(-1, CELLS)
    givens = grids > 0
    steps = np.zeros(len(grids), dtype=np.int64)
    active = np.arange(len(grids))
    while len(active):
        actions = greedy_actions(scorer(grids[active], givens[active]), grids[active])
        placing = actions >= 0
        rows = active[placing]
        cells, digits = np.divmod(actions[placing], SIZE)
        grids[rows, cells] = digits + 1
        steps[rows] += 1
        active = rows
    return grids, steps


def load_scorer(path: str, game: Game, *, iters: int | None = None, device: str = "cpu") -> NetScorer:
    """A :class:`NetScorer` for the sudoku checkpoint ``path`` (``iters``: recurrent iterations, None = as
    trained); raises :class:`~agents.nets.checkpoint.CheckpointError`."""
    from agents.nets.core import evaluator_from_checkpoint

    return NetScorer(evaluator_from_checkpoint(path, game, device=device, iters=iters))
