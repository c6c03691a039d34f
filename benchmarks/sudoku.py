"""Sudoku benchmarks. ``python -m benchmarks.sudoku speed [--json] [--out DIR]``.

``speed`` measures, in one run, how many puzzles per second the exact solver solves per difficulty
bucket, against the plain-Python constraint-propagation baseline (:mod:`benchmarks.python_sudoku_baseline`)
on the same puzzles. Buckets are by solver guesses at level 1 (naked singles only): easy < 5, medium
5..19, hard >= 20. Hard puzzles are the shipped set ``games/sudoku/data/hard.txt``; easy and medium
ones are generated with ``--seed`` (minimal puzzles, and puzzles stopped at 30 clues).

Both solvers find the first solution (limit 1) of each puzzle given as text. Figures per bucket:
``solver_puzzles_per_s`` (the :func:`search.sudoku.solve` API at level 3, Python overhead included),
``solver_level2_puzzles_per_s`` (level 2: the baseline's deductions), ``batch_puzzles_per_s`` (level 3,
all puzzles in one compiled call), ``python_baseline_puzzles_per_s`` and ``ratio_vs_python_baseline``
(API level 3 / baseline). Every answer of both solvers is checked to be the same solution.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from benchmarks import python_sudoku_baseline as baseline
from games.cli import run_cli
from games.core import InputError
from games.sudoku.generator import HARD_GUESSES, difficulty, generate_puzzle
from games.sudoku.grid import format_grid, read_puzzle_lines
from search.sudoku import solve, solve_many

HARD_FILE = Path(__file__).resolve().parent.parent / "games" / "sudoku" / "data" / "hard.txt"
"""The shipped hard puzzles."""
EASY_MAX_GUESSES = 5
"""Puzzles with fewer guesses at level 1 are easy; from here up to HARD_GUESSES, medium."""
BUCKETS = ("easy", "medium", "hard")
"""Difficulty buckets, easiest first."""


def bucket_of(guesses: int) -> str:
    """The bucket of a puzzle needing ``guesses`` guesses at level 1."""
    return "easy" if guesses < EASY_MAX_GUESSES else "medium" if guesses < HARD_GUESSES else "hard"


def collect_puzzles(per_bucket: int, seed: int) -> dict[str, list[str]]:
    """``per_bucket`` puzzles for each bucket: hard from the shipped file, the others generated."""
    hard = read_puzzle_lines(HARD_FILE.read_text().splitlines())[:per_bucket]
    found: dict[str, list[str]] = {"easy": [], "medium": [], "hard": hard}
    rng = np.random.default_rng(seed)
    for attempt in range(200 * per_bucket):
        if len(found["easy"]) >= per_bucket and len(found["medium"]) >= per_bucket:
            break
        puzzle, _ = generate_puzzle(rng, min_clues=30 if attempt % 2 == 0 else 0)
        name = bucket_of(difficulty(puzzle))
        if name != "hard" and len(found[name]) < per_bucket:
            found[name].append(format_grid(puzzle))
    return found


def _rate(run_once: Callable[[], Any], count: int, min_seconds: float) -> tuple[float, Any]:
    """(puzzles per second, last result) running ``run_once`` (``count`` puzzles) for at least ``min_seconds``."""
    runs = 0
    start = time.perf_counter()
    while True:
        result = run_once()
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return runs * count / elapsed, result


def measure_bucket(puzzles: list[str], min_seconds: float) -> dict[str, Any]:
    """Speed figures of one bucket (see the module docstring); checks both solvers agree."""
    n = len(puzzles)
    api, answers = _rate(lambda: [solve(p, level=3, limit=1).text for p in puzzles], n, min_seconds)
    level2, _ = _rate(lambda: [solve(p, level=2, limit=1) for p in puzzles], n, min_seconds)
    batch, _ = _rate(lambda: solve_many(puzzles, level=3, limit=1), n, min_seconds)
    python, expected = _rate(lambda: [baseline.solve(p, limit=1)[0] for p in puzzles], n, min_seconds)
    if answers != expected:
        raise RuntimeError("sudoku speed: the exact solver and the Python baseline disagree")
    guesses = [solve(p, level=1, limit=2).guesses for p in puzzles]
    return {
        "puzzles": n,
        "mean_guesses_level1": float(np.mean(guesses)),
        "solver_puzzles_per_s": api,
        "solver_level2_puzzles_per_s": level2,
        "batch_puzzles_per_s": batch,
        "python_baseline_puzzles_per_s": python,
        "ratio_vs_python_baseline": api / python,
    }


def speed(per_bucket: int, seed: int, min_seconds: float) -> dict[str, Any]:
    """All buckets' figures plus the headline keys for the hard bucket."""
    solve("." * 81)  # load the compiled kernels before timing
    solve_many(["." * 81])
    buckets = {}
    for name, puzzles in collect_puzzles(per_bucket, seed).items():
        if puzzles:
            buckets[name] = measure_bucket(puzzles, min_seconds)
    hard = buckets["hard"]
    return {
        "hard_puzzles_per_s": hard["solver_puzzles_per_s"],
        "python_baseline_hard_puzzles_per_s": hard["python_baseline_puzzles_per_s"],
        "ratio_vs_python_baseline": hard["ratio_vs_python_baseline"],
        "hard_batch_puzzles_per_s": hard["batch_puzzles_per_s"],
        "buckets": buckets,
        "per_bucket": per_bucket,
        "seed": seed,
    }


def _write_report(out: Path, results: dict[str, Any]) -> None:
    import matplotlib.pyplot as plt

    from benchmarks.report import Report

    report = Report("Sudoku solver speed")
    report.text("Puzzles per second, first solution of each puzzle given as text, measured in one run. "
                "Buckets by solver guesses at level 1 (easy < 5, medium 5-19, hard >= 20).")
    keys = ["solver_puzzles_per_s", "solver_level2_puzzles_per_s", "batch_puzzles_per_s",
            "python_baseline_puzzles_per_s", "ratio_vs_python_baseline"]
    rows = [[name, b["puzzles"], b["mean_guesses_level1"]] + [b[k] for k in keys] for name, b in results["buckets"].items()]
    report.table(["bucket", "puzzles", "mean guesses (L1)"] + keys, rows)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = list(results["buckets"])
    x = np.arange(len(names))
    for i, key in enumerate(["solver_puzzles_per_s", "batch_puzzles_per_s", "python_baseline_puzzles_per_s"]):
        ax.bar(x + 0.27 * (i - 1), [results["buckets"][b][key] for b in names], 0.27, label=key)
    ax.set_xticks(x, names)
    ax.set_yscale("log")
    ax.set_ylabel("puzzles / s")
    ax.legend(fontsize=7)
    report.figure("speed.png", fig)
    report.write(out, results)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run a subcommand; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.sudoku", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("speed", help="exact solver vs the plain-Python baseline, puzzles per second")
    sp.add_argument("--per-bucket", type=int, default=100, help="puzzles per difficulty bucket")
    sp.add_argument("--seed", type=int, default=0, help="seed of the generated easy/medium puzzles")
    sp.add_argument("--min-seconds", type=float, default=1.0, help="repeat each measurement at least this long")
    sp.add_argument("--out", help="folder for report.md, report.html, speed.png and results.json")
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.per_bucket < 1 or args.min_seconds < 0:
        raise InputError("--per-bucket must be >= 1 and --min-seconds >= 0")
    results = speed(args.per_bucket, args.seed, args.min_seconds)
    if args.out:
        _write_report(Path(args.out), results)
    if args.json:
        print(json.dumps(results))
    else:
        for name, b in results["buckets"].items():
            print(f"{name:6s} ({b['puzzles']} puzzles, {b['mean_guesses_level1']:.1f} guesses at level 1): "
                  f"solver {b['solver_puzzles_per_s']:.0f}/s, batch {b['batch_puzzles_per_s']:.0f}/s, "
                  f"python baseline {b['python_baseline_puzzles_per_s']:.0f}/s, "
                  f"ratio {b['ratio_vs_python_baseline']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
