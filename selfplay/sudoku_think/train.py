"""Train a thinking sudoku network: ``python -m selfplay.sudoku_think --out runs/NAME [--steps N] [flags]``.

Every field of :class:`~selfplay.sudoku_think.config.ThinkTrainConfig` is a flag (``--help`` lists them
with their defaults). What a run does:

1. **Held-out puzzles**: the canonical forms of ``--heldout`` files (default: the shipped
   ``games/sudoku/data/{easy,medium,hard,hardest}.txt``, the buckets of ``python -m benchmarks.sudoku
   think``) are written to ``RUN/heldout_forms.txt``; no puzzle of the same form is ever trained on.
2. **Data on Ray**: ``--workers`` actors generate puzzles, label them with the exact solver and send
   positions while the learner trains (:mod:`selfplay.sudoku_think.actors`); under ``ray job submit`` (or
   with a ``ray start`` cluster on this machine) the workers run on the cluster, otherwise on a local Ray
   of the command's own that does not outlive it (:mod:`selfplay.local_ray`). ``--workers 0`` makes the
   positions in the learner's process. The hash of every trained puzzle's canonical form is appended to
   ``RUN/train_forms.u64``. The learner waits for new positions when it has drawn ``max_reuse`` times as
   many as it received.
3. **Loss** (:mod:`selfplay.sudoku_think.loss`): recall at every iteration (the network), the progressive
   loss mixed with the full-depth loss (``--progressive-alpha``), optionally at every iteration
   (``--every-iteration``), plus the value and the halting head's losses; AdamW with warm-up and a cosine
   over ``--steps`` (:func:`selfplay.training.scheduled_lr`).
4. **Checkpoints** ``RUN/checkpoints/000500.pt`` every ``--checkpoint-every`` steps and at the end (with the
   optimizer state), ``RUN/metrics.jsonl`` and TensorBoard events (:class:`selfplay.training.MetricsWriter`),
   the held-out learning curve every ``--eval-every`` steps (:mod:`selfplay.sudoku_think.evaluate`).
5. **Resume**: ``--resume`` continues from the newest checkpoint (weights, optimizer, step) with the run's
   ``config.json`` (flags given override it, e.g. a larger ``--steps``); a wall-clock limit (``--minutes``)
   ends an invocation with a checkpoint, so a long run can be made of several.
"""
from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch

from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, latest_checkpoint, load_checkpoint, save_checkpoint
from agents.nets.core import build_network, count_parameters, flops_per_evaluation
from agents.nets.sudoku_think import SudokuThinkNet
from games.core import InputError
from games.sudoku import SUDOKU_SPEC
from selfplay.sudoku_think.actors import make_feed
from selfplay.sudoku_think.config import ThinkTrainConfig
from selfplay.sudoku_think.data import HELDOUT_FORMS_FILE, TRAIN_FORMS_FILE, PositionPool, heldout_forms
from selfplay.sudoku_think.evaluate import evaluate, load_eval_sets
from selfplay.sudoku_think.loss import train_step
from selfplay.training import CheckpointCadence, MetricsWriter, Progress, scheduled_lr

log = logging.getLogger(__name__)
CONFIG_FILE = "config.json"
"""The run's configuration, in the run folder."""
TRAINING_TEXT = ("sudoku_think: generated minimal puzzles labelled by the exact solver (bare, partly filled and "
                 "off-path positions), recall + progressive loss, halting head")
"""What the checkpoints' metadata says about how they were trained."""


class RunFolderError(InputError):
    """A run folder that cannot be used as asked (checkpoints without --resume, none with it)."""


def pick_device(name: str) -> torch.device:
    """``auto`` -> cuda when available, else cpu."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA device is available")
    return torch.device(name)


def prepare_run(out: Path, cfg: ThinkTrainConfig, heldout_paths: list[str], resume: bool) -> set[str]:
    """Check the folder, write ``config.json`` and ``heldout_forms.txt`` (a resumed run keeps its forms and
    adds those of the files given); returns the held-out forms."""
    newest = latest_checkpoint(out)
    if resume and newest is None:
        raise RunFolderError(f"--resume: no checkpoint in {out / 'checkpoints'}")
    if not resume and newest is not None:
        raise RunFolderError(f"{out} already holds checkpoints; pass --resume or choose a new --out folder")
    out.mkdir(parents=True, exist_ok=True)
    forms = heldout_forms(heldout_paths)
    stored = out / HELDOUT_FORMS_FILE
    if resume and stored.is_file():
        forms |= set(stored.read_text().split())
    stored.write_text("".join(f + "\n" for f in sorted(forms)))
    (out / CONFIG_FILE).write_text(json.dumps({"game": "sudoku", **cfg.to_dict()}, indent=2) + "\n")
    return forms


class Learner:
    """The model, its optimizer and the counters a checkpoint records (restored on resume)."""

    def __init__(self, cfg: ThinkTrainConfig, out: Path, device: torch.device, resume: bool) -> None:
        self.cfg, self.out, self.device = cfg, out, device
        torch.manual_seed(cfg.seed)
        model = build_network(cfg.net_config(), SUDOKU_SPEC)
        assert isinstance(model, SudokuThinkNet)
        self.flops = flops_per_evaluation(model)  # on the CPU, before the model moves
        self.model = model.to(device)
        self.optimizer = torch.optim.AdamW(self.model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
        self.step = self.samples = self.puzzles = 0
        self.evaluations = 0.0
        self.seconds_before = 0.0
        if resume:
            ckpt = load_checkpoint(latest_checkpoint(out))  # type: ignore[arg-type]
            if ckpt.network != cfg.net_config():
                raise RunFolderError(f"--resume: the checkpoint's network {ckpt.network} differs from the config's")
            self.model.load_state_dict(ckpt.weights)
            if ckpt.optimizer:
                self.optimizer.load_state_dict(ckpt.optimizer)
            meta = ckpt.metadata
            self.step, self.samples, self.puzzles = meta.learner_steps, meta.samples, meta.selfplay_games
            self.evaluations, self.seconds_before = float(meta.network_evaluations), meta.wall_seconds
        self.start = time.monotonic()

    def seconds(self) -> float:
        """Training seconds of every invocation so far."""
        return self.seconds_before + time.monotonic() - self.start

    def save(self) -> Path:
        """Checkpoint at the current step (weights, optimizer, counters)."""
        meta = TrainingMetadata(learner_steps=self.step, selfplay_games=self.puzzles, samples=self.samples,
                                wall_seconds=self.seconds(), network_evaluations=int(self.evaluations),
                                flops_per_evaluation=self.flops, training=TRAINING_TEXT)
        return save_checkpoint(checkpoint_path(self.out, self.step), self.model, "sudoku", meta,
                               optimizer_state=self.optimizer.state_dict())

    def count_step(self) -> None:
        """Advance the counters by one step: positions, and forward passes of m iterations (a backward
        counted as two forwards; the progressive part on average 1/2 of m without and 1/4 with gradients)."""
        cfg = self.cfg
        self.step += 1
        self.samples += cfg.batch_size
        per_sample = (1 - cfg.progressive_alpha > 0) * 3.0 + (cfg.progressive_alpha > 0) * (0.5 + 3 * 0.25)
        self.evaluations += cfg.batch_size * per_sample


def _scalars(figures: dict[str, torch.Tensor]) -> dict[str, float]:
    return {k: float(v) for k, v in figures.items()}


def train(cfg: ThinkTrainConfig, out: Path, heldout_paths: list[str], *, resume: bool = False, progress: bool = False,
          on_step: Callable[[Learner], None] | None = None) -> dict[str, Any]:
    """Run (or resume) the training of the module docstring; returns the summary. ``on_step`` is called
    after every step (tests)."""
    forms = prepare_run(out, cfg, heldout_paths, resume)
    device = pick_device(cfg.device)
    learner = Learner(cfg, out, device, resume)
    start_step = learner.step
    rng = np.random.default_rng([cfg.seed, start_step])
    eval_sets = load_eval_sets(heldout_paths, cfg.eval_puzzles) if cfg.eval_every else []
    pool = PositionPool(cfg.pool_size)
    feed = make_feed(cfg, forms, start_step)
    cadence = CheckpointCadence(every=cfg.checkpoint_every)
    saved: list[str] = [] if resume else [str(learner.save())]
    figures: dict[str, float] = {}
    heldout: dict[str, float] = {}
    drawn = 0
    limit = cfg.minutes * 60.0
    bar = Progress(cfg.steps, desc="train sudoku_think", unit="step", disable=not progress)
    bar.advance_to(start_step)
    try:
        with MetricsWriter(out, start_step=start_step) as metrics, bar, (out / TRAIN_FORMS_FILE).open("ab") as record:
            def receive(wait: bool) -> None:
                for part in feed.poll(wait):
                    pool.add(part)
                    learner.puzzles += len(part)
                    record.write(part.forms.astype("<u8").tobytes())
                record.flush()

            while learner.step < cfg.steps and not (limit and time.monotonic() - learner.start >= limit):
                while pool.size < cfg.min_pool or drawn > cfg.max_reuse * pool.added:
                    receive(wait=True)
                if cfg.workers > 0:
                    receive(wait=False)
                for group in learner.optimizer.param_groups:
                    group["lr"] = scheduled_lr(cfg.lr, learner.step / cfg.steps, final=0.05, step=learner.step,
                                               warmup_steps=cfg.warmup_steps)
                raw = train_step(learner.model, learner.optimizer, pool.sample(cfg.batch_size, rng), cfg, rng, device)
                drawn += cfg.batch_size
                learner.count_step()
                step = learner.step
                measure = cfg.eval_every > 0 and (step % cfg.eval_every == 0 or step == cfg.steps)
                if step % cfg.log_every == 0 or step == cfg.steps or measure:
                    figures = _scalars(raw)
                    if measure:
                        heldout = evaluate(learner.model, eval_sets, device)
                    metrics.write(step, {"samples": learner.samples, "puzzles": learner.puzzles,
                                         "seconds": learner.seconds(), "lr": learner.optimizer.param_groups[0]["lr"],
                                         "reuse": drawn / max(pool.added, 1), **figures, **(heldout if measure else {})})
                    bar.advance_to(step, loss=figures["loss"], solved=figures.get("puzzle_solved", 0.0))
                if cadence.due(step):
                    saved.append(str(learner.save()))
                if on_step is not None:
                    on_step(learner)
            newest = latest_checkpoint(out)
            if CheckpointCadence.final_due(learner.step, int(newest.stem) if newest else None):
                saved.append(str(learner.save()))
    finally:
        feed.close()
    return {"out": str(out), "checkpoints": saved, "start_step": start_step, "steps": learner.step,
            "samples": learner.samples, "puzzles": learner.puzzles, "seconds": learner.seconds(),
            "device": str(device), "parameters": count_parameters(learner.model), "feed_failures": feed.failures,
            "heldout_forms": len(forms), **figures, **heldout}
