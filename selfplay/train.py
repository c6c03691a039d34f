"""``python -m selfplay.train GAME [--config FILE] [--workers N] [--steps N | --minutes M] [--out DIR]
[--resume] [--json]``: self-play training on Ray.

Ray: under ``ray job submit`` (or with ``RAY_ADDRESS`` set, or a ``ray start`` cluster on this machine) the
run joins that cluster; otherwise it starts a local Ray of its own that does not outlive the command, even
when the command is killed (:mod:`selfplay.local_ray`). The run folder gets ``config.json``,
``metrics.jsonl``, TensorBoard events in ``tensorboard/`` and checkpoints ``checkpoints/000123.pt``.
``--resume`` continues from the newest checkpoint with the same step count (the run's own ``config.json``
is used unless ``--config`` is given).
``--init CKPT`` starts a new run from a checkpoint's weights (chess: ``configs/chess.json`` starts from the
distilled network): its network config replaces the config's, the learner starts at step 0, and every
checkpoint of the run names it as its parent; a checkpoint of another game is refused.

Every field of :class:`~selfplay.core.TrainConfig` is also a flag that overrides the config
(``--learner-lr 3e-4``, ``--selfplay-simulations 200``, ``--network-blocks 6``, ``--workers 4``; ``--help``
lists them with their defaults, :mod:`agents.flags`).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Sequence

from agents.flags import CliParser, add_flags, from_flags
from agents.nets.checkpoint import latest_checkpoint
from agents.nets.core import default_net_config
from games.cli import run_cli
from games.core import InputError
from games.registry import make_game
from selfplay.core import ConfigError, TrainConfig, with_init_network


class RunDirError(InputError):
    """A run folder that cannot be used as asked (exists without --resume, missing with --resume)."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = CliParser(prog="python -m selfplay.train", description=__doc__.split("\n\n")[0])
    p.add_argument("game", help="registered game name (connect_four, chess, ...)")
    p.add_argument("--config", help="JSON file of a TrainConfig (fields override the defaults)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--steps", type=int, help="stop when the learner reaches this step")
    budget.add_argument("--minutes", type=float, help="stop after this many minutes")
    p.add_argument("--out", help="run folder (default runs/GAME-<time>)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its newest checkpoint")
    p.add_argument("--json", action="store_true", help="print one JSON object with the run's summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_flags(p.add_argument_group("config (each flag overrides the config's field)"), TrainConfig, skip={"game"},
              defaults=TrainConfig(game="GAME"))
    return p.parse_args(argv)


def build_config(args: argparse.Namespace, run_dir: Path) -> TrainConfig:
    """The run's config: --config file, else the run's own config.json on --resume, else defaults; then the
    config flags given on the command line; then (new runs) the network of the ``init`` checkpoint."""
    game = make_game(args.game)
    if args.config:
        data = json.loads(_read(Path(args.config)))
        data.setdefault("game", args.game)
        config = TrainConfig.from_dict(data)
    elif args.resume and (run_dir / "config.json").is_file():
        config = TrainConfig.load(run_dir / "config.json")
    else:
        config = TrainConfig(game=args.game, network=default_net_config(game.spec))
    if config.game != game.spec.name:
        raise ConfigError(f"config is for game '{config.game}', not '{args.game}'")
    config = from_flags(TrainConfig, args, base=config)
    return config if args.resume else with_init_network(config)  # a resumed run has its own weights


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as err:
        raise ConfigError(f"cannot read config '{path}': {err.strerror}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.steps is not None and args.steps < 1 or args.minutes is not None and args.minutes <= 0:
        raise ConfigError("--steps must be >= 1 and --minutes > 0")
    if args.steps is None and args.minutes is None:
        raise ConfigError("give a budget: --steps N or --minutes M")
    run_dir = Path(args.out or f"runs/{args.game}-{time.strftime('%Y%m%d-%H%M%S')}")
    if args.resume and latest_checkpoint(run_dir) is None:
        raise RunDirError(f"--resume: no checkpoint in '{run_dir / 'checkpoints'}'")
    if not args.resume and latest_checkpoint(run_dir) is not None:
        raise RunDirError(f"run folder '{run_dir}' already has checkpoints; pass --resume or another --out")
    try:
        config = build_config(args, run_dir)
    except json.JSONDecodeError as err:
        raise ConfigError(f"config '{args.config}' is not JSON ({err.msg}, line {err.lineno})") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)

    import ray

    from selfplay.local_ray import init_ray
    from selfplay.trainer import Budget, Trainer

    # Ray starts its workers at nice 15 by default while the learner (this process) stays at 0: on a busy
    # machine self-play then starves and the learner waits on the replay ratio. Same priority for both.
    os.environ.setdefault("RAY_worker_niceness", "0")
    if not ray.is_initialized():  # the cluster under `ray job submit`, else a local Ray that dies with us
        init_ray(log_to_driver=True)
    trainer = Trainer(config, run_dir, resume=args.resume, progress=not args.quiet)
    summary = trainer.run(Budget(steps=args.steps, minutes=args.minutes))
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"trained {config.game} to step {summary['steps']} ({summary['games']} games, "
              f"{summary['samples']} positions, {summary['moves_per_second']:.1f} moves/s); "
              f"checkpoint {summary['checkpoint']}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
