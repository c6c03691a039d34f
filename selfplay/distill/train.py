"""``python -m selfplay.distill chess``: warm-start a chess network by distilling Stockfish.

Two phases in one run folder ``runs/NAME``:

1. **Labelling** (:mod:`selfplay.distill.data`): up to ``--positions`` de-duplicated positions from
   games of random openings and Stockfish-sampled moves, each labelled by Stockfish at ``--depth``
   (policy: softmax over ``--multipv`` moves' scores; value: ``tanh(cp / 400)`` or +-1 for mates),
   written to ``data/shard_*.npz`` as they fill (a crash keeps the finished shards).
2. **Training** (:mod:`selfplay.distill.trainer`): the residual network (``--net-blocks`` x
   ``--net-channels``) learns the labels with AdamW (policy cross-entropy + value MSE, cosine
   learning-rate decay) from the data, with a held-out slice for validation (loss and top-1 agreement
   with Stockfish's move).

Budget: ``--minutes M`` bounds the whole run: labelling stops at ``--positions`` or after
``--label-share`` of M; training uses the rest (or stops after ``--epochs``, whichever first). Without
``--minutes``, labelling runs to ``--positions`` and training for ``--epochs`` (default 1).

Checkpoints (``checkpoints/000123.pt`` by optimizer step, via :func:`agents.nets.checkpoint.save_checkpoint`)
are written at training progress 1/2^(K-1), ..., 1/4, 1/2, 1 (``--checkpoints K``): a geometric axis
of training compute for the scaling study. Each carries its compute estimate and a ``training`` text
("distilled from Stockfish depth D on N positions") in its metadata, repeated with the validation
figures in ``checkpoints/000123.json``. ``distill.json`` holds the run's settings and labelling costs,
``metrics.jsonl`` and ``tensorboard/`` the figures every 50 steps and at every checkpoint
(:class:`selfplay.training.MetricsWriter`), ``optimizer.pt`` the AdamW state of the newest checkpoint
(kept out of the checkpoints so that they stay small). ``--resume`` continues: labelling tops the data up to
``--positions`` (never storing a position twice) and training goes on from the newest checkpoint (the
metrics a killed run wrote past it are dropped).

Every field of :class:`~selfplay.distill.config.DistillConfig`, :class:`~selfplay.distill.data.LabelConfig`
and :class:`~selfplay.distill.config.TrainSettings` is a flag (:mod:`agents.flags`; ``--help`` lists them).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from agents.flags import CliParser, add_flags, from_flags
from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, latest_checkpoint, save_checkpoint
from games.registry import make_game
from selfplay.distill.config import DistillConfig, DistillError, TrainSettings
from selfplay.distill.data import GenerationStats, LabelConfig, generate_positions
from selfplay.distill.store import load_dataset, load_keys
from selfplay.distill.trainer import DistillTrainer, evaluate, split
from selfplay.training import TRAINING_PASS_COST, CheckpointCadence, MetricsWriter, Progress, halving_marks

DATA_DIR = "data"
"""Shard folder inside the run folder."""
SUMMARY = "distill.json"
"""Settings and labelling costs of the run."""
OPTIMIZER = "optimizer.pt"
"""AdamW state of the newest checkpoint (for ``--resume``; kept out of the checkpoints to keep them small)."""
LOG_EVERY = 50
"""Optimizer steps between two metrics lines."""


def _parser() -> argparse.ArgumentParser:
    p = CliParser(prog="python -m selfplay.distill", description=__doc__.split("\n\n")[0])
    p.add_argument("game", help="chess")
    add_flags(p, DistillConfig)
    add_flags(p.add_argument_group("labelling"), LabelConfig, required={"depth"})
    add_flags(p.add_argument_group("training"), TrainSettings)
    p.add_argument("--out", required=True, help="run folder, e.g. runs/chess-distill")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    return p


def _check_run_folder(out: Path, resume: bool) -> None:
    if resume and not (out / SUMMARY).is_file():
        raise DistillError(f"nothing to resume in '{out}' (no {SUMMARY})")
    if not resume and out.exists() and any(out.iterdir()):
        raise DistillError(f"run folder '{out}' is not empty; use --resume or another --out")


def _summary_dict(cfg: DistillConfig, label: LabelConfig, settings: TrainSettings, argv: Sequence[str],
                  gen: dict[str, Any]) -> dict[str, Any]:
    run = {k: v for k, v in dataclasses.asdict(cfg).items() if k != "net"}
    return {"game": "chess", "kind": "distillation", "label": dataclasses.asdict(label),
            "network": cfg.net.to_dict(), "train": dataclasses.asdict(settings), "run": run,
            "argv": list(argv), "generation": gen}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, label, train, print a summary; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.game != "chess":
        raise DistillError(f"distillation from Stockfish needs chess; got '{args.game}'")
    cfg = from_flags(DistillConfig, args)
    label = from_flags(LabelConfig, args)
    settings = from_flags(TrainSettings, args)
    out = Path(args.out)
    _check_run_folder(out, args.resume)
    started = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    game = make_game("chess")
    budget = None if cfg.minutes is None else cfg.minutes * 60.0
    gen_total: dict[str, Any] = {"positions": 0, "games": 0, "duplicates": 0, "engine_nodes": 0, "seconds": 0.0}
    if args.resume:
        gen_total.update(json.loads((out / SUMMARY).read_text()).get("generation", {}))
    data_dir = out / DATA_DIR
    known = load_keys(data_dir) if args.resume else set()
    missing = cfg.positions - len(known)
    if missing > 0:
        stats = generate_positions(game, data_dir, missing, label, workers=cfg.workers,
                                   seconds=None if budget is None else budget * cfg.label_share,
                                   seed=cfg.seed + len(known), known_keys=known, progress=not args.quiet)
    else:
        stats = GenerationStats()
    for key, value in dataclasses.asdict(stats).items():
        gen_total[key] = gen_total.get(key, 0) + value
    (out / SUMMARY).write_text(json.dumps(_summary_dict(cfg, label, settings, argv, gen_total), indent=2) + "\n")

    dataset = load_dataset(data_dir)
    train, val = split(dataset, cfg.seed, first_new=len(known) if stats.positions > 0 else 0)
    torch.set_num_threads(cfg.threads)
    trainer = DistillTrainer(game, cfg.net, settings, cfg.seed)
    newest = latest_checkpoint(out) if args.resume else None
    if newest is not None:
        trainer.restore(newest, out / OPTIMIZER)
    left = None if budget is None else max(0.0, budget - (time.monotonic() - started))
    epochs = cfg.epochs if (cfg.epochs is not None or budget is not None) else 1.0
    train_started = time.monotonic()
    cadence = CheckpointCadence(marks=halving_marks(cfg.checkpoints))
    text = (f"distilled from Stockfish depth {label.depth} (MultiPV {label.multipv}) on {len(dataset)} positions"
            f" ({int(gen_total['games'])} generated games)")
    written: list[dict[str, Any]] = []
    recent: list[dict[str, float]] = []
    metrics = MetricsWriter(out, start_step=trainer.step)
    bar = Progress(100.0, desc="distill chess", unit="%", disable=args.quiet)

    def save() -> None:
        steps_done = trainer.step
        meta = TrainingMetadata(
            learner_steps=steps_done, selfplay_games=int(gen_total["games"]), samples=len(dataset),
            wall_seconds=trainer.seconds_before + (gen_total["seconds"] if newest is None else stats.seconds)
            + time.monotonic() - train_started,
            network_evaluations=steps_done * settings.batch_size * TRAINING_PASS_COST,
            flops_per_evaluation=trainer.flops, training=text)
        path = save_checkpoint(checkpoint_path(out, steps_done), trainer.model, "chess", meta)
        trainer.save_optimizer(out / OPTIMIZER)
        figures = {"checkpoint": str(path), "training": text, "metadata": meta.to_dict(),
                   "stockfish_nodes": int(gen_total["engine_nodes"]), **evaluate(trainer.model, val, game, settings)}
        path.with_suffix(".json").write_text(json.dumps(figures, indent=2) + "\n")
        written.append(figures)
        metrics.write(steps_done, {"seconds": time.monotonic() - started,
                                   **{k: v for k, v in figures.items() if k.startswith("val_")}})

    def on_progress(progress: float, losses: dict[str, float]) -> None:
        recent.append(losses)
        bar.advance_to(100.0 * progress, loss=losses["loss"])
        if trainer.step % LOG_EVERY == 0:
            mean = {k: float(np.mean([r[k] for r in recent])) for k in losses}
            recent.clear()
            metrics.write(trainer.step, {"seconds": time.monotonic() - started, **mean})
        if cadence.due(trainer.step, progress):
            save()

    try:
        trainer.run(train, left, epochs, on_progress)
        if CheckpointCadence.final_due(trainer.step, written[-1]["metadata"]["learner_steps"] if written else None):
            save()
    finally:
        bar.close()
        metrics.close()
    result = {"run": str(out), "positions": len(dataset), "generation": gen_total, "steps": trainer.step,
              "checkpoints": [w["checkpoint"] for w in written], "final": written[-1],
              "seconds": time.monotonic() - started}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{text}; {trainer.step} steps; checkpoints: {', '.join(result['checkpoints'])}")
    return 0
