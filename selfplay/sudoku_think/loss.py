"""Losses of the thinking network and its optimizer step.

For one read-out (:class:`~agents.nets.sudoku_think.Readout`) of a batch of positions:

* **policy**: cross-entropy per blank cell over its legal digits against the solution's digit; at the
  blanks of a position without solution (a wrong digit placed) against the uniform distribution over the
  legal digits (no digit is right there: the network should not be sure of any);
* **value**: squared error of "still solvable" (+1/-1), both classes weighted equally (as
  :func:`selfplay.sudoku_train.loss.balanced_mse`);
* **halt**: binary cross-entropy of the halting logit against "the grid read now is right" (every blank's
  most probable legal digit is the solution's; never for a position without solution), TRM's Q-halt target.

A step (:func:`think_loss`) combines read-outs as the deep-thinking recipe does (Bansal et al. 2022)::

    loss = (1 - alpha) * L_full + alpha * L_progressive

``L_full``: the loss after ``m = config.iters`` iterations, or (``every_iteration``) the mean of the losses
after each of iterations 1..m, as recurrent relational networks train; ``L_progressive``: the loss after
``n ~ U{0..m-1}`` iterations run without gradients from which the state is detached, then ``k ~ U{1..m-n}``
iterations with gradients (:meth:`~agents.nets.sudoku_think.SudokuThinkNet.progressive`). Figures are
returned as tensors (no device synchronisation per step) and read when a metrics line is written.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from agents.nets.sudoku import token_features
from agents.nets.sudoku_scorer import observations
from agents.nets.sudoku_think import Readout, SudokuThinkNet, blank_mask, legal_mask
from selfplay.sudoku_think.config import ThinkTrainConfig
from selfplay.sudoku_think.data import PUZZLE, Positions


@dataclass(frozen=True)
class Targets:
    """A batch as tensors on the learner's device."""

    obs: torch.Tensor
    """float [B, 10, 9, 9] observations."""
    legal: torch.Tensor
    """bool [B, 81, 9] legal digits of each blank."""
    policy: torch.Tensor
    """int64 [B, 81]: the solution's digit index (0..8) at each blank of a solvable position, -1 elsewhere."""
    dead: torch.Tensor
    """bool [B, 81]: a blank with legal digits of a position without solution (uniform target)."""
    value: torch.Tensor
    """float [B]: +1 solvable, -1 not."""
    puzzle: torch.Tensor
    """bool [B]: the position is a bare puzzle."""


def make_targets(p: Positions, device: torch.device | str) -> Targets:
    """The tensors of a batch of positions."""
    obs = torch.from_numpy(observations(p.grids, p.givens)).to(device)
    x = token_features(obs)
    legal, blank = legal_mask(x), blank_mask(x)
    solvable = torch.from_numpy(p.solutions.any(axis=1)).to(device)
    sol = torch.from_numpy(p.solutions.astype(np.int64)).to(device)
    policy = torch.where(blank & solvable[:, None] & (sol > 0), sol - 1, torch.full_like(sol, -1))
    dead = blank & ~solvable[:, None] & legal.any(dim=2)
    return Targets(obs=obs, legal=legal, policy=policy, dead=dead, value=solvable.float() * 2 - 1,
                   puzzle=torch.from_numpy(p.kinds == PUZZLE).to(device))


def readout_loss(out: Readout, t: Targets, cfg: ThinkTrainConfig) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """(loss, figures) of one read-out (see the module docstring)."""
    z = out.logits.float().view(-1, 81, 9).masked_fill(~t.legal, -1e9)
    logp = F.log_softmax(z, dim=2)
    has = t.policy >= 0
    ce = -logp.gather(2, t.policy.clamp_min(0).unsqueeze(2)).squeeze(2)
    uniform = -logp.masked_fill(~t.legal, 0.0).sum(dim=2) / t.legal.sum(dim=2).clamp_min(1)
    policy_loss = ((ce * has).sum() + (uniform * t.dead).sum()) / (has.sum() + t.dead.sum()).clamp_min(1)
    err = (out.values.float() - t.value) ** 2
    pos = t.value > 0
    value_loss = 0.5 * ((err * pos).sum() / pos.sum().clamp_min(1) + (err * ~pos).sum() / (~pos).sum().clamp_min(1))
    with torch.no_grad():
        hit = (z.argmax(dim=2) == t.policy) | ~has
        right = hit.all(dim=1) & (t.value > 0)
    halt_loss = F.binary_cross_entropy_with_logits(out.halt.float(), right.float())
    loss = policy_loss + cfg.value_weight * value_loss + cfg.halt_weight * halt_loss
    with torch.no_grad():
        figures = {
            "policy_loss": policy_loss.detach(), "value_loss": value_loss.detach(), "halt_loss": halt_loss.detach(),
            "cell_accuracy": (hit & has).sum() / has.sum().clamp_min(1),
            "puzzle_solved": (right & t.puzzle).sum() / t.puzzle.sum().clamp_min(1),
            "halt_accuracy": ((out.halt > 0) == right).float().mean(),
            "value_accuracy": ((out.values > 0) == pos).float().mean(),
        }
    return loss, figures


def think_loss(model: SudokuThinkNet, t: Targets, cfg: ThinkTrainConfig, rng: np.random.Generator
               ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The step's loss: full-depth and progressive parts mixed by ``progressive_alpha`` (module docstring)."""
    m, alpha = cfg.iters, cfg.progressive_alpha
    loss = torch.zeros((), device=t.obs.device)
    figures: dict[str, torch.Tensor] = {}
    if alpha < 1:
        outs = model.run(t.obs, m) if cfg.every_iteration else [model.progressive(t.obs, 0, m)]  # n = 0: full depth
        parts = [readout_loss(o, t, cfg) for o in outs]
        full = torch.stack([p[0] for p in parts]).mean()
        figures = dict(parts[-1][1])
        figures["full_loss"] = full.detach()
        loss = loss + (1 - alpha) * full
    if alpha > 0:
        n = int(rng.integers(0, m))
        k = int(rng.integers(1, m - n + 1))
        progressive, prog_figures = readout_loss(model.progressive(t.obs, n, k), t, cfg)
        figures = figures or dict(prog_figures)
        figures["progressive_loss"] = progressive.detach()
        loss = loss + alpha * progressive
    figures["loss"] = loss.detach()
    return loss, figures


def train_step(model: SudokuThinkNet, optimizer: torch.optim.Optimizer, batch: Positions, cfg: ThinkTrainConfig,
               rng: np.random.Generator, device: torch.device) -> dict[str, torch.Tensor]:
    """One AdamW step on ``batch`` (bfloat16 autocast on CUDA when ``cfg.bf16``); returns the figures."""
    model.train()
    targets = make_targets(batch, device)
    autocast = (torch.autocast(device_type="cuda", dtype=torch.bfloat16) if device.type == "cuda" and cfg.bf16
                else nullcontext())
    with autocast:
        loss, figures = think_loss(model, targets, cfg, rng)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    figures["grad_norm"] = torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip).detach()
    optimizer.step()
    return figures
