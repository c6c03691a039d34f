"""Puzzle mode (one-player games): run an agent over a set of sudoku puzzles and check every answer.

``python -m agents.arena.puzzles sudoku SPEC (--puzzles FILE | --generate N) [--min-guesses G] [--seed S]
[--out DIR] [--json]``; ``agents.play`` delegates here for one-player games with the same arguments
(``main(argv)``, argv starting with the game name).

An agent that implements :class:`PuzzleSolver` answers each puzzle at once; any other agent is driven
move by move through ``act()`` until the game ends, and its answer is the final grid. Every answer is
checked against the givens and the rules: a wrong or incomplete answer is a failure, whatever the agent
claims. The report gives the solve rate, mean guesses and nodes (agents that report them) and mean
wall seconds per puzzle; ``--out DIR`` writes ``DIR/puzzles.jsonl``, one line per puzzle (puzzle,
answer, solved, guesses, nodes, seconds, error); ``--json`` prints one JSON object (solved, puzzles,
solve_rate, mean_guesses, mean_nodes, mean_seconds).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from tqdm import tqdm

from agents.flags import CliParser
from games.cli import run_cli
from agents.core import Agent, PuzzleSolver
from games.core import Game, IllegalActionError, InputError, UnsupportedGameError


@dataclass(frozen=True)
class PuzzleOutcome:
    """One puzzle as the runner saw it (one line of ``puzzles.jsonl``)."""

    puzzle: str
    answer: str
    solved: bool
    """The answer is complete, keeps the givens and breaks no rule (checked by the runner)."""
    guesses: int | None
    """The agent's guesses (None for agents driven through ``act``)."""
    nodes: int | None
    seconds: float
    """Wall seconds measured by the runner."""
    error: str | None
    """Why the answer is wrong, or None."""


def _answer_grid(text: str) -> np.ndarray | None:
    """int8 [81] from 81 characters (``.``/``0`` blank), without rule checks; None if malformed."""
    if len(text) != 81:
        return None
    grid = np.zeros(81, dtype=np.int8)
    for i, ch in enumerate(text):
        if ch in "123456789":
            grid[i] = int(ch)
        elif ch not in ".0":
            return None
    return grid


def check_outcome(puzzle: str, answer: str) -> str | None:
    """Why ``answer`` does not solve ``puzzle`` (81-character texts), or None if it does."""
    from games.sudoku.grid import check_answer

    grid = _answer_grid(answer)
    if grid is None:
        return "malformed answer"
    return check_answer(_answer_grid(puzzle), grid)


def run_puzzle(agent: Agent, game: Game, puzzle: str) -> PuzzleOutcome:
    """Let ``agent`` answer one puzzle (through ``solve_puzzle`` or move by move) and check the answer."""
    state = game.state_from_string(puzzle)
    agent.reset()
    guesses: int | None = None
    nodes: int | None = None
    error: str | None = None
    start = time.perf_counter()
    if isinstance(agent, PuzzleSolver):
        result = agent.solve_puzzle(state.copy())
        answer, guesses, nodes = result.answer, result.guesses, result.nodes
    else:
        try:
            for _ in range(game.spec.max_game_length):
                if state.is_terminal():
                    break
                action = agent.act(state)
                agent.observe(state, action)
                state.apply(action)
        except IllegalActionError as err:
            error = f"illegal move: {err}"
        answer = str(state)
    seconds = time.perf_counter() - start
    if error is None:
        error = check_outcome(puzzle, answer)
    return PuzzleOutcome(puzzle=puzzle, answer=answer, solved=error is None, guesses=guesses, nodes=nodes,
                         seconds=seconds, error=error)


def summarize(outcomes: list[PuzzleOutcome]) -> dict[str, Any]:
    """The JSON summary: solved, puzzles, solve_rate, mean_guesses, mean_nodes, mean_seconds."""
    def mean(values: list[float | int | None]) -> float | None:
        known = [v for v in values if v is not None]
        return float(np.mean(known)) if known else None

    solved = sum(o.solved for o in outcomes)
    return {
        "solved": solved,
        "puzzles": len(outcomes),
        "solve_rate": solved / len(outcomes) if outcomes else 0.0,
        "mean_guesses": mean([o.guesses for o in outcomes]),
        "mean_nodes": mean([o.nodes for o in outcomes]),
        "mean_seconds": mean([o.seconds for o in outcomes]),
    }


def _load_puzzles(args: argparse.Namespace) -> list[str]:
    from games.sudoku.generator import generate_puzzles
    from games.sudoku.grid import read_puzzle_lines

    if args.puzzles is not None:
        try:
            lines = Path(args.puzzles).read_text().splitlines()
        except OSError as err:
            raise InputError(f"cannot read --puzzles file {args.puzzles}: {err.strerror}") from None
        puzzles = read_puzzle_lines(lines)
        if not puzzles:
            raise InputError(f"--puzzles file {args.puzzles} holds no puzzle")
        return puzzles
    if args.generate < 1 or args.min_guesses < 0:
        raise InputError("--generate must be >= 1 and --min-guesses >= 0")
    rng = np.random.default_rng(args.seed)
    stream = generate_puzzles(rng, args.min_guesses, max_attempts=1000 * args.generate)
    puzzles = [p.puzzle for _, p in zip(range(args.generate), stream)]
    if len(puzzles) < args.generate:
        raise InputError(f"found only {len(puzzles)} puzzles with >= {args.min_guesses} guesses")
    return puzzles


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m agents.arena.puzzles", description=__doc__.splitlines()[0])
    parser.add_argument("game", help="a one-player game (sudoku)")
    parser.add_argument("spec", help="agent spec, e.g. solver or solver:level=1")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--puzzles", help="file of puzzles, one per line")
    source.add_argument("--generate", type=int, help="generate this many puzzles")
    parser.add_argument("--min-guesses", type=int, default=0, help="difficulty of generated puzzles")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator and the agent")
    parser.add_argument("--out", help="folder for puzzles.jsonl (nothing written without it or with '-', as in "
                                      "agents.play)")
    parser.add_argument("--json", action="store_true", help="print one JSON summary object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run puzzle mode; ``argv`` starts with the game name. Returns the exit status."""
    from agents.registry import make_agent
    from games.registry import make_game

    args = _parser().parse_args(argv)
    game = make_game(args.game)
    game.require(num_players=(1,), what="puzzle mode")
    if game.spec.name != "sudoku":
        raise UnsupportedGameError(f"puzzle mode checks sudoku answers only, not {game.spec.name}")
    puzzles = _load_puzzles(args)
    outcomes: list[PuzzleOutcome] = []
    out_file = None
    if args.out is not None and args.out != "-":
        Path(args.out).mkdir(parents=True, exist_ok=True)
        out_file = (Path(args.out) / "puzzles.jsonl").open("w")
    with make_agent(args.spec, game, seed=args.seed) as agent:
        try:
            for puzzle in tqdm(puzzles, desc="puzzles", unit="puzzle", disable=None, file=sys.stderr):
                outcome = run_puzzle(agent, game, puzzle)
                outcomes.append(outcome)
                if out_file is not None:
                    out_file.write(json.dumps(outcome.__dict__) + "\n")
                    out_file.flush()
        finally:
            if out_file is not None:
                out_file.close()
    summary = summarize(outcomes)
    if args.json:
        print(json.dumps(summary))
    else:
        guesses = "n/a" if summary["mean_guesses"] is None else f"{summary['mean_guesses']:.1f}"
        nodes = "n/a" if summary["mean_nodes"] is None else f"{summary['mean_nodes']:.1f}"
        print(f"{args.spec}: solved {summary['solved']}/{summary['puzzles']} ({100 * summary['solve_rate']:.1f}%), "
              f"mean guesses {guesses}, mean nodes {nodes}, {1000 * summary['mean_seconds']:.3f} ms per puzzle")
    return 0


def run(argv: Sequence[str] | None = None) -> int:
    """``main`` behind :func:`games.cli.run_cli` (bad input: one line, exit status 2)."""
    return run_cli(main, argv)


if __name__ == "__main__":
    sys.exit(run())
