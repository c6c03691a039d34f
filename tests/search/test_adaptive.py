"""Adaptive thinking: smart pruning against brute force, extension, real searches (native and Python-backed)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from games.registry import make_game
from search.evaluators import RolloutEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig, MCTSConfigError
from search.mcts.adaptive import AdaptiveBudget, Race, close_race, root_race, sims_until_decidable, unassailable, uncertain

C4 = make_game("connect_four")


def _state(game, moves):
    state = game.new_state()
    for move in moves:
        state.apply(move)
    return state


def _allocations(k: int, r: int):
    """Every way to hand r simulations to k children (counts per child)."""
    for cut in itertools.combinations_with_replacement(range(k), r):
        yield np.bincount(np.asarray(cut, np.int64), minlength=k).astype(np.float64)


def test_unassailable_and_earliest_check_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        k, r = int(rng.integers(1, 4)), int(rng.integers(0, 7))
        visits = rng.integers(0, 9, size=k).astype(np.float64)
        lead = int(np.argmax(visits))
        keeps = all(np.all(np.delete(visits + extra, lead) < (visits + extra)[lead]) for extra in _allocations(k, r))
        assert unassailable(Race.of(visits, visits), r) == keeps, (visits, r)
        # earliest number of simulations after which some continuation makes the rule fire
        earliest = next((s for s in range(r + 1)
                         if any(unassailable(Race.of(visits + extra, visits), r - s) for extra in _allocations(k, s))), None)
        if earliest is None:  # cannot fire within the remaining budget
            assert sims_until_decidable(Race.of(visits, visits), r) > r, (visits, r)
        else:
            assert sims_until_decidable(Race.of(visits, visits), r) == earliest, (visits, r)


def _synthetic_search(probs: np.ndarray, q: np.ndarray, budget: int, config: MCTSConfig, seed: int):
    """Drive an AdaptiveBudget with simulations drawn from ``probs``; returns (stop, sequence of visits)."""
    rng = np.random.default_rng(seed)
    choices = rng.choice(len(probs), size=4 * budget, p=probs)
    visits = np.zeros(len(probs))
    history = [visits.copy()]
    controller = AdaptiveBudget(config)
    done = 0
    while True:
        allowance = controller.allowance(done, Race.of(visits, q, float(q[0])))
        if allowance == 0:
            return done, controller, history
        for _ in range(allowance):
            visits[choices[done]] += 1
            done += 1
            history.append(visits.copy())


def test_budget_stops_exactly_when_the_leader_becomes_unassailable() -> None:
    rng = np.random.default_rng(1)
    for trial in range(60):
        k = int(rng.integers(2, 6))
        probs = rng.dirichlet(np.full(k, 0.7))
        budget = int(rng.integers(10, 300))
        config = MCTSConfig(num_simulations=budget, adaptive=True, max_extend=1.0)
        stop, _, history = _synthetic_search(probs, np.zeros(k), budget, config, trial)
        expected = next((d for d in range(budget + 1) if unassailable(Race.of(history[d], np.zeros(k)), budget - d)), budget)
        assert stop == expected, (trial, probs, budget)
        # with room to extend, a clear leader (Q far ahead) stops at the same point
        q = np.where(np.arange(k) == np.argmax(history[stop]), 0.5, -0.5)
        if not close_race(Race.of(history[stop], q), MCTSConfig(num_simulations=budget, adaptive=True)):
            extended, _, _ = _synthetic_search(probs, q, budget, MCTSConfig(num_simulations=budget, adaptive=True),
                                               trial)
            assert extended == stop


def test_extension_on_close_races_up_to_the_cap() -> None:
    config = MCTSConfig(num_simulations=100, adaptive=True, max_extend=2.0)
    stop, controller, history = _synthetic_search(np.array([0.5, 0.5]), np.zeros(2), 100, config, 0)
    assert controller.limit == 200 and controller.extensions == 4
    # at the cap, smart pruning applies against it
    assert stop == next((d for d in range(176, 201) if unassailable(Race.of(history[d], np.zeros(2)), 200 - d)), 200)
    half = MCTSConfig(num_simulations=100, adaptive=True, max_extend=1.5)
    assert 125 < _synthetic_search(np.array([0.5, 0.5]), np.zeros(2), 100, half, 0)[0] <= 150
    # the criteria one by one
    stats = Race.of(np.array([60.0, 40.0]), np.array([0.3, 0.0]), 0.2)
    assert not uncertain(stats, 0.2, config)
    assert uncertain(stats, 0.1, config)  # the root value moved by 0.1 > 0.03
    assert uncertain(Race.of(np.array([52.0, 48.0]), np.array([0.3, 0.0]), 0.2), 0.2, config)  # visit shares
    assert uncertain(Race.of(np.array([60.0, 40.0]), np.array([0.3, 0.31]), 0.2), 0.2, config)  # Q values
    assert not uncertain(Race.of(np.array([60.0, 40.0]), np.array([0.3, 0.27]), 0.2), 0.2, config)
    wider = MCTSConfig(num_simulations=100, adaptive=True, extend_q_gap=0.05)
    assert uncertain(Race.of(np.array([60.0, 40.0]), np.array([0.3, 0.27]), 0.2), 0.2, wider)
    assert not uncertain(Race.of(np.array([60.0]), np.array([0.3]), 0.2), 0.9, config)  # one move: nothing to do


def test_config_refuses_adaptive_without_a_simulation_budget_or_with_gumbel() -> None:
    for kwargs in ({"num_simulations": 0, "max_seconds": 1.0}, {"gumbel": True}, {"max_extend": 0.5},
                   {"extend_q_gap": -0.1}):
        with pytest.raises(MCTSConfigError):
            MCTSConfig(**{"num_simulations": 100, "adaptive": True, **kwargs})


FORCED_C4 = [3, 0, 3, 0, 3]
"""Player 0 threatens to complete column 3: the only move that does not lose at once is 3."""


@pytest.mark.parametrize("evaluator", ["rollout", "callable"])
def test_forced_move_connect_four_far_fewer_simulations_same_move(evaluator: str) -> None:
    def uniform_callable(obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(mask.shape, np.float32), np.zeros(len(obs), np.float32)

    state = _state(C4, FORCED_C4)
    results = {}
    for adaptive in (False, True):
        ev = RolloutEvaluator(seed=0) if evaluator == "rollout" else uniform_callable
        search = BatchedMCTS(C4, MCTSConfig(num_simulations=400, adaptive=adaptive), ev)
        assert search.whole_simulations == (evaluator == "rollout") and search.compiled_leaves == (evaluator != "rollout")
        results[adaptive] = search.search([state])[0]
    assert results[False].simulations == 400
    assert results[True].action == results[False].action == 3
    assert results[True].simulations <= 0.65 * 400  # pruning alone stops near (400 + others' visits) / 2


def test_forced_move_python_backed_game() -> None:
    ttt = make_game("openspiel:tic_tac_toe")
    state = _state(ttt, [0, 4, 1])  # X threatens 0-1-2: O must take 2
    results = {ad: BatchedMCTS(ttt, MCTSConfig(num_simulations=400, adaptive=ad), RolloutEvaluator(seed=0))
               .search([state])[0] for ad in (False, True)}
    assert results[True].action == results[False].action == 2
    assert results[True].simulations < 0.6 * results[False].simulations


def _prior_evaluator(weights: list[float]):
    log_w = np.log(np.asarray(weights, np.float32))

    def evaluate(obs: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.where(mask, log_w[None, :], -1e9).astype(np.float32), np.zeros(len(obs), np.float32)
    return evaluate


def test_two_near_equal_best_moves_extend_the_search() -> None:
    state = C4.new_state()
    tie = _prior_evaluator([1, 1, 50, 1, 50, 1, 1])  # columns 2 and 4 equally good, value 0
    capped = BatchedMCTS(C4, MCTSConfig(num_simulations=200, adaptive=True, max_extend=1.0), tie).search([state])[0]
    longer = BatchedMCTS(C4, MCTSConfig(num_simulations=200, adaptive=True, max_extend=2.0), tie).search([state])[0]
    assert capped.simulations <= 200 < longer.simulations <= 400
    assert longer.action in (2, 4)
    flat = BatchedMCTS(C4, MCTSConfig(num_simulations=200, adaptive=True), UniformEvaluator()).search([state])[0]
    assert flat.simulations == 400  # all seven moves equal: extended to the cap


def test_batched_trees_stop_on_their_own() -> None:
    states = [_state(C4, FORCED_C4), _state(C4, [3, 3])]
    config = MCTSConfig(num_simulations=300, adaptive=True)
    together = BatchedMCTS(C4, config, RolloutEvaluator(seed=0), num_trees=2).search(states)
    assert together[0].simulations < together[1].simulations
    for i, state in enumerate(states):
        alone = BatchedMCTS(C4, config, RolloutEvaluator(seed=0), num_trees=2).search([state], indices=[i])[0]
        assert alone.simulations == together[i].simulations
        assert np.array_equal(alone.visit_counts, together[i].visit_counts)


def _reference_race(t, b: int) -> Race:
    """Root race read with numpy, independently of the compiled reader."""
    first, k = int(t.first_edge[b, 0]), int(t.num_edges[b, 0])
    children = t.edge_child[b, first:first + k]
    created = children >= 0
    safe = np.where(created, children, 0)
    sign = np.where(t.player[b, safe] == t.player[b, 0], 1.0, -1.0)
    n = np.where(created, t.visits[b, safe], 0).astype(np.float64)
    proven = np.where(created, sign * t.terminal_value[b, safe], np.nan)
    q = np.where(np.isnan(proven), np.where(n > 0, sign * t.value_sum[b, safe] / np.maximum(n, 1), 0.0), proven)
    keep = ~(np.nan_to_num(proven, nan=0.0) <= -1.0)
    keep = keep if keep.any() else np.ones(k, bool)
    return Race.of(n[keep], q[keep], float(t.value_sum[b, 0] / t.visits[b, 0]))


@pytest.mark.parametrize("moves,sims", [(FORCED_C4, 60), (FORCED_C4, 300), ([3, 3], 200), ([], 50)])
def test_compiled_root_race_matches_numpy(moves: list[int], sims: int) -> None:
    search = BatchedMCTS(C4, MCTSConfig(num_simulations=sims), RolloutEvaluator(seed=1))
    search.search([_state(C4, moves)])
    got, want = root_race(search.tree, 0), _reference_race(search.tree, 0)
    assert got.moves == want.moves and got.total == want.total
    assert (got.leader_visits, got.runner_visits) == (want.leader_visits, want.runner_visits)
    assert got.value == pytest.approx(want.value)
    if got.leader_visits != got.runner_visits:  # ties may pick either index
        assert (got.leader_q, got.runner_q) == pytest.approx((want.leader_q, want.runner_q))
