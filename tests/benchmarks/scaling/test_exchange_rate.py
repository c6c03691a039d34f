"""Exchange-rate fit: recovers a known plane and k from synthetic games; fast refits equal benchmarks.elo."""
from __future__ import annotations

import math

import numpy as np

from benchmarks.elo import fit_elo, games_from_results
from benchmarks.scaling.exchange_rate import CellPoint, _FastRefit, collapse, exchange_rate, fit_plane, unsaturated
from benchmarks.scaling.grid import CheckpointInfo, Grid, make_plan, nearest_links, parse_anchors

TRUE_B, TRUE_C = 300.0, 200.0
"""Known plane: Elo = 100 + 300 (log10 C - 12) + 200 log10 S, so k = 10 ** (200 / 300) = 4.64."""


def _study(games_per_pair: int, seed: int):
    cks = tuple(CheckpointInfo(f"r/checkpoints/{i:06d}.pt", i, i, 0, 0, 60.0 * i, 10 ** (12 + 0.5 * i))
                for i in range(5))
    anchors = parse_anchors(["random=0;mcts:sims=16,eval=rollout;mcts:sims=64,eval=rollout"])
    grid = Grid(cks, (1, 2, 4, 8, 16, 32), anchors)
    true = {anchors[0].spec: 0.0, anchors[1].spec: 350.0, anchors[2].spec: 700.0}
    for c in grid.cells:
        true[c.spec] = 100 + TRUE_B * (math.log10(cks[c.ci].compute_flops) - 12) + TRUE_C * math.log10(c.sims)
    plan = make_plan(grid, games_per_pair, nearest_links(grid, true))
    rng = np.random.default_rng(seed)
    rows = []
    for (a, b), n in plan.pairs.items():
        for g in range(n):
            first, second = (a, b) if g % 2 == 0 else (b, a)
            p = 1 / (1 + 10 ** (-(true[first] - true[second] + 25) / 400))
            rows.append((first, second, float(rng.random() < p)))
    points = [CellPoint(c.spec, cks[c.ci].compute_flops, c.sims, c.ci) for c in grid.cells]
    return games_from_results(rows), grid, points, true


def test_fit_plane_exact_on_noise_free_ratings():
    _, _, points, true = _study(2, 0)
    plane = fit_plane(points, true)
    assert abs(plane.b - TRUE_B) < 1e-6 and abs(plane.c - TRUE_C) < 1e-6
    assert abs(10 ** plane.log10_k - 10 ** (TRUE_C / TRUE_B)) < 1e-6


def test_exchange_rate_recovers_known_k_with_covering_interval():
    games, grid, points, _ = _study(60, 1)
    rate = exchange_rate(games, grid.fixed, points, flat_elo=0.0, replicates=200, seed=3)
    true_k = 10 ** (TRUE_C / TRUE_B)
    assert rate is not None and rate.replicates == 200
    assert rate.ci95[0] < true_k < rate.ci95[1]
    assert rate.ci95[1] / rate.ci95[0] < 2.0  # an informative interval, not a vacuous one
    assert abs(math.log10(rate.k / true_k)) < 0.12
    assert abs(rate.plane.b - TRUE_B) < 45 and abs(rate.plane.c - TRUE_C) < 35


def test_collapse_and_fast_refit_match_the_elo_fit():
    games, grid, _, _ = _study(10, 2)
    full = fit_elo(games, grid.fixed)
    compact = collapse(games)
    assert len(compact.score) < len(games.score) and compact.weights().sum() == len(games.score)
    again = fit_elo(compact, grid.fixed)
    refit = _FastRefit(compact, grid.fixed, 1.0, fit_elo(compact, grid.fixed, max_iter=2))
    fast = refit(compact.weights())
    for name, r in full.ratings.items():
        assert abs(again.ratings[name].elo - r.elo) < 1e-6
        assert abs(again.ratings[name].stderr - r.stderr) < 1e-6
        assert abs(fast[name] - r.elo) < 1e-3


def test_unsaturated_drops_flat_tails_and_the_top():
    pts = [CellPoint(f"c{i}s{s}", 10.0 ** (12 + i), s, i) for i in range(2) for s in (1, 2, 4, 8)]
    elo = {"c0s1": 0, "c0s2": 100, "c0s4": 110, "c0s8": 300, "c1s1": 200, "c1s2": 300, "c1s4": 400, "c1s8": 500}
    kept = {p.spec for p in unsaturated(pts, elo, flat_elo=30.0)}
    # c0 goes flat at s4: s4 and everything after are out; c1s8 is the top cell
    assert kept == {"c0s1", "c0s2", "c1s1", "c1s2", "c1s4"}
