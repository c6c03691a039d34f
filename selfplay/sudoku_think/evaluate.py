"""Held-out measurements during training: the learning curve of ``metrics.jsonl``.

Every ``eval_every`` steps the trainer answers the first ``eval_puzzles`` puzzles of each held-out file
(never trained on: :mod:`selfplay.sudoku_think.data`) in one pass of ``4 m`` iterations (``m`` = the
training depth) and logs, per file (``hard``, ``hardest``, ...):

* ``heldout/<file>_at_<K>``: raw solve rate (no search, one pass) after K = m, 2m and 4m iterations, so the
  curve shows whether thinking past the training depth helps or hurts while training goes on;
* ``heldout/<file>_halt``: solve rate with the learned halting head (stop at a probability above 0.5, at
  4m at most) and ``heldout/<file>_halt_iters`` its mean iterations.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from agents.nets.sudoku_halting import grids_along, think
from agents.nets.sudoku_scorer import observations
from agents.nets.sudoku_think import SudokuThinkNet
from search.sudoku import solve_many
from selfplay.sudoku_think.data import read_puzzle_file
from games.sudoku.grid import parse_grid

MULTIPLES = (1, 2, 4)
"""Iteration counts measured, as multiples of the training depth."""


@dataclass(frozen=True)
class EvalSet:
    """Puzzles of one held-out file with their solutions."""

    name: str
    """The file's stem (``hard``)."""
    puzzles: np.ndarray
    """int8 [N, 81]."""
    solutions: np.ndarray
    """int8 [N, 81] from the exact solver."""


def load_eval_sets(paths: list[str], count: int) -> list[EvalSet]:
    """The first ``count`` puzzles of each file, solved by the exact solver."""
    sets = []
    for path in paths:
        puzzles = np.stack([parse_grid(p) for p in read_puzzle_file(path)[:count]])
        sets.append(EvalSet(Path(path).stem, puzzles, solve_many(puzzles, level=3, limit=1).solutions))
    return sets


def evaluate(model: SudokuThinkNet, sets: list[EvalSet], device: torch.device) -> dict[str, float]:
    """The figures of the module docstring for every set (the model is left in eval mode)."""
    model.eval()
    m = model.config.iters
    iters = [k * m for k in MULTIPLES]
    dtype = next(model.parameters()).dtype
    figures: dict[str, float] = {}
    for s in sets:
        obs = torch.from_numpy(observations(s.puzzles, s.puzzles > 0)).to(device=device, dtype=dtype)
        solutions = torch.from_numpy(s.solutions.astype(np.int64)).to(device)
        for k, grids in grids_along(model, obs, iters).items():
            figures[f"heldout/{s.name}_at_{k}"] = float((grids == solutions).all(dim=1).float().mean())
        halted = think(model, obs, iters[-1], halt="head")
        figures[f"heldout/{s.name}_halt"] = float((halted.grids == solutions).all(dim=1).float().mean())
        figures[f"heldout/{s.name}_halt_iters"] = float(halted.iterations.float().mean())
    return figures
