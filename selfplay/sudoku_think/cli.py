"""The command line of :mod:`selfplay.sudoku_think.train`: flags generated from
:class:`~selfplay.sudoku_think.config.ThinkTrainConfig`, Ray started (or joined) when workers are asked for."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Sequence

import torch

from agents.flags import CliParser, add_flags, from_flags
from games.core import InputError
from selfplay.sudoku_think.config import ThinkTrainConfig
from selfplay.sudoku_think.data import HELDOUT_FILES
from selfplay.sudoku_think.train import CONFIG_FILE, train


def parser() -> argparse.ArgumentParser:
    """The parser of ``python -m selfplay.sudoku_think``."""
    from selfplay.sudoku_think import train as train_module

    doc = train_module.__doc__ or ""
    p = CliParser(prog="python -m selfplay.sudoku_think", description="\n\n".join(doc.split("\n\n")[:2]),
                  formatter_class=argparse.RawDescriptionHelpFormatter)
    add_flags(p, ThinkTrainConfig)
    p.add_argument("--out", required=True, help="run folder (runs/NAME): config, checkpoints, metrics")
    p.add_argument("--resume", action="store_true", help="continue from the newest checkpoint of --out")
    p.add_argument("--heldout", action="append", metavar="FILE",
                   help="puzzles never to train on (repeatable; default: games/sudoku/data/{easy,medium,hard,"
                        "hardest}.txt)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads of the learner")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, train, print a summary; returns the exit status."""
    args = parser().parse_args(argv)
    if args.threads < 1:
        raise InputError(f"--threads must be >= 1; got {args.threads}")
    out = Path(args.out)
    base = ThinkTrainConfig.load(out / CONFIG_FILE) if args.resume and (out / CONFIG_FILE).is_file() else None
    cfg = from_flags(ThinkTrainConfig, args, base=base)
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    if cfg.workers > 0:
        import ray

        from selfplay.local_ray import init_ray

        os.environ.setdefault("RAY_worker_niceness", "0")  # workers at the learner's priority (selfplay.train)
        if not ray.is_initialized():  # the cluster under `ray job submit`, else a local Ray that dies with us
            init_ray(log_to_driver=False)
    summary = train(cfg, out, list(args.heldout or HELDOUT_FILES), resume=args.resume, progress=not args.quiet)
    if args.json:
        print(json.dumps(summary))
    else:
        shown = {k: round(v, 3) for k, v in summary.items() if k.startswith("heldout/") and k.endswith(
            tuple(f"_at_{k * cfg.iters}" for k in (1, 4)))}
        print(f"steps {summary['start_step']} -> {summary['steps']} ({summary['samples']} positions, "
              f"{summary['puzzles']} puzzles) in {summary['seconds']:.0f} s on {summary['device']}; loss "
              f"{summary.get('loss', float('nan')):.3f}, bare puzzles solved {summary.get('puzzle_solved', 0.0):.3f}; "
              f"held out {shown}; checkpoints in {out}")
    return 0
