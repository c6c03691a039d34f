"""Subgame extraction, blueprint leaf values, the re-solve gadget and the safety of re-solving."""
from __future__ import annotations

import numpy as np
import pytest

from search.cfr import CFRConfig, CFRSolver, ResolveConfig, Resolver, exploitability, game_tree, resolved_strategy
from search.cfr import kernels as K
from search.cfr.solver import root_values, tree_args
from search.cfr.subgame import build_subgame, pair_values, terminate_payoff
from search.cfr.tree import CHANCE, DECISION


def _blueprint(iters: int, algo: str = "dcfr") -> np.ndarray:
    solver = CFRSolver(game_tree("leduc_poker"), CFRConfig(algo))
    solver.run(iters)
    return solver.average_strategy()


def _sub_strategy(tree, sub, full_strategy):
    out = np.zeros((sub.tree.num_decisions, tree.num_hands, K.MAX_ACTIONS))
    for i in np.flatnonzero(sub.tree.kind == DECISION):
        out[sub.tree.decision_index[i]] = full_strategy[tree.decision_index[sub.full_node[i]]]
    return out


def test_pair_values_reproduce_expected_value() -> None:
    tree = game_tree("leduc_poker")
    bp = _blueprint(20)
    pairs = pair_values(*tree_args(tree), bp)
    assert pairs[0].sum() == pytest.approx(root_values(tree, bp, 0, False).sum(), abs=1e-12)


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_subgame_with_blueprint_inside_has_the_full_tree_values(depth: int) -> None:
    tree = game_tree("leduc_poker")
    bp = _blueprint(20)
    pairs = pair_values(*tree_args(tree), bp)
    reach = np.empty((tree.num_nodes, 2, tree.num_hands))
    value = np.empty((tree.num_nodes, tree.num_hands))
    K.forward_reach(tree.kind, tree.player, tree.children, tree.num_children, tree.decision_index, bp,
                    np.ones((2, tree.num_hands)), reach)
    roots = [n for n in range(tree.num_nodes) if tree.kind[n] == DECISION][:40:7]
    roots += [int(tree.children[n, 2]) for n in np.flatnonzero(tree.kind == CHANCE)[:2]]
    for root in roots:
        sub = build_subgame(tree, root, depth, pairs)
        inner = _sub_strategy(tree, sub, bp)
        for p in (0, 1):
            K.backward_values(*tree_args(tree), bp, reach, p, False, value)
            got = root_values(sub.tree, inner, p, False, root_reach=reach[root])
            np.testing.assert_allclose(got, value[root], atol=1e-12)


def test_gadget_terminate_gives_the_alternative_values() -> None:
    tree = game_tree("leduc_poker")
    node = int(tree.children[int(np.flatnonzero(tree.kind == CHANCE)[0]), 3])  # board card 3
    rng = np.random.default_rng(0)
    defender_reach = rng.random(tree.num_hands)
    alt = rng.normal(size=tree.num_hands) * (np.arange(tree.num_hands) != 3)
    for opp in (0, 1):
        take = terminate_payoff(tree, node, opp, alt, defender_reach)
        out = np.empty(tree.num_hands)
        K.terminal_value(take[None], 0, opp, defender_reach, out)
        np.testing.assert_allclose(out, alt, atol=1e-12)


def test_zero_iterations_is_the_blueprint() -> None:
    tree = game_tree("leduc_poker")
    bp = _blueprint(30)
    strategy, stats = resolved_strategy(tree, bp, ResolveConfig(iterations=0))
    assert stats.subgames == 0 and np.array_equal(strategy, bp)


def test_horizon_game_keeps_chance_nodes_and_counts_only_actions() -> None:
    tree = game_tree("leduc_poker")
    pairs = pair_values(*tree_args(tree), _blueprint(10))
    root = int(tree.children[0, 0])  # after the first check
    whole = build_subgame(tree, root, 0, pairs, horizon="game")
    assert whole.leaves == [] and (whole.tree.kind == CHANCE).sum() > 0
    assert set(whole.full_node.tolist()) == set(range(root, root + whole.tree.num_nodes))
    cut = build_subgame(tree, root, 3, pairs, horizon="game")
    assert cut.leaves and all(tree.kind[n] == DECISION for n in cut.leaves)
    with pytest.raises(ValueError):
        build_subgame(tree, root, 0, pairs, horizon="street")


def test_reach_alternatives_give_the_opponents_total() -> None:
    """max(C_h, D_h + v_S(h)) summed over hands is the opponent's best-response total at the root."""
    tree = game_tree("leduc_poker")
    bp = _blueprint(20)
    r = Resolver(tree, bp, ResolveConfig(iterations=10))
    rng = np.random.default_rng(1)
    for node in rng.choice(np.flatnonzero(tree.kind == DECISION)[1:], 12, replace=False):
        for opp in (0, 1):
            values = r._opponent_values(opp, bp)
            alt = r._reach_alternatives(int(node), opp, values)
            # brute force: shift the subgame's values and recompute the root by the path
            shift = np.zeros(tree.num_hands)
            n, total_alt = int(node), np.full(tree.num_hands, -np.inf)
            while n != 0:
                parent = int(tree.parent[n])
                sibs = [int(c) for c in tree.children[parent, : tree.num_children[parent]] if c != n]
                if tree.kind[parent] == DECISION and tree.player[parent] == opp:
                    total_alt = np.maximum(total_alt, values[sibs].max(axis=0)) if sibs else total_alt
                else:
                    add = values[sibs].sum(axis=0) if sibs else 0.0
                    total_alt, shift = total_alt + add, shift + add
                n = parent
            root = np.maximum(total_alt, shift + values[node])
            np.testing.assert_allclose(root, values[0], atol=1e-12)
            finite = np.isfinite(total_alt)
            np.testing.assert_allclose(alt[finite], (total_alt - shift)[finite], atol=1e-12)
            assert np.all(alt[~finite] < -1.0)


@pytest.mark.parametrize("blueprint_iters", [5, 100])
@pytest.mark.parametrize("kw", [dict(depth=0), dict(depth=1, horizon="round", first=0),
                                dict(every=True, horizon="round")])
def test_safe_resolving_is_never_worse_than_its_blueprint(blueprint_iters: int, kw: dict) -> None:
    tree = game_tree("leduc_poker")
    bp = _blueprint(blueprint_iters, "cfr+")
    base = exploitability(tree, bp)
    for iters in (10, 60):
        strategy, stats = resolved_strategy(tree, bp, ResolveConfig(iterations=iters, safe=True, **kw))
        assert stats.subgames > 0
        assert exploitability(tree, strategy) <= base + 1e-12


def test_safe_resolving_improves_and_unsafe_can_be_worse() -> None:
    tree = game_tree("leduc_poker")
    bp = _blueprint(30)
    base = exploitability(tree, bp)
    safe, stats = resolved_strategy(tree, bp, ResolveConfig(iterations=300, safe=True))
    unsafe, _ = resolved_strategy(tree, bp, ResolveConfig(iterations=300, safe=False))
    assert exploitability(tree, safe) < base / 3  # reach-maxmargin subgames to the end of the hand
    assert stats.accepted["reach"] + stats.accepted["reach_max_margin"] > 0
    assert exploitability(tree, unsafe) > base  # the reason safe solving exists


def test_lazy_resolver_matches_the_full_composition() -> None:
    tree = game_tree("leduc_poker")
    bp = _blueprint(30)
    config = ResolveConfig(iterations=50, safe=True)
    full, _ = resolved_strategy(tree, bp, config)
    lazy = Resolver(tree, bp, config)
    for node in np.flatnonzero(tree.kind == DECISION)[::-5]:
        np.testing.assert_allclose(lazy.strategy_at(int(node)), full[tree.decision_index[node]], atol=1e-12)
