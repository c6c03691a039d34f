"""Thinking until done: one pass of a :class:`~agents.nets.sudoku_think.SudokuThinkNet` over many
puzzles, each stopping on its own, and the iterations each one used.

Every iteration the network's whole answer is read (:func:`read_grids`: the givens and placed digits
kept, every blank its most probable legal digit). A puzzle stops (``halt``):

* ``off``: after ``max_iters`` iterations, all of them (a fixed depth);
* ``rule``: as soon as the grid read is a solution -- every row, column and box holds each digit once
  and the givens are kept (:func:`solved_mask`): a puzzle with one solution cannot be answered better
  by thinking on, so this never loses a puzzle a fixed depth would solve at that iteration -- or, with
  ``patience = j > 0``, when the grid read has not changed for ``j`` iterations (the network has settled;
  this saves the iterations of puzzles it will not solve, and may stop one that would have changed);
* ``head``: when the learned halting head (TRM's Q-halt: "the grid read now is right") gives a
  probability above ``threshold``;
* ``both``: whichever of ``rule`` and ``head`` comes first.

Puzzles still running at ``max_iters`` stop there. Stopped puzzles leave the batch: their iterations are
not computed, so a halted pass costs what its iterations cost. :func:`think` returns a
:class:`ThinkResult` with the grid read, the logits and the iteration count of each puzzle.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch

from agents.nets.sudoku import CELLS, SIZE
from agents.nets.sudoku_think import SudokuThinkNet, blank_mask, legal_mask

Halt = Literal["off", "rule", "head", "both"]
"""When a puzzle stops thinking (see the module docstring)."""
HALTS = ("off", "rule", "head", "both")
"""Every :data:`Halt`."""


def read_grids(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """int64 [B, 81] digits 1..9 (0 = a blank without legal digit): the grid as the network answers it.

    Args:
        logits: [B, 729]. x: the input features ``token_features(obs)`` [B, 9, 9, 9, 4].
    """
    placed = x[..., 0].reshape(-1, CELLS, SIZE)
    legal = legal_mask(x)
    z = logits.reshape(-1, CELLS, SIZE).float().masked_fill(~legal, -torch.inf)
    guess = torch.where(legal.any(dim=2), z.argmax(dim=2) + 1, torch.zeros_like(z[..., 0], dtype=torch.long))
    filled = placed.argmax(dim=2) + 1
    return torch.where(blank_mask(x), guess, torch.where(placed.sum(dim=2) > 0, filled, 0))


def solved_mask(grids: torch.Tensor) -> torch.Tensor:
    """bool [B]: each grid (int [B, 81]) is complete and every row, column and box holds 1..9 once."""
    g = grids.reshape(-1, SIZE, SIZE)
    onehot = torch.nn.functional.one_hot(g.clamp(0, SIZE).long(), SIZE + 1)[..., 1:]  # [B, 9, 9, 9]
    rows = onehot.sum(dim=2)
    cols = onehot.sum(dim=1)
    boxes = onehot.reshape(-1, 3, 3, 3, 3, SIZE).sum(dim=(2, 4)).reshape(-1, SIZE, SIZE)
    complete = (g > 0).all(dim=(1, 2))
    return complete & (rows == 1).all(dim=(1, 2)) & (cols == 1).all(dim=(1, 2)) & (boxes == 1).all(dim=(1, 2))


@dataclass(frozen=True)
class ThinkResult:
    """What one pass of :func:`think` gave, one row per puzzle."""

    grids: torch.Tensor
    """int64 [B, 81]: the grid read when the puzzle stopped."""
    logits: torch.Tensor
    """float [B, 729]: the policy logits when it stopped."""
    values: torch.Tensor
    """float [B]: the value when it stopped."""
    iterations: torch.Tensor
    """int64 [B]: iterations run for the puzzle (1..max_iters)."""
    solved: torch.Tensor
    """bool [B]: the grid read is a solution (:func:`solved_mask`)."""


def _check(halt: str, max_iters: int, patience: int, threshold: float) -> None:
    if halt not in HALTS:
        raise ValueError(f"halt must be one of {', '.join(HALTS)}; got '{halt}'")
    if max_iters < 1 or patience < 0 or not 0.0 < threshold < 1.0:
        raise ValueError(f"need max_iters >= 1, patience >= 0 and 0 < threshold < 1; got {max_iters}, {patience}, "
                         f"{threshold}")


@torch.inference_mode()
def think(model: SudokuThinkNet, obs: torch.Tensor, max_iters: int, *, halt: Halt = "off", patience: int = 0,
          threshold: float = 0.5) -> ThinkResult:
    """Run the network on ``obs [B, 10, 9, 9]`` until each puzzle stops (see the module docstring)."""
    _check(halt, max_iters, patience, threshold)
    x, recalled, state = model.start(obs)
    b = obs.shape[0]
    device = obs.device
    grids = torch.zeros((b, CELLS), dtype=torch.long, device=device)
    logits = torch.zeros((b, CELLS * SIZE), dtype=torch.float32, device=device)
    values = torch.zeros(b, dtype=torch.float32, device=device)
    iterations = torch.zeros(b, dtype=torch.long, device=device)
    active = torch.arange(b, device=device)
    previous = torch.zeros((b, CELLS), dtype=torch.long, device=device)
    unchanged = torch.zeros(b, dtype=torch.long, device=device)
    for t in range(1, max_iters + 1):
        state = model.step(recalled[active], state)
        out = model.heads(state, x[active])
        read = read_grids(out.logits, x[active])
        stop = torch.full((len(active),), t == max_iters, dtype=torch.bool, device=device)
        if halt in ("rule", "both"):
            stop |= solved_mask(read)
            if patience > 0:
                same = (read == previous[active]).all(dim=1)
                unchanged[active] = torch.where(same, unchanged[active] + 1, torch.zeros_like(unchanged[active]))
                previous[active] = read
                stop |= unchanged[active] >= patience
        if halt in ("head", "both"):
            stop |= torch.sigmoid(out.halt.float()) > threshold
        done = active[stop]
        grids[done] = read[stop]
        logits[done] = out.logits[stop].float()
        values[done] = out.values[stop].float()
        iterations[done] = t
        keep = ~stop
        active, state = active[keep], state[keep]
        if len(active) == 0:
            break
    return ThinkResult(grids=grids, logits=logits, values=values, iterations=iterations, solved=solved_mask(grids))


def think_grids(model: SudokuThinkNet, puzzles: np.ndarray, max_iters: int, *, halt: Halt = "off",
                patience: int = 0, threshold: float = 0.5, batch_size: int = 256,
                device: str | torch.device = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """Answer many puzzles (int [B, 81], 0 = blank) in one pass each.

    Returns:
        (answers int8 [B, 81], iterations int64 [B]).
    """
    from agents.nets.sudoku_scorer import observations

    grids = np.asarray(puzzles, dtype=np.int8).reshape(-1, CELLS)
    answers = np.zeros_like(grids)
    iterations = np.zeros(len(grids), dtype=np.int64)
    model.eval()
    dtype = next(model.parameters()).dtype
    for start in range(0, len(grids), batch_size):
        part = grids[start:start + batch_size]
        obs = torch.from_numpy(observations(part, part > 0)).to(device=device, dtype=dtype)
        result = think(model, obs, max_iters, halt=halt, patience=patience, threshold=threshold)
        answers[start:start + len(part)] = result.grids.cpu().numpy().astype(np.int8)
        iterations[start:start + len(part)] = result.iterations.cpu().numpy()
    return answers, iterations


@torch.inference_mode()
def grids_along(model: SudokuThinkNet, obs: torch.Tensor, iters: list[int]) -> dict[int, torch.Tensor]:
    """The grids read (int64 [B, 81]) after each iteration count of ``iters``, from one pass of ``max(iters)``
    iterations (the same grids as separate passes: the iteration is deterministic)."""
    if not iters or min(iters) < 1:
        raise ValueError(f"iteration counts must be >= 1; got {iters}")
    x, recalled, state = model.start(obs)
    wanted = set(iters)
    out: dict[int, torch.Tensor] = {}
    for t in range(1, max(iters) + 1):
        state = model.step(recalled, state)
        if t in wanted:
            out[t] = read_grids(model.heads(state, x).logits, x)
    return out
