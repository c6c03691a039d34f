"""The scaling study's report: Elo vs search, Elo vs training, the iso-Elo frontier, compute per move.

Writes ``report.md``, ``report.html`` (plots embedded), ``elo_vs_sims.png``, ``elo_vs_training.png``,
``frontier.png``, ``compute_per_move.png`` and ``results.json`` (:class:`benchmarks.report.Report`), plus
panels copied from other benchmarks' folders (``--include``: the poker subgame-solving trade-off, the
sudoku budget study).
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from agents.provenance import RunInfo  # noqa: E402
from benchmarks.report import Report  # noqa: E402


def _x_sims(sims: int) -> float:
    """Plot position of a budget on a log2 axis; the raw network (0) sits one step left of 1."""
    return -1.0 if sims == 0 else math.log2(sims)


def _label(cell: dict[str, Any]) -> str:
    """A cell's checkpoint label (older results.json files have only the step)."""
    return str(cell.get("label") or cell["step"])


def _labels(cells: list[dict[str, Any]]) -> list[str]:
    """Checkpoint labels in training-compute order."""
    order: dict[str, float] = {}
    for c in cells:
        order.setdefault(_label(c), c["compute_flops"])
    return sorted(order, key=lambda k: (order[k], k))


def _rated(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in results["cells"] if c["elo"] is not None]


def _anchor_lines(ax: Any, results: dict[str, Any]) -> None:
    for spec, a in results["anchors"].items():
        if a["elo"] is not None:
            ax.axhline(a["elo"], color="grey", lw=0.8, ls=":")
            ax.text(ax.get_xlim()[0], a["elo"], f" {spec}", fontsize=7, color="grey", va="bottom")


def plot_elo_vs_sims(report: Report, results: dict[str, Any]) -> None:
    fig, ax = plt.subplots(figsize=(8, 5))
    cells = _rated(results)
    for label in _labels(cells):
        line = sorted((c for c in cells if _label(c) == label), key=lambda c: c["sims"])
        x = [_x_sims(c["sims"]) for c in line]
        y = [c["elo"] for c in line]
        err = [[c["elo"] - c["ci95"][0] for c in line], [c["ci95"][1] - c["elo"] for c in line]]
        ax.errorbar(x, y, yerr=err, marker="o", capsize=3, label=f"step {label}")
    sims = results["sims"]
    ax.set_xticks([_x_sims(s) for s in sims], ["raw" if s == 0 else str(s) for s in sims])
    ax.set_xlabel("MCTS simulations per move (log2 scale; raw = network alone)")
    ax.set_ylabel("Elo (95% interval)")
    ax.grid(alpha=0.3)
    _anchor_lines(ax, results)
    ax.legend(fontsize=8, title="checkpoint")
    ax.set_title("(a) Elo against search, one line per checkpoint")
    report.figure("elo_vs_sims.png", fig)


def plot_elo_vs_training(report: Report, results: dict[str, Any]) -> None:
    cells = _rated(results)
    axes_spec = [("compute_flops", "training compute (FLOPs)", True), ("learner_steps", "learner steps", False),
                 ("wall_seconds", "training minutes", False)]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=True)
    for ax, (key, label, log) in zip(axes, axes_spec):
        for sims in results["sims"]:
            line = sorted((c for c in cells if c["sims"] == sims and (c[key] > 0 or not log)), key=lambda c: c[key])
            scale = 60.0 if key == "wall_seconds" else 1.0
            x = [c[key] / scale for c in line]
            err = [[c["elo"] - c["ci95"][0] for c in line], [c["ci95"][1] - c["elo"] for c in line]]
            ax.errorbar(x, [c["elo"] for c in line], yerr=err, marker="o", capsize=2,
                        label="raw" if sims == 0 else f"{sims} sims")
        if log:
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("Elo (95% interval)")
    axes[0].legend(fontsize=8, title="budget")
    fig.suptitle("(b) Elo against training, one line per search budget")
    report.figure("elo_vs_training.png", fig)


def plot_frontier(report: Report, results: dict[str, Any]) -> None:
    cells = [c for c in _rated(results) if c["sims"] >= 1 and c["compute_flops"] > 0]
    if len(cells) < 3:
        return
    x = np.array([math.log10(c["compute_flops"]) for c in cells])
    y = np.array([math.log10(c["sims"]) for c in cells])
    z = np.array([c["elo"] for c in cells])
    fig, ax = plt.subplots(figsize=(8, 6))
    levels = np.arange(math.floor(z.min() / 100) * 100, z.max() + 100, 100)
    if len(set(x)) > 1 and len(set(y)) > 1:
        try:
            cs = ax.tricontour(x, y, z, levels=levels, cmap="viridis", linewidths=1)
            ax.clabel(cs, fontsize=7, fmt="%.0f")
        except (ValueError, RuntimeError):  # degenerate triangulation
            pass
    used = np.array([c["in_plane_fit"] for c in cells])
    sc = ax.scatter(x, y, c=z, cmap="viridis", s=np.where(used, 60, 25), edgecolors=np.where(used, "k", "none"))
    fig.colorbar(sc, ax=ax, label="Elo")
    rate = results["exchange_rate"]
    plane = rate.get("plane")
    if plane and plane["c"] != 0:
        xs = np.linspace(x.min(), x.max(), 20)
        for level in levels[::2]:
            ys = (level - plane["a"] - plane["b"] * xs) / plane["c"]
            keep = (ys >= y.min() - 0.2) & (ys <= y.max() + 0.2)
            ax.plot(xs[keep], ys[keep], "r--", lw=0.8)
        ax.set_title(f"(c) iso-Elo frontier: measured contours (solid), fitted plane (red dashed)\n"
                     f"10x search buys what {rate['k']:.3g}x training buys "
                     f"[{rate['ci95'][0]:.3g}, {rate['ci95'][1]:.3g}]")
    else:
        ax.set_title("(c) iso-Elo frontier (measured contours)")
    ax.margins(0.06)
    ax.set_xlabel("log10 training compute (FLOPs)")
    ax.set_ylabel("log10 simulations per move")
    ax.grid(alpha=0.3)
    report.figure("frontier.png", fig)


def plot_compute(report: Report, results: dict[str, Any]) -> None:
    cells = [c for c in results["cells"] if c["seconds_per_move"] is not None]
    if not cells:
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    for label in _labels(cells):
        line = sorted((c for c in cells if _label(c) == label), key=lambda c: c["sims"])
        x = [_x_sims(c["sims"]) for c in line]
        ax1.plot(x, [c["evaluations_per_move"] or 0 for c in line], marker="o", label=f"step {label}")
        ax2.plot(x, [1000 * c["seconds_per_move"] for c in line], marker="o", label=f"step {label}")
    for ax, label in ((ax1, "network evaluations per move"), (ax2, "milliseconds per move")):
        ax.set_xticks([_x_sims(s) for s in results["sims"]], ["raw" if s == 0 else str(s) for s in results["sims"]])
        ax.set_yscale("log")
        ax.set_xlabel("simulations per move")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=8)
    fig.suptitle("(d) measured compute per move")
    report.figure("compute_per_move.png", fig)


def _fmt_ci(ci: list[float] | None) -> str:
    return f"[{ci[0]:.0f}, {ci[1]:.0f}]" if ci else ""


def closing_note(results: dict[str, Any]) -> str:
    """Where the best cell stands against every fixed anchor (Stockfish levels for chess)."""
    cells = _rated(results)
    if not cells:
        return "No cell could be rated."
    best = max(cells, key=lambda c: c["elo"])
    lines = [f"Best setting: step {_label(best)} at {best['sims']} simulations, {best['elo']:.0f} Elo "
             f"{_fmt_ci(best['ci95'])}."]
    for spec, a in results["anchors"].items():
        if a["elo"] is None:
            continue
        diff = best["elo"] - a["elo"]
        half = (best["ci95"][1] - best["ci95"][0]) / 2
        verdict = "above" if diff - half > 0 else ("below" if diff + half < 0 else "not distinguishable from")
        lines.append(f"Against {spec} ({'fixed at' if a['fixed'] else 'rated'} {a['elo']:.0f}): {diff:+.0f} Elo, "
                     f"{verdict} it at 95%.")
    return " ".join(lines)


def _model_checks(report: Report, results: dict[str, Any]) -> None:
    """The held-out pairings (predicted against measured) and the exchange rate per anchor family."""
    rows = results.get("holdouts") or []
    if rows:
        flagged = sum(1 for r in rows if r["outside"])
        report.text(f"## The fit checked against pairings it never saw\n\n{len(rows)} pairings the schedule never "
                    f"plays were played directly ({results.get('holdout_games', 0)} games, kept out of the fit). "
                    f"Predicted score: both colours averaged with the fitted first-move advantage, its interval from "
                    f"the ratings' covariance; measured: mean over colour-swapped pairs. **{flagged} of {len(rows)} "
                    f"fall outside the combined 95% interval** (marked).")
        report.table(["A", "B", "games", "predicted (A)", "measured (A)", "95% interval", "z", "outside"],
                     [[r["a"], r["b"], r["games"], f"{r['predicted']:.3f} ± {1.96 * r['predicted_stderr']:.3f}",
                       "" if r["measured"] is None else f"{r['measured']:.3f}",
                       "" if r["measured_ci95"] is None else f"[{r['measured_ci95'][0]:.3f}, {r['measured_ci95'][1]:.3f}]",
                       "" if r["z"] is None else f"{r['z']:+.2f}", "**yes**" if r["outside"] else ""]
                      for r in rows])
    families = results.get("anchor_families") or []
    if families:
        report.text("## The exchange rate with one family of anchors\n\nThe same plane fitted on the cells' games "
                    "and the games of one family of anchors only (the others' games dropped; one anchor of the family "
                    "fixed at its rating in the full fit):")
        k = results["exchange_rate"].get("k")
        report.table(["anchors", "k (10x search = k x training)", "95% interval", "note"],
                     [["all", f"{k:.3g}" if k else "", _fmt_k(results["exchange_rate"].get("ci95")), ""]] +
                     [[f"{f['family']} ({len(f['anchors'])})", f"{f['k']:.3g}" if f["k"] else "", _fmt_k(f["ci95"]),
                       f["note"]] for f in families])


def _fmt_k(ci: list[float] | None) -> str:
    return f"{ci[0]:.3g} .. {ci[1]:.3g}" if ci else ""


def include_panel(report: Report, folder: Path, out_dir: Path) -> None:
    """A linked panel from another benchmark's folder: the poker trade-off as a line plot, else its PNGs."""
    link = os.path.relpath(folder / "report.md", out_dir)
    report.text(f"## Included: {folder.name}\n\nFrom [{folder}]({link}).")
    try:
        results = json.loads((folder / "results.json").read_text())
        if _poker_panel(report, folder, results):
            return
    except (OSError, ValueError, KeyError, TypeError):  # another benchmark's format: fall back to its plots
        pass
    for png in sorted(folder.glob("*.png")):
        name = f"include_{folder.name}_{png.name}"
        report.figures[name] = png.read_bytes()
        report.blocks.append(("figure", name))


def _poker_panel(report: Report, folder: Path, results: dict[str, Any]) -> bool:
    """Exploitability against subgame iterations, one line per blueprint; False if not a trade-off file."""
    if {"blueprint_iters", "subgame_iters", "cells"} <= set(results):
        key = "mbb_per_hand" if any("mbb_per_hand" in c for c in results["cells"]) else "exploitability"
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for b in results["blueprint_iters"]:
            line = sorted((c for c in results["cells"] if c["blueprint_iters"] == b and c.get("safe", True)),
                          key=lambda c: c["subgame_iters"])
            ax.plot([max(c["subgame_iters"], 1) for c in line], [max(c[key], 1e-9) for c in line], marker="o",
                    label=f"blueprint {b} iters")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("subgame-solving iterations (0 shown at 1)")
        ax.set_ylabel(f"exploitability ({key})")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        ax.set_title(f"poker: exploitability against search x blueprint strength ({results.get('game', '')})")
        report.figure(f"include_{folder.name}_tradeoff.png", fig)
        return True
    return False


def write_scaling_report(results: dict[str, Any], out_dir: Path, provenance: RunInfo,
                         include: Sequence[Path] = ()) -> dict[str, Any]:
    """The report of a study into ``out_dir``, with a panel per ``include`` folder (only those asked for);
    returns the results as written to ``results.json``."""
    report = Report(f"Search versus training: {results['game']} ({results['run']})")
    rate = results["exchange_rate"]
    fixed = ", ".join(f"{s} = {a['elo']:.0f}" for s, a in results["anchors"].items() if a["fixed"])
    report.text(
        f"{len(results['cells'])} cells ({len(results['checkpoints'])} checkpoints x budgets "
        f"{', '.join(map(str, results['sims']))}; 0 = the raw network) rated together with the anchor ladder in "
        f"one Bradley–Terry fit over {results['games']} games ({results['opening_plies']} random opening plies, "
        f"each opening played from both seats; first-move advantage {results['first_move_advantage']:+.0f} Elo; "
        f"{results['virtual_draws']:g} virtual draw per pair as a prior). Fixed ratings: {fixed}. 95% intervals are "
        f"relative to them. Schedule: grid neighbours (next budget, next checkpoint), consecutive anchors, and "
        f"each cell against its nearest anchor; then top-up games for cells wider than ±{results['target_ci']:g}."
        + (" The time limit stopped the schedule early; re-running resumes it." if results["stopped_early"] else ""))
    if results["half_width_max"] is not None:
        report.text(f"95% half-widths reached: median ±{results['half_width_median']:.0f}, widest "
                    f"±{results['half_width_max']:.0f} Elo; {results['cells_over_target']} cell(s) over the target "
                    f"±{results['target_ci']:g}, after {results['elapsed_minutes']:.1f} minutes in this invocation.")
    cost = results.get("cost")
    if cost and cost["invocations"]:
        projected = ", ".join(f"{h:.1f} h on {n} cores" for n, h in cost["projected_wall_hours"].items())
        done = results["cells_over_target"] == 0 and not results["stopped_early"]
        report.text(f"{'Cost' if done else 'Cost so far'}: {cost['wall_hours']:.1f} wall hours over "
                    f"{cost['invocations']} invocation(s), "
                    f"{cost['core_hours']:.1f} core-hours (wall time x game workers; `invocations.jsonl`); the same "
                    f"work would take about {projected}."
                    + ("" if cost["complete"] else " The ledger starts after the study did: earlier invocations "
                       "are not counted."))
    left = results.get("to_target")
    if left and left["cells_over"]:
        report.text(f"Left to do: bringing the {left['cells_over']} cell(s) over ±{results['target_ci']:g} within it "
                    f"takes about {left['games']:,} more games, {left['core_hours']:.1f} core-hours by the measured "
                    f"move costs: the top-up waves' greedy design run from this fit without a time limit "
                    f"(`results.json` `to_target` lists the pairs). It is a prediction: the intervals shrink as "
                    f"designed only if the ratings stay near their fitted values.")
    if any(s.startswith("stockfish:") and a["fixed"] for s, a in results["anchors"].items()):
        report.text("Stockfish's `UCI_Elo` is calibrated at 60 s + 0.6 s a game (anchored to CCRL 40/4); here each "
                    "Stockfish anchor plays with the limit in its spec (the default ladder: 0.1 s a move), and "
                    "its fixed rating is an assumption the shorter search may not meet.")
    if rate.get("k") is not None:
        report.text(f"**Exchange rate: 10x search buys what {rate['k']:.3g}x training buys** (95% bootstrap "
                    f"interval {rate['ci95'][0]:.3g} .. {rate['ci95'][1]:.3g}, {rate['bootstrap_replicates']} "
                    f"replicates over games). Plane Elo = {rate['plane']['a']:.0f} + {rate['plane']['b']:.0f} "
                    f"log10(FLOPs) + {rate['plane']['c']:.0f} log10(sims) over {len(rate['cells_used'])} unsaturated "
                    f"cells (residual {rate['residual_rms_elo']:.0f} Elo rms; a budget doubling that gains less than "
                    f"{results['flat_elo']:g} Elo ends a line's unsaturated part). For reference, Jones (2021, Hex): "
                    f"10x training compute ≈ 15x test-time compute.")
    else:
        report.text("Exchange rate: not fitted (too few unsaturated cells with both budget and compute varying).")
    plot_elo_vs_sims(report, results)
    plot_elo_vs_training(report, results)
    plot_frontier(report, results)
    plot_compute(report, results)
    report.text("## Every cell")
    report.table(["step", "sims", "Elo", "95% interval", "games", "train FLOPs", "evals/move", "ms/move", "in fit"],
                 [[_label(c), c["sims"], round(c["elo"], 1) if c["elo"] is not None else "", _fmt_ci(c["ci95"]),
                   c["games"], f"{c['compute_flops']:.3g}",
                   "" if c["evaluations_per_move"] is None else round(c["evaluations_per_move"], 1),
                   "" if c["seconds_per_move"] is None else round(1000 * c["seconds_per_move"], 2),
                   "yes" if c["in_plane_fit"] else ""] for c in results["cells"]])
    report.text("## Anchors")
    report.table(["anchor", "Elo", "95% interval", "games", "fixed", "ms/move"],
                 [[s, "" if a["elo"] is None else round(a["elo"], 1), _fmt_ci(a["ci95"]), a["games"],
                   "yes" if a["fixed"] else "", "" if a["seconds_per_move"] is None else
                   round(1000 * a["seconds_per_move"], 2)] for s, a in results["anchors"].items()])
    _model_checks(report, results)
    report.text("## Closing note\n\n" + closing_note(results))
    for folder in include:
        include_panel(report, folder, out_dir)
    return report.write(out_dir, results, provenance)
