"""Puzzle mode (one-player games): run an agent over a set of sudoku puzzles and check every answer.

``python -m agents.play sudoku SPEC (--puzzles FILE | --generate N) [--games N] [--min-guesses G] [--seed S]
[--out DIR] [--json]`` (also ``python -m agents.arena.puzzles`` with the same arguments). ``--games N``
takes the first N puzzles of the file or of the generated ones.

An agent that implements :class:`PuzzleSolver` answers each puzzle at once; any other agent is driven
move by move through ``act()`` until the game ends, and its answer is the final grid. Every answer is
checked against the givens and the rules: a wrong or incomplete answer is a failure, whatever the agent
claims. The report gives the solve rate, mean guesses and nodes (agents that report them) and mean
wall seconds per puzzle; ``--out DIR`` writes ``DIR/puzzles.jsonl``, one line per puzzle (puzzle,
answer, solved, guesses, nodes, seconds, error, iterations), and ``DIR/summary.json`` (the summary, the game, spec
and seed, and the run's ``provenance``: :mod:`agents.provenance`); ``--json`` prints one JSON object
(solved, puzzles, solve_rate, mean_guesses, mean_nodes, mean_seconds, mean_iterations: the network
iterations of agents that report them, e.g. ``net:PATH,iters=64,halt=1``).
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

from agents.core import Agent, PuzzleSolver
from agents.flags import CliParser
from agents.provenance import RunInfo
from games.cli import run_cli
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
    iterations: int | None = None
    """Recurrent iterations the agent's network thought for (agents that report them, e.g. ``net`` on sudoku)."""


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
    iterations: int | None = None
    error: str | None = None
    start = time.perf_counter()
    if isinstance(agent, PuzzleSolver):
        result = agent.solve_puzzle(state.copy())
        answer, guesses, nodes, iterations = result.answer, result.guesses, result.nodes, result.iterations
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
                         seconds=seconds, error=error, iterations=iterations)


def summarize(outcomes: list[PuzzleOutcome]) -> dict[str, Any]:
    """The JSON summary: solved, puzzles, solve_rate, mean_guesses, mean_nodes, mean_seconds, mean_iterations."""
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
        "mean_iterations": mean([o.iterations for o in outcomes]),
    }


def add_puzzle_flags(parser: argparse.ArgumentParser | argparse._ArgumentGroup, required: bool) -> None:
    """``--puzzles FILE`` or ``--generate N`` (one of them ``required`` or not) and ``--min-guesses``."""
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--puzzles", metavar="FILE", help="file of puzzles, one per line (81 characters, '.' or "
                                                          "'0' for a blank)")
    source.add_argument("--generate", type=int, metavar="N", help="generate N puzzles (seeded by --seed)")
    parser.add_argument("--min-guesses", type=int, default=None, metavar="G",
                        help="with --generate: puzzles needing at least G guesses of the exact solver (default 0)")


def load_puzzles(puzzles_file: str | None, generate: int | None, min_guesses: int | None, seed: int,
                 first: int | None = None) -> list[str]:
    """The puzzles of ``puzzles_file``, or ``generate`` new ones (``min_guesses``, ``seed``); only the
    ``first`` ones when given. InputError for bad values or an unreadable or empty file."""
    from games.sudoku.generator import generate_puzzles
    from games.sudoku.grid import read_puzzle_lines

    if puzzles_file is None and generate is None:
        raise InputError("puzzle mode needs --puzzles FILE or --generate N")
    if first is not None and first < 1:
        raise InputError(f"--games must be at least 1; got {first}")
    if puzzles_file is not None:
        if min_guesses is not None:
            raise InputError("--min-guesses is for --generate")
        try:
            lines = Path(puzzles_file).read_text().splitlines()
        except OSError as err:
            raise InputError(f"cannot read --puzzles file {puzzles_file}: {err.strerror}") from None
        puzzles = read_puzzle_lines(lines)
        if not puzzles:
            raise InputError(f"--puzzles file {puzzles_file} holds no puzzle")
        return puzzles[:first]
    assert generate is not None
    min_guesses = 0 if min_guesses is None else min_guesses
    if generate < 1 or min_guesses < 0:
        raise InputError("--generate must be >= 1 and --min-guesses >= 0")
    count = generate if first is None else min(generate, first)
    stream = generate_puzzles(np.random.default_rng(seed), min_guesses, max_attempts=1000 * count)
    puzzles = [p.puzzle for _, p in zip(range(count), stream)]
    if len(puzzles) < count:
        raise InputError(f"found only {len(puzzles)} puzzles with >= {min_guesses} guesses")
    return puzzles


def run_puzzles(game: Game, spec: str, puzzles: list[str], *, seed: int, out: str | None, as_json: bool,
                provenance: RunInfo) -> int:
    """Let agent ``spec`` answer every puzzle; write ``out`` (unless None or ``-``), print the summary;
    returns the exit status."""
    from agents.registry import make_agent

    game.require(num_players=(1,), what="puzzle mode")
    if game.spec.name != "sudoku":
        raise UnsupportedGameError(f"puzzle mode checks sudoku answers only, not {game.spec.name}")
    folder = Path(out) if out is not None and out != "-" else None
    outcomes: list[PuzzleOutcome] = []
    with make_agent(spec, game, seed=seed) as agent:
        out_file = None
        if folder is not None:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise InputError(f"cannot create output folder {folder}: {err.strerror}") from None
            out_file = (folder / "puzzles.jsonl").open("w")
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
    if folder is not None:
        record = {"game": game.spec.name, "spec": spec, "seed": seed, **summary, "provenance": provenance.to_json()}
        (folder / "summary.json").write_text(json.dumps(record, indent=2) + "\n")
    if as_json:
        print(json.dumps(summary))
    else:
        guesses = "n/a" if summary["mean_guesses"] is None else f"{summary['mean_guesses']:.1f}"
        nodes = "n/a" if summary["mean_nodes"] is None else f"{summary['mean_nodes']:.1f}"
        print(f"{spec}: solved {summary['solved']}/{summary['puzzles']} ({100 * summary['solve_rate']:.1f}%), "
              f"mean guesses {guesses}, mean nodes {nodes}, {1000 * summary['mean_seconds']:.3f} ms per puzzle"
              + ("" if summary["mean_iterations"] is None else f", {summary['mean_iterations']:.1f} iterations"))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = CliParser(prog="python -m agents.arena.puzzles", description=__doc__.splitlines()[0])
    parser.add_argument("game", help="a one-player game (sudoku)")
    parser.add_argument("spec", help="agent spec, e.g. solver or solver:level=1")
    add_puzzle_flags(parser, required=True)
    parser.add_argument("--games", type=int, default=None, metavar="N", help="only the first N puzzles")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generator and the agent")
    parser.add_argument("--out", help="folder for puzzles.jsonl and summary.json (nothing written without it or "
                                      "with '-', as in agents.play)")
    parser.add_argument("--json", action="store_true", help="print one JSON summary object")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run puzzle mode; ``argv`` starts with the game name. Returns the exit status."""
    from games.registry import make_game

    parser = _parser()
    args = parser.parse_args(argv)
    provenance = RunInfo.begin(parser.prog, argv)
    if args.seed < 0:
        raise InputError(f"--seed must be >= 0; got {args.seed}")
    game = make_game(args.game)
    puzzles = load_puzzles(args.puzzles, args.generate, args.min_guesses, args.seed, args.games)
    return run_puzzles(game, args.spec, puzzles, seed=args.seed, out=args.out, as_json=args.json,
                       provenance=provenance)


def run(argv: Sequence[str] | None = None) -> int:
    """``main`` behind :func:`games.cli.run_cli` (bad input: one line, exit status 2)."""
    return run_cli(main, argv)


if __name__ == "__main__":
    sys.exit(run())
