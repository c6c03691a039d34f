"""Train a sudoku policy/value network on generated puzzles: ``python -m selfplay.sudoku_train``.

``python -m selfplay.sudoku_train --puzzles N --minutes M [--net sudoku|resnet|recurrent] [--iters K]
--out runs/NAME [--targets search|solution] [--exclude FILE] [--json]``

1. Generates ``N`` distinct puzzles (minimal, unique solution) whose canonical forms differ from those
   of ``--exclude`` (a test set), and writes them to ``runs/NAME/train_puzzles.txt`` so that
   benchmarks can keep their test puzzles apart under all grid symmetries.
2. Trains for ``M`` minutes (or ``--max-steps``) on positions from those puzzles under random grid
   symmetries, shown after the naked-single deductions of the search the network guides
   (:mod:`selfplay.sudoku_train.data`). Default ``--targets search``: positions include the
   network's own placements (self-play on puzzles) and every label comes from the exact solver;
   ``--targets solution`` is the labelled ablation with supervised targets from the known solutions.
3. Loss: cross-entropy per blank cell of the policy over its legal digits against the target digit
   (the network's 729 logits read as [81, 9]), plus ``--value-weight`` x squared error of the value
   ("still solvable", +1/-1), the two classes weighted equally whatever their share of the batch (else
   the value learns the majority class); recurrent networks add the progressive loss of Bansal et al.
   2022 (as :mod:`selfplay.learner`), and the default ``sudoku`` network (:mod:`agents.nets.sudoku`)
   is also trained at the output of every iteration. AdamW, linear warm-up then a cosine schedule,
   gradient norm clipped at 1. ``metrics.jsonl`` logs the cell accuracy next to ``uniform_accuracy``,
   the accuracy of a uniform guess among the legal digits (what a network that learned nothing but the
   rules would score), and the value's balanced accuracy.
4. Writes a checkpoint before training (the untrained network) and ``--checkpoints`` more at 1/2^k of
   the budget (k = C-1..0), the "increasing strength" axis; ``metrics.jsonl`` and ``config.json``.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, list_checkpoints, save_checkpoint
from agents.nets.recurrent import RecurrentNet
from agents.nets.sudoku import SudokuNet
from agents.nets.core import NetConfig, PolicyValueNet, build_network, count_parameters, flops_per_evaluation
from agents.nets.sudoku_scorer import cell_log_probs, legal_digits, observations
from games.cli import run_cli
from games.core import InputError
from games.sudoku import SUDOKU_SPEC, canonical_form
from games.sudoku.canonical import random_symmetry
from games.sudoku.grid import read_puzzle_lines
from search.sudoku import solve_many
from selfplay.sudoku_train.data import SEARCH_LEVEL, SOLVER_LEVEL, Batch, PuzzleSet, concat, deduce, label, make_puzzle_set
from selfplay.sudoku_train.data import network_fill, random_wrong_fill, search_positions, symmetric_copies

TRAIN_PUZZLES_FILE = "train_puzzles.txt"
"""Name of the run file listing the training puzzles (one per line)."""
TRAINING_PASS_COST = 3
"""Forward + backward of one position counted as this many forward evaluations (compute estimate)."""


@dataclass(frozen=True, kw_only=True)
class SudokuTrainConfig:
    """One training run (saved as ``config.json``)."""

    puzzles: int = 2000
    """Training puzzles generated."""
    minutes: float = 5.0
    """Wall-clock training budget."""
    max_steps: int = 0
    """Stop after this many optimizer steps (0 = only the time budget); when set, checkpoints follow steps."""
    net: str = "sudoku"
    """Network family: sudoku (:mod:`agents.nets.sudoku`, recurrent over rows/columns/boxes), or the
    convolutional resnet or recurrent (ablations)."""
    iters: int = 4
    """Training iterations of the recurrent network."""
    blocks: int = 1
    """Residual blocks (resnet) or layers inside the weight-tied block (recurrent, sudoku)."""
    channels: int = 32
    """Convolution channels, or per-cell hidden width (sudoku)."""
    targets: str = "search"
    """``search`` (labels from the exact solver, network's own placements) or ``solution`` (ablation)."""
    batch_size: int = 32
    """Positions per optimizer step (half correct, half off-path)."""
    lr: float = 3e-3
    """Peak AdamW learning rate (warm-up over the first steps, cosine decay to 5% over the budget)."""
    warmup_steps: int = 50
    """Steps of linear learning-rate warm-up."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    value_weight: float = 0.25
    """Weight of the (class-balanced) value loss."""
    progressive_alpha: float = 0.5
    """Recurrent networks: weight of the progressive loss."""
    max_fill: int = 8
    """Most placements of the network added to an off-path position (``search`` targets)."""
    checkpoints: int = 4
    """Checkpoints after the initial one, at 1/2^k of the budget."""
    seed: int = 0
    """Seed of the puzzles, positions and initial weights."""

    def __post_init__(self) -> None:
        if self.net not in ("sudoku", "resnet", "recurrent"):
            raise InputError(f"--net must be sudoku, resnet or recurrent; got {self.net}")
        if self.targets not in ("search", "solution"):
            raise InputError(f"--targets must be search or solution; got {self.targets}")
        if self.puzzles < 1 or self.minutes <= 0 or self.max_steps < 0 or self.checkpoints < 1:
            raise InputError("need --puzzles >= 1, --minutes > 0, --max-steps >= 0, --checkpoints >= 1")
        if min(self.iters, self.blocks, self.channels, self.batch_size, self.max_fill) < 1 or self.batch_size < 2:
            raise InputError("--iters, --blocks, --channels, --max-fill must be >= 1 and --batch-size >= 2")
        if self.lr <= 0 or self.value_weight < 0 or self.warmup_steps < 0 or not 0 <= self.progressive_alpha <= 1:
            raise InputError(f"need --lr > 0, --value-weight >= 0, --progressive-alpha in [0, 1] and warmup_steps "
                             f">= 0; got {self.lr}, {self.value_weight}, {self.progressive_alpha}, {self.warmup_steps}")

    def net_config(self) -> NetConfig:
        """The network; convolutional ones get 18 policy channels, a positive and a negative part per digit
        (:func:`per_cell_policy`)."""
        if self.net == "sudoku":
            return NetConfig(kind="sudoku", blocks=self.blocks, channels=self.channels, iters=self.iters,
                             value_hidden=64)
        return NetConfig(kind=self.net, blocks=self.blocks, channels=self.channels, iters=self.iters,
                         policy_channels=18, value_hidden=64)


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


def network_log_probs(model: PolicyValueNet, grids: np.ndarray, givens: np.ndarray) -> np.ndarray:
    """float64 [B, 81, 9] per-cell log-probabilities of the current network (no gradients)."""
    model.eval()
    with torch.no_grad():
        logits, _ = model(torch.from_numpy(observations(grids, givens)))
    model.train()
    return cell_log_probs(logits.numpy(), legal_digits(grids))


def make_batch(model: PolicyValueNet, pset: PuzzleSet, cfg: SudokuTrainConfig, rng: np.random.Generator) -> Batch:
    """One labelled batch: half correct positions, half off-path positions (see :mod:`selfplay.sudoku_train.data`)."""
    idx = rng.integers(len(pset.puzzles), size=cfg.batch_size)
    if cfg.targets == "search":
        puzzles = np.stack([random_symmetry(p, rng) for p in pset.puzzles[idx]])
        solutions = solve_many(puzzles, level=SOLVER_LEVEL, limit=1).solutions
    else:
        puzzles, solutions = symmetric_copies(pset.puzzles[idx], pset.solutions[idx], rng)
    grids = search_positions(puzzles, solutions, rng, SEARCH_LEVEL)
    givens = puzzles > 0
    half = cfg.batch_size // 2
    off = grids[half:]
    if cfg.targets == "search":
        off = network_fill(off, network_log_probs(model, off, givens[half:]), rng, cfg.max_fill)
        off, _ = deduce(off, SEARCH_LEVEL)
        return label(np.concatenate([grids[:half], off]), givens, None)
    off, _ = deduce(random_wrong_fill(off, solutions[half:], rng), SEARCH_LEVEL)
    return concat([label(grids[:half], givens[:half], solutions[:half]),
                   label(off, givens[half:], solutions[half:])])


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


def learning_rate(cfg: SudokuTrainConfig, step: int, progress: float) -> float:
    """Learning rate at optimizer ``step`` and budget fraction ``progress``: linear warm-up over
    ``warmup_steps``, then a cosine from ``lr`` down to 5% of it at the end of the budget."""
    warm = min(1.0, (step + 1) / cfg.warmup_steps) if cfg.warmup_steps else 1.0
    return warm * cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def checkpoint_marks(cfg: SudokuTrainConfig) -> list[float]:
    """Points of the budget (seconds, or steps with ``max_steps``) after which a checkpoint is written."""
    total = cfg.max_steps if cfg.max_steps else cfg.minutes * 60.0
    return [total * 2.0 ** (k - cfg.checkpoints + 1) for k in range(cfg.checkpoints)]


def read_exclude(path: str | None) -> set[str]:
    """Canonical forms of the puzzles of ``path`` (none without a path)."""
    if path is None:
        return set()
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise InputError(f"cannot read --exclude file {path}: {err.strerror}") from None
    return {canonical_form(p) for p in read_puzzle_lines(lines)}


def train(cfg: SudokuTrainConfig, out: Path, exclude: set[str]) -> dict[str, Any]:
    """Generate the puzzles, train, write checkpoints; returns the summary (see :func:`main`)."""
    if list_checkpoints(out):
        raise InputError(f"{out} already holds checkpoints; choose a new --out folder")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    generator = torch.Generator().manual_seed(cfg.seed)
    pset = make_puzzle_set(cfg.puzzles, rng, exclude)
    (out / TRAIN_PUZZLES_FILE).write_text("".join(t + "\n" for t in pset.texts))
    (out / "config.json").write_text(json.dumps({"game": "sudoku", **asdict(cfg)}, indent=2))
    model = build_network(cfg.net_config(), SUDOKU_SPEC)
    if cfg.net != "sudoku":
        per_cell_policy(model)
    flops = flops_per_evaluation(model)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=cfg.weight_decay)
    marks = checkpoint_marks(cfg)
    step, samples, evaluations = 0, 0, 0
    start = time.monotonic()

    def save() -> str:
        meta = TrainingMetadata(learner_steps=step, selfplay_games=samples // 2, samples=samples,
                                wall_seconds=time.monotonic() - start, network_evaluations=evaluations,
                                flops_per_evaluation=flops)
        return str(save_checkpoint(checkpoint_path(out, step), model, "sudoku", meta))

    saved = [save()]
    figures: dict[str, float] = {}
    budget = cfg.minutes * 60.0
    with (out / "metrics.jsonl").open("w") as log:
        while True:
            elapsed = time.monotonic() - start
            progress = step / cfg.max_steps if cfg.max_steps else elapsed / budget
            if elapsed >= budget or (cfg.max_steps and step >= cfg.max_steps):
                break
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(cfg, step, progress)
            batch = make_batch(model, pset, cfg, rng)
            figures = train_step(model, optimizer, batch, cfg, generator)
            step += 1
            samples += cfg.batch_size
            evaluations += cfg.batch_size * TRAINING_PASS_COST + (cfg.batch_size // 2 if cfg.targets == "search" else 0)
            position = step if cfg.max_steps else time.monotonic() - start
            if marks and position >= marks[0]:
                while marks and position >= marks[0]:
                    marks.pop(0)
                saved.append(save())
            if step % 20 == 0 or not marks:
                log.write(json.dumps({"step": step, "samples": samples, "seconds": time.monotonic() - start,
                                      **figures}) + "\n")
                log.flush()
    if not saved[-1].endswith(f"{step:06d}.pt"):
        saved.append(save())
    return {"out": str(out), "checkpoints": saved, "steps": step, "samples": samples,
            "seconds": time.monotonic() - start, "puzzles": len(pset.texts), "targets": cfg.targets,
            "net": cfg.net, "parameters": count_parameters(model), **figures}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, train, print a summary; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m selfplay.sudoku_train", description=__doc__.splitlines()[0])
    p.add_argument("--puzzles", type=int, default=2000, help="training puzzles to generate")
    p.add_argument("--minutes", type=float, default=5.0, help="training budget, wall-clock minutes")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = time only)")
    p.add_argument("--net", default=SudokuTrainConfig.net, help="sudoku (default), resnet or recurrent")
    p.add_argument("--iters", type=int, default=SudokuTrainConfig.iters,
                   help="training iterations of the recurrent networks")
    p.add_argument("--blocks", type=int, default=SudokuTrainConfig.blocks, help="layers or residual blocks")
    p.add_argument("--channels", type=int, default=SudokuTrainConfig.channels, help="hidden channels")
    p.add_argument("--targets", default="search", help="search (default, exact solver) or solution (ablation)")
    p.add_argument("--batch-size", type=int, default=128, help="positions per step")
    p.add_argument("--lr", type=float, default=SudokuTrainConfig.lr, help="peak learning rate")
    p.add_argument("--value-weight", type=float, default=SudokuTrainConfig.value_weight,
                   help="weight of the value loss (0 = policy only)")
    p.add_argument("--progressive-alpha", type=float, default=SudokuTrainConfig.progressive_alpha,
                   help="weight of the progressive loss (recurrent networks)")
    p.add_argument("--checkpoints", type=int, default=4, help="checkpoints after the initial one")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy machine)")
    p.add_argument("--exclude", help="file of test puzzles whose equivalents must not be trained on")
    p.add_argument("--out", required=True, help="run folder (runs/NAME)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    args = p.parse_args(argv)
    if args.threads < 1:
        raise InputError(f"--threads must be >= 1; got {args.threads}")
    torch.set_num_threads(args.threads)
    cfg = SudokuTrainConfig(puzzles=args.puzzles, minutes=args.minutes, max_steps=args.max_steps, net=args.net,
                            iters=args.iters, blocks=args.blocks, channels=args.channels, targets=args.targets,
                            batch_size=args.batch_size, lr=args.lr, value_weight=args.value_weight,
                            progressive_alpha=args.progressive_alpha, checkpoints=args.checkpoints, seed=args.seed)
    summary = train(cfg, Path(args.out), read_exclude(args.exclude))
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['steps']} steps, {summary['samples']} positions in {summary['seconds']:.0f} s; "
              f"cell accuracy {summary.get('cell_accuracy', float('nan')):.3f}, value accuracy "
              f"{summary.get('value_accuracy', float('nan')):.3f}; "
              f"{len(summary['checkpoints'])} checkpoints in {args.out}")
    return 0

