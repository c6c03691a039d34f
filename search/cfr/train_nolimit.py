"""Command line: train (or resume) a no-limit hold'em blueprint by MCCFR. Prints nothing.

    python -m search.cfr.train_nolimit --run runs/nl-blueprint [--config blueprint.json] [--iterations N]
        [--seconds S] [--threads 2] [--cache DIR] [--verbose] [--<field> VALUE ...]

Every scalar field of :class:`~search.cfr.nl_config.BlueprintConfig` is a flag (``--game``, ``--cards``,
``--batch``, ``--prune-after``, ...); the nested ones (``actions``, ``card_abstraction``) come from the JSON
``--config``. Without ``--config`` a run folder that exists keeps its ``config.json`` (flags still apply,
e.g. a larger ``--iterations`` to train on). Progress goes to ``metrics.jsonl`` in the run folder (and to
the log on stderr with ``--verbose``); bad input ends with one ``error:`` line and exit status 2 (it is a
library module under ``search/``, which never prints: the project's training front doors live in
``selfplay/`` and may wrap this ``main``).
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import logging
import textwrap
import typing
from pathlib import Path
from typing import Sequence

from games.cli import run_cli
from search.cfr.nl_blueprint import train
from search.cfr.nl_config import BlueprintConfig, load_config

_SCALARS = {f.name: typing.get_type_hints(BlueprintConfig)[f.name] for f in dataclasses.fields(BlueprintConfig)
            if typing.get_type_hints(BlueprintConfig)[f.name] in (int, float, str)
            or typing.get_origin(typing.get_type_hints(BlueprintConfig)[f.name]) is typing.Literal}


def field_docs(cls: type) -> dict[str, str]:
    """The docstring under each field of dataclass ``cls``, on one line."""
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, nxt in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(nxt, ast.Expr)
                and isinstance(nxt.value, ast.Constant) and isinstance(nxt.value.value, str)):
            docs[node.target.id] = " ".join(nxt.value.value.split())
    return docs


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m search.cfr.train_nolimit",
                                     description="Train or resume a no-limit hold'em MCCFR blueprint.")
    parser.add_argument("--run", type=Path, required=True, help="run folder (checkpoints, metrics.jsonl)")
    parser.add_argument("--config", type=Path, help="JSON configuration (BlueprintConfig fields)")
    parser.add_argument("--cache", type=Path, help="card abstraction cache folder (default: user cache)")
    parser.add_argument("--verbose", action="store_true", help="log progress on stderr")
    docs = field_docs(BlueprintConfig)
    defaults = BlueprintConfig()
    for name, kind in _SCALARS.items():
        flag = "--" + name.replace("_", "-")
        text = f"{docs.get(name, '')} (default: {getattr(defaults, name)})".replace("%", "%%")
        if typing.get_origin(kind) is typing.Literal:
            parser.add_argument(flag, dest=name, choices=typing.get_args(kind), help=text)
        else:
            parser.add_argument(flag, dest=name, type=kind, metavar=kind.__name__.upper(), help=text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.config is not None:
        config = load_config(args.config)
    elif (args.run / "config.json").exists():
        config = load_config(args.run / "config.json")
    else:
        config = BlueprintConfig()
    overrides = {name: getattr(args, name) for name in _SCALARS if getattr(args, name) is not None}
    data = config.to_dict() | overrides
    train(BlueprintConfig.from_dict(data), args.run, cache_dir=args.cache)
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
