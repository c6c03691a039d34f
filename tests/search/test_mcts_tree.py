"""Golden trees, sign conventions, the solver, batching and tree reuse of search.mcts."""
from __future__ import annotations

import math

import numpy as np
import pytest

from search.mcts import BatchedMCTS, MCTSConfig, MCTSConfigError
from tests.search.test_mcts_games import TableEvaluator, TreeGame

C_INIT, C_BASE = 1.25, 19652.0


def bandit_game(values: list[float]) -> tuple[TreeGame, TableEvaluator]:
    """One player; arm i leads to node i+1 that loops onto itself and is always valued values[i]."""
    nodes: dict[int, tuple[int | None, list]] = {0: (0, [i + 1 for i in range(len(values))])}
    for i in range(len(values)):
        nodes[i + 1] = (0, [i + 1])
    return TreeGame(nodes, num_players=1), TableEvaluator({i + 1: v for i, v in enumerate(values)})


def two_player_game() -> tuple[TreeGame, TableEvaluator]:
    """P0 at the root, P1 below, then P0 nodes where P0 moves AGAIN (self-loops): signs follow the
    player to move, not the depth. Values are for the player to move at each node."""
    nodes: dict[int, tuple[int | None, list]] = {
        0: (0, [1, 2]), 1: (1, [3, 4]), 2: (1, [5, 6]),
        3: (0, [3]), 4: (0, [4]), 5: (0, [5]), 6: (0, [6]),
    }
    values = {0: 0.0, 1: 0.3, 2: -0.4, 3: 0.2, 4: -0.6, 5: 0.1, 6: 0.5}
    return TreeGame(nodes), TableEvaluator(values)


def reference_visits(game: TreeGame, evaluator: TableEvaluator, sims: int) -> dict[int, int]:
    """Independent plain-Python PUCT (dicts, recursion) with the same formulas: visits per tree node,
    keyed by the path of actions encoded as a tuple -> returned for the root's children only."""
    stats: dict[tuple, list[float]] = {}  # path -> [visits, value_sum (node's player), player, net value]

    def node_id(path: tuple) -> int:
        state = game.new_state()
        for a in path:
            state.apply(a)
        return state.node

    def visit(path: tuple) -> tuple[float, int]:
        nid = node_id(path)
        player = game.nodes[nid][0]
        if path not in stats:
            v = evaluator.values.get(nid, 0.0)
            stats[path] = [1, v, player, v]
            return v, player
        n, total, _, _ = stats[path]
        c = C_INIT + math.log((n + C_BASE + 1) / C_BASE)
        fpu = total / n
        kids = game.nodes[nid][1]
        best, best_score = 0, -math.inf
        for a in range(len(kids)):
            child = stats.get(path + (a,))
            if child is None:
                q, cn = fpu, 0
            else:
                sign = 1.0 if child[2] == player else -1.0
                q, cn = sign * child[1] / child[0], child[0]
            score = q + c * math.sqrt(n) * (1.0 / len(kids)) / (1 + cn)
            if score > best_score:
                best, best_score = a, score
        v, leaf_player = visit(path + (best,))
        stats[path][0] += 1
        stats[path][1] += v if player == leaf_player else -v
        return v, leaf_player

    for _ in range(sims + 1):  # the first visit expands the root (not a simulation)
        visit(())
    kids = game.nodes[0][1]
    return {a: int(stats[(a,)][0]) if (a,) in stats else 0 for a in range(len(kids))}


def search_root(game: TreeGame, evaluator: TableEvaluator, sims: int, **kw: object) -> np.ndarray:
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=sims, **kw), evaluator)  # type: ignore[arg-type]
    return mcts.search([game.new_state()])[0].visit_counts


def test_bandit_golden_visits_by_hand() -> None:
    """Arms 0.1, 0.5, -0.2, priors 1/3, c = 1.25 + log((N + 19653) / 19652) ~ 1.2501, root value 0.

    sim 1 (N=1): all unvisited, Q = FPU = 0, equal scores -> arm 0 (first); root mean 0.05.
    sim 2 (N=2): arm 0: 0.1 + 1.768/3/2 = 0.395; arms 1, 2: 0.05 + 1.768/3 = 0.639 -> arm 1; mean 0.2.
    sim 3 (N=3): arm 0: 0.1 + 0.361 = 0.461; arm 1: 0.5 + 0.361 = 0.861; arm 2: 0.2 + 0.722 = 0.922 -> arm 2.
    sim 4 (N=4): arm 0: 0.1 + 0.417; arm 1: 0.5 + 0.417 = 0.917; arm 2: -0.2 + 0.417 -> arm 1.
    sim 5 (N=5): arm 0: 0.1 + 0.466; arm 1 (n=2): 0.5 + 0.311 = 0.811; arm 2: -0.2 + 0.466 -> arm 1.
    """
    game, ev = bandit_game([0.1, 0.5, -0.2])
    assert list(search_root(game, ev, 5)) == [1, 3, 1]
    assert list(search_root(game, ev, 3)) == [1, 1, 1]


def test_bandit_and_two_player_match_reference() -> None:
    game, ev = bandit_game([0.1, 0.5, -0.2])
    for sims in (1, 2, 7, 40):
        expected = reference_visits(game, ev, sims)
        assert list(search_root(game, ev, sims)) == [expected[a] for a in range(3)]
    game, ev = two_player_game()
    golden = {10: [3, 7], 30: [5, 25], 100: [9, 91]}
    for sims, counts in golden.items():
        expected = reference_visits(game, ev, sims)
        assert [expected[0], expected[1]] == counts
        assert list(search_root(game, ev, sims)) == counts


def test_root_value_and_q_are_for_the_mover() -> None:
    game, ev = two_player_game()
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=200), ev)
    s = mcts.search([game.new_state()])[0]
    # P1 picks the reply worst for P0: min(0.2, -0.6) = -0.6 under action 0, min(0.1, 0.5) = 0.1 under 1.
    assert s.action == 1
    assert s.q_values[1] > s.q_values[0]
    assert -1.0 <= s.value <= 1.0 and abs(s.q_values[1] - 0.1) < 0.15


def test_proven_win_is_propagated_and_not_reevaluated() -> None:
    # P0: action 0 -> unknown P1 node (loops), action 1 -> P1 node whose only move loses for P1.
    nodes = {0: (0, [1, 2]), 1: (1, [1]), 2: (1, [3]), 3: (None, [1.0, -1.0])}
    game, ev = TreeGame(nodes), TableEvaluator({1: 0.9, 2: 0.9})
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=500), ev)
    s = mcts.search([game.new_state()])[0]
    assert s.proven_value == 1.0 and s.value == 1.0 and s.action == 1
    assert s.simulations < 500  # the search stops once the root is proven
    # A proven loss: every P0 move reaches a P1 node where P1 wins at once.
    nodes = {0: (0, [1, 2]), 1: (1, [3, 1]), 2: (1, [2, 3]), 3: (None, [-1.0, 1.0])}
    game, ev = TreeGame(nodes), TableEvaluator({1: 0.0, 2: 0.0})
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=300), ev)
    s = mcts.search([game.new_state()])[0]
    assert s.proven_value == -1.0 and s.simulations < 300
    calls = ev.calls
    again = mcts.search([game.new_state()])[0]  # the proven root is kept and never re-evaluated
    assert again.simulations == 0 and ev.calls == calls and again.proven_value == -1.0


def test_draw_is_proven_when_all_children_are_proven() -> None:
    nodes = {0: (0, [1, 2]), 1: (None, [0.0, 0.0]), 2: (1, [3]), 3: (None, [-1.0, 1.0])}
    s = BatchedMCTS(TreeGame(nodes), MCTSConfig(num_simulations=50), TableEvaluator({})).search(
        [TreeGame(nodes).new_state()])[0]
    assert s.proven_value == 0.0 and s.action == 0


def test_virtual_loss_batches_leaves_in_one_call() -> None:
    game, ev = bandit_game([0.1, 0.5, -0.2, 0.3])
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=8, leaves_per_eval=4), ev)
    s = mcts.search([game.new_state()])[0]
    assert s.simulations == 8 and s.visit_counts.sum() == 8
    assert ev.batch_sizes == [1, 4, 4]
    assert (s.visit_counts[:4] >= 1).all()  # virtual loss spread the first batch over the four arms
    assert mcts.tree.visits[0, 0] == 9  # no virtual visit left behind


def test_many_trees_one_call_per_step_and_equal_to_one_by_one() -> None:
    game, ev = two_player_game()
    bgame, bev = bandit_game([0.2, -0.1, 0.4])
    cfg = MCTSConfig(num_simulations=30, leaves_per_eval=3)
    together = BatchedMCTS(game, cfg, ev, num_trees=3)
    states = [game.new_state(), game.state_from_string("1"), game.state_from_string("2")]
    res = together.search(states)
    assert ev.calls == 1 + 10  # roots in one call, then one call per step for all three trees
    for i, state in enumerate(states):
        alone = BatchedMCTS(game, cfg, TableEvaluator(ev.values), num_trees=3).search([state], indices=[i])[0]
        np.testing.assert_array_equal(alone.visit_counts, res[i].visit_counts)
        np.testing.assert_allclose(alone.q_values, res[i].q_values)
    assert bgame.spec.num_players == 1 and bev.calls == 0


def test_tree_reuse_keeps_the_subtree() -> None:
    game, ev = two_player_game()
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=40), ev)
    root = game.new_state()
    s = mcts.search([root])[0]
    t = mcts.tree
    first = t.first_edge[0, 0]
    child = t.edge_child[0, first + 1]
    child_visits = int(t.visits[0, child])
    grand = [int(t.visits[0, t.edge_child[0, t.first_edge[0, child] + j]]) for j in range(2)]
    mcts.advance(0, 1)
    assert mcts.root_visits(0) == child_visits == s.visit_counts[1]
    after = game.state_from_string("2")
    s2 = mcts.search([after])[0]
    assert s2.simulations == 40
    assert mcts.root_visits(0) == child_visits + 40
    assert s2.visit_counts.sum() == sum(grand) + 40
    mcts.advance(0, 0, expected=game.state_from_string("1"))  # not the tree's root: reset
    assert mcts.root_visits(0) == 0


def test_time_budget_and_config_errors() -> None:
    game, ev = bandit_game([0.1, 0.2])
    s = BatchedMCTS(game, MCTSConfig(num_simulations=0, max_seconds=0.05), ev).search([game.new_state()])[0]
    assert s.simulations > 0 and s.seconds < 30.0
    with pytest.raises(MCTSConfigError):
        MCTSConfig(num_simulations=0)
    with pytest.raises(MCTSConfigError):
        MCTSConfig(dirichlet_fraction=1.5)


def test_dirichlet_noise_changes_root_priors_only_once_per_root() -> None:
    game, ev = bandit_game([0.0] * 5)
    mcts = BatchedMCTS(game, MCTSConfig(num_simulations=10, dirichlet_fraction=0.25, seed=3), ev)
    mcts.search([game.new_state()])
    priors = mcts.tree.edge_prior[0, :5].copy()
    assert abs(priors.sum() - 1.0) < 1e-5 and not np.allclose(priors, 0.2)
    mcts.search([game.new_state()])
    np.testing.assert_allclose(mcts.tree.edge_prior[0, :5], priors)


def test_select_action_temperature() -> None:
    from search.mcts import select_action

    game, ev = bandit_game([0.1, 0.5, -0.2])
    s = BatchedMCTS(game, MCTSConfig(num_simulations=60), ev).search([game.new_state()])[0]
    rng = np.random.default_rng(0)
    assert select_action(s, 0.0, rng) == int(np.argmax(s.visit_counts)) == s.action
    draws = np.bincount([select_action(s, 1.0, rng) for _ in range(4000)], minlength=3)
    np.testing.assert_allclose(draws / 4000, s.visit_counts / s.visit_counts.sum(), atol=0.03)
    sharp = np.bincount([select_action(s, 0.25, rng) for _ in range(2000)], minlength=3)
    assert sharp[s.action] / 2000 > draws[s.action] / 4000  # lower temperature: more of the best move
    # The config's temperature drives SearchSummary.action: at 1 the recommended move varies by seed.
    actions = {BatchedMCTS(game, MCTSConfig(num_simulations=60, temperature=1.0, seed=seed), ev).search(
        [game.new_state()])[0].action for seed in range(30)}
    assert len(actions) >= 2
