"""Report and console summary of :mod:`benchmarks.sudoku.budget` (report.md/html, PNG plots, results.json).

Curves are named after their checkpoint files (``models/sudoku 004211.pt``), panels after the run folder as
given on the command line; the node-budget axis labels a subset of the budgets when they are many, in a
compact form (``1k``), so that labels never run into each other.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from agents.provenance import RunInfo
from benchmarks.report import Report

MAX_TICK_LABELS = 7
"""Most node budgets labelled on an axis (every budget keeps its tick)."""


def run_name(run: str) -> str:
    """The run folder as given (``models/sudoku``), without a trailing slash."""
    return str(Path(run))


def checkpoint_name(ckpt: dict[str, Any]) -> str:
    """The checkpoint's file name (``004211.pt``)."""
    return Path(ckpt["path"]).name


def _label(ckpt: dict[str, Any]) -> str:
    return f"{run_name(str(Path(ckpt['path']).parent.parent))} {checkpoint_name(ckpt)}"


def compact_number(n: int) -> str:
    """``1024`` -> ``1k``, ``16384`` -> ``16k``, ``1048576`` -> ``1M``; smaller numbers as they are."""
    for size, suffix in ((2**20, "M"), (2**10, "k")):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


def budget_ticks(ax: Any, budgets: Sequence[int]) -> None:
    """A tick at every budget; compact labels on at most :data:`MAX_TICK_LABELS` of them, every k-th one
    from the first, and always the last (the one before it left blank when the two would be neighbours)."""
    n = len(budgets)
    step = max(1, math.ceil((n - 1) / (MAX_TICK_LABELS - 1)))
    keep = list(range(0, n, step))
    if keep[-1] != n - 1:
        if len(keep) > 1 and n - 1 - keep[-1] < step:
            keep.pop()
        keep.append(n - 1)
    ax.set_xticks(list(budgets), [compact_number(b) if i in keep else "" for i, b in enumerate(budgets)])
    ax.minorticks_off()


def print_summary(results: dict[str, Any]) -> None:
    """One line per curve: raw solve rate and guided solve rate at each budget (all puzzles)."""
    budgets = results["budgets"]
    print(f"{results['puzzles']} test puzzles {results['bucket_counts']}, level {results['level']}, "
          f"budgets {budgets}")
    c = results["classical"]["solve_rate"]
    print("classical dfs:" + " " * 45 + " ".join(f"{100 * c[str(n)]['all']:5.1f}" for n in budgets))
    for run in results["runs"]:
        for ckpt in run["checkpoints"]:
            g = ckpt["guided"]["solve_rate"]
            raw = 100 * ckpt['raw']['solve_rate']['all']
            print(f"{_label(ckpt):28s} value acc {ckpt['value_accuracy']:.3f} raw {raw:5.1f}% guided: "
                  + " ".join(f"{100 * g[str(n)]['all']:5.1f}" for n in budgets))
        for k, res in run["iters"].items():
            g = res["guided"]["solve_rate"]
            raw = 100 * res['raw']['solve_rate']['all']
            print(f"  iters {k:>3s}{' ' * 34}raw {raw:5.1f}% guided: "
                  + " ".join(f"{100 * g[str(n)]['all']:5.1f}" for n in budgets))
        ratio = run["ratio_vs_classical_dfs"]
        if ratio is not None:
            print(f"{run['run']}: nodes guided / classical ({run['ratio_bucket']} puzzles): mean {ratio:.3f}, "
                  f"median {run['median_ratio_vs_classical_dfs']:.3f}; untrained mean "
                  f"{run['untrained_ratio_vs_classical_dfs']:.3f}")


def _curve_axes(ax: Any, budgets: list[int], title: str) -> None:
    ax.set_xscale("symlog", linthresh=1)
    budget_ticks(ax, budgets)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("node budget")
    ax.set_ylabel("solve rate")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def _budget_figure(results: dict[str, Any], bucket: str) -> Any:
    import matplotlib.pyplot as plt

    budgets = results["budgets"]
    runs = results["runs"]
    fig, axes = plt.subplots(1, len(runs), figsize=(6.0 * len(runs), 4.0), squeeze=False)
    for ax, run in zip(axes[0], runs):
        classical = [results["classical"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
        ax.plot(budgets, classical, "k--", marker="s", label="classical dfs (no network)")
        for ckpt in run["checkpoints"]:
            ys = [ckpt["guided"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
            raw = ckpt["raw"]["solve_rate"].get(bucket, 0.0)
            ax.plot(budgets, ys, marker="o",
                    label=f"{checkpoint_name(ckpt)}: step {ckpt['steps']}, raw {raw:.2f}")
        _curve_axes(ax, budgets, f"guided search, {run_name(run['run'])}: {bucket} puzzles")
    return fig


def _iters_figure(results: dict[str, Any], bucket: str) -> Any:
    import matplotlib.pyplot as plt

    budgets = results["budgets"]
    runs = [r for r in results["runs"] if r["iters"]]
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.0))
    for run in runs:
        ks = [int(k) for k in run["iters"]]
        last = checkpoint_name(run["checkpoints"][-1])
        name = f"{run_name(run['run'])} {last}"
        axes[0].plot(ks, [run["iters"][str(k)]["raw"]["solve_rate"].get(bucket, np.nan) for k in ks], marker="o",
                     label=name)
        for k in ks:
            ys = [run["iters"][str(k)]["guided"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
            axes[1].plot(budgets, ys, marker="o", label=f"{last}, {k} iterations" if len(runs) == 1 else
                         f"{name}, {k} iterations")
    classical = [results["classical"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
    axes[1].plot(budgets, classical, "k--", marker="s", label="classical dfs (no network)")
    axes[0].set_xscale("log", base=2)
    ks = sorted({int(k) for run in runs for k in run["iters"]})
    axes[0].set_xticks(ks, [str(k) for k in ks])
    axes[0].minorticks_off()
    axes[0].set_xlabel("recurrent iterations at test time")
    axes[0].set_ylabel("raw solve rate (no search)")
    axes[0].set_title(f"network alone by recurrent iterations: {bucket} puzzles", fontsize=9)
    axes[0].set_ylim(-0.02, 1.02)
    axes[0].legend(fontsize=7)
    whose = f" of {run_name(runs[0]['run'])} {checkpoint_name(runs[0]['checkpoints'][-1])}" if len(runs) == 1 else ""
    _curve_axes(axes[1], budgets, f"guided search{whose} by recurrent iterations: {bucket} puzzles")
    return fig


def _nodes(curve: dict[str, Any]) -> list[Any]:
    """Hard-puzzle mean and median nodes and their ratios to the classical search (blank if absent)."""
    hard = curve.get("hard_nodes", {})
    return [hard.get("mean", ""), hard.get("median", ""), curve.get("ratio_mean", ""), curve.get("ratio_median", "")]


def write_report(out: Path, results: dict[str, Any], provenance: RunInfo) -> dict[str, Any]:
    """``out/report.md``, ``report.html``, ``budget_*.png``, ``iters_*.png`` and ``results.json``; returns
    the results as written (with ``provenance``)."""
    budgets = results["budgets"]
    report = Report("Sudoku: solve rate against search budget")
    report.text(f"{results['puzzles']} held-out test puzzles (buckets {results['bucket_counts']}; "
                f"{results['dropped_as_training_equivalents']} dropped as equivalent to training puzzles), "
                f"deduction level {results['level']} for both searches, trust {results.get('trust')}. Solve rate = checked solutions within "
                "the node budget (all puzzles). `raw` = the network filling greedily with no search. `value acc` = sign of the value right about 'still solvable' on held-out positions after the search's deductions (`value_accuracy_undeduced` in results.json: without them). Nodes to the "
                f"first solution on the {results.get('ratio_bucket', 'hard')} puzzles (unsolved ones counted at "
                f"{budgets[-1]}): mean, median, and their ratios guided / classical (below 1: fewer nodes than "
                "classical depth-first search).")
    if results["ratio_vs_classical_dfs"] is not None:
        report.text(f"Nodes of guided search / classical depth-first search on hard puzzles ({results['ratio_run']}, "
                    f"last checkpoint): mean **{results['ratio_vs_classical_dfs']:.3f}**, median "
                    f"**{results['median_ratio_vs_classical_dfs']:.3f}**; the untrained network of the same run: "
                    f"mean {results['untrained_ratio_vs_classical_dfs']:.3f}.")
    header = (["curve", "train steps", "train s", "value acc", "raw"] + [f"{n} nodes" for n in budgets]
              + ["hard mean nodes", "hard median nodes", "ratio mean", "ratio median"])
    c = results["classical"]
    rows = [["classical dfs", "", "", "", ""] + [c["solve_rate"][str(n)]["all"] for n in budgets] + _nodes(c)]
    for run in results["runs"]:
        for ckpt in run["checkpoints"]:
            g = ckpt["guided"]
            rows.append([_label(ckpt), ckpt["steps"], round(ckpt["train_seconds"]), ckpt["value_accuracy"],
                         ckpt["raw"]["solve_rate"]["all"]]
                        + [g["solve_rate"][str(n)]["all"] for n in budgets] + _nodes(g))
        for k, res in run["iters"].items():
            g = res["guided"]
            rows.append([f"{_label(run['checkpoints'][-1])}, {k} iterations", "", "", "", res["raw"]["solve_rate"]["all"]]
                        + [g["solve_rate"][str(n)]["all"] for n in budgets] + _nodes(g))
    report.table(header, rows)
    buckets = ["all"] + list(results["bucket_counts"])
    for bucket in buckets:
        report.figure(f"budget_{bucket}.png", _budget_figure(results, bucket))
    if any(r["iters"] for r in results["runs"]):
        for bucket in buckets:
            report.figure(f"iters_{bucket}.png", _iters_figure(results, bucket))
    return report.write(out, results, provenance)
