"""The exchange rate between search and training, fitted on the rated grid, with a bootstrap interval.

Over the unsaturated cells the study fits a plane (weighted least squares, weights ``1 / stderr**2``)::

    Elo ≈ a + b · log10(training compute) + c · log10(simulations)

so ``10x`` more search adds ``c`` Elo and ``10x`` more training adds ``b``: **10x search buys what
k x training buys** with ``k = 10 ** (c / b)`` (and ``10x`` training buys ``m = 10 ** (b / c)`` x search).
Iso-Elo lines of the plane are straight in (log compute, log sims) with slope ``-b / c``.

**Unsaturated**: a cell with ``sims >= 1`` and ``compute > 0`` whose checkpoint's line has not yet gone
flat: along each checkpoint's Elo-vs-budget line, once a budget gains less than ``flat_elo`` over the
budget before it, that cell and all larger budgets on the line are saturated (the game's ceiling, or
search that no longer helps), and so are cells within ``flat_elo`` of the best cell of the grid.

**Interval**: bootstrap over games — resample the game records with replacement, refit every rating
(Bradley–Terry with the same anchors) and the plane on the same cells, take the 2.5% and 97.5%
percentiles of ``log10 k``. Games are collapsed to distinct (first, second, score) rows with counts as
weights, so a refit costs milliseconds and 200+ replicates are cheap.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from agents.arena.stats import ELO_K
from benchmarks.elo import EloFit, Games, fit_elo


@dataclass(frozen=True)
class CellPoint:
    """A rated cell as the fit sees it."""

    spec: str
    compute: float
    """Training compute of the checkpoint (FLOPs)."""
    sims: int
    checkpoint: int
    """Index of the checkpoint along training (0 = earliest)."""


@dataclass(frozen=True)
class Plane:
    """``Elo = a + b log10(compute) + c log10(sims)``."""

    a: float
    b: float
    c: float

    @property
    def log10_k(self) -> float:
        """log10 of the training multiple that 10x search buys (inf when training does not help)."""
        return self.c / self.b if self.b > 0 else math.inf

    def predict(self, compute: np.ndarray, sims: np.ndarray) -> np.ndarray:
        return self.a + self.b * np.log10(compute) + self.c * np.log10(sims)


@dataclass(frozen=True)
class ExchangeRate:
    """The fitted plane, ``k`` and its bootstrap interval."""

    plane: Plane
    k: float
    """10x search buys what k x training buys."""
    ci95: tuple[float, float]
    used: tuple[str, ...]
    """Cell specs the plane was fitted on."""
    replicates: int
    residual_rms: float

    def to_json(self) -> dict:
        return {"k": self.k, "ci95": list(self.ci95), "plane": {"a": self.plane.a, "b": self.plane.b,
                                                                "c": self.plane.c},
                "m_search_per_10x_training": 10 ** (1 / self.plane.log10_k) if 0 < self.plane.log10_k < math.inf
                else None, "cells_used": list(self.used), "bootstrap_replicates": self.replicates,
                "residual_rms_elo": self.residual_rms}


def fit_plane(points: Sequence[CellPoint], elo: Mapping[str, float],
              stderr: Mapping[str, float] | None = None) -> Plane:
    """Weighted least squares plane over ``points`` (at least 3, not collinear in the two logs)."""
    x = np.array([[1.0, math.log10(p.compute), math.log10(p.sims)] for p in points])
    y = np.array([elo[p.spec] for p in points])
    w = np.ones(len(points)) if stderr is None else np.array([1.0 / max(stderr[p.spec], 1.0) ** 2 for p in points])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)
    return Plane(float(coef[0]), float(coef[1]), float(coef[2]))


def unsaturated(points: Sequence[CellPoint], elo: Mapping[str, float], flat_elo: float) -> list[CellPoint]:
    """The cells the plane is fitted on (see the module docstring)."""
    usable = [p for p in points if p.sims >= 1 and p.compute > 0]
    if not usable:
        return []
    top = max(elo[p.spec] for p in points)
    saturated: set[str] = set()
    for ckpt in {p.checkpoint for p in usable}:
        line = sorted((p for p in usable if p.checkpoint == ckpt), key=lambda p: p.sims)
        flat = False
        for prev, cur in zip(line, line[1:]):
            flat = flat or elo[cur.spec] - elo[prev.spec] < flat_elo
            if flat:
                saturated.add(cur.spec)
    return [p for p in usable if p.spec not in saturated and elo[p.spec] < top - flat_elo]


def plane_is_identifiable(points: Sequence[CellPoint]) -> bool:
    """At least two distinct computes and two distinct budgets among 3+ points."""
    return len(points) >= 3 and len({p.compute for p in points}) >= 2 and len({p.sims for p in points}) >= 2


def collapse(games: Games) -> Games:
    """Distinct (first, second, score) rows with their counts as weights (same fit, far fewer rows)."""
    keys = np.stack([games.first, games.second, np.round(games.score * 2).astype(np.int64)], axis=1)
    rows, inverse = np.unique(keys, axis=0, return_inverse=True)
    counts = np.bincount(inverse.ravel(), weights=games.weights(), minlength=len(rows))
    return Games(games.players, rows[:, 0], rows[:, 1], rows[:, 2] / 2.0, counts)


def _elo_map(fit: EloFit) -> dict[str, float]:
    return {name: r.elo for name, r in fit.ratings.items()}


def exchange_rate(games: Games, anchors: Mapping[str, float], points: Sequence[CellPoint], *,
                  flat_elo: float = 30.0, replicates: int = 200, seed: int = 0,
                  virtual_draws: float = 1.0, fit: EloFit | None = None) -> ExchangeRate | None:
    """Fit the plane on the unsaturated cells and bootstrap ``k``; None if the plane cannot be fitted."""
    compact = collapse(games)
    fit = fit or fit_elo(compact, anchors, virtual_draws=virtual_draws)
    elo = _elo_map(fit)
    stderr = {name: r.stderr for name, r in fit.ratings.items()}
    used = unsaturated(points, elo, flat_elo)
    if not plane_is_identifiable(used):
        return None
    plane = fit_plane(used, elo, stderr)
    resid = np.array([elo[p.spec] for p in used]) - plane.predict(np.array([p.compute for p in used]),
                                                                np.array([p.sims for p in used]))
    rng = np.random.default_rng(seed)
    share = compact.weights() / compact.weights().sum()
    n_games = int(round(compact.weights().sum()))
    refit = _FastRefit(compact, anchors, virtual_draws, fit)
    logs = np.empty(replicates)
    for r in range(replicates):
        ratings = refit(rng.multinomial(n_games, share).astype(np.float64))
        logs[r] = fit_plane(used, ratings, stderr).log10_k if ratings else np.nan
    logs = logs[~np.isnan(logs)]
    lo = float(np.quantile(logs, 0.025, method="lower")) if len(logs) else math.nan
    hi = float(np.quantile(logs, 0.975, method="higher")) if len(logs) else math.nan
    return ExchangeRate(plane=plane, k=_pow10(plane.log10_k), ci95=(_pow10(lo), _pow10(hi)),
                        used=tuple(p.spec for p in used), replicates=len(logs),
                        residual_rms=float(np.sqrt(np.mean(resid ** 2))))


def _pow10(x: float) -> float:
    if math.isnan(x):
        return math.nan
    return math.inf if x > 300 else 10.0 ** x


class _FastRefit:
    """Bradley–Terry refits of the same rows with new counts (bootstrap), vectorised Newton's method.

    The same model as :func:`benchmarks.elo.fit_elo` (free ratings + first-move advantage, fixed anchors,
    ``virtual_draws`` drawn games per pair split over both seat orders), warm-started at the full fit, so a
    replicate takes a few Newton steps on arrays of the distinct rows.
    """

    def __init__(self, rows: Games, anchors: Mapping[str, float], virtual_draws: float, start: EloFit) -> None:
        n = len(rows.players)
        pairs = sorted({(min(a, b), max(a, b)) for a, b in zip(rows.first.tolist(), rows.second.tolist())})
        extra_f = np.array([a for a, b in pairs] + [b for a, b in pairs], dtype=np.int64)
        extra_s = np.array([b for a, b in pairs] + [a for a, b in pairs], dtype=np.int64)
        self.first = np.concatenate([rows.first, extra_f]).astype(np.int64)
        self.second = np.concatenate([rows.second, extra_s]).astype(np.int64)
        self.score = np.concatenate([rows.score, np.full(len(extra_f), 0.5)])
        self.prior = np.full(len(extra_f), virtual_draws / 2.0) if virtual_draws > 0 else np.zeros(len(extra_f))
        self.players = rows.players
        fixed = np.zeros(n, dtype=bool)
        self.start = np.array([start.ratings[p].elo for p in rows.players] + [start.advantage])
        for name in anchors:
            fixed[rows.players.index(name)] = True
        self.free = np.concatenate([np.flatnonzero(~fixed), [n]])  # parameters: free ratings + advantage

    def __call__(self, counts: np.ndarray) -> dict[str, float]:
        """Ratings for these row counts ([R] distinct rows), or {} if Newton's method fails."""
        w = np.concatenate([counts, self.prior])
        theta = self.start.copy()
        n = len(self.players)
        for _ in range(50):
            x = ELO_K * (theta[self.first] - theta[self.second] + theta[n])
            p = 1.0 / (1.0 + np.exp(-x))
            g = ELO_K * w * (self.score - p)
            grad = np.bincount(self.first, g, n + 1) - np.bincount(self.second, g, n + 1)
            grad[n] = g.sum()
            h = ELO_K * ELO_K * w * p * (1 - p)
            hess = np.zeros((n + 1, n + 1))
            for i, j, sign in ((self.first, self.first, 1), (self.second, self.second, 1),
                               (self.first, self.second, -1), (self.second, self.first, -1)):
                np.add.at(hess, (i, j), sign * h)
            np.add.at(hess, (self.first, n), h)
            np.add.at(hess, (self.second, n), -h)
            hess[n, :n] = hess[:n, n]
            hess[n, n] = h.sum()
            f = self.free
            try:
                step = np.linalg.solve(hess[np.ix_(f, f)] + 1e-12 * np.eye(len(f)), grad[f])
            except np.linalg.LinAlgError:
                return {}
            theta[f] += np.clip(step, -400, 400)
            if np.max(np.abs(step)) < 1e-6:
                break
        return dict(zip(self.players, theta[:n].tolist()))
