"""External-sampling MCCFR on the no-limit tree: convergence in a small game with exact exploitability,
pruning, seeding, and the evaluation helpers it is measured with."""
from __future__ import annotations

import numba
import numpy as np
import pytest

from games.poker.nolimit_rules import NoLimitRules
from search.cfr.mccfr import average_strategy, regret_matching, run_iterations, terminal_utility, tree_depth
from search.cfr.nl_eval import KuhnDeals, expected_values, exploitability, head_to_head
from search.cfr.nl_tree import DECISION, ActionAbstraction, build_tree

SOURCE = KuhnDeals(3)
POT = ((1.0,),)
TREE = build_tree(NoLimitRules(stack=12, small_blind=1, big_blind=2),
                  ActionAbstraction(preflop=POT, flop=POT, turn=POT, river=POT), SOURCE.num_buckets)
BUCKETS = np.asarray(SOURCE.num_buckets, dtype=np.int64)
LISTED = SOURCE.enumerate()


def _train(iterations: int, *, workers: int = 1, prune_after: int = 10**12, prune_threshold: float = -1e9,
           seed: int = 3, batch: int = 5000, discount_every: int = 5000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    regrets = np.zeros(int(TREE.num_slots[0]), dtype=np.float32)
    sums = np.zeros_like(regrets)
    stats = np.zeros((workers, 3), dtype=np.int64)
    depth = tree_depth(TREE)
    done, discounts = 0, 0
    while done < iterations:
        buckets, winners = SOURCE.sample(done, batch, seed)
        run_iterations(TREE, depth, buckets, winners, done, seed, prune_after, 0.95, prune_threshold, -1e12, workers,
                       regrets, sums, stats)
        done += batch
        if done % discount_every == 0 and done <= iterations // 2:
            discounts += 1
            regrets *= discounts / (discounts + 1)
            sums *= discounts / (discounts + 1)
    return regrets, sums, stats


def _exploitability(sums: np.ndarray) -> float:
    return exploitability(TREE, average_strategy(TREE, BUCKETS, sums), *LISTED)


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def test_converges_towards_equilibrium() -> None:
    uniform = _exploitability(np.zeros(int(TREE.num_slots[0]), dtype=np.float32))
    _, early, _ = _train(5_000)
    _, sums, stats = _train(80_000)
    late = _exploitability(sums)
    assert uniform > 2.0 and late < 0.05 * uniform and late < _exploitability(early)
    assert late < 0.01  # chips; blinds 1/2, stacks 12
    assert stats[0, 0] == 80_000 and stats[0, 2] == 0


def test_pruning_skips_work_and_still_converges() -> None:
    _, plain, plain_stats = _train(60_000)
    _, pruned, stats = _train(60_000, prune_after=20_000, prune_threshold=-20.0)
    assert 0.9 < stats[0, 2] / 40_000 < 1.0  # 95% of the iterations after the start of pruning
    assert stats[0, 1] < 0.8 * plain_stats[0, 1]  # fewer nodes visited
    assert _exploitability(pruned) < 0.02


def test_seeded_and_parallel_workers() -> None:
    a = _train(10_000, seed=5)
    b = _train(10_000, seed=5)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not np.array_equal(a[0], _train(10_000, seed=6)[0])
    numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
    # two threads update the shared tables without locks (as Pluribus does), so a run is not repeatable
    # and has a tail: over 72 runs the median was 0.0043, three runs 0.015-0.017 and one 0.037 (it failed
    # the suite once). The median of three runs stays far inside the bound; one worker gives 0.0037.
    runs = [_train(40_000, workers=2) for _ in range(3)]
    assert all(stats[:, 0].tolist() == [20_000, 20_000] for _, _, stats in runs)
    assert float(np.median([_exploitability(sums) for _, sums, _ in runs])) < 0.02


def test_regret_matching() -> None:
    out = np.zeros(3)
    regret_matching(np.array([3.0, -1.0, 1.0], dtype=np.float32), 0, 3, out)
    np.testing.assert_allclose(out, [0.75, 0.0, 0.25])
    regret_matching(np.array([-3.0, 0.0, -1.0], dtype=np.float32), 0, 3, out)
    np.testing.assert_allclose(out, [1 / 3] * 3)


def _brute_value(node: int, seat0: np.ndarray, seat1: np.ndarray, buckets: np.ndarray, winner: int) -> float:
    if TREE.kind[node] != DECISION:
        return terminal_utility(TREE, node, 0, winner)
    k = int(TREE.num_children[node])
    q = int(TREE.player[node])
    base = int(TREE.slot[node]) + int(buckets[q, TREE.round[node]]) * k
    strategy = seat0 if q == 0 else seat1
    return sum(float(strategy[base + a]) * _brute_value(int(TREE.children[node, a]), seat0, seat1, buckets, winner)
               for a in range(k))


def test_expected_values_and_head_to_head() -> None:
    rng = np.random.default_rng(0)
    strat_a = average_strategy(TREE, BUCKETS, rng.random(int(TREE.num_slots[0])).astype(np.float32))
    strat_b = average_strategy(TREE, BUCKETS, rng.random(int(TREE.num_slots[0])).astype(np.float32))
    buckets, winners, _ = LISTED
    values = expected_values(TREE, strat_a, strat_b, buckets, winners)
    brute = [_brute_value(0, strat_a, strat_b, buckets[i], int(winners[i])) for i in range(len(winners))]
    np.testing.assert_allclose(values, brute, rtol=1e-5, atol=1e-6)
    same = head_to_head(TREE, strat_a, strat_a, buckets, winners)
    assert abs(same.mean) < 1e-6
    ab = head_to_head(TREE, strat_a, strat_b, buckets, winners)
    ba = head_to_head(TREE, strat_b, strat_a, buckets, winners)
    assert ab.mean == pytest.approx(-ba.mean, abs=1e-6)
