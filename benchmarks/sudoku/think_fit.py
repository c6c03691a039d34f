"""The exchange rate between thinking (network iterations) and searching (guided-search nodes), fitted as
the connect-four study fits search against training (:mod:`benchmarks.scaling.exchange_rate`).

Over the unsaturated cells (K iterations, N node budget) of one checkpoint's grid the fit is a plane in
the log-odds of the solve rate (log-odds are what Elo measures, 1 = 174 Elo), weighted least squares
with weights ``n p (1 - p)`` (the inverse variance of an observed log-odds)::

    logit(solve rate) ≈ a + b · log10(K) + c · log10(N)

so ``10x`` more iterations add ``b`` and ``10x`` more nodes add ``c``: **10x search buys what k x
thinking buys**, ``k = 10 ** (c / b)``. At equal CPU time: the measured CPU seconds per puzzle of the
cells are fitted as ``log10(seconds) ≈ α + β · log10(K) + γ · log10(N)``, so one decade of CPU time
spent on thinking adds ``b / β`` and one spent on search ``c / γ``; ``r = (c / γ) / (b / β)`` is the
equal-CPU exchange rate (above 1: a second of search buys more than a second of thinking), and 10x
CPU time on search buys what ``10 ** r`` x CPU time on thinking buys.

**Unsaturated** (as in the connect-four study): a cell whose rate is within (``floor``, 1 - ``floor``)
and whose line of budgets (fixed K) has not yet gone flat: along it, once a larger budget gains less than
``flat`` solve rate, that cell and the larger budgets are saturated. The iteration axis is not cut, so a
network that does not gain from thinking gets ``b <= 0`` and no finite ``k`` (reported as such).

**Interval**: bootstrap over puzzles (the same resampled puzzles for every cell), refitting both planes on
the same cells; 2.5% and 97.5% percentiles.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

FLOOR = 0.02
"""Cells with a solve rate within this of 0 or 1 are saturated."""
FLAT = 0.01
"""A step along a line that gains less solve rate than this makes the rest of the line saturated."""


@dataclass(frozen=True)
class GridCell:
    """One cell of the grid as the fit sees it."""

    iters: int
    nodes: int
    solved: np.ndarray
    """bool [P]: each test puzzle solved within the budget."""
    seconds: np.ndarray
    """float [P]: CPU seconds spent on each puzzle within the budget."""


def _logit(p: np.ndarray, n: int) -> np.ndarray:
    q = np.clip(p, 0.5 / n, 1 - 0.5 / n)
    return np.log(q / (1 - q))


def plane(x1: np.ndarray, x2: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float, float]:
    """Weighted least squares ``y ≈ a + b x1 + c x2``."""
    design = np.stack([np.ones_like(x1), x1, x2], axis=1)
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(design * sw[:, None], y * sw, rcond=None)
    return float(coef[0]), float(coef[1]), float(coef[2])


def unsaturated(cells: Sequence[GridCell], floor: float = FLOOR, flat: float = FLAT) -> list[GridCell]:
    """The cells the planes are fitted on (see the module docstring)."""
    rate = {(c.iters, c.nodes): float(np.mean(c.solved)) for c in cells}
    saturated = {key for key, r in rate.items() if not floor < r < 1 - floor}
    for iters in {key[0] for key in rate}:
        line = sorted(key for key in rate if key[0] == iters)
        gone_flat = False
        for prev, cur in zip(line, line[1:]):
            gone_flat = gone_flat or rate[cur] - rate[prev] < flat
            if gone_flat:
                saturated.add(cur)
    return [c for c in cells if (c.iters, c.nodes) not in saturated]


def identifiable(cells: Sequence[GridCell]) -> bool:
    """At least 3 cells with 2 distinct iteration counts and 2 distinct budgets."""
    return len(cells) >= 3 and len({c.iters for c in cells}) >= 2 and len({c.nodes for c in cells}) >= 2


def _fit(cells: Sequence[GridCell], index: np.ndarray) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """(rate plane, time plane) on the puzzles ``index``."""
    n = len(index)
    x1 = np.log10([c.iters for c in cells]).astype(float)
    x2 = np.log10([c.nodes for c in cells]).astype(float)
    p = np.array([np.mean(c.solved[index]) for c in cells])
    w = n * np.clip(p * (1 - p), 1.0 / n, None)
    secs = np.array([max(float(np.mean(c.seconds[index])), 1e-12) for c in cells])
    return plane(x1, x2, _logit(p, n), w), plane(x1, x2, np.log10(secs), np.ones(len(cells)))


def _ratios(rate: tuple[float, float, float], time: tuple[float, float, float]) -> tuple[float, float]:
    """(log10 k, r) of two planes (nan where undefined)."""
    _, b, c = rate
    _, beta, gamma = time
    log10_k = c / b if b > 0 else math.nan
    think, search = (b / beta if beta > 0 else math.nan), (c / gamma if gamma > 0 else math.nan)
    return log10_k, (search / think if think > 0 else math.nan)


def exchange_rate(cells: Sequence[GridCell], *, replicates: int = 200, seed: int = 0, floor: float = FLOOR,
                  flat: float = FLAT) -> dict[str, Any] | None:
    """The fit of the module docstring with its bootstrap intervals, or None if no plane can be fitted."""
    used = unsaturated(cells, floor, flat)
    if not identifiable(used):
        return None
    puzzles = len(used[0].solved)
    everyone = np.arange(puzzles)
    rate, time = _fit(used, everyone)
    log10_k, r = _ratios(rate, time)
    rng = np.random.default_rng(seed)
    draws = np.array([_ratios(*_fit(used, rng.integers(puzzles, size=puzzles))) for _ in range(replicates)])

    def interval(column: np.ndarray, power: bool) -> list[float]:
        finite = column[np.isfinite(column)]
        if not len(finite):
            return [math.nan, math.nan]
        lo, hi = np.quantile(finite, 0.025), np.quantile(finite, 0.975)
        return [_pow10(lo), _pow10(hi)] if power else [float(lo), float(hi)]

    a, b, c = rate
    x1 = np.log10([u.iters for u in used])
    x2 = np.log10([u.nodes for u in used])
    observed = _logit(np.array([np.mean(u.solved) for u in used]), puzzles)
    residual = observed - (a + b * x1 + c * x2)
    return {
        "k": _pow10(log10_k), "ci95": interval(draws[:, 0], True),
        "cpu_exchange_r": r, "cpu_exchange_r_ci95": interval(draws[:, 1], False),
        "cpu_thinking_multiple_for_10x_search": _pow10(r) if math.isfinite(r) else None,
        "plane": {"a": a, "b": b, "c": c}, "time_plane": {"alpha": time[0], "beta": time[1], "gamma": time[2]},
        "cells_used": [[u.iters, u.nodes] for u in used], "bootstrap_replicates": replicates,
        "residual_rms_logit": float(np.sqrt(np.mean(residual ** 2))),
    }


def _pow10(x: float) -> float:
    if math.isnan(x):
        return math.nan
    return math.inf if x > 300 else 10.0 ** x
