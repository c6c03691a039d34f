"""Train a sudoku policy/value network on generated puzzles: ``python -m selfplay.sudoku_train``.

``python -m selfplay.sudoku_train --out runs/NAME [--puzzles N] [--minutes M] [--net sudoku|resnet|recurrent]
[--targets search|solution] [--exclude FILE] [--json]``; every field of
:class:`~selfplay.sudoku_train.config.SudokuTrainConfig` is a flag (``--help`` lists them with their defaults).

1. Generates ``N`` distinct puzzles (minimal, unique solution) whose canonical forms differ from those
   of ``--exclude`` (a test set), and writes them to ``runs/NAME/train_puzzles.txt`` so that
   benchmarks can keep their test puzzles apart under all grid symmetries.
2. Trains for ``M`` minutes (or ``--max-steps``) on positions from those puzzles under random grid
   symmetries, shown after the naked-single deductions of the search the network guides
   (:mod:`selfplay.sudoku_train.data`). Default ``--targets search``: positions include the
   network's own placements (self-play on puzzles) and every label comes from the exact solver;
   ``--targets solution`` is the labelled ablation with supervised targets from the known solutions.
3. Loss (:mod:`selfplay.sudoku_train.loss`): per-cell cross-entropy over the legal digits plus
   ``--value-weight`` x the class-balanced value error; AdamW, linear warm-up then a cosine schedule
   (:func:`selfplay.training.scheduled_lr`). ``metrics.jsonl`` and ``tensorboard/`` log the cell
   accuracy next to ``uniform_accuracy``, the accuracy of a uniform guess among the legal digits (what a
   network that learned nothing but the rules would score), and the value's balanced accuracy.
4. Writes a checkpoint before training (the untrained network) and ``--checkpoints`` more at 1/2^k of
   the budget (k = C-1..0), the "increasing strength" axis; and ``config.json``.
"""
from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from agents.flags import CliParser, add_flags, from_flags
from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, list_checkpoints, save_checkpoint
from agents.nets.core import PolicyValueNet, build_network, count_parameters, flops_per_evaluation
from agents.nets.sudoku_scorer import cell_log_probs, legal_digits, observations
from games.core import InputError
from games.sudoku import SUDOKU_SPEC, canonical_form
from games.sudoku.canonical import random_symmetry
from games.sudoku.grid import read_puzzle_lines
from search.sudoku import solve_many
from selfplay.sudoku_train.config import SudokuTrainConfig
from selfplay.sudoku_train.data import SEARCH_LEVEL, SOLVER_LEVEL, Batch, PuzzleSet, concat, deduce, label, make_puzzle_set
from selfplay.sudoku_train.data import network_fill, random_wrong_fill, search_positions, symmetric_copies
from selfplay.sudoku_train.loss import per_cell_policy, train_step
from selfplay.training import TRAINING_PASS_COST, CheckpointCadence, MetricsWriter, Progress, halving_marks, scheduled_lr

TRAIN_PUZZLES_FILE = "train_puzzles.txt"
"""Name of the run file listing the training puzzles (one per line)."""

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


def read_exclude(path: str | None) -> set[str]:
    """Canonical forms of the puzzles of ``path`` (none without a path)."""
    if path is None:
        return set()
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as err:
        raise InputError(f"cannot read --exclude file {path}: {err.strerror}") from None
    return {canonical_form(p) for p in read_puzzle_lines(lines)}


def train(cfg: SudokuTrainConfig, out: Path, exclude: set[str], *, progress: bool = False) -> dict[str, Any]:
    """Generate the puzzles, train, write checkpoints; returns the summary (see :func:`main`).
    ``progress`` shows a progress bar over the budget."""
    if list_checkpoints(out):
        raise InputError(f"{out} already holds checkpoints; choose a new --out folder")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(cfg.seed)
    torch.manual_seed(cfg.seed)
    generator = torch.Generator().manual_seed(cfg.seed)
    pset = make_puzzle_set(cfg.puzzles, rng, exclude, progress=progress)
    (out / TRAIN_PUZZLES_FILE).write_text("".join(t + "\n" for t in pset.texts))
    (out / "config.json").write_text(json.dumps({"game": "sudoku", **asdict(cfg)}, indent=2))
    model = build_network(cfg.net_config(), SUDOKU_SPEC)
    if cfg.net != "sudoku":
        per_cell_policy(model)
    flops = flops_per_evaluation(model)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=cfg.lr, weight_decay=cfg.weight_decay)
    budget = cfg.minutes * 60.0
    total = cfg.max_steps if cfg.max_steps else budget  # checkpoints follow steps when max_steps is set
    cadence = CheckpointCadence(marks=halving_marks(cfg.checkpoints, total))
    step, samples, evaluations = 0, 0, 0
    start = time.monotonic()

    def save() -> str:
        meta = TrainingMetadata(learner_steps=step, selfplay_games=samples // 2, samples=samples,
                                wall_seconds=time.monotonic() - start, network_evaluations=evaluations,
                                flops_per_evaluation=flops)
        return str(save_checkpoint(checkpoint_path(out, step), model, "sudoku", meta))

    saved = [save()]
    figures: dict[str, float] = {}
    bar = Progress(total, desc="train sudoku", unit="step" if cfg.max_steps else "s", disable=not progress)
    with MetricsWriter(out, start_step=0) as metrics, bar:
        while True:
            elapsed = time.monotonic() - start
            fraction = step / cfg.max_steps if cfg.max_steps else elapsed / budget
            if elapsed >= budget or (cfg.max_steps and step >= cfg.max_steps):
                break
            for group in optimizer.param_groups:
                group["lr"] = scheduled_lr(cfg.lr, fraction, final=0.05, step=step, warmup_steps=cfg.warmup_steps)
            batch = make_batch(model, pset, cfg, rng)
            figures = train_step(model, optimizer, batch, cfg, generator)
            step += 1
            samples += cfg.batch_size
            evaluations += cfg.batch_size * TRAINING_PASS_COST + (cfg.batch_size // 2 if cfg.targets == "search" else 0)
            position = step if cfg.max_steps else time.monotonic() - start
            bar.advance_to(position, loss=figures["loss"], cell_accuracy=figures["cell_accuracy"])
            if cadence.due(step, position):
                saved.append(save())
            if step % 20 == 0 or not cadence.marks:
                metrics.write(step, {"samples": samples, "seconds": time.monotonic() - start, **figures})
    if CheckpointCadence.final_due(step, int(Path(saved[-1]).stem)):
        saved.append(save())
    return {"out": str(out), "checkpoints": saved, "steps": step, "samples": samples,
            "seconds": time.monotonic() - start, "puzzles": len(pset.texts), "targets": cfg.targets,
            "net": cfg.net, "parameters": count_parameters(model), **figures}


def _parser() -> argparse.ArgumentParser:
    p = CliParser(prog="python -m selfplay.sudoku_train", description=__doc__.splitlines()[0])
    add_flags(p, SudokuTrainConfig)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy machine)")
    p.add_argument("--exclude", help="file of test puzzles whose equivalents must not be trained on")
    p.add_argument("--out", required=True, help="run folder (runs/NAME)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, train, print a summary; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.threads < 1:
        raise InputError(f"--threads must be >= 1; got {args.threads}")
    cfg = from_flags(SudokuTrainConfig, args)
    torch.set_num_threads(args.threads)
    summary = train(cfg, Path(args.out), read_exclude(args.exclude), progress=not args.quiet)
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['steps']} steps, {summary['samples']} positions in {summary['seconds']:.0f} s; "
              f"cell accuracy {summary.get('cell_accuracy', float('nan')):.3f}, value accuracy "
              f"{summary.get('value_accuracy', float('nan')):.3f}; "
              f"{len(summary['checkpoints'])} checkpoints in {args.out}")
    return 0
