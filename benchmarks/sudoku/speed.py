"""Sudoku benchmarks: ``python -m benchmarks.sudoku speed|hardest|budget|think``.

* ``speed [--json] [--out DIR]``: puzzles per second of the exact solver against a plain-Python baseline;
* ``hardest --count N --seed S --min-guesses G --out FILE``: write puzzles that stay hard at level 3;
* ``budget --run RUN (--puzzles FILE | --generate N) [--out DIR]``: solve rate of network-guided search
  against its node budget (:mod:`benchmarks.sudoku.budget`; its own options, ``budget --help``);
* ``think --run RUN | --checkpoint PATH [--out DIR]``: a thinking network's raw solve rate against its
  iterations, halting, and the exchange rate between iterations and guided-search nodes
  (:mod:`benchmarks.sudoku.think`; ``think --help``).

``speed`` measures, in one run, how many puzzles per second the exact solver solves per difficulty
bucket, against the plain-Python constraint-propagation baseline (:mod:`benchmarks.sudoku.python_baseline`)
on the same puzzles, given as text. Buckets: easy (< 5 guesses at level 1, naked singles only), medium
(5..19), hard (>= 20 at level 1: the shipped ``games/sudoku/data/hard.txt``, mild for stronger
deductions) and hardest (>= 20 guesses even at level 3: ``games/sudoku/data/hardest.txt``). Easy and
medium puzzles are generated with ``--seed`` (minimal puzzles, and puzzles stopped at 30 clues).

Both solvers find the first solution (limit 1) of each puzzle, text in, solution out; every answer of
both is checked to be the same solution. Rates are puzzles per second of CPU time of the (single-threaded)
process, so that other work on the machine does not skew one solver's figure. Figures per bucket:

* ``batch_puzzles_per_s``: :func:`search.sudoku.solve_many` at level 3 -- the texts parsed and checked in
  one array operation, all puzzles solved in one compiled call: the solver's throughput;
* ``solver_puzzles_per_s``: one :func:`search.sudoku.solve` call per puzzle at level 3 (Python overhead of
  a call, parsing and result object included), ``solver_level2_puzzles_per_s`` the same at level 2 (the
  baseline's deductions);
* ``python_baseline_puzzles_per_s``; ``ratio_vs_python_baseline`` = batch / baseline and
  ``api_ratio_vs_python_baseline`` = per-call / baseline.

Headline keys: ``hard_puzzles_per_s`` (= ``hard_batch_puzzles_per_s``), ``hard_api_puzzles_per_s``,
``python_baseline_hard_puzzles_per_s``, ``ratio_vs_python_baseline`` (hard bucket, batch / baseline),
``api_ratio_vs_python_baseline``, and the same ``hardest_*`` keys for the hardest bucket.

``hardest`` writes a hardest set: generated minimal puzzles (hard at level 1, not equivalent to any
puzzle of ``hard.txt``) kept when the solver still needs ``--min-guesses`` guesses at level 3.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from agents.flags import CliParser
from agents.provenance import RunInfo
from benchmarks.sudoku import python_baseline as baseline
from games.core import InputError
from games.sudoku.canonical import canonical_form
from games.sudoku.generator import HARD_GUESSES, difficulty, generate_puzzle, generate_puzzles
from games.sudoku.grid import format_grid, read_puzzle_lines
from search.sudoku import solve, solve_many

DATA = Path(__file__).resolve().parents[2] / "games" / "sudoku" / "data"
"""Folder of the shipped puzzle sets."""
HARD_FILE = DATA / "hard.txt"
"""The shipped hard puzzles (>= 20 guesses at level 1)."""
HARDEST_FILE = DATA / "hardest.txt"
"""The shipped hardest puzzles (>= :data:`HARDEST_GUESSES` guesses at level 3)."""
EASY_MAX_GUESSES = 5
"""Puzzles with fewer guesses at level 1 are easy; from here up to HARD_GUESSES, medium."""
HARDEST_GUESSES = 20
"""Puzzles needing at least this many guesses at level 3 (limit 2) are in the hardest bucket."""
BUCKETS = ("easy", "medium", "hard", "hardest")
"""Difficulty buckets, easiest first."""


def bucket_of(guesses: int, guesses_level3: int = 0) -> str:
    """The bucket of a puzzle needing ``guesses`` guesses at level 1 and ``guesses_level3`` at level 3."""
    if guesses >= HARD_GUESSES and guesses_level3 >= HARDEST_GUESSES:
        return "hardest"
    return "easy" if guesses < EASY_MAX_GUESSES else "medium" if guesses < HARD_GUESSES else "hard"


def collect_puzzles(per_bucket: int, seed: int) -> dict[str, list[str]]:
    """``per_bucket`` puzzles for each bucket: hard and hardest from the shipped files, the others generated."""
    hard = read_puzzle_lines(HARD_FILE.read_text().splitlines())[:per_bucket]
    hardest = read_puzzle_lines(HARDEST_FILE.read_text().splitlines())[:per_bucket]
    found: dict[str, list[str]] = {"easy": [], "medium": [], "hard": hard, "hardest": hardest}
    rng = np.random.default_rng(seed)
    for attempt in range(200 * per_bucket):
        if len(found["easy"]) >= per_bucket and len(found["medium"]) >= per_bucket:
            break
        puzzle, _ = generate_puzzle(rng, min_clues=30 if attempt % 2 == 0 else 0)
        name = bucket_of(difficulty(puzzle))
        if name in ("easy", "medium") and len(found[name]) < per_bucket:
            found[name].append(format_grid(puzzle))
    return found


def build_hardest(count: int, seed: int, min_guesses: int, max_attempts: int) -> list[str]:
    """``count`` generated puzzles needing >= ``min_guesses`` guesses at level 3 (limit 2), none equivalent
    to a puzzle of ``hard.txt`` or to each other; InputError when ``max_attempts`` candidates do not suffice."""
    exclude = {canonical_form(t) for t in read_puzzle_lines(HARD_FILE.read_text().splitlines())}
    found: list[str] = []
    stream = generate_puzzles(np.random.default_rng(seed), HARD_GUESSES, exclude, max_attempts)
    for item in stream:
        if solve(item.puzzle, level=3, limit=2).guesses >= min_guesses:
            found.append(item.puzzle)
            if len(found) == count:
                return found
    raise InputError(f"found only {len(found)} puzzles with >= {min_guesses} guesses at level 3 "
                     f"in {max_attempts} attempts")


def _rate(run_once: Callable[[], Any], count: int, min_seconds: float) -> tuple[float, Any]:
    """(puzzles per second, last result) running ``run_once`` (``count`` puzzles) for at least ``min_seconds``.

    Seconds are this process's CPU time (``time.process_time``; every solver here is single-threaded), so
    that other jobs on a shared machine do not count against whichever solver happens to run alongside them.
    """
    runs = 0
    start = time.process_time()
    while True:
        result = run_once()
        runs += 1
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return runs * count / elapsed, result


def measure_bucket(puzzles: list[str], min_seconds: float) -> dict[str, Any]:
    """Speed figures of one bucket (see the module docstring); checks that all solvers agree."""
    n = len(puzzles)
    batch, batch_result = _rate(lambda: solve_many(puzzles, level=3, limit=1), n, min_seconds)
    api, answers = _rate(lambda: [solve(p, level=3, limit=1).text for p in puzzles], n, min_seconds)
    level2, _ = _rate(lambda: [solve(p, level=2, limit=1) for p in puzzles], n, min_seconds)
    python, expected = _rate(lambda: [baseline.solve(p, limit=1)[0] for p in puzzles], n, min_seconds)
    if answers != expected or [format_grid(g) for g in batch_result.solutions] != expected:
        raise RuntimeError("sudoku speed: the exact solver and the Python baseline disagree")
    level1 = solve_many(puzzles, level=1, limit=2).guesses
    level3 = solve_many(puzzles, level=3, limit=2).guesses
    return {
        "puzzles": n,
        "mean_guesses_level1": float(np.mean(level1)),
        "mean_guesses_level3": float(np.mean(level3)),
        "batch_puzzles_per_s": batch,
        "solver_puzzles_per_s": api,
        "solver_level2_puzzles_per_s": level2,
        "python_baseline_puzzles_per_s": python,
        "ratio_vs_python_baseline": batch / python,
        "api_ratio_vs_python_baseline": api / python,
    }


def speed(per_bucket: int, seed: int, min_seconds: float) -> dict[str, Any]:
    """All buckets' figures plus the headline keys for the hard and hardest buckets."""
    solve("." * 81)  # load the compiled kernels before timing
    solve_many(["." * 81])
    buckets = {}
    for name, puzzles in collect_puzzles(per_bucket, seed).items():
        if puzzles:
            buckets[name] = measure_bucket(puzzles, min_seconds)
    results: dict[str, Any] = {}
    for name in ("hard", "hardest"):
        b = buckets[name]
        results.update({
            f"{name}_puzzles_per_s": b["batch_puzzles_per_s"],
            f"{name}_batch_puzzles_per_s": b["batch_puzzles_per_s"],
            f"{name}_api_puzzles_per_s": b["solver_puzzles_per_s"],
            f"python_baseline_{name}_puzzles_per_s": b["python_baseline_puzzles_per_s"],
        })
    results.update({
        "ratio_vs_python_baseline": buckets["hard"]["ratio_vs_python_baseline"],
        "api_ratio_vs_python_baseline": buckets["hard"]["api_ratio_vs_python_baseline"],
        "hardest_ratio_vs_python_baseline": buckets["hardest"]["ratio_vs_python_baseline"],
        "hardest_api_ratio_vs_python_baseline": buckets["hardest"]["api_ratio_vs_python_baseline"],
        "buckets": buckets,
        "per_bucket": per_bucket,
        "seed": seed,
    })
    return results


_TABLE_KEYS = ["batch_puzzles_per_s", "solver_puzzles_per_s", "solver_level2_puzzles_per_s",
               "python_baseline_puzzles_per_s", "ratio_vs_python_baseline", "api_ratio_vs_python_baseline"]
"""Columns of the report's table, after the bucket's size and mean guesses."""


def _write_report(out: Path, results: dict[str, Any], provenance: RunInfo) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    from benchmarks.report import Report

    report = Report("Sudoku solver speed")
    report.text("Puzzles per second, first solution of each puzzle given as text, measured in one run. "
                "Buckets by solver guesses: easy < 5, medium 5-19, hard >= 20 at level 1 (naked singles); "
                "hardest >= 20 also at level 3. batch = all puzzles of a bucket in one compiled call (text "
                "parsing included); solver = one `solve` call per puzzle; ratios against the plain-Python "
                "constraint-propagation baseline.")
    rows = [[name, b["puzzles"], b["mean_guesses_level1"], b["mean_guesses_level3"]] + [b[k] for k in _TABLE_KEYS]
            for name, b in results["buckets"].items()]
    report.table(["bucket", "puzzles", "mean guesses (L1)", "mean guesses (L3)"] + _TABLE_KEYS, rows)
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    names = list(results["buckets"])
    x = np.arange(len(names))
    for i, key in enumerate(["batch_puzzles_per_s", "solver_puzzles_per_s", "python_baseline_puzzles_per_s"]):
        ax.bar(x + 0.27 * (i - 1), [results["buckets"][b][key] for b in names], 0.27, label=key)
    ax.set_xticks(x, names)
    ax.set_yscale("log")
    ax.set_ylabel("puzzles / s")
    ax.legend(fontsize=7)
    report.figure("speed.png", fig)
    return report.write(out, results, provenance)


def _print_speed(results: dict[str, Any]) -> None:
    for name, b in results["buckets"].items():
        print(f"{name:7s} ({b['puzzles']} puzzles, {b['mean_guesses_level1']:.1f} guesses at level 1, "
              f"{b['mean_guesses_level3']:.1f} at level 3): batch {b['batch_puzzles_per_s']:.0f}/s, "
              f"per call {b['solver_puzzles_per_s']:.0f}/s, "
              f"python baseline {b['python_baseline_puzzles_per_s']:.0f}/s, "
              f"ratio {b['ratio_vs_python_baseline']:.1f}x (per call {b['api_ratio_vs_python_baseline']:.1f}x)")


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run a subcommand; returns the exit status."""
    arglist = list(sys.argv[1:] if argv is None else argv)
    if arglist[:1] == ["budget"]:  # solve rate against search budget: benchmarks.sudoku.budget
        from benchmarks.sudoku.budget import main as budget_main

        return budget_main(arglist[1:])
    if arglist[:1] == ["think"]:  # thinking (iterations) against searching (nodes): benchmarks.sudoku.think
        from benchmarks.sudoku.think import main as think_main

        return think_main(arglist[1:])
    parser = CliParser(prog="python -m benchmarks.sudoku", description="\n\n".join(__doc__.split("\n\n")[:2]),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("speed", help="exact solver vs the plain-Python baseline, puzzles per second",
                        description="Puzzles per second of the exact solver per difficulty bucket, against the "
                                    "plain-Python constraint-propagation baseline on the same puzzles, in one run.")
    sp.add_argument("--per-bucket", type=int, default=100, help="puzzles per difficulty bucket")
    sp.add_argument("--seed", type=int, default=0, help="seed of the generated easy/medium puzzles")
    sp.add_argument("--min-seconds", type=float, default=1.0, help="repeat each measurement at least this long")
    sp.add_argument("--out", help="folder for report.md, report.html, speed.png and results.json")
    sp.add_argument("--json", action="store_true", help="print one JSON object")
    hp = sub.add_parser("hardest", help="write puzzles that need many guesses even at level 3",
                        description="Write a hardest set: generated minimal puzzles kept when the exact solver "
                                    "still needs --min-guesses guesses at deduction level 3.")
    hp.add_argument("--count", type=int, default=100, help="puzzles to write")
    hp.add_argument("--seed", type=int, default=0, help="random seed (the output is repeatable)")
    hp.add_argument("--min-guesses", type=int, default=HARDEST_GUESSES, help="guesses at level 3, limit 2")
    hp.add_argument("--max-attempts", type=int, default=None, help="candidates to try (default 1000 per puzzle)")
    hp.add_argument("--out", required=True, help="output file (one puzzle per line)")
    hp.add_argument("--json", action="store_true", help="print one JSON summary object")
    sub.add_parser("budget", help="solve rate of network-guided search against its node budget (see python -m "
                                  "benchmarks.sudoku budget --help)", add_help=False)
    sub.add_parser("think", help="a thinking network's solve rate against iterations, halting, and the exchange rate "
                                 "with guided-search nodes (see python -m benchmarks.sudoku think --help)", add_help=False)
    args = parser.parse_args(arglist)
    if args.command == "hardest":
        return _hardest_command(args)
    provenance = RunInfo.begin(parser.prog, arglist)
    if args.per_bucket < 1 or args.min_seconds < 0:
        raise InputError("--per-bucket must be >= 1 and --min-seconds >= 0")
    results = speed(args.per_bucket, args.seed, args.min_seconds)
    if args.out:
        results = _write_report(Path(args.out), results, provenance)
    else:
        results["provenance"] = provenance.to_json()
    if args.json:
        print(json.dumps(results))
    else:
        _print_speed(results)
    return 0


def _hardest_command(args: argparse.Namespace) -> int:
    if args.count < 1 or args.min_guesses < 0:
        raise InputError("--count must be >= 1 and --min-guesses >= 0")
    start = time.perf_counter()
    puzzles = build_hardest(args.count, args.seed, args.min_guesses, args.max_attempts or 1000 * args.count)
    try:
        Path(args.out).write_text("".join(p + "\n" for p in puzzles))
    except OSError as err:
        raise InputError(f"cannot write {args.out}: {err.strerror}") from None
    summary = {"puzzles": len(puzzles), "out": args.out, "seed": args.seed, "min_guesses": args.min_guesses,
               "seconds": time.perf_counter() - start}
    print(json.dumps(summary) if args.json else f"wrote {len(puzzles)} puzzles to {args.out}")
    return 0

