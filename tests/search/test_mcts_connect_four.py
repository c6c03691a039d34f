"""MCTS on connect four: tactics, compiled simulations, batching and reuse on the compiled path."""
from __future__ import annotations

import dataclasses

import numpy as np
import pyspiel
import pytest

from games.registry import make_game
from search.evaluators import RolloutEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig

GAME = make_game("connect_four")


def position(moves: list[int]):
    state = GAME.new_state()
    for m in moves:
        state.apply(m)
    return state


class LinearNet:
    """Deterministic stand-in for a network: fixed random linear logits and tanh value."""

    def __init__(self) -> None:
        rng = np.random.default_rng(7)
        self.w = rng.normal(size=(126, 7)).astype(np.float32)
        self.v = rng.normal(size=126).astype(np.float32) / 10
        self.calls = 0

    def __call__(self, obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        self.calls += 1
        flat = obs.reshape(len(obs), -1)
        return flat @ self.w, np.tanh(flat @ self.v)


@pytest.mark.parametrize("evaluator", [RolloutEvaluator(), UniformEvaluator()], ids=["rollout", "uniform"])
def test_immediate_win_and_forced_block(evaluator: object) -> None:
    assert BatchedMCTS(GAME, MCTSConfig(num_simulations=10), evaluator).whole_simulations  # type: ignore[arg-type]
    win = position([0, 0, 1, 1, 2, 5])  # P0: bottom row 0, 1, 2 -> column 3 wins
    s = BatchedMCTS(GAME, MCTSConfig(num_simulations=200), evaluator).search([win])[0]  # type: ignore[arg-type]
    assert s.action == 3 and s.proven_value == 1.0
    block = position([0, 0, 1, 1, 2])  # P1 must block column 3
    s = BatchedMCTS(GAME, MCTSConfig(num_simulations=200), evaluator).search([block])[0]  # type: ignore[arg-type]
    assert s.action == 3
    vertical = position([4, 0, 4, 1, 4])  # P1 must block column 4 (three P0 stones stacked there)
    s = BatchedMCTS(GAME, MCTSConfig(num_simulations=200), evaluator).search([vertical])[0]  # type: ignore[arg-type]
    assert s.action == 4


def test_compiled_batch_equals_one_by_one_with_the_same_seed() -> None:
    states = [position([]), position([3]), position([3, 3, 2])]
    cfg = MCTSConfig(num_simulations=300, seed=5)
    together = BatchedMCTS(GAME, cfg, RolloutEvaluator(), num_trees=3).search(states)
    for i, state in enumerate(states):
        alone = BatchedMCTS(GAME, cfg, RolloutEvaluator(), num_trees=3).search([state], indices=[i])[0]
        np.testing.assert_array_equal(alone.visit_counts, together[i].visit_counts)
        assert alone.value == together[i].value
    other = BatchedMCTS(GAME, MCTSConfig(num_simulations=300, seed=6), RolloutEvaluator()).search([states[0]])[0]
    assert not np.array_equal(other.visit_counts, together[0].visit_counts)


def test_network_path_compiled_leaves_equal_python_replay() -> None:
    states = [position([]), position([1, 2])]
    cfg = MCTSConfig(num_simulations=64, leaves_per_eval=8)
    net_a, net_b = LinearNet(), LinearNet()
    fast = BatchedMCTS(GAME, cfg, net_a, num_trees=2)
    slow = BatchedMCTS(GAME, dataclasses.replace(cfg, compiled=False), net_b, num_trees=2)  # Python replay
    assert fast.compiled_leaves and not slow.compiled_leaves
    for a, b in zip(fast.search(states), slow.search(states)):
        np.testing.assert_array_equal(a.visit_counts, b.visit_counts)
        np.testing.assert_allclose(a.q_values, b.q_values, atol=1e-6)
    assert net_a.calls == net_b.calls == 1 + 8  # one call per step for both trees


def test_compiled_reuse_keeps_statistics_and_plays_on() -> None:
    mcts = BatchedMCTS(GAME, MCTSConfig(num_simulations=500), RolloutEvaluator())
    state = position([])
    s = mcts.search([state])[0]
    action = s.action
    kept = int(s.visit_counts[action])
    mcts.advance(0, action)
    assert mcts.root_visits(0) == kept
    state.apply(action)
    s2 = mcts.search([state])[0]
    assert mcts.root_visits(0) == kept + 500 and s2.simulations == 500
    assert s2.visit_counts.sum() == kept - 1 + 500


def test_gumbel_on_compiled_path() -> None:
    win = position([0, 0, 1, 1, 2, 5])
    s = BatchedMCTS(GAME, MCTSConfig(num_simulations=16, gumbel=True), RolloutEvaluator()).search([win])[0]
    assert s.action == 3
    assert s.visit_counts.sum() <= 16 and abs(s.policy.sum() - 1.0) < 1e-5


def test_time_budget_on_the_compiled_path() -> None:
    cfg = MCTSConfig(num_simulations=0, max_seconds=0.05)
    s = BatchedMCTS(GAME, cfg, RolloutEvaluator()).search([position([])])[0]
    assert s.simulations > 0 and 0.04 <= s.seconds < 30.0  # loose: CI may compile inside the first call


@pytest.mark.parametrize("moves", [[], [3, 3, 2, 4], [0, 0, 1, 1, 2, 5], [3, 3, 3, 3, 3, 3, 2, 2, 4, 4]])
def test_compiled_tree_nodes_equal_open_spiel_replays(moves: list[int]) -> None:
    """The compiled search carries the position down the descent instead of replaying it: every node
    of its tree must still be the state open_spiel reaches by replaying the node's path (player to move,
    legal actions as edges with uniform priors; terminal nodes with the exact return of their mover)."""
    mcts = BatchedMCTS(GAME, MCTSConfig(num_simulations=3000, seed=1), RolloutEvaluator())
    mcts.search([position(moves)])
    t, ref_game = mcts.tree, pyspiel.load_game("connect_four")
    nodes = int(t.node_count[0])
    assert nodes > 100 or not np.isnan(t.terminal_value[0, 0])
    for node in range(nodes):
        path, up = [], node
        while t.parent[0, up] >= 0:
            path.append(int(t.action[0, up]))
            up = int(t.parent[0, up])
        ref = ref_game.new_initial_state()
        for a in moves + path[::-1]:
            ref.apply_action(a)
        k, first = int(t.num_edges[0, node]), int(t.first_edge[0, node])
        if ref.is_terminal():
            mover = int(t.player[0, t.parent[0, node]])
            assert k == 0 and t.player[0, node] == mover
            assert t.terminal_value[0, node] == ref.returns()[mover]
        else:
            assert t.player[0, node] == ref.current_player()
            assert t.edge_action[0, first:first + k].tolist() == ref.legal_actions()
            np.testing.assert_allclose(t.edge_prior[0, first:first + k], 1.0 / k)


@pytest.mark.parametrize("gumbel", [False, True], ids=["puct", "gumbel"])
def test_policy_target_follows_the_solver(gumbel: bool) -> None:
    """A search stopped by a proven win leaves the winning move with few of the visits; the policy
    target must put all its mass there (else a trained network passes up immediate wins)."""
    win = position([0, 0, 1, 1, 2, 5])  # P0: column 3 wins at once
    cfg = MCTSConfig(num_simulations=64, gumbel=gumbel, seed=1)
    s = BatchedMCTS(GAME, cfg, UniformEvaluator()).search([win])[0]
    assert s.proven_value == 1.0 and s.proven_moves is not None
    assert np.flatnonzero(s.proven_moves).tolist() == [3]
    assert s.visit_counts[3] < s.visit_counts.sum()  # the raw visits are spread ...
    np.testing.assert_allclose(s.policy, np.eye(7, dtype=np.float32)[3])  # ... the target is not
    block = position([0, 0, 1, 1, 2])  # P1: every move but column 3 lets P0 win at once
    s = BatchedMCTS(GAME, MCTSConfig(num_simulations=400, gumbel=gumbel, seed=1), UniformEvaluator()).search([block])[0]
    assert s.lost_moves is not None and s.lost_moves.sum() == 6 and not s.lost_moves[3]
    np.testing.assert_allclose(s.policy, np.eye(7, dtype=np.float32)[3], atol=1e-6)


def test_solver_target_keeps_the_weights_when_every_move_is_lost() -> None:
    from search.mcts import solver_target

    # P1 to move against P0's open three on the bottom row (threats in columns 0 and 4): every move loses.
    state = position([1, 6, 2, 6, 3])
    s = BatchedMCTS(GAME, MCTSConfig(num_simulations=800, seed=2), UniformEvaluator()).search([state])[0]
    assert s.proven_value == -1.0 and s.proven_moves is None
    visits = s.visit_counts / s.visit_counts.sum()
    np.testing.assert_allclose(solver_target(s.visit_counts, s), visits, atol=1e-6)
