"""Random playouts per second through the project's State API, against open_spiel's own on the same game.

``python -m benchmarks.speed playouts [--games connect_four,chess,...] [--seconds S] [--json]``

For each game: uniformly random playouts (chance outcomes by their probabilities) with
:func:`games.core.random_playout` for ``S`` seconds, then the same loop written directly against
``pyspiel`` for ``S`` seconds where open_spiel has the game (chess, connect_four, kuhn_poker,
leduc_poker, and holdem_limit as open_spiel's universal_poker; ``openspiel:<name>`` games are compared with the bare pyspiel game, which measures the
adapter's overhead). ``ratio_vs_openspiel`` = ours / open_spiel's playouts per second.
For chess, a third pass runs the playouts under cProfile and reports ``python_chess_share``: the share of
the profiled time spent inside the python-chess package (its own functions plus the builtins they call).
A game that is not registered or cannot be built yet is skipped with a note.
"""
from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from typing import Any, Callable, Sequence

import numpy as np

from agents.flags import CliParser
from games.cli import run_cli
from games.core import Game, InputError, random_playout
from games.registry import OPENSPIEL_PREFIX, make_game

DEFAULT_GAMES = "connect_four,chess,kuhn_poker,leduc_poker,holdem_limit"
OPENSPIEL_NAMES = {"chess": "chess", "connect_four": "connect_four", "kuhn_poker": "kuhn_poker",
                   "leduc_poker": "leduc_poker"}
"""Project game -> the open_spiel game used as the reference."""


def openspiel_name(name: str) -> str | None:
    """The open_spiel game string to compare ``name`` with, or None if open_spiel lacks it."""
    if name.startswith(OPENSPIEL_PREFIX):
        return name[len(OPENSPIEL_PREFIX):]
    if name == "holdem_limit":  # open_spiel's universal_poker with the same ACPC parameters
        from games.poker.holdem import OPENSPIEL_LIMIT_HOLDEM

        return OPENSPIEL_LIMIT_HOLDEM
    return OPENSPIEL_NAMES.get(name)


def _timed(one: Callable[[], int], seconds: float) -> dict[str, float]:
    """Run ``one()`` (returns the plies of one playout) until ``seconds`` have passed (at least once)."""
    playouts = plies = 0
    began = time.perf_counter()
    while True:
        plies += one()
        playouts += 1
        elapsed = time.perf_counter() - began
        if elapsed >= seconds:
            break
    return {"playouts": playouts, "seconds": elapsed, "playouts_per_s": playouts / elapsed,
            "plies_per_s": plies / elapsed}


def ours(game: Game, rng: np.random.Generator) -> Callable[[], int]:
    """One random playout through the State API; returns its length in actions."""
    def one() -> int:
        return len(random_playout(game.new_state(rng), rng).history)
    return one


def openspiel_reference(name: str, rng: np.random.Generator) -> Callable[[], int]:
    """The same playout written against pyspiel directly."""
    import pyspiel

    pygame = pyspiel.load_game(name)

    def one() -> int:
        state = pygame.new_initial_state()
        n = 0
        while not state.is_terminal():
            if state.is_chance_node():
                outcomes = state.chance_outcomes()
                probs = np.array([p for _, p in outcomes])
                action = outcomes[rng.choice(len(outcomes), p=probs / probs.sum())][0]
            else:
                legal = state.legal_actions()
                action = legal[rng.integers(len(legal))]
            state.apply_action(action)
            n += 1
        return n
    return one


def python_chess_share(one: Callable[[], int], seconds: float) -> float:
    """Share of cProfile time inside the python-chess package while running playouts for ``seconds``."""
    import chess

    chess_dir = os.path.dirname(chess.__file__)
    profile = cProfile.Profile()
    profile.enable()
    _timed(one, seconds)
    profile.disable()
    stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    total = inside = 0.0
    for (filename, _, _), (_, _, tottime, _, callers) in stats.items():
        total += tottime
        if filename.startswith(chess_dir):
            inside += tottime
        elif filename == "~":  # a builtin: count the part called from python-chess
            inside += sum(c[2] for (cf, _, _), c in callers.items() if cf.startswith(chess_dir))
    return inside / total if total > 0 else 0.0


def bench_game(name: str, seconds: float, seed: int) -> dict[str, float]:
    """Measure one game (raises whatever building the game raises)."""
    game = make_game(name)
    result = _timed(ours(game, np.random.default_rng(seed)), seconds)
    reference = openspiel_name(name)
    if reference is not None:
        ref = _timed(openspiel_reference(reference, np.random.default_rng(seed)), seconds)
        result["openspiel_playouts_per_s"] = ref["playouts_per_s"]
        result["ratio_vs_openspiel"] = result["playouts_per_s"] / ref["playouts_per_s"]
    if name == "chess":
        result["python_chess_share"] = python_chess_share(ours(game, np.random.default_rng(seed)), seconds)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = CliParser(prog="python -m benchmarks.speed playouts", description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", default=DEFAULT_GAMES, help=f"comma-separated games (default {DEFAULT_GAMES})")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per measurement (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random playouts (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.seconds > 0:
        raise InputError("--seconds must be positive")
    names = [n.strip() for n in args.games.split(",") if n.strip()]
    if not names:
        raise InputError("--games is empty")
    results: dict[str, dict[str, float]] = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            results[name] = bench_game(name, args.seconds, args.seed)
        except (InputError, ImportError, AttributeError, NotImplementedError) as err:
            skipped[name] = f"{type(err).__name__}: {err}"
    if args.json:
        print(json.dumps({"seconds": args.seconds, "results": results, "skipped": skipped}))
        return 0
    print(f"{'game':<22}{'playouts/s':>12}{'plies/s':>12}{'open_spiel/s':>14}{'ratio':>8}{'chess share':>13}")
    for name, r in results.items():
        ref = r.get("openspiel_playouts_per_s")
        ratio = r.get("ratio_vs_openspiel")
        share = r.get("python_chess_share")
        print(f"{name:<22}{r['playouts_per_s']:>12.1f}{r['plies_per_s']:>12.0f}"
              f"{(f'{ref:.1f}' if ref else '-'):>14}{(f'{ratio:.2f}' if ratio else '-'):>8}"
              f"{(f'{share:.0%}' if share is not None else '-'):>13}")
    for name, why in skipped.items():
        print(f"{name:<22}skipped: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
