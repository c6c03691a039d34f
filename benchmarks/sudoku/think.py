"""Thinking against searching: ``python -m benchmarks.sudoku think``.

``--checkpoint PATH [--checkpoint PATH2 ...] | --run RUN [--last N]`` ``[--iters 1,2,4,...,64]
[--guided-iters 1,4,16] [--nodes 1,4,16,64,256] [--puzzles FILE ...] [--per-bucket N] [--out DIR] [--json]``

For every checkpoint of a thinking network (kind ``sudoku_think``), on held-out puzzles by difficulty
bucket (easy, medium, hard, hardest: the shipped ``games/sudoku/data/*.txt`` by default; 9x9 only, the
network's input is a 9x9 grid):

* **think curve**: raw solve rate (one pass, no search) after each of ``--iters`` iterations, past the
  training depth m;
* **no overthinking**: the rate at 2m and 4m against the rate at m, bucket by bucket (the targets: never
  lower; on the hardest bucket strictly higher at 4m);
* **halting**: solve rate and mean iterations of each halting mode (``rule``: stop when the grid read is a
  solution, ``head``: the learned halting head, ``both``), capped at the largest count, against the best
  fixed depth: ``iteration_ratio`` = best fixed depth / mean iterations (target 1.5 or more at the same rate);
* **guided search**: network-guided depth-first search at deduction level ``--level`` with the network at
  each of ``--guided-iters`` iterations, solve rate at each node budget of ``--nodes``, against classical
  depth-first search at the same level (``ratio_vs_classical_dfs``: mean nodes to the first solution on hard
  and hardest puzzles, unsolved ones counted at the largest budget, for the best K);
* **exchange rate** (:mod:`benchmarks.sudoku.think_fit`): a plane through the log-odds of the solve rate over
  (log iterations, log nodes): "10x search buys what k x thinking buys", and at equal CPU time the ratio r of
  what a decade of CPU time buys by searching and by thinking, with bootstrap intervals over puzzles;
* the exact solver's time per puzzle on the same puzzles, for scale.

Test puzzles equivalent under a grid symmetry to a puzzle a checkpoint was trained on are dropped and
counted, checked against the run's record (``train_forms.u64``, else ``train_puzzles.txt``, else only
puzzles listed in ``heldout_forms.txt`` are kept; a run with none of them is refused). Plots are titled
with the checkpoints' names (``runs/NAME 002000.pt``).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch

from agents.flags import CliParser
from agents.nets.checkpoint import CheckpointError, list_checkpoints, load_checkpoint, load_network
from agents.nets.sudoku_scorer import NetScorer
from agents.nets.evaluator import TorchEvaluator
from agents.provenance import RunInfo
from benchmarks.sudoku.budget import parse_ints
from benchmarks.sudoku.speed import BUCKETS, bucket_of
from benchmarks.sudoku.think_fit import GridCell, exchange_rate
from benchmarks.sudoku.think_measure import budget_cells, clock, guided_trace, halting, think_curve
from games.cli import run_cli
from games.core import InputError
from games.sudoku import SudokuGame, canonical_form
from games.sudoku.generator import difficulty
from games.sudoku.grid import parse_grid
from search.sudoku import solve, solve_many
from search.sudoku.guided import DEFAULT_TRUST
from selfplay.sudoku_think.data import HELDOUT_FILES, HELDOUT_FORMS_FILE, form_hash, read_puzzle_file, read_train_forms
from selfplay.sudoku_train.train import TRAIN_PUZZLES_FILE

HARD_BUCKETS = ("hard", "hardest")
"""Where ``ratio_vs_classical_dfs`` is measured."""
MODES = ("rule", "head", "both")
"""Halting modes measured."""


def checkpoint_label(path: str | Path) -> str:
    """``runs/NAME 002000.pt``: the run folder as given and the checkpoint file (plot titles and legends)."""
    p = Path(path)
    return f"{p.parent.parent} {p.name}" if p.parent.name == "checkpoints" else str(p)


def rates(solved: np.ndarray, buckets: list[str]) -> dict[str, float]:
    """Solve rate overall (``all``) and per bucket present."""
    out = {"all": float(np.mean(solved))}
    for name in BUCKETS:
        mask = np.array([b == name for b in buckets])
        if mask.any():
            out[name] = float(np.mean(solved[mask]))
    return out


def kept_apart(puzzles: list[str], folders: list[Path]) -> list[bool]:
    """For each puzzle: no run of ``folders`` trained on it (module docstring); InputError for a run without
    a record."""
    keep = [True] * len(puzzles)
    forms = [canonical_form(p) for p in puzzles]
    for folder in folders:
        hashes = read_train_forms(folder)
        if hashes is not None:
            seen = np.isin(np.array([form_hash(f) for f in forms], dtype=np.uint64), hashes)
        elif (folder / TRAIN_PUZZLES_FILE).is_file():
            trained = {canonical_form(p) for p in read_puzzle_file(folder / TRAIN_PUZZLES_FILE)}
            seen = np.array([f in trained for f in forms])
        elif (folder / HELDOUT_FORMS_FILE).is_file():
            heldout = set((folder / HELDOUT_FORMS_FILE).read_text().split())
            seen = np.array([f not in heldout for f in forms])
        else:
            raise InputError(f"{folder} has no record of its training puzzles ({read_train_forms.__module__}: "
                             f"train_forms.u64, {TRAIN_PUZZLES_FILE} or {HELDOUT_FORMS_FILE}); cannot check the "
                             "test puzzles against it")
        keep = [k and not s for k, s in zip(keep, seen)]
    return keep


def record_folders(paths: list[Path]) -> list[Path]:
    """The folder holding each checkpoint's training record: the run folder (``RUN/checkpoints/x.pt``), else
    the checkpoint's own folder."""
    folders = []
    for p in paths:
        run = p.parent.parent if p.parent.name == "checkpoints" else p.parent
        if run not in folders:
            folders.append(run)
    return folders


def test_set(files: list[str], per_bucket: int, paths: list[Path]) -> dict[str, Any]:
    """The test puzzles (first ``per_bucket`` of each bucket, distinct, never trained on), their solutions,
    buckets and the exact solver's seconds per puzzle."""
    seen, texts, dropped = set(), [], 0
    for f in files:
        for p in read_puzzle_file(f):
            form = canonical_form(p)
            if form not in seen:
                seen.add(form)
                texts.append(p)
    keep = kept_apart(texts, record_folders(paths))
    dropped = keep.count(False)
    texts = [t for t, k in zip(texts, keep) if k]
    grids = np.stack([parse_grid(t) for t in texts])
    buckets = [bucket_of(difficulty(g), solve(g, level=3, limit=2).guesses) for g in grids]
    chosen = [i for name in BUCKETS for i in [j for j, b in enumerate(buckets) if b == name][:per_bucket]]
    if not chosen:
        raise InputError("no test puzzle left apart from the training puzzles")
    grids = grids[chosen]
    solved = solve_many(grids, level=3, limit=1)
    solve_many(grids[:1], level=3, limit=1)
    exact = solve_many(grids, level=3, limit=1).seconds / len(grids)
    return {"texts": [texts[i] for i in chosen], "grids": grids, "solutions": solved.solutions,
            "buckets": [buckets[i] for i in chosen], "dropped": dropped, "exact_seconds_per_puzzle": exact}


def overthinking_check(by_k: dict[int, dict[str, float]], m: int) -> dict[str, Any]:
    """The no-overthinking targets from solve rates by iteration count and bucket (``by_k[K][bucket]``, K
    including m, 2m and 4m): per bucket the rates at 1x, 2x and 4x the training depth ``m`` and ``ok`` (2x
    and 4x at least 1x); ``no_overthinking`` (every bucket ok) and ``hardest_higher_at_4x`` (None without
    a hardest bucket)."""
    by_bucket = {}
    for name in by_k[m]:
        one, two, four = by_k[m][name], by_k[2 * m][name], by_k[4 * m][name]
        by_bucket[name] = {"1x": one, "2x": two, "4x": four, "ok": two >= one and four >= one}
    hardest = by_bucket.get("hardest")
    return {"train_iters": m, "by_bucket": by_bucket, "no_overthinking": all(v["ok"] for v in by_bucket.values()),
            "hardest_higher_at_4x": None if hardest is None else hardest["4x"] > hardest["1x"]}


def choose_checkpoints(args: argparse.Namespace) -> list[Path]:
    """``--checkpoint`` paths, or the last ``--last`` checkpoints of ``--run``."""
    if args.checkpoint:
        return [Path(p) for p in args.checkpoint]
    found = list_checkpoints(args.run)
    if not found:
        raise InputError(f"run {args.run} has no checkpoints (RUN/checkpoints/*.pt)")
    return found[-args.last:] if args.last > 0 else found


def measure_checkpoint(path: Path, test: dict[str, Any], args: argparse.Namespace, classical: dict[str, Any],
                       device: torch.device, search: bool = True) -> dict[str, Any]:
    """Every measurement of the module docstring for one checkpoint (``search``: guided search and the exchange
    rate too)."""
    model, ckpt = load_network(path, SudokuGame(), device=str(device))
    if ckpt.network.kind != "sudoku_think":
        raise InputError(f"{path} is a {ckpt.network.kind} network; the think benchmark needs a sudoku_think one")
    m = ckpt.network.iters
    iters = sorted(set(parse_ints(args.iters, "--iters", 1)) | {m, 2 * m, 4 * m})
    grids, solutions, buckets = test["grids"], test["solutions"], test["buckets"]
    curve = think_curve(model, grids, solutions, iters, device)  # type: ignore[arg-type]
    by_k = {k: rates(curve["solved"][k], buckets) for k in iters}
    best = max(iters, key=lambda k: (by_k[k]["all"], -k))
    halts = {}
    for mode in MODES:
        h = halting(model, grids, solutions, max(iters), mode, device, args.patience)  # type: ignore[arg-type]
        halts[mode] = {"solve_rate": rates(h["solved"], buckets), "mean_iterations": float(h["iterations"].mean()),
                       "iteration_ratio": best / float(h["iterations"].mean()),
                       "rate_minus_best_fixed": float(h["solved"].mean()) - by_k[best]["all"],
                       "seconds_per_puzzle": h["seconds"], "iterations": h["iterations"].tolist(),
                       "solved": h["solved"].tolist()}
    guided, cells = {}, []
    budgets = parse_ints(args.nodes, "--nodes", 1)
    for k in parse_ints(args.guided_iters, "--guided-iters", 1) if search else []:
        scorer = NetScorer(TorchEvaluator(model, device=str(device), iters=k))
        trace = guided_trace(grids, scorer, budgets[-1], args.level, args.trust, clock(device))
        per_budget = budget_cells(trace, budgets)
        guided[str(k)] = summarize_search(trace, per_budget, budgets, buckets, classical)
        cells += [GridCell(k, n, c["solved"], c["seconds"]) for n, c in per_budget.items()]
    best_guided = min(guided, key=lambda k: guided[k]["ratio_mean"]) if guided else None
    return {
        "path": str(path), "label": checkpoint_label(path), "steps": ckpt.metadata.learner_steps,
        "train_seconds": ckpt.metadata.wall_seconds, "train_iters": m, "channels": ckpt.network.channels,
        "blocks": ckpt.network.blocks,
        "think": {"iters": iters, "solve_rate": {str(k): by_k[k] for k in iters},
                  "seconds_per_puzzle": {str(k): curve["seconds"][k] for k in iters},
                  "solved": {str(k): curve["solved"][k].tolist() for k in iters}},
        "best_fixed": {"iters": best, "solve_rate": by_k[best]},
        "halting": halts,
        "overthinking": overthinking_check(by_k, m),
        "guided": guided, "guided_best_iters": best_guided,
        "ratio_vs_classical_dfs": guided[best_guided]["ratio_mean"] if best_guided else None,
        "exchange": exchange_rate(cells, replicates=args.bootstrap, seed=args.seed),
    }


def summarize_search(trace: dict[str, Any], per_budget: dict[int, dict[str, np.ndarray]], budgets: list[int],
                     buckets: list[str], classical: dict[str, Any] | None) -> dict[str, Any]:
    """Solve rates and CPU seconds per budget, nodes on hard puzzles and their ratio to the classical search."""
    hard = np.array([b in HARD_BUCKETS for b in buckets])
    mask = hard if hard.any() else np.ones(len(buckets), dtype=bool)
    needed = np.where(trace["solved"], trace["nodes"], budgets[-1])[mask]
    out = {"budgets": budgets, "solve_rate": {str(n): rates(c["solved"], buckets) for n, c in per_budget.items()},
           "seconds_per_puzzle": {str(n): float(c["seconds"].mean()) for n, c in per_budget.items()},
           "nodes": trace["nodes"].tolist(), "solved": trace["solved"].tolist(),
           "evaluations": trace["evaluations"], "hard_nodes": {"mean": float(needed.mean()),
                                                                "median": float(np.median(needed))}}
    if classical is not None:
        ref = classical["hard_nodes"]
        out["ratio_mean"] = out["hard_nodes"]["mean"] / ref["mean"] if ref["mean"] > 0 else None
        out["ratio_median"] = out["hard_nodes"]["median"] / ref["median"] if ref["median"] > 0 else None
    return out


def think_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """The whole measurement (module docstring)."""
    if (not 0 <= args.level <= 3 or not args.trust >= 0 or args.per_bucket < 1 or args.patience < 0
            or args.bootstrap < 0 or args.guided_last < 0):
        raise InputError("need --level 0..3, --trust >= 0, --per-bucket >= 1, --patience >= 0, --bootstrap >= 0 and "
                         "--guided-last >= 0")
    for text, name in ((args.iters, "--iters"), (args.guided_iters, "--guided-iters"), (args.nodes, "--nodes")):
        parse_ints(text, name, 1)  # refuse bad lists before any long measurement
    device = torch.device(args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA device is available")
    paths = choose_checkpoints(args)
    for p in paths:
        try:
            load_checkpoint(p)
        except CheckpointError as err:
            raise InputError(str(err)) from None
    test = test_set(list(args.puzzles or HELDOUT_FILES), args.per_bucket, paths)
    budgets = parse_ints(args.nodes, "--nodes", 1)
    trace = guided_trace(test["grids"], None, budgets[-1], args.level, args.trust)
    classical = summarize_search(trace, budget_cells(trace, budgets), budgets, test["buckets"], None)
    searched = len(paths) - args.guided_last if args.guided_last > 0 else 0
    checkpoints = [measure_checkpoint(p, test, args, classical, device, i >= searched) for i, p in enumerate(paths)]
    last = checkpoints[-1]
    hard_rate = {k: v.get("hard", v["all"]) for k, v in last["think"]["solve_rate"].items()}
    best_hard = max(hard_rate, key=lambda k: (hard_rate[k], -int(k)))
    exchange = last["exchange"] or {}
    return finite({
        "hard_best_raw_solve_rate": hard_rate[best_hard], "hard_best_iters": int(best_hard),
        "no_overthinking": last["overthinking"]["no_overthinking"],
        "hardest_higher_at_4x": last["overthinking"]["hardest_higher_at_4x"],
        "halting_iteration_ratio": last["halting"]["rule"]["iteration_ratio"],
        "ratio_vs_classical_dfs": last["ratio_vs_classical_dfs"], "exchange_k": exchange.get("k"),
        "exchange_k_ci95": exchange.get("ci95"), "cpu_exchange_r": exchange.get("cpu_exchange_r"),
        "exact_seconds_per_puzzle": test["exact_seconds_per_puzzle"],
        "puzzles": len(test["texts"]), "dropped_as_training_equivalents": test["dropped"],
        "bucket_counts": {b: test["buckets"].count(b) for b in BUCKETS if b in test["buckets"]},
        "buckets": test["buckets"], "test_puzzles": test["texts"], "level": args.level, "trust": args.trust,
        "budgets": budgets, "device": str(device), "classical": classical, "checkpoints": checkpoints,
    })


def finite(value: Any) -> Any:
    """``value`` with every non-finite float (an undefined exchange rate) replaced by None, for JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def parser() -> CliParser:
    """The parser of ``python -m benchmarks.sudoku think``."""
    p = CliParser(prog="python -m benchmarks.sudoku think", description="\n\n".join(__doc__.split("\n\n")[:3]),
                  formatter_class=argparse.RawDescriptionHelpFormatter)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--checkpoint", action="append", help="a sudoku_think checkpoint (repeatable)")
    which.add_argument("--run", help="a training run folder: its checkpoints (see --last)")
    p.add_argument("--last", type=int, default=0, help="with --run: only its last N checkpoints (0 = all)")
    p.add_argument("--iters", default="1,2,4,8,16,32,64", help="iteration counts of the think curve (m, 2m, 4m added)")
    p.add_argument("--guided-iters", default="1,4,16", help="iterations of the network inside guided search")
    p.add_argument("--guided-last", type=int, default=1, help="guided search and the exchange rate for the last N "
                   "checkpoints only (0 = all; the think curve and halting are measured for every checkpoint)")
    p.add_argument("--nodes", default="1,4,16,64,256", help="node budgets of guided and classical search")
    p.add_argument("--puzzles", action="append", metavar="FILE",
                   help="test puzzle file (repeatable; default games/sudoku/data/{easy,medium,hard,hardest}.txt)")
    p.add_argument("--per-bucket", type=int, default=100, help="most test puzzles per difficulty bucket")
    p.add_argument("--patience", type=int, default=0, help="halt=rule: also stop when the grid read is unchanged "
                   "this many iterations (0 = never)")
    p.add_argument("--level", type=int, default=1, help="deduction level of both searches (0..3)")
    p.add_argument("--trust", type=float, default=DEFAULT_TRUST, help="guided search: confidence from which the "
                   "network's most confident cell is branched on")
    p.add_argument("--bootstrap", type=int, default=200, help="bootstrap replicates of the exchange-rate interval")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="cpu", help="where the network runs")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--out", help="folder for report.md, report.html, PNG plots and results.json")
    p.add_argument("--json", action="store_true", help="print one JSON object (the headline figures)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, measure, print, write the report; returns the exit status."""
    from benchmarks.sudoku.think_report import HEADLINE, print_summary, write_report

    p = parser()
    args = p.parse_args(argv)
    provenance = RunInfo.begin(p.prog, argv)
    if args.threads < 1:
        raise InputError(f"--threads must be >= 1; got {args.threads}")
    torch.set_num_threads(args.threads)
    results = think_benchmark(args)
    if args.out:
        results = write_report(Path(args.out), results, provenance)
    else:
        results["provenance"] = provenance.to_json()
    if args.json:
        print(json.dumps({k: results[k] for k in HEADLINE} | {"provenance": results["provenance"]}))
    else:
        print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(run_cli(main))
