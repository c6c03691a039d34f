"""Agreement of our CFR+ and DCFR with open_spiel's solvers: ``python -m benchmarks.poker agree``.

For each game and algorithm, our solver runs in both floating-point orders (``tree``: the fast
public-tree kernels; ``history``: open_spiel's order, :mod:`search.cfr.history_order`) next to the
reference — open_spiel's C++ ``CFRPlusSolver`` for CFR+, its Python ``DCFRSolver`` for DCFR (open_spiel
has no C++ DCFR) — and the exploitabilities are compared at each checkpoint (relative gap, and the
number of leading significant digits that agree). A third run of the tree order gets a relative
perturbation of ``1e-14`` in its regrets at iteration 50: how far that moves the exploitability later
shows how much any difference in rounding order is amplified (CFR+ on Leduc is chaotic from about
iteration 110 on), which is why the history order exists.
"""
from __future__ import annotations

import math
import sys
import time
from typing import Any, Sequence

from tqdm import tqdm

from search.cfr import CFRConfig, CFRSolver, game_tree

PERTURB_AT = 50
"""Iteration after which the perturbed run's regrets are multiplied by ``1 + PERTURBATION``."""
PERTURBATION = 1e-14
"""Relative size of the perturbation (a few units in the last place of a double)."""


def significant_digits(a: float, b: float) -> float:
    """Leading significant digits on which ``a`` and ``b`` agree (-log10 of the relative gap; 16 if equal)."""
    if a == b:
        return 16.0
    return max(0.0, -math.log10(abs(a - b) / max(abs(a), abs(b))))


class _Reference:
    """open_spiel's solver for ``algo`` and its exploitability."""

    def __init__(self, game_name: str, algo: str) -> None:
        import pyspiel

        self.game = pyspiel.load_game(game_name)
        if algo == "cfr+":
            self.solver = pyspiel.CFRPlusSolver(self.game)
            self.name = "open_spiel C++ CFRPlusSolver"
            self._expl = lambda: pyspiel.exploitability(self.game, self.solver.average_policy())
        elif algo == "dcfr":
            from open_spiel.python.algorithms import discounted_cfr, exploitability

            self.solver = discounted_cfr.DCFRSolver(self.game)
            self.name = "open_spiel Python DCFRSolver"
            self._expl = lambda: exploitability.exploitability(self.game, self.solver.average_policy())
        else:
            raise ValueError(f"no open_spiel reference for '{algo}'")

    def run(self, iterations: int) -> None:
        for _ in range(iterations):
            self.solver.evaluate_and_update_policy()

    def exploitability(self) -> float:
        return float(self._expl())


def agree(game_name: str, algo: str, checkpoints: Sequence[int], bar: tqdm | None = None) -> dict[str, Any]:
    """Exploitability of the reference and of our solver (both orders, and the perturbed tree order);
    ``bar`` (optional) advances by the iterations run."""
    tree = game_tree(game_name)
    ref = _Reference(game_name, algo)
    for order in ("tree", "history"):  # compile (or load the cache) outside the clock
        CFRSolver(tree, CFRConfig(algo, order=order)).run(1)
    runs = {"tree": CFRSolver(tree, CFRConfig(algo)), "history": CFRSolver(tree, CFRConfig(algo, order="history")),
            "tree_perturbed": CFRSolver(tree, CFRConfig(algo))}
    seconds = {name: 0.0 for name in (*runs, "reference")}
    rows: list[dict[str, Any]] = []
    done = 0
    for n in sorted(set(int(c) for c in checkpoints)):
        step = n - done
        start = time.perf_counter()
        ref.run(n - done)
        seconds["reference"] += time.perf_counter() - start
        for name, solver in runs.items():
            start = time.perf_counter()
            if name == "tree_perturbed" and done < PERTURB_AT <= n:
                solver.run(PERTURB_AT - done)
                solver.regret *= 1.0 + PERTURBATION
                solver.run(n - PERTURB_AT)
            else:
                solver.run(n - done)
            seconds[name] += time.perf_counter() - start
        done = n
        reference = ref.exploitability()
        row: dict[str, Any] = {"iterations": n, "reference": reference}
        for name, solver in runs.items():
            value = solver.exploitability()
            row[name] = value
            row[f"{name}_rel_gap"] = (value - reference) / reference
            row[f"{name}_digits"] = significant_digits(value, reference)
        row["perturbation_rel_effect"] = (row["tree_perturbed"] - row["tree"]) / row["tree"]
        rows.append(row)
        if bar is not None:
            bar.update(step)
    return {"game": game_name, "algo": algo, "reference": ref.name, "rows": rows,
            "iters_per_s": {k: done / v if v > 0 else None for k, v in seconds.items()}}


def run_agree(games: Sequence[str], algos: Sequence[str], checkpoints: Sequence[int],
              progress: bool = False) -> dict[str, Any]:
    """:func:`agree` for every game x algorithm, and whether the history order meets 3 digits everywhere;
    ``progress``: a bar on stderr counting iterations (of each game x algorithm's four solvers)."""
    total = len(games) * len(algos) * max(int(c) for c in checkpoints)
    with tqdm(total=total, desc="agree", unit="it", file=sys.stderr, disable=None if progress else True,
              dynamic_ncols=True) as bar:
        results = []
        for g in games:
            for a in algos:
                bar.set_postfix_str(f"{g} {a}", refresh=False)
                results.append(agree(g, a, checkpoints, bar))
    worst = min(r["history_digits"] for res in results for r in res["rows"])
    return {"checkpoints": sorted(set(int(c) for c in checkpoints)), "perturbation": PERTURBATION,
            "perturb_at": PERTURB_AT, "results": results, "history_min_digits": worst,
            "history_agrees_3_digits": bool(worst >= 3.0)}


def format_agree(out: dict[str, Any]) -> str:
    """A table per game and algorithm."""
    lines = []
    for res in out["results"]:
        lines.append(f"{res['game']} {res['algo']} vs {res['reference']}")
        lines.append(f"  {'iters':>6} {'reference':>12} {'history':>12} {'digits':>6} {'tree':>12} {'digits':>6}"
                     f" {'1e-14 kick':>10}")
        for r in res["rows"]:
            lines.append(f"  {r['iterations']:>6} {r['reference']:>12.6g} {r['history']:>12.6g} "
                         f"{r['history_digits']:>6.1f} {r['tree']:>12.6g} {r['tree_digits']:>6.1f} "
                         f"{r['perturbation_rel_effect']:>+10.1e}")
        speed = res["iters_per_s"]
        lines.append("  iterations/s: " + ", ".join(f"{k} {v:,.0f}" for k, v in speed.items() if v))
    lines.append(f"history order agrees to >= 3 significant digits everywhere: {out['history_agrees_3_digits']} "
                 f"(worst {out['history_min_digits']:.1f} digits)")
    return "\n".join(lines)
