"""Depth-limited solving with PBS-valued leaves: constant leaves, the exact oracle, safety with bad leaves."""
from __future__ import annotations

import numpy as np
import pytest

from search.cfr import CFRConfig, CFRSolver, ResolveConfig, Resolver, exploitability, game_tree
from search.cfr.leaf_solve import (ExactLeafValues, LeafSolveConfig, LeafValueError, leaf_nodes, leaf_ranges,
                                   solve_leaf_valued)
from search.cfr.solver import root_values, tree_args, uniform_strategy
from search.cfr.subgame import build_subgame, pair_values
from search.cfr.tree import CHANCE, DECISION

GAME_VALUE = -0.0856  # Leduc, first player (open_spiel)


def _blueprint(iters: int) -> np.ndarray:
    solver = CFRSolver(game_tree("leduc_poker"), CFRConfig("dcfr"))
    solver.run(iters)
    return solver.average_strategy()


def _reach(tree, strategy) -> np.ndarray:
    from search.cfr import kernels as K

    reach = np.empty((tree.num_nodes, 2, tree.num_hands))
    K.forward_reach(tree.kind, tree.player, tree.children, tree.num_children, tree.decision_index, strategy,
                    np.ones((2, tree.num_hands)), reach)
    return reach


def test_constant_leaves_are_plain_cfr_on_the_subgame() -> None:
    """A leaf function returning the blueprint's pair values gives exactly the blueprint-leaf solve."""
    tree = game_tree("leduc_poker")
    bp = _blueprint(30)
    pairs = pair_values(*tree_args(tree), bp)
    node = int(tree.children[0, 1])
    reach = _reach(tree, bp)[node]
    plain = CFRSolver(build_subgame(tree, node, 0, pairs, horizon="round").tree, root_reach=reach)
    plain.run(57)
    sub = build_subgame(tree, node, 0, np.zeros_like(pairs), horizon="round")
    calls = []
    result = solve_leaf_valued(sub, tree, reach, lambda n, r: calls.append(n) or pairs[n], 57,
                               leaf=LeafSolveConfig(every=10), keep_pbs=True)
    np.testing.assert_allclose(result.strategy, plain.average_strategy(), atol=1e-12)
    assert result.evaluations == 6 == len(calls) == len(result.pbs)  # before iterations 1, 11, ..., 51
    assert all(tree.kind[n] == CHANCE for n in sub.full_node[result.leaf_nodes])
    # the first evaluation sees the uniform strategy's ranges: each leaf's reach from the root's ranges
    first = leaf_ranges(sub, uniform_strategy(sub.tree), reach, result.leaf_nodes)
    np.testing.assert_allclose(result.pbs[0], first, atol=1e-15)
    assert first.shape == (len(result.leaf_nodes), 2, tree.num_hands) and not np.allclose(first, result.pbs[-1])


def test_exact_leaves_reproduce_the_full_depth_values() -> None:
    """Round 1 solved to the board deal with exact PBS leaf values (from the average strategy's
    ranges) has the full game's value; blueprint leaves do not."""
    tree = game_tree("leduc_poker")
    oracle = ExactLeafValues(tree, 300)
    sub = build_subgame(tree, 0, 0, np.zeros((tree.num_nodes, 6, 6)), horizon="round")
    result = solve_leaf_valued(sub, tree, np.ones((2, 6)), oracle, 300, leaf=LeafSolveConfig(every=3))
    assert root_values(sub.tree, result.strategy, 0, False).sum() == pytest.approx(GAME_VALUE, abs=5e-3)
    weak = build_subgame(tree, 0, 0, pair_values(*tree_args(tree), _blueprint(3)), horizon="round")
    solver = CFRSolver(weak.tree)
    solver.run(300)  # the same solve with a weak blueprint's leaves is far off
    assert abs(root_values(weak.tree, solver.average_strategy(), 0, False).sum() - GAME_VALUE) > 0.02


def test_exact_leaves_make_unsafe_resolving_like_full_depth() -> None:
    """Depth-limited unsafe re-solving over a weak blueprint: exact leaves land near full depth,
    blueprint leaves far above both (exploitability computed exactly)."""
    tree = game_tree("leduc_poker")
    bp = _blueprint(30)
    config = dict(iterations=60, safe=False)
    full = Resolver(tree, bp, ResolveConfig(horizon="game", **config)).resolve_all()
    blue = Resolver(tree, bp, ResolveConfig(horizon="round", **config)).resolve_all()
    exact = Resolver(tree, bp, ResolveConfig(horizon="round", leaf_every=1, **config),
                     leaf_fn=ExactLeafValues(tree, 200)).resolve_all()
    e_full, e_blue, e_exact = (exploitability(tree, s) for s in (full, blue, exact))
    assert e_exact < 1.5 * e_full
    assert e_blue > 5 * e_exact


@pytest.mark.parametrize("lookahead", [False, True])
def test_safe_resolving_survives_arbitrary_leaf_values(lookahead: bool) -> None:
    """Safety never relies on the leaf values: with random leaves the safe result is no worse."""
    tree = game_tree("leduc_poker")
    bp = _blueprint(30)
    rng = np.random.default_rng(0)

    def noise(nodes: np.ndarray, ranges: np.ndarray) -> np.ndarray:
        assert ranges.shape == (len(nodes), 2, tree.num_hands)
        return rng.normal(0.0, 0.2, (len(nodes), tree.num_hands, tree.num_hands))

    config = ResolveConfig(iterations=40, horizon="round", leaf_every=7, lookahead=lookahead)
    resolver = Resolver(tree, bp, config, leaf_fn=noise)
    strategy = resolver.resolve_all()
    assert resolver.stats.subgames > 0
    assert exploitability(tree, strategy) <= exploitability(tree, bp) + 1e-12


def test_bad_leaf_functions_and_nodes() -> None:
    tree = game_tree("leduc_poker")
    sub = build_subgame(tree, 0, 0, np.zeros((tree.num_nodes, 6, 6)), horizon="round")
    assert len(leaf_nodes(sub, tree)) == 5
    with pytest.raises(LeafValueError):
        solve_leaf_valued(sub, tree, np.ones((2, 6)), lambda n, r: np.zeros((len(n), 6)), 5)
    terminal = int(np.flatnonzero(tree.kind == 2)[0])
    with pytest.raises(LeafValueError):
        ExactLeafValues(tree).rest(terminal)
    with pytest.raises(ValueError):
        LeafSolveConfig(every=0)
    with pytest.raises(ValueError):
        build_subgame(tree, int(np.flatnonzero(tree.kind == CHANCE)[0]), 0, np.zeros((tree.num_nodes, 6, 6)))
    assert tree.kind[0] == DECISION
