"""Sudoku solve rate against search budget: ``python -m benchmarks.sudoku budget``.

``--run RUN [--run RUN2] --nodes 1,4,16,64,256 [--iters 1,2,4,8,16] (--puzzles FILE | --generate N)
[--min-guesses G] [--seed S] [--level L] [--trust T] [--out DIR] [--json]``

For every checkpoint of each training run (:mod:`selfplay.sudoku_train`), on the same test puzzles:

* ``raw``: the network filling greedily with no search (:func:`agents.nets.sudoku_scorer.greedy_fill`);
* ``guided``: network-guided depth-first search (:mod:`search.sudoku.guided`, following the network's
  most confident cell from confidence ``--trust`` on, else a cell with fewest candidates) at deduction level
  ``--level`` (default 1, naked singles: the level difficulty is measured at), solve rate at each node
  budget of ``--nodes``. The search is deterministic and a budget only cuts it short, so one search
  with the largest budget gives every budget: a puzzle is solved within ``N`` nodes when its first
  solution came at ``nodes <= N``;
* the reference ``classical`` depth-first search of the exact solver at the same level (fewest
  candidates first, digits in order) on the same budgets, and ``ratio_vs_classical_dfs``: mean nodes
  of the guided search of each run's last checkpoint over the classical search's, on hard puzzles
  (buckets hard and hardest), unsolved puzzles counted at the largest budget
  (``median_ratio_vs_classical_dfs``: the same with medians); every checkpoint's ``hard_nodes``
  (mean, median) and ratios, so that trained checkpoints can be compared with the untrained one;
* for recurrent networks (last checkpoint): raw and guided solve rates at each of ``--iters``;
* ``value_accuracy``: how often the value's sign is right about "still solvable" on held-out positions
  shown as the search at ``--level`` shows them (after its deductions), ``value_accuracy_undeduced``
  on the same kind of positions without the deductions.

Every answer is checked against the givens and the rules. Figures are per difficulty bucket (solver
guesses at level 1: easy < 5, medium 5-19, hard >= 20; hardest: hard and >= 20 guesses at
level 3, see :func:`benchmarks.sudoku.bucket_of`) and overall. Test puzzles equivalent under a
grid symmetry to a training puzzle of any run (its ``train_puzzles.txt``) are never used: generated
ones are drawn apart, those of ``--puzzles`` are dropped and counted.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
from tqdm import tqdm

from agents.flags import CliParser
from agents.provenance import RunInfo
from agents.nets.checkpoint import list_checkpoints, load_checkpoint
from agents.nets.sudoku_scorer import NetScorer, greedy_fill, load_scorer
from benchmarks.sudoku.speed import BUCKETS, bucket_of
from games.cli import run_cli
from games.core import InputError
from games.sudoku import SudokuGame, canonical_form, check_answer
from games.sudoku.generator import difficulty, generate_puzzles
from games.sudoku.grid import parse_grid, read_puzzle_lines
from search.sudoku import solve, solve_many
from search.sudoku.guided import DEFAULT_TRUST, guided_solve_many
from selfplay.sudoku_train.data import correct_positions, deduce, label, random_wrong_fill, search_positions
from selfplay.sudoku_train.train import TRAIN_PUZZLES_FILE

HARD_BUCKETS = ("hard", "hardest")
"""Buckets of puzzles needing >= 20 guesses at level 1: where ``ratio_vs_classical_dfs`` is measured."""
RECURRENT_KINDS = ("recurrent", "sudoku")
"""Network kinds with an iteration count that can be changed at test time."""


def parse_ints(text: str, name: str, minimum: int) -> list[int]:
    """Sorted distinct integers of a comma list such as ``1,4,16``; InputError if malformed."""
    try:
        values = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise InputError(f"{name} must be a comma-separated list of integers; got '{text}'") from None
    if not values or values[0] < minimum:
        raise InputError(f"{name} needs integers >= {minimum}; got '{text}'")
    return values


def training_forms(runs: list[Path]) -> set[str]:
    """Canonical forms of the training puzzles of every run."""
    forms: set[str] = set()
    for run in runs:
        path = run / TRAIN_PUZZLES_FILE
        if path.is_file():
            forms |= {canonical_form(p) for p in read_puzzle_lines(path.read_text().splitlines())}
    return forms


def load_test_puzzles(args: argparse.Namespace, exclude: set[str]) -> tuple[list[str], int]:
    """(test puzzles apart from ``exclude`` under symmetries, puzzles of ``--puzzles`` dropped)."""
    if args.puzzles is not None:
        try:
            lines = Path(args.puzzles).read_text().splitlines()
        except OSError as err:
            raise InputError(f"cannot read --puzzles file {args.puzzles}: {err.strerror}") from None
        given = read_puzzle_lines(lines)
        kept = [p for p in given if canonical_form(p) not in exclude]
        if not kept:
            raise InputError(f"--puzzles file {args.puzzles} holds no puzzle apart from the training puzzles")
        return kept, len(given) - len(kept)
    if args.generate < 1 or args.min_guesses < 0:
        raise InputError("--generate must be >= 1 and --min-guesses >= 0")
    stream = generate_puzzles(np.random.default_rng(args.seed), args.min_guesses, set(exclude),
                              max_attempts=1000 * args.generate)
    puzzles = [p.puzzle for _, p in zip(range(args.generate), stream)]
    if len(puzzles) < args.generate:
        raise InputError(f"found only {len(puzzles)} puzzles with >= {args.min_guesses} guesses")
    return puzzles, 0


def _solved(grids: np.ndarray, answers: list[np.ndarray | None]) -> np.ndarray:
    """bool [B]: each answer is a checked solution of its puzzle."""
    return np.array([a is not None and check_answer(g, a) is None for g, a in zip(grids, answers)])


def rates(solved: np.ndarray, buckets: list[str]) -> dict[str, float]:
    """Solve rate overall (``all``) and per bucket present."""
    out = {"all": float(np.mean(solved))}
    for name in BUCKETS:
        mask = np.array([b == name for b in buckets])
        if mask.any():
            out[name] = float(np.mean(solved[mask]))
    return out


def search_curve(grids: np.ndarray, scorer: NetScorer | None, budgets: list[int], level: int,
                 buckets: list[str], trust: float = DEFAULT_TRUST) -> dict[str, Any]:
    """Solve rates of a (guided or classical) search at every budget, and its nodes per puzzle."""
    start = time.perf_counter()
    results = guided_solve_many(grids, scorer, max_nodes=budgets[-1], level=level, trust=trust)
    seconds = time.perf_counter() - start
    solved = _solved(grids, [r.solution for r in results])
    nodes = np.array([r.nodes for r in results])
    return {
        "budgets": budgets,
        "solve_rate": {str(n): rates(solved & (nodes <= n), buckets) for n in budgets},
        "nodes": nodes.tolist(),
        "solved": solved.tolist(),
        "evaluations": int(sum(r.evaluations for r in results)),
        "seconds": seconds,
    }


def mean_needed(curve: dict[str, Any], mask: np.ndarray) -> float:
    """Mean nodes to the first solution over the puzzles of ``mask``, unsolved ones counted at the largest budget."""
    nodes = np.where(curve["solved"], curve["nodes"], curve["budgets"][-1])
    return float(np.mean(nodes[mask]))


def median_needed(curve: dict[str, Any], mask: np.ndarray) -> float:
    """Median of the same figure as :func:`mean_needed`."""
    nodes = np.where(curve["solved"], curve["nodes"], curve["budgets"][-1])
    return float(np.median(nodes[mask]))


def add_node_ratios(curve: dict[str, Any], classical: dict[str, Any], mask: np.ndarray) -> None:
    """Store in ``curve`` its mean and median nodes over ``mask`` and their ratios to ``classical``'s."""
    mean, median = mean_needed(curve, mask), median_needed(curve, mask)
    ref_mean, ref_median = mean_needed(classical, mask), median_needed(classical, mask)
    curve["hard_nodes"] = {"mean": mean, "median": median}
    curve["ratio_mean"] = mean / ref_mean if ref_mean > 0 else None
    curve["ratio_median"] = median / ref_median if ref_median > 0 else None


def raw_result(grids: np.ndarray, scorer: NetScorer, buckets: list[str]) -> dict[str, Any]:
    """Solve rate of the network filling greedily, no search."""
    start = time.perf_counter()
    answers, _ = greedy_fill(scorer, grids)
    solved = _solved(grids, list(answers))
    return {"solve_rate": rates(solved, buckets), "seconds": time.perf_counter() - start}


def value_accuracy(grids: np.ndarray, scorer: NetScorer, level: int | None, seed: int = 0) -> float:
    """Share of held-out positions whose value sign says right whether the solver can complete them:
    each test puzzle partly filled from its solution, and once more with one wrong legal digit; with a
    ``level``, both shown after that level's deductions (the states the guided search scores), else as filled.
    """
    rng = np.random.default_rng(seed)
    solutions = solve_many(grids, level=3, limit=1).solutions
    if level is None:
        correct = correct_positions(grids, solutions, rng)
        wrong = random_wrong_fill(correct, solutions, rng)
    else:
        correct = search_positions(grids, solutions, rng, level)
        wrong, _ = deduce(random_wrong_fill(correct, solutions, rng), level)
    positions = np.concatenate([correct, wrong])
    givens = np.concatenate([grids, grids]) > 0
    labels = label(positions, givens, None).value
    return float(np.mean((scorer.values(positions, givens) > 0) == (labels > 0)))


def measure_run(run: Path, grids: np.ndarray, budgets: list[int], iters: list[int], level: int,
                buckets: list[str], trust: float = DEFAULT_TRUST, bar: tqdm | None = None) -> dict[str, Any]:
    """Every checkpoint of ``run``: raw and guided; recurrent last checkpoint: both at every ``iters``.
    ``bar`` (optional) advances by one per checkpoint and per iteration count (see :func:`steps_of`)."""
    game = SudokuGame()
    paths = list_checkpoints(run)
    if not paths:
        raise InputError(f"run {run} has no checkpoints")
    checkpoints = []
    for path in paths:
        if bar is not None:
            bar.set_postfix_str(f"{run} {path.name}", refresh=False)
        ckpt = load_checkpoint(path)
        scorer = load_scorer(str(path), game)
        checkpoints.append({
            "path": str(path), "steps": ckpt.metadata.learner_steps, "samples": ckpt.metadata.samples,
            "train_seconds": ckpt.metadata.wall_seconds, "kind": ckpt.network.kind,
            "train_iters": ckpt.network.iters if ckpt.network.kind in RECURRENT_KINDS else None,
            "raw": raw_result(grids, scorer, buckets),
            "guided": search_curve(grids, scorer, budgets, level, buckets, trust),
            "value_accuracy": value_accuracy(grids, scorer, level),
            "value_accuracy_undeduced": value_accuracy(grids, scorer, None),
        })
        if bar is not None:
            bar.update(1)
    by_iters = {}
    last = checkpoints[-1]
    if last["kind"] in RECURRENT_KINDS:
        for k in iters:
            if bar is not None:
                bar.set_postfix_str(f"{run} {Path(last['path']).name} at {k} iterations", refresh=False)
            scorer = load_scorer(last["path"], game, iters=k)
            by_iters[str(k)] = {"raw": raw_result(grids, scorer, buckets),
                                "guided": search_curve(grids, scorer, budgets, level, buckets, trust)}
            if bar is not None:
                bar.update(1)
    return {"run": str(run), "checkpoints": checkpoints, "iters": by_iters}


def steps_of(run: Path, iters: list[int]) -> int:
    """Measurements of ``run`` counted by the progress bar: one per checkpoint (raw, guided search, value
    accuracy), and for a recurrent network one per iteration count of its last checkpoint."""
    paths = list_checkpoints(run)
    recurrent = bool(paths) and load_checkpoint(paths[-1]).network.kind in RECURRENT_KINDS
    return len(paths) + (len(iters) if recurrent else 0)


def budget(args: argparse.Namespace, progress: bool = False) -> dict[str, Any]:
    """The whole measurement (see the module docstring); ``progress``: a bar on stderr (rate, time left)."""
    budgets = parse_ints(args.nodes, "--nodes", 0)
    iters = parse_ints(args.iters, "--iters", 1)
    if not 0 <= args.level <= 3:
        raise InputError(f"--level must be 0..3; got {args.level}")
    if not args.trust >= 0:
        raise InputError(f"--trust must be >= 0; got {args.trust}")
    runs = [Path(r) for r in args.run]
    for run in runs:
        if not list_checkpoints(run):
            raise InputError(f"run {run} has no checkpoints (runs/NAME/checkpoints/*.pt)")
    puzzles, dropped = load_test_puzzles(args, training_forms(runs))
    grids = np.stack([parse_grid(p) for p in puzzles])
    buckets = [bucket_of(difficulty(g), solve(g, level=3, limit=2).guesses) for g in grids]
    hard = np.array([b in HARD_BUCKETS for b in buckets])
    classical = search_curve(grids, None, budgets, args.level, buckets)
    total = sum(steps_of(run, iters) for run in runs)
    with tqdm(total=total, desc="budget", unit="search", file=sys.stderr, disable=None if progress else True,
              dynamic_ncols=True) as bar:
        results = [measure_run(run, grids, budgets, iters, args.level, buckets, args.trust, bar) for run in runs]
    mask = hard if hard.any() else np.ones(len(grids), dtype=bool)
    add_node_ratios(classical, classical, mask)
    for res in results:
        for curve in [c["guided"] for c in res["checkpoints"]] + [v["guided"] for v in res["iters"].values()]:
            add_node_ratios(curve, classical, mask)
        last = res["checkpoints"][-1]["guided"]
        res["ratio_vs_classical_dfs"] = last["ratio_mean"]
        res["median_ratio_vs_classical_dfs"] = last["ratio_median"]
        res["untrained_ratio_vs_classical_dfs"] = res["checkpoints"][0]["guided"]["ratio_mean"]
        res["ratio_bucket"] = "hard+hardest" if hard.any() else "all"
    ratios = [(r["ratio_vs_classical_dfs"], i) for i, r in enumerate(results) if r["ratio_vs_classical_dfs"] is not None]
    best = results[min(ratios)[1]] if ratios else None
    return {
        "ratio_vs_classical_dfs": best["ratio_vs_classical_dfs"] if best else None,
        "median_ratio_vs_classical_dfs": best["median_ratio_vs_classical_dfs"] if best else None,
        "untrained_ratio_vs_classical_dfs": best["untrained_ratio_vs_classical_dfs"] if best else None,
        "ratio_run": best["run"] if best else None, "ratio_bucket": "hard+hardest" if hard.any() else "all",
        "puzzles": len(puzzles), "dropped_as_training_equivalents": dropped, "level": args.level,
        "trust": args.trust,
        "budgets": budgets, "iters": iters, "seed": args.seed,
        "bucket_counts": {b: buckets.count(b) for b in BUCKETS if b in buckets},
        "test_puzzles": puzzles, "classical": classical, "runs": results,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, measure, print (``--json``: one object), write the report; returns the exit status."""
    from benchmarks.sudoku.budget_report import print_summary, write_report

    p = CliParser(prog="python -m benchmarks.sudoku budget", description=__doc__.splitlines()[0])
    p.add_argument("--run", action="append", required=True, help="training run folder (repeatable)")
    p.add_argument("--nodes", default="1,4,16,64,256", help="node budgets, comma-separated")
    p.add_argument("--iters", default="1,2,4,8,16", help="recurrent iterations, comma-separated")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--puzzles", help="file of test puzzles, one per line")
    source.add_argument("--generate", type=int, help="generate this many test puzzles")
    p.add_argument("--min-guesses", type=int, default=0, help="difficulty of generated puzzles")
    p.add_argument("--seed", type=int, default=1000, help="seed of the generated test puzzles")
    p.add_argument("--level", type=int, default=1, help="deduction level of both searches (0..3)")
    p.add_argument("--trust", type=float, default=DEFAULT_TRUST,
                   help="confidence from which guided search follows the network's most confident cell")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's; 1 is fastest "
                   "on a busy machine)")
    p.add_argument("--out", help="folder for report.md, report.html, PNG plots and results.json")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    provenance = RunInfo.begin(p.prog, argv)
    if args.threads is not None:
        if args.threads < 1:
            raise InputError(f"--threads must be >= 1; got {args.threads}")
        torch.set_num_threads(args.threads)
    results = budget(args, progress=True)
    if args.out:
        results = write_report(Path(args.out), results, provenance)
    else:
        results["provenance"] = provenance.to_json()
    if args.json:
        print(json.dumps(results))
    else:
        print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
