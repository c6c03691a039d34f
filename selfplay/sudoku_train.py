"""Train a sudoku policy/value network on generated puzzles: ``python -m selfplay.sudoku_train``.

``python -m selfplay.sudoku_train --puzzles N --minutes M --net resnet|recurrent [--iters K]
--out runs/NAME [--targets search|solution] [--exclude FILE] [--json]``

1. Generates ``N`` distinct puzzles (minimal, unique solution) whose canonical forms differ from those
   of ``--exclude`` (a test set), and writes them to ``runs/NAME/train_puzzles.txt`` so that
   benchmarks can keep their test puzzles apart under all grid symmetries.
2. Trains for ``M`` minutes (or ``--max-steps``) on positions from those puzzles under random grid
   symmetries (:mod:`selfplay.sudoku_data`). Default ``--targets search``: positions include the
   network's own placements (self-play on puzzles) and every label comes from the exact solver;
   ``--targets solution`` is the labelled ablation with supervised targets from the known solutions.
3. Loss: cross-entropy per blank cell of the policy over its legal digits against the target digit
   (the network's 729 logits read as [81, 9]), plus ``--value-weight`` x squared error of the value
   ("still solvable", +1/-1); recurrent networks add the progressive loss of Bansal et al. 2022 (as
   :mod:`selfplay.learner`). AdamW, learning rate on a cosine schedule over the budget.
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

from agents.checkpoint import TrainingMetadata, checkpoint_path, list_checkpoints, save_checkpoint
from agents.net_recurrent import RecurrentNet
from agents.networks import NetConfig, PolicyValueNet, build_network, count_parameters, flops_per_evaluation
from agents.sudoku_net import cell_log_probs, legal_digits, observations
from games.cli import run_cli
from games.core import InputError
from games.sudoku import SUDOKU_SPEC, canonical_form
from games.sudoku.canonical import random_symmetry
from games.sudoku.grid import read_puzzle_lines
from search.sudoku import solve_many
from selfplay.sudoku_data import SOLVER_LEVEL, Batch, PuzzleSet, concat, correct_positions, label, make_puzzle_set
from selfplay.sudoku_data import network_fill, random_wrong_fill, symmetric_copies

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
    net: str = "resnet"
    """Network family: resnet or recurrent."""
    iters: int = 4
    """Training iterations of the recurrent network."""
    blocks: int = 4
    """Residual blocks (resnet) or blocks inside the weight-tied block (recurrent)."""
    channels: int = 32
    """Convolution channels."""
    targets: str = "search"
    """``search`` (labels from the exact solver, network's own placements) or ``solution`` (ablation)."""
    batch_size: int = 128
    """Positions per optimizer step (half correct, half off-path)."""
    lr: float = 2e-3
    """Peak AdamW learning rate (cosine decay to 5% over the budget)."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    value_weight: float = 1.0
    """Weight of the value loss."""
    progressive_alpha: float = 0.5
    """Recurrent networks: weight of the progressive loss."""
    max_fill: int = 8
    """Most placements of the network added to an off-path position (``search`` targets)."""
    checkpoints: int = 4
    """Checkpoints after the initial one, at 1/2^k of the budget."""
    seed: int = 0
    """Seed of the puzzles, positions and initial weights."""

    def __post_init__(self) -> None:
        if self.net not in ("resnet", "recurrent"):
            raise InputError(f"--net must be resnet or recurrent; got {self.net}")
        if self.targets not in ("search", "solution"):
            raise InputError(f"--targets must be search or solution; got {self.targets}")
        if self.puzzles < 1 or self.minutes <= 0 or self.max_steps < 0 or self.checkpoints < 1:
            raise InputError("need --puzzles >= 1, --minutes > 0, --max-steps >= 0, --checkpoints >= 1")
        if min(self.iters, self.blocks, self.channels, self.batch_size, self.max_fill) < 1 or self.batch_size < 2:
            raise InputError("--iters, --blocks, --channels, --max-fill must be >= 1 and --batch-size >= 2")

    def net_config(self) -> NetConfig:
        """The network: 18 policy channels, a positive and a negative part per digit (:func:`per_cell_policy`)."""
        kind = "resnet" if self.net == "resnet" else "recurrent"
        return NetConfig(kind=kind, blocks=self.blocks, channels=self.channels, iters=self.iters,
                         policy_channels=18, value_hidden=64)


def per_cell_policy(model: PolicyValueNet) -> None:
    """Fix the policy head's 729-logit linear layer so that the head is a per-cell 1x1 convolution, and
    stop training that layer: logit of (cell, d) = relu(channel d) - relu(channel 9 + d) at that cell.

    The shared heads (:class:`agents.net_resnet.PolicyValueHeads`) pass ``relu(policy_conv(h))`` (18
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
    """One labelled batch: half correct positions, half off-path positions (see :mod:`selfplay.sudoku_data`)."""
    idx = rng.integers(len(pset.puzzles), size=cfg.batch_size)
    if cfg.targets == "search":
        puzzles = np.stack([random_symmetry(p, rng) for p in pset.puzzles[idx]])
        solutions = solve_many(puzzles, level=SOLVER_LEVEL, limit=1).solutions
    else:
        puzzles, solutions = symmetric_copies(pset.puzzles[idx], pset.solutions[idx], rng)
    grids = correct_positions(puzzles, solutions, rng)
    givens = puzzles > 0
    half = cfg.batch_size // 2
    off = grids[half:]
    if cfg.targets == "search":
        off = network_fill(off, network_log_probs(model, off, givens[half:]), rng, cfg.max_fill)
        return label(np.concatenate([grids[:half], off]), givens, None)
    off = random_wrong_fill(off, solutions[half:], rng)
    return concat([label(grids[:half], givens[:half], solutions[:half]),
                   label(off, givens[half:], solutions[half:])])


def sudoku_loss(logits: torch.Tensor, values: torch.Tensor, legal: torch.Tensor, policy: torch.Tensor,
                value: torch.Tensor, value_weight: float) -> tuple[torch.Tensor, dict[str, float]]:
    """(total loss, figures) of one output: per-cell cross-entropy over legal digits + value error.

    Args:
        logits: [B, 729]. values: [B]. legal: bool [B, 81, 9]. policy: int64 [B, 81] (-1 = no target).
        value: float [B] targets (+1/-1).
    """
    z = logits.view(-1, 81, 9).masked_fill(~legal, -1e9)
    logp = F.log_softmax(z, dim=2)
    has = policy >= 0
    ce = -logp.gather(2, policy.clamp_min(0).unsqueeze(2)).squeeze(2)
    n = has.sum().clamp_min(1)
    policy_loss = (ce * has).sum() / n
    value_loss = F.mse_loss(values, value)
    with torch.no_grad():
        acc = ((z.argmax(dim=2) == policy) & has).sum() / n
        vacc = ((values > 0) == (value > 0)).float().mean()
    figures = {"policy_loss": policy_loss.item(), "value_loss": value_loss.item(), "cell_accuracy": acc.item(),
               "value_accuracy": vacc.item()}
    return policy_loss + value_weight * value_loss, figures


def train_step(model: PolicyValueNet, optimizer: torch.optim.Optimizer, batch: Batch, cfg: SudokuTrainConfig,
               generator: torch.Generator) -> dict[str, float]:
    """One AdamW step; returns the loss figures (of the full-iteration output for recurrent networks)."""
    model.train()
    obs = torch.from_numpy(observations(batch.grids, batch.givens))
    args = (torch.from_numpy(legal_digits(batch.grids)), torch.from_numpy(batch.policy),
            torch.from_numpy(batch.value), cfg.value_weight)
    if isinstance(model, RecurrentNet) and cfg.progressive_alpha > 0:
        (lf, vf), (lp, vp) = model.progressive_forward(obs, generator)
        loss_f, figures = sudoku_loss(lf, vf, *args)
        loss_p, _ = sudoku_loss(lp, vp, *args)
        loss = (1 - cfg.progressive_alpha) * loss_f + cfg.progressive_alpha * loss_p
    else:
        logits, values = model(obs)
        loss, figures = sudoku_loss(logits, values, *args)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    optimizer.step()
    figures["loss"] = loss.item()
    return figures


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
                group["lr"] = cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))
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
    p.add_argument("--net", default="resnet", help="resnet or recurrent")
    p.add_argument("--iters", type=int, default=4, help="training iterations of the recurrent network")
    p.add_argument("--blocks", type=int, default=4, help="residual blocks")
    p.add_argument("--channels", type=int, default=32, help="convolution channels")
    p.add_argument("--targets", default="search", help="search (default, exact solver) or solution (ablation)")
    p.add_argument("--batch-size", type=int, default=128, help="positions per step")
    p.add_argument("--lr", type=float, default=2e-3, help="peak learning rate")
    p.add_argument("--checkpoints", type=int, default=4, help="checkpoints after the initial one")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy machine)")
    p.add_argument("--exclude", help="file of test puzzles whose equivalents must not be trained on")
    p.add_argument("--out", required=True, help="run folder (runs/NAME)")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    args = p.parse_args(argv)
    if args.lr <= 0 or args.threads < 1:
        raise InputError(f"--lr must be > 0 and --threads >= 1; got {args.lr}, {args.threads}")
    torch.set_num_threads(args.threads)
    cfg = SudokuTrainConfig(puzzles=args.puzzles, minutes=args.minutes, max_steps=args.max_steps, net=args.net,
                            iters=args.iters, blocks=args.blocks, channels=args.channels, targets=args.targets,
                            batch_size=args.batch_size, lr=args.lr, checkpoints=args.checkpoints, seed=args.seed)
    summary = train(cfg, Path(args.out), read_exclude(args.exclude))
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['steps']} steps, {summary['samples']} positions in {summary['seconds']:.0f} s; "
              f"cell accuracy {summary.get('cell_accuracy', float('nan')):.3f}, value accuracy "
              f"{summary.get('value_accuracy', float('nan')):.3f}; "
              f"{len(summary['checkpoints'])} checkpoints in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
