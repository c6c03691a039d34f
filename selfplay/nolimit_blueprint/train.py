"""Command line: train (or resume) a no-limit hold'em blueprint by MCCFR.

    python -m selfplay.nolimit_blueprint --run runs/nl-blueprint [--config blueprint.json] [--iterations N]
        [--seconds S] [--threads 2] [--cache DIR] [--verbose] [--<field> VALUE ...]

Every field of :class:`~search.cfr.nl_config.BlueprintConfig` is a flag (:mod:`agents.flags`: ``--game``,
``--cards``, ``--batch``, ``--prune-after``, ``--card-abstraction-river-buckets``, ...) except the action
abstraction's raise lists, which come from the JSON ``--config``. Without ``--config`` a run folder that
exists keeps its ``config.json`` (flags still apply, e.g. a larger ``--iterations`` to train on). Progress
goes to ``metrics.jsonl`` in the run folder (and to the log on stderr with ``--verbose``); nothing is
printed on stdout. Bad input ends with one ``error:`` line and exit status 2.

The card abstraction (``cards = kmeans``) is built on first use and cached (``--cache``, default
``$GAMESEARCH_CACHE/poker``); building the default 200-bucket one takes minutes on two cores, and
``--cards-only`` builds it without training. ``--ship PATH`` writes the newest checkpoint as a play-only
blueprint (:func:`search.cfr.nl_blueprint.save_play_only`): what ``models/nolimit/`` holds.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Sequence

from agents.flags import CliParser, add_flags, from_flags
from games.core import InputError
from search.cfr.nl_blueprint import checkpoint_path, checkpoints, save_play_only, train
from search.cfr.nl_config import BlueprintConfig, deal_source, load_config

RAISE_LISTS = ("actions.preflop", "actions.flop", "actions.turn", "actions.river")
"""Fields only the JSON configuration sets."""


def build_parser() -> CliParser:
    parser = CliParser(prog="python -m selfplay.nolimit_blueprint",
                       description="Train or resume a no-limit hold'em MCCFR blueprint.")
    parser.add_argument("--run", type=Path, required=True, help="run folder (checkpoints, metrics.jsonl)")
    parser.add_argument("--config", type=Path, help="JSON configuration (BlueprintConfig fields)")
    parser.add_argument("--cache", type=Path, help="card abstraction cache folder (default: user cache)")
    parser.add_argument("--verbose", action="store_true", help="log progress on stderr")
    parser.add_argument("--cards-only", action="store_true",
                        help="build (or check) the cached card abstraction of the configuration, train nothing")
    parser.add_argument("--ship", type=Path, metavar="PATH",
                        help="write the run's newest checkpoint as a play-only blueprint at PATH (average strategy, "
                             "8 bits a probability, compressed; e.g. models/nolimit/blueprint.npz), train nothing")
    parser.add_argument("--ship-iterations", type=int, metavar="N",
                        help="with --ship: the run's checkpoint at N iterations instead of the newest")
    add_flags(parser, BlueprintConfig, defaults=BlueprintConfig(), skip=RAISE_LISTS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.ship is not None:
        found = checkpoints(args.run)
        if args.ship_iterations is not None:
            found = [path for path in found if path == checkpoint_path(args.run, args.ship_iterations)]
        if not found:
            at = "" if args.ship_iterations is None else f" at {args.ship_iterations} iterations"
            raise InputError(f"{args.run} holds no checkpoint{at} to ship")
        if args.ship.resolve().parent == args.run.resolve():
            raise InputError(f"--ship {args.ship}: write the play-only blueprint outside the run folder {args.run}, "
                             "whose checkpoints resume training")
        save_play_only(args.ship, found[-1])
        return 0
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.config is not None:
        base = load_config(args.config)
    elif (args.run / "config.json").exists():
        base = load_config(args.run / "config.json")
    else:
        base = BlueprintConfig()
    config = from_flags(BlueprintConfig, args, base=base)
    if args.cards_only:
        deal_source(config, args.cache)
        return 0
    train(config, args.run, cache_dir=args.cache)
    return 0
