"""Report and console summary of :mod:`benchmarks.sudoku.think`: ``report.md``, ``report.html``,
``think_<bucket>.png``, ``guided.png``, ``frontier.png``, ``exchange.png`` and ``results.json``.

Curves and titles are named after the checkpoints (``runs/NAME 002000.pt``, as given on the command line).
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from agents.provenance import RunInfo
from benchmarks.report import Report

HEADLINE = ("hard_best_raw_solve_rate", "hard_best_iters", "no_overthinking", "hardest_higher_at_4x",
            "halting_iteration_ratio", "ratio_vs_classical_dfs", "exchange_k", "exchange_k_ci95", "cpu_exchange_r",
            "exact_seconds_per_puzzle", "puzzles", "dropped_as_training_equivalents", "bucket_counts")
"""Keys printed by ``--json``."""
ANCHORS = "RRN 96.6% (17-clue puzzles), TRM 87% (Sudoku-Extreme)"
"""Published raw solve rates the target is set against."""


def _pct(x: float | None) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def _num(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and not math.isfinite(x)) else f"{x:.{digits}g}"


def print_summary(results: dict[str, Any]) -> None:
    """One block per checkpoint: the think curve, halting, overthinking, guided search, the exchange rate."""
    print(f"{results['puzzles']} test puzzles {results['bucket_counts']} ({results['dropped_as_training_equivalents']} "
          f"dropped as training equivalents); exact solver {1e6 * results['exact_seconds_per_puzzle']:.0f} us/puzzle")
    for c in results["checkpoints"]:
        curve = c["think"]["solve_rate"]
        print(f"{c['label']} (step {c['steps']}, trained at {c['train_iters']} iterations): raw solve rate by iterations "
              + " ".join(f"{k}:{_pct(curve[str(k)]['all'])}" for k in c["think"]["iters"]))
        for mode, h in c["halting"].items():
            print(f"  halt={mode}: {_pct(h['solve_rate']['all'])} in {h['mean_iterations']:.1f} iterations "
                  f"(best fixed {c['best_fixed']['iters']}: ratio {h['iteration_ratio']:.2f})")
        o = c["overthinking"]
        print(f"  no overthinking: {o['no_overthinking']}; hardest higher at 4x: {o['hardest_higher_at_4x']}")
        for k, g in c["guided"].items():
            print(f"  guided at {k} iterations: nodes / classical (hard) {_num(g.get('ratio_mean'))}, solve rate "
                  + " ".join(f"{n}:{_pct(g['solve_rate'][str(n)]['all'])}" for n in g["budgets"]))
        e = c["exchange"]
        if e:
            print(f"  10x nodes buys what {_num(e['k'])}x iterations buys (95% {_num(e['ci95'][0])}-{_num(e['ci95'][1])});"
                  f" equal-CPU ratio r = {_num(e['cpu_exchange_r'])}")


def _iters_axis(ax: Any, ks: list[int]) -> None:
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks, [str(k) for k in ks])
    ax.minorticks_off()


def think_figure(results: dict[str, Any], bucket: str) -> Any:
    """Raw solve rate against iterations, one line per checkpoint; training depth dotted, halting as stars."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    ks = sorted({k for c in results["checkpoints"] for k in c["think"]["iters"]})
    for c in results["checkpoints"]:
        xs = c["think"]["iters"]
        line, = ax.plot(xs, [c["think"]["solve_rate"][str(k)].get(bucket, np.nan) for k in xs], marker="o",
                        label=f"{c['label']} (trained at {c['train_iters']})")
        ax.axvline(c["train_iters"], color=line.get_color(), ls=":", lw=1)
        h = c["halting"]["rule"]
        ax.plot([h["mean_iterations"]], [h["solve_rate"].get(bucket, np.nan)], marker="*", ms=12, ls="none",
                color=line.get_color())
    _iters_axis(ax, ks)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("iterations at test time (dotted: training depth; star: halting when solved, mean iterations)")
    ax.set_ylabel("raw solve rate (one pass, no search)")
    ax.set_title(f"Thinking longer: {bucket} puzzles", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return fig


def guided_figure(results: dict[str, Any]) -> Any:
    """The last checkpoint's guided search by iterations, against classical search, one panel per bucket."""
    import matplotlib.pyplot as plt

    c = results["checkpoints"][-1]
    panels = ["all", *results["bucket_counts"]]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.6), squeeze=False)
    budgets = results["budgets"]
    for ax, bucket in zip(axes[0], panels):
        ax.plot(budgets, [results["classical"]["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets], "k--",
                marker="s", label="classical dfs")
        for k, g in c["guided"].items():
            ax.plot(budgets, [g["solve_rate"][str(n)].get(bucket, np.nan) for n in budgets], marker="o",
                    label=f"{k} iterations")
        ax.set_xscale("log", base=2)
        ax.set_xticks(budgets, [str(b) for b in budgets])
        ax.minorticks_off()
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("node budget")
        ax.set_title(f"{bucket} puzzles", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("solve rate")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"Guided search with {c['label']} by network iterations", fontsize=10)
    fig.tight_layout()
    return fig


def frontier_figure(results: dict[str, Any]) -> Any:
    """Solve rate against CPU seconds per puzzle: thinking alone, guided search at each K, classical search."""
    import matplotlib.pyplot as plt

    c = results["checkpoints"][-1]
    panels = ["all", *[b for b in ("hard", "hardest") if b in results["bucket_counts"]]]
    fig, axes = plt.subplots(1, len(panels), figsize=(4.6 * len(panels), 4.0), squeeze=False)
    ks = c["think"]["iters"]
    for ax, bucket in zip(axes[0], panels):
        ax.plot([1e3 * c["think"]["seconds_per_puzzle"][str(k)] for k in ks],
                [c["think"]["solve_rate"][str(k)].get(bucket, np.nan) for k in ks], marker="o", lw=2,
                label="thinking (1 pass, K iterations)")
        for k, g in c["guided"].items():
            ax.plot([1e3 * g["seconds_per_puzzle"][str(n)] for n in g["budgets"]],
                    [g["solve_rate"][str(n)].get(bucket, np.nan) for n in g["budgets"]], marker=".",
                    label=f"guided search, {k} iterations")
        cl = results["classical"]
        ax.plot([1e3 * cl["seconds_per_puzzle"][str(n)] for n in cl["budgets"]],
                [cl["solve_rate"][str(n)].get(bucket, np.nan) for n in cl["budgets"]], "k--", marker="s",
                label="classical dfs")
        ax.plot([1e3 * results["exact_seconds_per_puzzle"]], [1.0], "k*", ms=12, label="exact solver (level 3)")
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("CPU ms per puzzle (log)")
        ax.set_title(f"{bucket} puzzles", fontsize=9)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("solve rate")
    axes[0][0].legend(fontsize=6)
    fig.suptitle(f"Thinking against searching at equal CPU time: {c['label']}", fontsize=10)
    fig.tight_layout()
    return fig


def exchange_figure(results: dict[str, Any]) -> Any:
    """The last checkpoint's (iterations x nodes) grid of solve rates, cells of the fit outlined."""
    import matplotlib.pyplot as plt

    c = results["checkpoints"][-1]
    ks = [int(k) for k in c["guided"]]
    budgets = results["budgets"]
    grid = np.array([[c["guided"][str(k)]["solve_rate"][str(n)]["all"] for n in budgets] for k in ks])
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    image = ax.imshow(grid, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
    used = {tuple(x) for x in (c["exchange"] or {}).get("cells_used", [])}
    for i, k in enumerate(ks):
        for j, n in enumerate(budgets):
            ax.text(j, i, f"{100 * grid[i, j]:.0f}", ha="center", va="center", fontsize=8,
                    color="white" if grid[i, j] < 0.6 else "black", fontweight="bold" if (k, n) in used else "normal")
    ax.set_xticks(range(len(budgets)), [str(n) for n in budgets])
    ax.set_yticks(range(len(ks)), [str(k) for k in ks])
    ax.set_xlabel("guided-search node budget")
    ax.set_ylabel("network iterations")
    e = c["exchange"]
    what = (f"10x nodes = {_num(e['k'])}x iterations (95% {_num(e['ci95'][0])}-{_num(e['ci95'][1])}); bold: fitted cells"
            if e else "no plane could be fitted (too few unsaturated cells)")
    ax.set_title(f"Solve rate (%) of {c['label']}\n{what}", fontsize=9)
    fig.colorbar(image, ax=ax, label="solve rate")
    fig.tight_layout()
    return fig


def _headline(results: dict[str, Any]) -> str:
    c = results["checkpoints"][-1]
    e = c["exchange"]
    rule = c["halting"]["rule"]
    best = c["best_fixed"]
    hardest = c["overthinking"]["hardest_higher_at_4x"]
    lines = [
        f"Held-out hard puzzles, raw (one pass, no search): **{_pct(results['hard_best_raw_solve_rate'])}** at "
        f"{results['hard_best_iters']} iterations ({c['label']}; target 90%; anchors {ANCHORS}).",
        f"No overthinking (rate at 2x and 4x the training depth {c['train_iters']} at least the rate at 1x, every "
        f"bucket): **{c['overthinking']['no_overthinking']}**; hardest strictly higher at 4x: **{hardest}**.",
        f"Halting when the grid read is a solution: {_pct(rule['solve_rate']['all'])} in "
        f"{rule['mean_iterations']:.1f} mean iterations against the best fixed depth {best['iters']} "
        f"({_pct(best['solve_rate']['all'])}): **{rule['iteration_ratio']:.2f}x** fewer iterations (target 1.5x at "
        f"the same rate); the learned halting head: {_pct(c['halting']['head']['solve_rate']['all'])} in "
        f"{c['halting']['head']['mean_iterations']:.1f}.",
        f"Guided search with this network ({c['guided_best_iters']} iterations) needs "
        f"**{_num(c['ratio_vs_classical_dfs'])}x** the nodes of classical depth-first search at level "
        f"{results['level']} (hard and hardest, mean). The exact solver answers each test puzzle in "
        f"{1e6 * results['exact_seconds_per_puzzle']:.0f} us of CPU; the network needs "
        f"{1e3 * c['think']['seconds_per_puzzle'][str(best['iters'])]:.1f} ms for one pass of {best['iters']} "
        f"iterations: the network is a study of thinking, not a faster solver.",
    ]
    if e:
        lines.append(f"Per decade in the fitted region: 10x iterations adds {e['plane']['b']:.2f} and 10x nodes adds "
                     f"{e['plane']['c']:.2f} to the log-odds of the solve rate (1 log-odd = 174 Elo).")
        lines.append(f"Exchange rate: **10x more search nodes buys what {_num(e['k'])}x more iterations buys** (95% "
                     f"{_num(e['ci95'][0])}-{_num(e['ci95'][1])}); at equal CPU time a decade of CPU spent searching "
                     f"buys r = {_num(e['cpu_exchange_r'])} (95% {_num(e['cpu_exchange_r_ci95'][0])}-"
                     f"{_num(e['cpu_exchange_r_ci95'][1])}) times what a decade spent thinking buys (log-odds of "
                     f"the solve rate; {len(e['cells_used'])} unsaturated cells).")
    else:
        lines.append("Exchange rate: not fitted (fewer than 3 unsaturated cells with 2 iteration counts and 2 budgets).")
    return "\n\n".join(lines)


def write_report(out: Path, results: dict[str, Any], provenance: RunInfo) -> dict[str, Any]:
    """Every file of the module docstring; returns the results as written (with ``provenance``)."""
    report = Report("Sudoku: thinking longer against searching")
    report.text(f"{results['puzzles']} held-out puzzles (buckets {results['bucket_counts']}; "
                f"{results['dropped_as_training_equivalents']} dropped as equivalent to training puzzles), 9x9 only "
                f"(the network's input is a 9x9 grid). Raw = one pass of the network, every blank its most probable "
                f"legal digit, checked against the unique solution. Searches at deduction level {results['level']}, "
                f"trust {results['trust']}; device {results['device']}.")
    report.text(_headline(results))
    rows = []
    for c in results["checkpoints"]:
        m = c["train_iters"]
        sr = c["think"]["solve_rate"]
        rows.append([c["label"], c["steps"], round(c["train_seconds"]), f"{c['channels']}x{c['blocks']}", m,
                     sr[str(m)]["all"], sr[str(2 * m)]["all"], sr[str(4 * m)]["all"], c["best_fixed"]["iters"],
                     c["halting"]["rule"]["solve_rate"]["all"], c["halting"]["rule"]["mean_iterations"],
                     c["halting"]["head"]["solve_rate"]["all"], c["halting"]["head"]["mean_iterations"],
                     c["ratio_vs_classical_dfs"], (c["exchange"] or {}).get("k")])
    report.table(["checkpoint", "steps", "train s", "width x layers", "m", "raw at m", "at 2m", "at 4m", "best K",
                  "halt rule", "rule iters", "halt head", "head iters", "nodes / classical", "k"], rows)
    last = results["checkpoints"][-1]
    buckets = ["all", *results["bucket_counts"]]
    report.text(f"Raw solve rate of {last['label']} by iterations and bucket, and CPU ms per puzzle:")
    report.table(["iterations", *buckets, "ms/puzzle"],
                 [[k, *[last["think"]["solve_rate"][str(k)].get(b) for b in buckets],
                   1e3 * last["think"]["seconds_per_puzzle"][str(k)]] for k in last["think"]["iters"]])
    report.text("Overthinking check, by bucket (rate at m, 2m, 4m):")
    report.table(["checkpoint", "bucket", "1x", "2x", "4x", "ok"],
                 [[c["label"], b, v["1x"], v["2x"], v["4x"], v["ok"]] for c in results["checkpoints"]
                  for b, v in c["overthinking"]["by_bucket"].items()])
    for name in buckets:
        report.figure(f"think_{name}.png", think_figure(results, name))
    report.figure("guided.png", guided_figure(results))
    report.figure("frontier.png", frontier_figure(results))
    report.figure("exchange.png", exchange_figure(results))
    return report.write(out, results, provenance)
