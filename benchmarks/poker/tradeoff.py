"""Blueprint strength x subgame-solving iterations -> exact exploitability on Leduc (and heads-up EV)."""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

from agents.flags import CliParser  # noqa: E402
from agents.provenance import RunInfo  # noqa: E402
from benchmarks.report import Report  # noqa: E402
from games.core import InputError  # noqa: E402
from search.cfr import ALGORITHMS, CFRConfig, CFRSolver, ResolveConfig, Resolver, exploitability, game_tree  # noqa: E402
from search.cfr.leaf_solve import ExactLeafValues, LeafFn  # noqa: E402
from search.cfr.solver import expected_value, mbb_per_hand  # noqa: E402
from search.cfr.tree import PublicTree  # noqa: E402


def heads_up_value(tree: PublicTree, a: np.ndarray, b: np.ndarray) -> float:
    """Exact chips per hand that strategy ``a`` wins from ``b``, averaged over both seats."""
    seat0 = np.where((tree.player[tree.kind == 0] == 0)[:, None, None], a, b)
    seat1 = np.where((tree.player[tree.kind == 0] == 0)[:, None, None], b, a)
    return 0.5 * (expected_value(tree, seat0) - expected_value(tree, seat1))


def progress_bar(total: int, desc: str, enabled: bool = True) -> tqdm:
    """A bar on stderr counting cells, with rate and time left (off when ``enabled`` is False or stderr is
    not a terminal)."""
    return tqdm(total=total, desc=desc, unit="cell", file=sys.stderr, disable=None if enabled else True,
                dynamic_ncols=True)


def tradeoff(game: str, blueprint_iters: list[int], subgame_iters: list[int], algo: str, depth: int,
             horizon: str = "game", first: int = 1, every: bool = False, leaf: str = "blueprint",
             leaf_every: int = 1, lookahead: bool = False, bar: tqdm | None = None) -> dict[str, Any]:
    """Every cell: exploitability of the strategy composed by (un)safe re-solving over the blueprint.

    ``leaf``: ``blueprint``, ``exact`` (the exact leaf oracle) or ``net:PATH`` (a leaf value network;
    with ``horizon="round"``), re-evaluated every ``leaf_every`` solver iterations. ``bar`` (optional)
    advances by one per cell (``2 x blueprints x subgame iterations`` cells: safe and unsafe).
    """
    tree = game_tree(game)
    leaf_fn = leaf_values(leaf, tree)
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
                                       first=first, every=every, leaf_every=leaf_every, lookahead=lookahead)
                resolver = Resolver(tree, bp, config, leaf_fn=leaf_fn)
                strategy, stats = resolver.resolve_all(), resolver.stats
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
                if bar is not None:
                    bar.update(1)
    never_worse = all(c["exploitability"] <= c["blueprint_exploitability"] + 1e-12 for c in cells if c["safe"])
    return {"game": game, "algo": algo, "depth": depth, "horizon": horizon, "first": first, "every": every,
            "leaf": leaf, "lookahead": lookahead,
            "blueprint_iters": blueprint_iters,
            "subgame_iters": subgame_iters, "cells": cells, "safe_never_worse": never_worse}


def leaf_values(leaf: str, tree: PublicTree) -> LeafFn | None:
    """The leaf function a ``leaf`` name stands for: None (blueprint), the exact oracle, or a network."""
    if leaf == "blueprint":
        return None
    if leaf == "exact":
        return ExactLeafValues(tree, 500)
    from agents.subgame import leaf_function

    if not leaf.startswith("net:") or len(leaf) <= 4:
        raise ValueError(f"leaf must be blueprint, exact or net:PATH; got '{leaf}'")
    return leaf_function(leaf[4:], tree)


def _grid(results: dict[str, Any], safe: bool) -> np.ndarray:
    b, s = results["blueprint_iters"], results["subgame_iters"]
    grid = np.zeros((len(b), len(s)))
    for c in results["cells"]:
        if c["safe"] == safe:
            grid[b.index(c["blueprint_iters"]), s.index(c["subgame_iters"])] = c["mbb_per_hand"]
    return grid


def write_tradeoff_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    """report.md / report.html, results.json and a heat map per variant; returns the results as written."""
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
    return report.write(out, results, provenance)


VARIANTS = {"full": ("game", "blueprint"), "blueprint": ("round", "blueprint"), "exact": ("round", "exact")}
"""Rows of the leaf comparison besides the network's: name -> (horizon, leaf)."""


def leaf_comparison(net: str | None, blueprint_iters: list[int], subgame_iters: list[int], algo: str = "dcfr",
                    exact: bool = False, leaf_every: int = 1, lookahead: bool = False,
                    exact_every: int = 10, progress: bool = False) -> dict[str, Any]:
    """Depth-limited re-solving with blueprint leaves vs network leaves (vs exact leaves) vs full depth.

    Each row is :func:`tradeoff` on Leduc with one (horizon, leaf) pair; the exploitability of every
    cell is exact, computed as for the other tables. The exact oracle (a CFR solve of the rest of the
    hand per leaf) is evaluated every ``exact_every`` iterations, the network every ``leaf_every``.
    ``progress``: a bar over all cells on stderr.
    """
    rows = {"full": VARIANTS["full"], "blueprint": VARIANTS["blueprint"]}
    if net is not None:
        leaf_values(f"net:{net}", game_tree("leduc_poker"))  # a bad checkpoint fails before any work
        rows["net"] = ("round", f"net:{net}")
    if exact:
        rows["exact"] = VARIANTS["exact"]
    variants = {}
    with progress_bar(2 * len(rows) * len(blueprint_iters) * len(subgame_iters), "leaves", progress) as bar:
        for name, (horizon, leaf) in rows.items():
            bar.set_postfix_str(name, refresh=False)
            variants[name] = tradeoff("leduc_poker", blueprint_iters, subgame_iters, algo, 0, horizon, leaf=leaf,
                                      leaf_every=exact_every if name == "exact" else leaf_every,
                                      lookahead=lookahead, bar=bar)
    cells = [dict(c, variant=name) for name, v in variants.items() for c in v["cells"]]
    return {"game": "leduc_poker", "algo": algo, "net": net, "leaf_every": leaf_every, "exact_every": exact_every,
            "lookahead": lookahead,
            "variants": list(rows),
            "blueprint_iters": blueprint_iters, "subgame_iters": subgame_iters, "cells": cells,
            "safe_never_worse": all(v["safe_never_worse"] for v in variants.values())}


_LABELS = {"full": "full depth (to the end of the hand)", "blueprint": "depth-limited, blueprint leaves",
           "net": "depth-limited, value-network leaves", "exact": "depth-limited, exact leaves (oracle)"}


def write_leaf_report(results: dict[str, Any], out: Path, provenance: RunInfo) -> dict[str, Any]:
    """report.md / report.html and results.json of :func:`leaf_comparison` (one table per blueprint);
    returns the results as written."""
    report = Report("Depth-limited subgame solving on Leduc: blueprint leaves vs value-network leaves")
    judged = "with the next re-solves below their leaves (lookahead)" if results["lookahead"] else "as they are"
    report.text(f"Exact exploitability (mbb/hand) of the strategy composed by re-solving over a {results['algo']} "
                f"blueprint: subgames to the end of the betting round (leaves = the board deal, valued by the "
                f"blueprint, by the value network `{results['net']}` every {results['leaf_every']} iteration(s), or "
                f"exactly every {results['exact_every']}), or to the end of the hand. Safe depth-limited candidates "
                f"are judged {judged}. Safe never worse than its blueprint: {results['safe_never_worse']}.")
    s = results["subgame_iters"]
    for b in results["blueprint_iters"]:
        report.text(f"## blueprint {b} iterations")
        rows = []
        for name in results["variants"]:
            for safe in (True, False):
                got = {c["subgame_iters"]: c["mbb_per_hand"] for c in results["cells"]
                       if c["variant"] == name and c["safe"] == safe and c["blueprint_iters"] == b}
                rows.append([_LABELS[name], "safe" if safe else "unsafe"] + [round(float(got[x]), 3) for x in s])
        report.table(["subgames", "re-solving"] + [f"{x} iters (mbb/hand)" for x in s], rows)
    return report.write(out, results, provenance)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.poker leaves [--net PATH]``: the leaf comparison report; returns the exit status."""
    p = CliParser(prog="python -m benchmarks.poker leaves",
                  description="Depth-limited re-solving on Leduc with blueprint leaves vs value-network leaves (vs "
                              "exact leaves) vs full depth: the exact exploitability of every cell, as a report "
                              "(report.md, report.html, results.json in --out).")
    p.add_argument("--net", default=None, help="leaf value network checkpoint (runs/NAME/leaf_value.pt)")
    p.add_argument("--blueprints", default="30", help="blueprint iterations, comma-separated (default 30)")
    p.add_argument("--subgame-iters", default="0,100,1000", help="subgame iterations (default 0,100,1000)")
    p.add_argument("--algo", default="dcfr", help="CFR variant of blueprint and subgames")
    p.add_argument("--leaf-every", type=int, default=1, help="iterations between network leaf evaluations")
    p.add_argument("--exact-every", type=int, default=10, help="iterations between exact leaf evaluations")
    p.add_argument("--exact", action="store_true", help="add the exact-leaf-oracle row (slow)")
    p.add_argument("--lookahead", action="store_true", help="safe depth-limited re-solves look one subgame ahead")
    p.add_argument("--out", type=Path, default=Path("runs/benchmarks/poker_leaves"), help="report folder")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    provenance = RunInfo.begin(p.prog, argv)
    try:
        blueprints = [int(x) for x in args.blueprints.split(",")]
        iters = [int(x) for x in args.subgame_iters.split(",")]
    except ValueError:
        raise InputError("--blueprints and --subgame-iters take comma-separated integers") from None
    if min(blueprints) < 1 or min(iters) < 0 or min(args.leaf_every, args.exact_every) < 1:
        raise InputError("blueprints must be >= 1, subgame iterations >= 0, --leaf-every and --exact-every >= 1")
    if args.algo not in ALGORITHMS:
        raise InputError(f"unknown algorithm '{args.algo}' (known: {', '.join(ALGORITHMS)})")
    out = leaf_comparison(args.net, blueprints, iters, args.algo, args.exact, args.leaf_every, args.lookahead,
                          args.exact_every, progress=True)
    out = write_leaf_report(out, args.out, provenance)
    out["out"] = str(args.out)
    if args.json:
        print(json.dumps(out))
    else:
        print((args.out / "report.md").read_text())
    return 0

