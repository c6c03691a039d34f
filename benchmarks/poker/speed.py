"""Speed of our CFR+ / DCFR against open_spiel's C++ CFRPlusSolver on Leduc, measured in one run."""
from __future__ import annotations

import time
from typing import Any

from search.cfr import CFRConfig, CFRSolver, game_tree


def _timed_solver(make_step, evaluate, seconds: float, checkpoints: list[float]) -> dict[str, Any]:
    """Run ``make_step()`` (returns iterations done) until ``seconds`` of solver time have passed.

    Exploitability (by ``evaluate()``) is taken at each checkpoint; its cost is not counted as time.
    """
    spent, iters = 0.0, 0
    at: dict[str, float] = {}
    pending = sorted(checkpoints)
    while pending:
        start = time.perf_counter()
        iters += make_step()
        spent += time.perf_counter() - start
        while pending and spent >= pending[0]:
            at[f"{pending.pop(0):g}s"] = evaluate()
    return {"iterations": iters, "seconds": spent, "iters_per_s": iters / spent, "exploitability_at": at}


def ours(algo: str, seconds: float, checkpoints: list[float]) -> dict[str, Any]:
    """Our solver on Leduc (numba compiled before the clock starts)."""
    tree = game_tree("leduc_poker")
    CFRSolver(tree, CFRConfig(algo)).run(2)  # compile
    solver = CFRSolver(tree, CFRConfig(algo))

    def step() -> int:
        solver.run(25)
        return 25

    result = _timed_solver(step, solver.exploitability, seconds, checkpoints)
    result["final_exploitability"] = solver.exploitability()
    return result


def openspiel_cpp(seconds: float, checkpoints: list[float]) -> dict[str, Any]:
    """open_spiel's C++ CFRPlusSolver on Leduc, exploitability by ``pyspiel.exploitability``."""
    import pyspiel

    game = pyspiel.load_game("leduc_poker")
    solver = pyspiel.CFRPlusSolver(game)

    def step() -> int:
        solver.evaluate_and_update_policy()
        return 1

    def evaluate() -> float:
        return float(pyspiel.exploitability(game, solver.average_policy()))

    result = _timed_solver(step, evaluate, seconds, checkpoints)
    result["final_exploitability"] = evaluate()
    return result


def speed_benchmark(seconds: float = 10.0) -> dict[str, Any]:
    """Iterations/s and exploitability after 1 s and ``seconds`` of our CFR+, DCFR and open_spiel's C++ CFR+."""
    checkpoints = sorted({min(1.0, seconds), seconds})
    reference = openspiel_cpp(seconds, checkpoints)
    results: dict[str, Any] = {"game": "leduc_poker", "seconds": seconds, "openspiel_cpp_cfr_plus": reference,
                               "openspiel_cpp_iters_per_s": reference["iters_per_s"]}
    for algo in ("cfr+", "dcfr"):
        r = ours(algo, seconds, checkpoints)
        r["ratio_vs_openspiel_cpp"] = r["iters_per_s"] / reference["iters_per_s"]
        results[algo] = r
    results["iters_per_s"] = results["cfr+"]["iters_per_s"]
    results["ratio_vs_openspiel_cpp"] = results["cfr+"]["ratio_vs_openspiel_cpp"]
    return results
