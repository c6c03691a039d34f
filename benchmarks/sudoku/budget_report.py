"""Report and console summary of :mod:`benchmarks.sudoku.budget` (report.md/html, PNG plots, results.json)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.report import Report


def _label(ckpt: dict[str, Any]) -> str:
    return f"{Path(ckpt['path']).parent.parent.name} step {ckpt['steps']}"


def _mean_nodes(curve: dict[str, Any]) -> float:
    """Mean nodes to the first solution, unsolved puzzles counted at the largest budget."""
    return float(np.mean(np.where(curve["solved"], curve["nodes"], curve["budgets"][-1])))


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
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("node budget")
    ax.set_ylabel("solve rate")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def _budget_figure(results: dict[str, Any], bucket: str) -> Any:
    import matplotlib.pyplot as plt

    budgets = results["budgets"]
    runs = results["runs"]
    fig, axes = plt.subplots(1, len(runs), figsize=(5.5 * len(runs), 3.8), squeeze=False)
    for ax, run in zip(axes[0], runs):
        classical = [results["classical"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
        ax.plot(budgets, classical, "k--", marker="s", label="classical dfs (no network)")
        for ckpt in run["checkpoints"]:
            ys = [ckpt["guided"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
            raw = ckpt["raw"]["solve_rate"].get(bucket, 0.0)
            ax.plot(budgets, ys, marker="o", label=f"step {ckpt['steps']} (raw {raw:.2f})")
        _curve_axes(ax, budgets, f"{Path(run['run']).name}: {bucket} puzzles")
    return fig


def _iters_figure(results: dict[str, Any], bucket: str) -> Any:
    import matplotlib.pyplot as plt

    budgets = results["budgets"]
    runs = [r for r in results["runs"] if r["iters"]]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for run in runs:
        ks = [int(k) for k in run["iters"]]
        axes[0].plot(ks, [run["iters"][str(k)]["raw"]["solve_rate"].get(bucket, np.nan) for k in ks], marker="o",
                     label=Path(run["run"]).name)
        for k in ks:
            ys = [run["iters"][str(k)]["guided"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
            axes[1].plot(budgets, ys, marker="o", label=f"{Path(run['run']).name} iters {k}")
    classical = [results["classical"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets]
    axes[1].plot(budgets, classical, "k--", marker="s", label="classical dfs (no network)")
    axes[0].set_xscale("log", base=2)
    axes[0].set_xlabel("recurrent iterations at test time")
    axes[0].set_ylabel(f"raw solve rate (no search), {bucket}")
    axes[0].set_ylim(-0.02, 1.02)
    axes[0].legend(fontsize=7)
    _curve_axes(axes[1], budgets, f"guided search by recurrent iterations: {bucket} puzzles")
    return fig


def _nodes(curve: dict[str, Any]) -> list[Any]:
    """Hard-puzzle mean and median nodes and their ratios to the classical search (blank if absent)."""
    hard = curve.get("hard_nodes", {})
    return [hard.get("mean", ""), hard.get("median", ""), curve.get("ratio_mean", ""), curve.get("ratio_median", "")]


def write_report(out: Path, results: dict[str, Any]) -> None:
    """``out/report.md``, ``report.html``, ``budget_*.png``, ``iters_*.png`` and ``results.json``."""
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
            rows.append([f"{Path(run['run']).name} last, iters {k}", "", "", "", res["raw"]["solve_rate"]["all"]]
                        + [g["solve_rate"][str(n)]["all"] for n in budgets] + _nodes(g))
    report.table(header, rows)
    buckets = ["all"] + list(results["bucket_counts"])
    for bucket in buckets:
        report.figure(f"budget_{bucket}.png", _budget_figure(results, bucket))
    if any(r["iters"] for r in results["runs"]):
        for bucket in buckets:
            report.figure(f"iters_{bucket}.png", _iters_figure(results, bucket))
    report.write(out, results)
