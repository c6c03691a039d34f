"""Scaling grid: anchors, budgets, checkpoint choice, and a schedule that links every cell to a fixed anchor."""
from __future__ import annotations

import numpy as np
import pytest

from agents.arena.stats import ELO_K as K
from benchmarks.elo import Games, fit_elo, games_from_results
from benchmarks.scaling.design import predicted_half_widths, top_up
from benchmarks.scaling.grid import (CheckpointInfo, Grid, ScalingInputError, cell_spec, connected_to_fixed,
                                     default_anchors, grid_edges, ladder_edges, make_plan, nearest_links, neighbour_pairs,
                                     parse_anchor, parse_anchors, parse_sims, pilot_links, wave_targets)


def _grid(n_ckpt: int = 4, sims: tuple[int, ...] = (0, 1, 4, 16), game: str = "connect_four") -> Grid:
    cks = tuple(CheckpointInfo(f"r/checkpoints/{i:06d}.pt", i, i, 0, 0, 1.0, 10.0 ** (12 + i)) for i in range(n_ckpt))
    return Grid(cks, sims, default_anchors(game))


def test_parse_anchor_distinguishes_fixed_from_specs_with_equals():
    assert parse_anchor("random=0").elo == 0.0 and parse_anchor("random=0").spec == "random"
    assert parse_anchor("mcts:sims=16").elo is None  # a spec, not 'mcts:sims' fixed at 16
    assert parse_anchor("mcts:sims=16,eval=rollout=250").elo == 250.0
    sf = parse_anchor("stockfish:elo=1350,nodes=100000")
    assert sf.elo == 1350.0 and sf.spec == "stockfish:elo=1350,nodes=100000"
    with pytest.raises(ScalingInputError):
        parse_anchor("nosuchagent:x=1")
    with pytest.raises(ScalingInputError):
        parse_anchors(["mcts:sims=16"])  # nothing fixed
    chess = default_anchors("chess")
    assert {a.spec: a.elo for a in chess if a.elo is not None} == {
        f"stockfish:elo={n},movetime=0.1": float(n) for n in (1350, 1500, 1800, 2200)}
    assert {a.spec.split(":")[0] for a in chess} == {"random", "mcts", "uci", "stockfish"}  # several families


def test_parse_sims():
    assert parse_sims("4,1,0,16") == (0, 1, 4, 16)
    for bad in ("", "1,x", "1,1", "-1,2"):
        with pytest.raises(ScalingInputError):
            parse_sims(bad)


def test_cell_specs_and_edges():
    g = _grid()
    assert g.cell(1, 0).spec == "net:r/checkpoints/000001.pt"
    assert g.cell(1, 2).spec == cell_spec("r/checkpoints/000001.pt", 4) == "mcts:net=r/checkpoints/000001.pt,sims=4"
    edges = grid_edges(g)
    assert len(edges) == 4 * 3 + 3 * 4
    assert (g.cell(0, 0).spec, g.cell(0, 1).spec) in edges and (g.cell(0, 0).spec, g.cell(1, 0).spec) in edges
    assert len(ladder_edges(g)) == len(g.anchors) - 1


@pytest.mark.parametrize("n_ckpt,sims", [(1, (1,)), (2, (1, 4)), (6, (0, 1, 4, 16, 64, 256)), (3, (8,))])
def test_every_cell_is_linked_to_a_fixed_anchor(n_ckpt, sims):
    g = _grid(n_ckpt, sims)
    players = {c.spec for c in g.cells} | {a.spec for a in g.anchors}
    pilot = grid_edges(g) + ladder_edges(g) + list(pilot_links(g).items())
    assert connected_to_fixed(g, pilot) == players
    rng = np.random.default_rng(0)
    links = nearest_links(g, {p: float(rng.uniform(-200, 2000)) for p in players})
    plan = make_plan(g, 7, links)
    assert connected_to_fixed(g, list(plan.pairs)) == players
    assert all(n % 2 == 0 for n in plan.pairs.values())  # colours balanced
    assert all((c.spec, links[c.spec]) in plan.pairs for c in g.cells)  # each cell meets its own anchor


def test_nearest_links_pick_the_closest_rung():
    g = _grid(1, (1, 4))
    elo = {a.spec: 300.0 * i for i, a in enumerate(g.anchors)}
    elo[g.cell(0, 0).spec], elo[g.cell(0, 1).spec] = 320.0, 5000.0
    links = nearest_links(g, elo)
    assert links[g.cell(0, 0).spec] == g.anchors[1].spec and links[g.cell(0, 1).spec] == g.anchors[-1].spec


def test_wave_targets_grow_to_the_final_count():
    for final in (2, 8, 40, 80):
        t = [wave_targets(final, 5, w) for w in range(1, 6)]
        assert t == sorted(t) and t[-1] == final and all(x % 2 == 0 for x in t)


def test_top_up_matches_the_refit_covariance_and_targets_the_widest_cell():
    rng = np.random.default_rng(4)
    true = {"random": 0.0, "a": 200.0, "b": 400.0, "c": 600.0}
    counts = {("random", "a"): 200, ("a", "b"): 200, ("b", "c"): 20}
    rows = [(x, y, float(rng.random() < 1 / (1 + 10 ** (-(true[x] - true[y]) / 400))))
            for (x, y), n in counts.items() for _ in range(n)]
    fit = fit_elo(games_from_results(rows), {"random": 0.0}, fit_advantage=False, virtual_draws=0)
    extra = top_up(fit, list(counts), ["a", "b", "c"], 60.0, lambda a, b: 1.0, budget_seconds=40, chunk=20)
    assert ("b", "c") in extra and sum(extra.values()) <= 40  # c is wide because b-c has few games
    # the predicted rank-one update equals a refit with 20 more b-c games scoring their expectation
    elo = {p: r.elo for p, r in fit.ratings.items()}
    p = 1 / (1 + 10 ** (-(elo["b"] - elo["c"]) / 400))
    base = games_from_results(rows)
    bi, ci = base.players.index("b"), base.players.index("c")
    aug = Games(base.players, np.append(base.first, [bi, bi]), np.append(base.second, [ci, ci]),
                np.append(base.score, [1.0, 0.0]), np.concatenate([base.weights(), [20 * p, 20 * (1 - p)]]))
    refit = fit_elo(aug, {"random": 0.0}, fit_advantage=False, virtual_draws=0)
    d = np.zeros(len(fit.players))
    d[fit.players.index("b")], d[fit.players.index("c")] = 1.0, -1.0
    lam = 20 * K * K * p * (1 - p)
    s = fit.covariance
    predicted = s - lam * np.outer(s @ d, s @ d) / (1 + lam * d @ s @ d)
    order = [refit.players.index(q) for q in fit.players]
    np.testing.assert_allclose(predicted_half_widths(predicted),
                               predicted_half_widths(refit.covariance[np.ix_(order, order)]), rtol=0.03)
    assert predicted_half_widths(predicted)[fit.players.index("c")] < 1.96 * fit.ratings["c"].stderr - 20


def test_checkpoints_of_several_runs_ordered_by_total_compute(tmp_path) -> None:
    from agents.nets.checkpoint import TrainingMetadata, checkpoint_path, save_checkpoint
    from agents.nets.core import NetConfig, build_network
    from benchmarks.scaling.grid import study_checkpoints
    from games.registry import make_game

    spec = make_game("connect_four").spec
    net = build_network(NetConfig(kind="resnet", blocks=1, channels=8, value_hidden=8), spec)
    base, tuned = tmp_path / "distilled", tmp_path / "selfplay"
    for step, evals in ((100, 1000), (300, 3000)):  # the base run
        save_checkpoint(checkpoint_path(base, step), net, "connect_four",
                        TrainingMetadata(learner_steps=step, network_evaluations=evals, flops_per_evaluation=10))
    for step in (50, 150):  # started from the base's last checkpoint (30,000 FLOPs), fewer steps of its own
        save_checkpoint(checkpoint_path(tuned, step), net, "connect_four",
                        TrainingMetadata(learner_steps=step, network_evaluations=step, flops_per_evaluation=10,
                                         parent="distilled/300", parent_flops=30000.0))
    infos = study_checkpoints(base, "all", [f"{tuned}:150"], "connect_four")
    assert [i.label for i in infos] == ["distilled/100", "distilled/300", "selfplay/150"]
    assert [i.compute_flops for i in infos] == [10000.0, 30000.0, 31500.0]
    assert [i.label for i in study_checkpoints(base, "all", [], "connect_four")] == ["100", "300"]


def test_ladder_skips_two_fixed_rungs_and_neighbour_pairs_follow_the_fit():
    g = _grid(2, (1, 16), game="chess")
    fixed = g.fixed
    edges = ladder_edges(g)
    assert edges and all(not (a in fixed and b in fixed) for a, b in edges)
    # the chess ladder has two places where fixed Stockfish rungs meet: those are the only gaps
    assert len(edges) == len(g.anchors) - 1 - 2
    players = {c.spec for c in g.cells} | {a.spec for a in g.anchors}
    assert connected_to_fixed(g, grid_edges(g) + edges + list(pilot_links(g).items())) == players
    # a fit that orders two rungs the other way round from the list: they become neighbours
    elo = {a.spec: 200.0 * i for i, a in enumerate(g.anchors)}
    a1, a3 = g.anchors[1].spec, g.anchors[3].spec
    elo[a1], elo[a3] = elo[a3], elo[a1]
    elo[g.cell(0, 0).spec], elo[g.cell(0, 1).spec] = 210.0, 9999.0
    pairs = neighbour_pairs(g, elo)
    keys = {frozenset(p) for p in pairs}
    assert frozenset((a3, g.anchors[2].spec)) in keys and frozenset((a3, g.anchors[0].spec)) in keys
    near = [b for a, b in pairs if a == g.cell(0, 0).spec]
    assert near == [a3, g.anchors[2].spec]  # 200 (rung 3, moved down by the fit), then 400 before 0
    top = [b for a, b in pairs if a == g.cell(0, 1).spec]
    assert top[0] == g.anchors[-1].spec  # the strongest cell's nearest rung is the top one
    assert not any(a in fixed and b in fixed for a, b in pairs)


def test_top_up_pairs_add_neighbours_once_and_never_a_held_out_pairing():
    from benchmarks.scaling.study import top_up_pairs

    g = _grid(1, (1, 16))
    rng = np.random.default_rng(1)
    players = [a.spec for a in g.anchors] + [c.spec for c in g.cells]
    true = {p: 150.0 * i for i, p in enumerate(players[:len(g.anchors)])}
    true[g.cell(0, 0).spec], true[g.cell(0, 1).spec] = 160.0, 620.0
    ladder = ladder_edges(g)
    rows = [(x, y, float(rng.random() < 1 / (1 + 10 ** (-(true[x] - true[y]) / 400))))
            for x, y in ladder + [(g.cell(0, 0).spec, g.anchors[0].spec), (g.cell(0, 1).spec, g.anchors[-1].spec)]
            for _ in range(60)]
    fit = fit_elo(games_from_results(rows), g.fixed, fit_advantage=False)
    final = {p: 60 for p in ladder}
    held = [(g.cell(0, 1).spec, g.anchors[4].spec)]
    pairs = top_up_pairs(final, g, fit, held)
    keys = [frozenset(p) for p in pairs]
    assert len(keys) == len(set(keys))  # each pair once, whatever its orientation
    assert pairs[:len(final)] == list(final)
    assert frozenset(held[0]) not in keys
    assert any(g.cell(0, 0).spec in p for p in pairs[len(final):])
