"""Speed of our MCTS against open_spiel's C++ and Python MCTSBot, measured in the same run.

``python -m benchmarks.speed mcts [--game connect_four|chess] [--sims N] [--positions K] [--repeats R] [--json]``
(also ``python -m benchmarks.speed.mcts ...``). Same game, same positions, same budget, same evaluator
kind (one uniformly random rollout per leaf: ``pyspiel.RandomRolloutEvaluator(1, seed)`` / the Python
``RandomRolloutEvaluator``), single-threaded; compilation is warmed up before timing. For chess it
also reports tree nodes/s with the material evaluator and where the time goes (a cProfile split into
python-chess, the project's chess wrapper, search and the rest).
"""
from __future__ import annotations

import cProfile
import json
import os
import pstats
import sys
import time
from typing import Any, Sequence

import numpy as np

from agents.flags import CliParser
from games.cli import run_cli
from games.core import InputError, State
from games.registry import make_game
from search.evaluators import MaterialEvaluator, RolloutEvaluator, StateEvaluator
from search.mcts import BatchedMCTS, MCTSConfig

GAMES = ("connect_four", "chess")
DEFAULT_SIMS = {"connect_four": 1000, "chess": 20}
DEFAULT_POSITIONS = {"connect_four": 6, "chess": 2}
DEFAULT_REPEATS = {"connect_four": 5, "chess": 1}
"""Timings per contender (median reported): a connect-four pass of ours takes only milliseconds."""
UCT_C = 2.0
"""Exploration constant of open_spiel's UCT (its default in the examples)."""
CLOCK = time.process_time
"""CPU seconds of this process: every contender is single-threaded, and CPU time stays fair when other
work shares the machine (wall-clock rates swing by 2x on a loaded machine)."""


class SpeedArgumentError(InputError):
    """A bad option of the speed benchmark."""


def make_positions(game_name: str, count: int, seed: int) -> list[list[int]]:
    """``count`` action sequences: the start, then short random openings (never terminal)."""
    game = make_game(game_name)
    rng = np.random.default_rng(seed)
    out: list[list[int]] = [[]]
    while len(out) < count:
        state, moves = game.new_state(), []
        for _ in range(int(rng.integers(2, 9))):
            legal = state.legal_actions()
            moves.append(int(legal[rng.integers(len(legal))]))
            state.apply(moves[-1])
            if state.is_terminal():
                break
        if not state.is_terminal():
            out.append(moves)
    return out


def _our_state(game_name: str, moves: list[int]) -> State:
    state = make_game(game_name).new_state()
    for m in moves:
        state.apply(m)
    return state


def _spiel_state(spiel_game: Any, game_name: str, moves: list[int]) -> Any:
    if game_name == "chess":  # action numbering differs: go through the FEN
        return spiel_game.new_initial_state(str(_our_state(game_name, moves)))
    state = spiel_game.new_initial_state()
    for m in moves:
        state.apply_action(m)
    return state


def time_ours(game_name: str, positions: list[list[int]], sims: int, evaluator: StateEvaluator,
              seed: int) -> tuple[float, int, int]:
    """(seconds, simulations, tree nodes) of fresh searches from every position."""
    game = make_game(game_name)
    BatchedMCTS(game, MCTSConfig(num_simulations=min(sims, 50), seed=seed), evaluator).search(
        [_our_state(game_name, positions[0])])  # compile / warm up
    seconds, done, nodes = 0.0, 0, 0
    for moves in positions:
        state = _our_state(game_name, moves)
        mcts = BatchedMCTS(game, MCTSConfig(num_simulations=sims, seed=seed), evaluator)
        start = CLOCK()
        summary = mcts.search([state])[0]
        seconds += CLOCK() - start
        done += summary.simulations
        nodes += summary.tree_nodes
    return seconds, done, nodes


def time_openspiel(game_name: str, positions: list[list[int]], sims: int, seed: int,
                   python: bool) -> tuple[float, int]:
    """(seconds, simulations) of open_spiel's MCTSBot (C++ or Python) from every position."""
    import pyspiel
    from open_spiel.python.algorithms import mcts as py_mcts

    spiel_game = pyspiel.load_game(game_name)
    seconds, done = 0.0, 0
    for i, moves in enumerate(positions):
        state = _spiel_state(spiel_game, game_name, moves)
        if python:
            rng = np.random.RandomState(seed + i)
            bot: Any = py_mcts.MCTSBot(spiel_game, UCT_C, sims, py_mcts.RandomRolloutEvaluator(1, rng),
                                       solve=True, random_state=rng)
        else:
            bot = pyspiel.MCTSBot(spiel_game, pyspiel.RandomRolloutEvaluator(1, seed + i), UCT_C, sims, 4000,
                                  True, seed + i, False)
        start = CLOCK()
        root = bot.mcts_search(state)
        seconds += CLOCK() - start
        done += int(root.explore_count)
    return seconds, done


def profile_split(game_name: str, positions: list[list[int]], sims: int, evaluator: StateEvaluator) -> dict[str, float]:
    """Share of search time by where it is spent (cProfile, own time per function file)."""
    import chess

    profiler = cProfile.Profile()
    profiler.enable()
    time_ours(game_name, positions, sims, evaluator, 0)
    profiler.disable()
    chess_dir = os.path.dirname(chess.__file__)
    groups = {"python_chess": 0.0, "games_chess": 0.0, "search": 0.0, "other": 0.0}
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        if filename.startswith(chess_dir):
            groups["python_chess"] += tottime
        elif os.sep + os.path.join("games", "chess") in filename:
            groups["games_chess"] += tottime
        elif os.sep + "search" + os.sep in filename:
            groups["search"] += tottime
        else:
            groups["other"] += tottime
    total = sum(groups.values()) or 1.0
    return {key: value / total for key, value in groups.items()}


def measure(game_name: str, sims: int, num_positions: int, seed: int, repeats: int = 1) -> dict[str, Any]:
    """All the figures of one run (see the module docstring). Each contender is timed ``repeats`` times,
    the three taking turns (so that a change of load hits them alike); each rate is the median."""
    positions = make_positions(game_name, num_positions, seed)
    runs: dict[str, list[float]] = {"ours": [], "openspiel_cpp": [], "openspiel_python": []}
    node_rates = []
    for r in range(repeats):
        run_seed = seed + 1000 * r
        ours_s, ours_n, ours_nodes = time_ours(game_name, positions, sims, RolloutEvaluator(seed=run_seed), run_seed)
        cpp_s, cpp_n = time_openspiel(game_name, positions, sims, run_seed, python=False)
        py_s, py_n = time_openspiel(game_name, positions, sims, run_seed, python=True)
        runs["ours"].append(ours_n / ours_s)
        runs["openspiel_cpp"].append(cpp_n / cpp_s)
        runs["openspiel_python"].append(py_n / py_s)
        node_rates.append(ours_nodes / ours_s)
    rate, cpp, py = (float(np.median(runs[key])) for key in ("ours", "openspiel_cpp", "openspiel_python"))
    result: dict[str, Any] = {
        "game": game_name, "simulations_per_search": sims, "positions": len(positions), "repeats": repeats,
        "evaluator": "one random rollout per leaf", "timer": "process CPU seconds, median of the repeats",
        "sims_per_s": rate, "openspiel_cpp_sims_per_s": cpp, "openspiel_python_sims_per_s": py,
        "ratio_vs_openspiel_cpp": rate / cpp, "ratio_vs_openspiel_python": rate / py,
        "nodes_per_s": float(np.median(node_rates)), "sims_per_s_runs": runs,
    }
    if game_name == "chess":
        mat_s, mat_n, mat_nodes = time_ours(game_name, positions, sims * 10, MaterialEvaluator(), seed)
        result["material_sims_per_s"] = mat_n / mat_s
        result["material_nodes_per_s"] = mat_nodes / mat_s
        split = profile_split(game_name, positions, sims * 10, MaterialEvaluator())
        result["material_time_share"] = split
        result["python_chess_time_share"] = split["python_chess"]
    return result


def _format(result: dict[str, Any]) -> str:
    lines = [f"{result['game']}: {result['simulations_per_search']} simulations x {result['positions']} positions, "
             f"{result['evaluator']}, single thread, CPU time, median of {result['repeats']}",
             f"  ours                     {result['sims_per_s']:>12,.0f} sims/s  ({result['nodes_per_s']:,.0f} nodes/s)",
             f"  open_spiel C++ MCTSBot   {result['openspiel_cpp_sims_per_s']:>12,.0f} sims/s  "
             f"ratio {result['ratio_vs_openspiel_cpp']:.2f}x",
             f"  open_spiel Python MCTS   {result['openspiel_python_sims_per_s']:>12,.0f} sims/s  "
             f"ratio {result['ratio_vs_openspiel_python']:.1f}x"]
    if "material_nodes_per_s" in result:
        lines.append(f"  ours, material evaluator {result['material_nodes_per_s']:>11,.0f} nodes/s; time share: "
                     + ", ".join(f"{k} {v:.0%}" for k, v in result["material_time_share"].items()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point (``argv`` without the program name)."""
    parser = CliParser(prog="python -m benchmarks.speed mcts", description=__doc__.split("\n")[0])
    parser.add_argument("--game", default="connect_four", help="connect_four or chess")
    parser.add_argument("--sims", type=int, default=None, help="simulations per search (default per game)")
    parser.add_argument("--positions", type=int, default=None, help="positions searched (default per game)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timings per contender, median reported (default per game)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the positions and searches (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.game not in GAMES:
        raise SpeedArgumentError(f"--game must be one of {', '.join(GAMES)}; got '{args.game}'")
    sims = DEFAULT_SIMS[args.game] if args.sims is None else args.sims
    positions = DEFAULT_POSITIONS[args.game] if args.positions is None else args.positions
    repeats = DEFAULT_REPEATS[args.game] if args.repeats is None else args.repeats
    if sims < 1 or positions < 1 or repeats < 1:
        raise SpeedArgumentError(
            f"--sims, --positions and --repeats must be >= 1; got {sims}, {positions} and {repeats}")
    result = measure(args.game, sims, positions, args.seed, repeats)
    print(json.dumps(result) if args.json else _format(result))
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
