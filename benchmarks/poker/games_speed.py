"""Speed of the poker games and of the hand evaluator, against open_spiel and ``treys`` in the same run.

``python -m benchmarks.poker.games_speed [--seconds S] [--hands N] [--seed K] [--json]`` measures random playouts
per second through the State API of Kuhn, Leduc and limit hold'em, the same through open_spiel's
Python API (``ratio_vs_openspiel``), and 7-card hands per second of the numba evaluator against treys
(``ratio_vs_treys``, when treys is installed). Nothing is asserted; the figures are printed.
"""
from __future__ import annotations

import json
import time
from typing import Sequence

import numpy as np

from agents.flags import CliParser
from games.cli import run_cli
from games.core import Game, InputError, random_playout
from games.poker.cards import DECK_SIZE, card_to_string
from games.poker.hand_eval import evaluate_many
from games.poker.holdem import OPENSPIEL_LIMIT_HOLDEM
from games.registry import make_game

GAMES = {"kuhn_poker": "kuhn_poker", "leduc_poker": "leduc_poker", "holdem_limit": OPENSPIEL_LIMIT_HOLDEM}
"""Our game name -> the open_spiel game string of the same game."""


def playouts_per_second(game: Game, seconds: float, rng: np.random.Generator) -> float:
    """Random playouts from the initial state per second through our State API."""
    count, start = 0, time.perf_counter()
    while True:
        random_playout(game.new_state(), rng)
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def openspiel_playouts_per_second(game_string: str, seconds: float, rng: np.random.Generator) -> float:
    """Random playouts per second of the same game through open_spiel's Python API."""
    import pyspiel

    game = pyspiel.load_game(game_string)
    count, start = 0, time.perf_counter()
    while True:
        state = game.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                outcomes = state.chance_outcomes()
                probs = np.array([p for _, p in outcomes])
                state.apply_action(outcomes[rng.choice(len(outcomes), p=probs)][0])
            else:
                legal = state.legal_actions()
                state.apply_action(legal[rng.integers(len(legal))])
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def hand_eval_rates(num_hands: int, rng: np.random.Generator) -> dict[str, float]:
    """7-card hands per second of :func:`evaluate_many` (compiled beforehand) and of treys if installed."""
    hands = np.argsort(rng.random((num_hands, DECK_SIZE)), axis=1)[:, :7].astype(np.int64)
    evaluate_many(hands[:10])  # compile or load the cache outside the timing
    start = time.perf_counter()
    evaluate_many(hands)
    result = {"numba_hands_per_s": num_hands / (time.perf_counter() - start)}
    try:
        from treys import Card, Evaluator
    except ImportError:
        return result
    cards = [Card.new(card_to_string(c)) for c in range(DECK_SIZE)]
    evaluator = Evaluator()
    sample = hands[: max(1, num_hands // 10)].tolist()
    start = time.perf_counter()
    for hand in sample:
        evaluator.evaluate([cards[c] for c in hand[:2]], [cards[c] for c in hand[2:]])
    result["treys_hands_per_s"] = len(sample) / (time.perf_counter() - start)
    result["ratio_vs_treys"] = result["numba_hands_per_s"] / result["treys_hands_per_s"]
    return result


def measure(seconds: float, num_hands: int, seed: int) -> dict[str, object]:
    """All figures: per game our and open_spiel's playouts/s with the ratio, and the evaluator rates."""
    rng = np.random.default_rng(seed)
    games: dict[str, dict[str, float]] = {}
    for name, os_string in GAMES.items():
        ours = playouts_per_second(make_game(name), seconds, rng)
        theirs = openspiel_playouts_per_second(os_string, seconds, rng)
        games[name] = {"playouts_per_s": ours, "openspiel_playouts_per_s": theirs, "ratio_vs_openspiel": ours / theirs}
    return {"seconds_per_measure": seconds, "seed": seed, "games": games, "hand_eval": hand_eval_rates(num_hands, rng)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = CliParser(prog="python -m benchmarks.poker.games_speed", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per playout measurement")
    parser.add_argument("--hands", type=int, default=200_000, help="random 7-card hands for the evaluator")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random playouts (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not args.seconds > 0:
        raise InputError(f"--seconds must be positive, got {args.seconds}")
    if args.hands < 10:
        raise InputError(f"--hands must be at least 10, got {args.hands}")
    result = measure(args.seconds, args.hands, args.seed)
    if args.json:
        print(json.dumps(result))
        return 0
    for name, figures in result["games"].items():  # type: ignore[union-attr]
        print(f"{name:14s} {figures['playouts_per_s']:10.0f} playouts/s  "
              f"(open_spiel {figures['openspiel_playouts_per_s']:.0f}/s, x{figures['ratio_vs_openspiel']:.2f})")
    for key, value in result["hand_eval"].items():  # type: ignore[union-attr]
        print(f"{key:20s} {value:14.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_cli(main))
