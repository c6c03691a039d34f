"""Top-up waves: which extra games shrink the widest intervals most per second of play.

After the planned waves, cells whose 95% half-width still exceeds the target get more games, chosen
greedily from the fit's covariance ``S`` (ratings relative to the fixed anchors). ``m`` more games
between ``a`` and ``b`` add information ``lam = m K^2 p (1 - p)`` along ``d = e_a - e_b`` (``p`` the
fitted expected score), and by the rank-one update

    S' = S - lam (S d)(S d)^T / (1 + lam d^T S d)

the variance of player ``i`` falls by ``lam (S d)_i^2 / (1 + lam d^T S d)``. Each step takes the pair
with the largest fall of the summed excess variance of the cells over the target per second of play,
updates ``S``, and stops when the predicted excess is gone or the wave's time is spent.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from agents.arena.stats import ELO_K, Z95
from benchmarks.elo import EloFit


def predicted_half_widths(cov: np.ndarray) -> np.ndarray:
    """95% half-widths [P] from a covariance [P, P]."""
    return Z95 * np.sqrt(np.clip(np.diag(cov), 0.0, None))


def top_up(fit: EloFit, pairs: Sequence[tuple[str, str]], cells: Sequence[str], target: float,
           seconds_per_game: Callable[[str, str], float], budget_seconds: float, chunk: int,
           max_steps: int = 1000) -> dict[tuple[str, str], int]:
    """Extra games per pair (multiples of ``chunk``) for one top-up wave; {} when nothing is over target.

    Args:
        fit: the current fit (ratings and covariance over ``fit.players``).
        pairs: the pairs that may get more games (both specs among ``fit.players``).
        cells: the players whose half-width should fall to ``target``.
        target: the 95% half-width wanted, in Elo.
        seconds_per_game: estimated seconds of one game of a pair.
        budget_seconds: most estimated seconds of play to add in this wave (summed over games).
        chunk: games added to a pair per greedy step (even).
    """
    index = {p: i for i, p in enumerate(fit.players)}
    cov = fit.covariance.copy()
    want = np.zeros(len(fit.players), dtype=bool)
    for c in cells:
        want[index[c]] = True
    limit = (target / Z95) ** 2
    cand = [(a, b) for a, b in pairs if a in index and b in index]
    if not cand:
        return {}
    ia = np.array([index[a] for a, _ in cand])
    ib = np.array([index[b] for _, b in cand])
    elo = np.array([fit.ratings[p].elo for p in fit.players])
    p = 1.0 / (1.0 + 10.0 ** (-(elo[ia] - elo[ib]) / 400.0))
    lam = chunk * ELO_K * ELO_K * p * (1 - p)
    cost = np.array([chunk * seconds_per_game(a, b) for a, b in cand])
    extra: dict[tuple[str, str], int] = {}
    spent = 0.0
    for _ in range(max_steps):
        var = np.diag(cov)
        excess = want & (var > limit)
        if not excess.any():
            break
        sd = cov[:, ia] - cov[:, ib]                      # [P, C]: S d for every candidate
        dsd = sd[ia, np.arange(len(cand))] - sd[ib, np.arange(len(cand))]
        fall = lam[None, :] * sd ** 2 / (1.0 + lam * dsd)[None, :]
        gain = np.minimum(fall, np.clip(var - limit, 0, None)[:, None])[excess].sum(axis=0)
        best = int(np.argmax(gain / cost))
        if gain[best] <= 0 or spent + cost[best] > budget_seconds:
            break
        v = sd[:, best]
        cov -= lam[best] * np.outer(v, v) / (1.0 + lam[best] * dsd[best])
        extra[cand[best]] = extra.get(cand[best], 0) + chunk
        spent += cost[best]
    return extra


def over_target(fit: EloFit, cells: Sequence[str], target: float) -> list[str]:
    """Cells whose fitted 95% half-width exceeds ``target``."""
    return [c for c in cells if Z95 * fit.ratings[c].stderr > target + 1e-9]


def counts_by_pair(specs: Sequence[tuple[str, str]]) -> dict[frozenset[str], int]:
    """Games per unordered pair, from the seats of game records."""
    out: dict[frozenset[str], int] = {}
    for a, b in specs:
        key = frozenset((a, b))
        out[key] = out.get(key, 0) + 1
    return out
