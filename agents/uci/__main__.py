"""``python -m agents.uci [--net PATH] [--OPTION VALUE ...]``: the chess engine over UCI on stdin/stdout.

Installed (``pip install -e .``) it is also the console script ``gamesearch-uci``, one executable for
GUIs and lichess-bot.

Every UCI option has a flag that sets its value at start (``--move-overhead 200``, ``--hash 1024``,
``--backend onnx``; ``--net`` = ``--weights-file``, ``--batch`` = ``--minibatch-size``, ``--sims`` =
``--nodes-per-move``), so an engine command line in a GUI or a tournament manager can configure it;
``setoption`` changes them later. A bad flag or a missing network file ends with one ``error:`` line
and exit status 2. See :mod:`agents.uci` for the protocol.
"""
from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import threading
from typing import Sequence, TextIO

from agents.flags import CliParser
from agents.uci.engine import UCIEngine
from agents.uci.options import BY_NAME, OPTIONS, EngineOption, OptionError, Value, check_value
from games.cli import run_cli
from games.core import InputError

ALIASES = {"WeightsFile": ["--net"], "MinibatchSize": ["--batch"], "NodesPerMove": ["--sims"]}
"""Short flags of some options (``--net`` and ``--sims`` were the engine's first flags)."""


def flag_of(option: EngineOption) -> str:
    """``--move-overhead`` for ``Move Overhead``, ``--weights-file`` for ``WeightsFile``."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", option.name.replace("UCI_", "uci ")).replace("_", " ")
    return "--" + "-".join(words.lower().split())


def build_parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m agents.uci",
                       description="The chess engine over UCI on stdin/stdout: MCTS with a network's (or material) "
                                   "leaves, searching on a thread beside the command loop. Each flag sets a UCI "
                                   "option's value at start.",
                       epilog="UCI commands are read from stdin; see the README for GUI set-ups.")
    for option in OPTIONS:
        if option.type == "button":
            continue
        default = option.default
        parser.add_argument(flag_of(option), *ALIASES.get(option.name, []), dest=option.name, default=None,
                            metavar="VALUE", help=f"{option.help} (UCI option '{option.name}', default {default})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search's randomness (Temperature > 0)")
    return parser


def initial_values(args: argparse.Namespace) -> dict[str, Value]:
    """Option values given on the command line, parsed and then checked (:func:`check_value`: the network
    file exists, the backend is available); raises :class:`InputError` naming the flag."""
    values: dict[str, Value] = {}
    for option in OPTIONS:
        text = getattr(args, option.name, None)
        if text is None or option.type == "button":
            continue
        try:
            values[option.name] = option.parse(str(text))
        except OptionError as err:
            raise InputError(f"{flag_of(option)}: {err}") from None
    for name, value in values.items():
        option = BY_NAME[name.lower()]
        try:
            check_value(option, value)
        except OptionError as err:  # --net (the engine's first flag) for WeightsFile
            raise InputError(f"{ALIASES.get(name, [flag_of(option)])[0]}: {err}") from None
    return values


def main(argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    values = initial_values(args)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    stdin = stdin or sys.stdin
    sink = stdout or sys.stdout
    lock = threading.Lock()

    def out(text: str) -> None:
        with lock:
            sink.write(text + "\n")
            sink.flush()

    engine = UCIEngine(out, values, seed=args.seed)
    while True:
        line = stdin.readline()
        if not line:  # end of input: as quit
            engine.handle("quit")
            break
        if not engine.handle(line):
            break
    return 0


def entry() -> None:
    """``python -m agents.uci`` and the ``gamesearch-uci`` console script (``pip install -e .``).

    After ``quit`` the process ends at once (``os._exit`` once the output is flushed): GUIs and python-chess
    wait for it, and the interpreter's teardown of numba's compiler takes 0.7-0.9 s with nothing to clean
    up (no files are open; the search thread has ended)."""
    code = run_cli(main)
    if code != 0:
        sys.exit(code)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    entry()
