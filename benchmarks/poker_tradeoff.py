"""Blueprint strength x subgame-solving iterations -> exact exploitability on Leduc (and heads-up EV)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from benchmarks.report import Report  # noqa: E402
from search.cfr import CFRConfig, CFRSolver, ResolveConfig, exploitability, game_tree, resolved_strategy  # noqa: E402
from search.cfr.solver import expected_value, mbb_per_hand  # noqa: E402
from search.cfr.tree import PublicTree  # noqa: E402


def heads_up_value(tree: PublicTree, a: np.ndarray, b: np.ndarray) -> float:
    """Exact chips per hand that strategy ``a`` wins from ``b``, averaged over both seats."""
    seat0 = np.where((tree.player[tree.kind == 0] == 0)[:, None, None], a, b)
    seat1 = np.where((tree.player[tree.kind == 0] == 0)[:, None, None], b, a)
    return 0.5 * (expected_value(tree, seat0) - expected_value(tree, seat1))


def tradeoff(game: str, blueprint_iters: list[int], subgame_iters: list[int], algo: str, depth: int,
             horizon: str = "game", first: int = 1, every: bool = False) -> dict[str, Any]:
    """Every cell: exploitability of the strategy composed by (un)safe re-solving over the blueprint."""
    tree = game_tree(game)
    cells = []
    for b in blueprint_iters:
        solver = CFRSolver(tree, CFRConfig(algo))
        solver.run(b)
        bp = solver.average_strategy()
        bp_expl = exploitability(tree, bp)
        for s in subgame_iters:
            for safe in (True, False):
                start = time.perf_counter()
                config = ResolveConfig(iterations=s, algo=algo, depth=depth, safe=safe, horizon=horizon,  # type: ignore[arg-type]
                                       first=first, every=every)
                strategy, stats = resolved_strategy(tree, bp, config)
                expl = exploitability(tree, strategy)
                cells.append({
                    "blueprint_iters": b, "subgame_iters": s, "safe": safe,
                    "blueprint_exploitability": bp_expl, "exploitability": expl,
                    "blueprint_mbb_per_hand": mbb_per_hand(bp_expl), "mbb_per_hand": mbb_per_hand(expl),
                    "improvement": bp_expl / max(expl, 1e-15),
                    "heads_up_vs_blueprint_chips": heads_up_value(tree, strategy, bp),
                    "subgames": stats.subgames, "accepted": dict(stats.accepted),
                    "seconds": time.perf_counter() - start,
                })
    never_worse = all(c["exploitability"] <= c["blueprint_exploitability"] + 1e-12 for c in cells if c["safe"])
    return {"game": game, "algo": algo, "depth": depth, "horizon": horizon, "first": first, "every": every,
            "blueprint_iters": blueprint_iters,
            "subgame_iters": subgame_iters, "cells": cells, "safe_never_worse": never_worse}


def _grid(results: dict[str, Any], safe: bool) -> np.ndarray:
    b, s = results["blueprint_iters"], results["subgame_iters"]
    grid = np.zeros((len(b), len(s)))
    for c in results["cells"]:
        if c["safe"] == safe:
            grid[b.index(c["blueprint_iters"]), s.index(c["subgame_iters"])] = c["mbb_per_hand"]
    return grid


def write_tradeoff_report(results: dict[str, Any], out: Path) -> None:
    """report.md / report.html, results.json and a heat map per variant."""
    report = Report(f"Subgame solving trade-off on {results['game']}")
    report.text(f"Exact exploitability (mbb/hand = 1000 x NashConv/2 chips; 1 chip = the ante) of the strategy "
                f"composed by re-solving every subgame ({results['algo']}, horizon {results['horizon']}, depth "
                f"{results['depth'] or 'none'}, blueprint plays the first {results['first']} action(s), re-solve at "
                f"{'every decision' if results['every'] else 'round starts'}) over a {results['algo']} blueprint. "
                f"Subgame iterations 0 = the blueprint itself. Safe never worse than its blueprint: "
                f"{results['safe_never_worse']}.")
    b, s = results["blueprint_iters"], results["subgame_iters"]
    for safe in (True, False):
        grid = _grid(results, safe)
        name = "safe" if safe else "unsafe"
        report.text(f"## {name} re-solving")
        report.table(["blueprint iters"] + [f"subgame {x} (mbb/hand)" for x in s] + ["improvement"],
                     [[bi] + [round(float(v), 3) for v in row] + [round(float(row[0] / max(row[-1], 1e-12)), 2)]
                      for bi, row in zip(b, grid)])
        fig, ax = plt.subplots(figsize=(1.3 * len(s) + 2, 0.6 * len(b) + 1.5))
        im = ax.imshow(np.log10(np.maximum(grid, 1e-12)), cmap="viridis_r", aspect="auto")
        ax.set_xticks(range(len(s)), [str(x) for x in s])
        ax.set_yticks(range(len(b)), [str(x) for x in b])
        ax.set_xlabel("subgame-solving iterations")
        ax.set_ylabel("blueprint iterations")
        for i in range(len(b)):
            for j in range(len(s)):
                ax.text(j, i, f"{grid[i, j]:.3g}", ha="center", va="center", color="w", fontsize=8)
        fig.colorbar(im, ax=ax, label="log10 exploitability (mbb/hand)")
        ax.set_title(f"{name} subgame solving, {results['game']}")
        report.figure(f"tradeoff_{name}.png", fig)
    report.write(out, results)
