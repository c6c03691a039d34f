"""Gumbel root search with sequential halving."""
from __future__ import annotations

import numpy as np

from search.mcts import BatchedMCTS, MCTSConfig
from search.mcts.gumbel import halving_schedule
from tests.search.test_mcts_tree import bandit_game


def test_halving_schedule() -> None:
    # m = 4, n = 8: two phases; phase 1 gives each of 4 actions 8 // (2 * 4) = 1 visit, phase 2 gives the
    # 2 survivors 8 // (2 * 2) = 2 visits each.
    assert list(halving_schedule(4, 8)) == [0, 0, 0, 0, 1, 1, 2, 2]
    assert list(halving_schedule(4, 4)) == [0, 0, 0, 0]
    assert list(halving_schedule(1, 3)) == [0, 1, 2]
    assert list(halving_schedule(2, 5)) == [0, 0, 1, 1, 2]
    assert len(halving_schedule(16, 200)) == 200


def test_gumbel_at_four_simulations_picks_the_best_arm() -> None:
    values = [0.1, -0.3, 0.6, 0.2]
    game, ev = bandit_game(values)
    for seed in range(10):
        cfg = MCTSConfig(num_simulations=4, gumbel=True, seed=seed)
        s = BatchedMCTS(game, cfg, ev).search([game.new_state()])[0]
        assert s.action == 2
        assert list(s.visit_counts[:4]) == [1, 1, 1, 1]  # sequential halving: every arm once
        assert int(np.argmax(s.policy)) == 2 and abs(s.policy.sum() - 1.0) < 1e-5
        # The improved policy ranks the arms by value (uniform priors, all arms visited).
        assert list(np.argsort(-s.policy[:4])) == [2, 3, 0, 1]


def test_gumbel_with_more_arms_than_simulations_and_strong_prior() -> None:
    values = [0.0] * 8 + [0.9]
    game, ev = bandit_game(values)
    ev.logits = {0: [0.0] * 8 + [3.0]}  # the prior points at the best arm
    s = BatchedMCTS(game, MCTSConfig(num_simulations=2, gumbel=True, gumbel_scale=0.0), ev).search(
        [game.new_state()])[0]
    assert s.action == 8 and s.visit_counts.sum() == 2


def test_gumbel_improved_policy_uses_completed_q_for_unvisited() -> None:
    values = [0.5, -0.5, 0.1]
    game, ev = bandit_game(values)
    ev.values[0] = 0.2  # root value: v_mix = (0.2 + q_visited) / 2 for the unvisited arms
    seen = set()
    for seed in range(12):
        cfg = MCTSConfig(num_simulations=1, gumbel=True, gumbel_num_considered=1, seed=seed)
        s = BatchedMCTS(game, cfg, ev).search([game.new_state()])[0]
        visited = int(np.argmax(s.visit_counts))
        seen.add(visited)
        others = [a for a in range(3) if a != visited]
        assert s.visit_counts.sum() == 1 and s.action == visited
        assert abs(s.policy[others[0]] - s.policy[others[1]]) < 1e-6
        # Rescaled completed Q is 1 for the better of (q, v_mix) and 0 for the other; sigma = 51.
        q, v_mix = values[visited], (0.2 + values[visited]) / 2
        high, low = 1.0 / (1.0 + 2.0 * np.exp(-51.0)), 1.0 / (2.0 + np.exp(51.0))
        assert abs(s.policy[visited] - (high if q > v_mix else low)) < 1e-6
    assert len(seen) >= 2


def test_gumbel_batched_trees_with_different_widths() -> None:
    from tests.search.test_mcts_games import TableEvaluator, TreeGame

    nodes = {0: (0, [1, 2, 3, 4]), 5: (0, [6, 7])}
    for i in (1, 2, 3, 4, 6, 7):
        nodes[i] = (0, [i])
    values = {1: 0.1, 2: 0.7, 3: -0.2, 4: 0.3, 6: -0.5, 7: 0.4}
    game = TreeGame(nodes, num_players=1)
    ev = TableEvaluator(values)
    cfg = MCTSConfig(num_simulations=8, gumbel=True, leaves_per_eval=2, seed=4)
    wide, narrow = BatchedMCTS(game, cfg, ev, num_trees=2).search([game.new_state(), game.state_from_string("5")])
    assert wide.action == 1 and narrow.action == 1
    # m = 4, n = 8: every arm once, then the two best twice more; m = 2: both arms four times.
    assert sorted(wide.visit_counts[:4]) == [1, 1, 3, 3] and wide.visit_counts[1] == 3
    assert list(narrow.visit_counts[:2]) == [4, 4]
