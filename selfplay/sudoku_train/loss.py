"""The sudoku network's losses and optimizer step, and the per-cell policy head of convolutional networks.

Loss: cross-entropy per blank cell of the policy over its legal digits against the target digit (the
network's 729 logits read as [81, 9]), plus ``value_weight`` x squared error of the value ("still
solvable", +1/-1), the two classes weighted equally whatever their share of the batch (else the value
learns the majority class); recurrent networks add the progressive loss of Bansal et al. 2022 (as
:mod:`selfplay.learner`), and the ``sudoku`` network (:mod:`agents.nets.sudoku`) is also trained at the
output of every iteration. Gradient norm clipped at 1.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from agents.nets.core import PolicyValueNet
from agents.nets.recurrent import RecurrentNet
from agents.nets.sudoku import SudokuNet
from agents.nets.sudoku_scorer import legal_digits, observations
from selfplay.sudoku_train.config import SudokuTrainConfig
from selfplay.sudoku_train.data import Batch


def per_cell_policy(model: PolicyValueNet) -> None:
    """Fix the policy head's 729-logit linear layer so that the head is a per-cell 1x1 convolution, and
    stop training that layer: logit of (cell, d) = relu(channel d) - relu(channel 9 + d) at that cell.

    The shared heads (:class:`agents.nets.resnet.PolicyValueHeads`) pass ``relu(policy_conv(h))`` (18
    channels here, flattened as ``channel * 81 + cell``) through a dense layer to the 729 actions
    (``cell * 9 + d``). Learned from scratch that layer mixes all cells and training stalls; fixed to the
    difference of a positive and a negative part, logits take any sign (a single ReLU would clip them at
    0 and stop their gradients) and the network stays convolutional (the same rule for every cell). The
    convolution's biases start at 1 so that both parts start active.
    """
    heads = model.heads
    if heads.policy_conv.out_channels != 18:
        raise ValueError(f"per-cell policy needs 18 policy channels; got {heads.policy_conv.out_channels}")
    cells, digits = np.meshgrid(np.arange(81), np.arange(9), indexing="ij")
    rows = torch.from_numpy((cells * 9 + digits).ravel())
    positive = torch.from_numpy((digits * 81 + cells).ravel())
    with torch.no_grad():
        heads.policy_fc.weight.zero_()
        heads.policy_fc.weight[rows, positive] = 1.0
        heads.policy_fc.weight[rows, positive + 9 * 81] = -1.0
        heads.policy_fc.bias.zero_()
        heads.policy_conv.bias.fill_(1.0)
    heads.policy_fc.weight.requires_grad_(False)
    heads.policy_fc.bias.requires_grad_(False)


def balanced_mse(values: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared error of ``values`` [B] against ``target`` [B] (+1/-1), the mean of each class's mean
    over the classes present (both classes weigh the same whatever their share of the batch)."""
    err = (values - target) ** 2
    pos = target > 0
    means = [err[m].mean() for m in (pos, ~pos) if bool(m.any())]
    return torch.stack(means).mean()


def sudoku_loss(logits: torch.Tensor, values: torch.Tensor, legal: torch.Tensor, policy: torch.Tensor,
                value: torch.Tensor, value_weight: float) -> tuple[torch.Tensor, dict[str, float]]:
    """(total loss, figures) of one output: per-cell cross-entropy over legal digits + balanced value error.

    The policy's target at a blank of a solvable grid is its solution digit; at a blank of an unsolvable
    grid (value -1) the uniform distribution over its legal digits: where no digit is right the network
    should not be sure of any, so that a search guided by it branches on a cell with few candidates
    (fail first, as the classical search) instead of trusting made-up confidence in a dead subtree.

    Args:
        logits: [B, 729]. values: [B]. legal: bool [B, 81, 9]. policy: int64 [B, 81] (-1 = no target).
        value: float [B] targets (+1/-1).
    Returns:
        The loss and figures: ``policy_loss``, ``value_loss``, ``cell_accuracy`` (argmax = target over
        the cells with a target), ``uniform_accuracy`` (expected accuracy of a uniform guess among each
        cell's legal digits), ``value_accuracy`` and ``value_balanced_accuracy`` (mean of the per-class
        accuracies).
    """
    z = logits.view(-1, 81, 9).masked_fill(~legal, -1e9)
    logp = F.log_softmax(z, dim=2)
    has = policy >= 0
    ce = -logp.gather(2, policy.clamp_min(0).unsqueeze(2)).squeeze(2)
    n = has.sum().clamp_min(1)
    dead = (value < 0)[:, None] & legal.any(dim=2)  # blanks of unsolvable grids: no digit is right
    uniform_ce = -logp.masked_fill(~legal, 0.0).sum(dim=2) / legal.sum(dim=2).clamp_min(1)
    policy_loss = ((ce * has).sum() + (uniform_ce * dead).sum()) / (n + dead.sum())
    value_loss = balanced_mse(values, value)
    with torch.no_grad():
        acc = ((z.argmax(dim=2) == policy) & has).sum() / n
        uniform = (has / legal.sum(dim=2).clamp_min(1)).sum() / n
        right = (values > 0) == (value > 0)
        pos = value > 0
        vacc = right.float().mean()
        vbal = torch.stack([right[m].float().mean() for m in (pos, ~pos) if bool(m.any())]).mean()
    figures = {"policy_loss": policy_loss.item(), "value_loss": value_loss.item(), "cell_accuracy": acc.item(),
               "uniform_accuracy": uniform.item(), "value_accuracy": vacc.item(),
               "value_balanced_accuracy": vbal.item(), "solvable_share": pos.float().mean().item()}
    return policy_loss + value_weight * value_loss, figures


def train_step(model: PolicyValueNet, optimizer: torch.optim.Optimizer, batch: Batch, cfg: SudokuTrainConfig,
               generator: torch.Generator) -> dict[str, float]:
    """One AdamW step; returns the loss figures (of the full-iteration output for recurrent networks).

    The sudoku network's main loss is the mean of the losses after each of its iterations; recurrent
    networks (both kinds) add the progressive loss with weight ``progressive_alpha``.
    """
    model.train()
    obs = torch.from_numpy(observations(batch.grids, batch.givens))
    args = (torch.from_numpy(legal_digits(batch.grids)), torch.from_numpy(batch.policy),
            torch.from_numpy(batch.value), cfg.value_weight)
    alpha = cfg.progressive_alpha
    if isinstance(model, SudokuNet):
        losses = [sudoku_loss(lg, vl, *args) for lg, vl in model.forward_all(obs)]
        loss = torch.stack([l for l, _ in losses]).mean()
        figures = losses[-1][1]
        if alpha > 0:
            loss_p, _ = sudoku_loss(*model.partial_forward(obs, generator), *args)
            loss = (1 - alpha) * loss + alpha * loss_p
    elif isinstance(model, RecurrentNet) and alpha > 0:
        (lf, vf), (lp, vp) = model.progressive_forward(obs, generator)
        loss_f, figures = sudoku_loss(lf, vf, *args)
        loss_p, _ = sudoku_loss(lp, vp, *args)
        loss = (1 - alpha) * loss_f + alpha * loss_p
    else:
        logits, values = model(obs)
        loss, figures = sudoku_loss(logits, values, *args)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    optimizer.step()
    figures["loss"] = loss.item()
    return figures
