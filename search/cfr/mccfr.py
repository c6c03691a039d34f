"""External-sampling Monte Carlo CFR on an abstract betting tree, with negative-regret pruning (numba).

One iteration takes one deal (buckets and showdown winner, :mod:`search.cfr.nl_deals`) and traverses the
tree once for each player ``p`` (Lanctot et al. 2009; Pluribus, Brown & Sandholm 2019):

* at ``p``'s decisions every action is explored, the node's value is the strategy-weighted mean of the
  action values, and each explored action's regret grows by (action value - node value), floored at
  ``regret_floor``;
* at the opponent's decisions one action is sampled from the current strategy, and the opponent's
  strategy is added to its average-strategy sum (stochastically weighted averaging);
* in a *pruned* iteration (probability ``prune_prob`` once the iteration count reaches ``prune_after``)
  ``p``'s actions whose regret is below ``prune_threshold`` are skipped, except on the river and for
  actions that end the hand (Pluribus's rule); their regrets are not updated.

The current strategy is regret matching. Linear weighting (Pluribus's discounting of regrets and sums by
``k / (k + 1)`` after the ``k``-th interval) is applied between kernel calls by the trainer.

Tables are flat float32 arrays over the tree's slots (:class:`search.cfr.nl_tree.AbstractTree`): the
row of node ``n`` for bucket ``b`` starts at ``slot[n] + b * num_children[n]``.

Parallelism: :func:`run_iterations` splits a batch of deals among ``W`` workers run by numba threads that
share the two tables without locks (as Pluribus's threads did): a lost update when two threads write one
entry at once is rare (a big table, sparse writes) and harmless to convergence, while a second copy of the
tables per thread would double the memory. With one thread the result is a pure function of the seed.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from search.cfr.nl_tree import DECISION, FOLD_END, AbstractTree
from search.cfr.rng import stream, uniform

LAST_ROUND = 3
"""The river: Pluribus does not prune there."""


@njit(cache=True)
def regret_matching(regrets: np.ndarray, base: int, k: int, out: np.ndarray) -> None:
    """``out[:k]``: positive regrets normalised, uniform if none is positive."""
    total = 0.0
    for a in range(k):
        r = regrets[base + a]
        if r > 0.0:
            total += r
    for a in range(k):
        r = regrets[base + a]
        out[a] = (r if r > 0.0 else 0.0) / total if total > 0.0 else 1.0 / k


@njit(cache=True)
def terminal_utility(tree: AbstractTree, n: int, p: int, winner: int) -> float:
    """Chips won by ``p`` at terminal ``n`` (the opponent's contribution, or minus its own)."""
    if tree.kind[n] == FOLD_END:
        f = tree.folder[n]
        return -float(tree.spent[n, p]) if f == p else float(tree.spent[n, f])
    if winner < 0:
        return 0.0
    return float(tree.spent[n, 1 - p]) if winner == p else -float(tree.spent[n, p])


@njit(cache=True)
def _push(tree: AbstractTree, n: int, a: int, d: int, node_at: np.ndarray, pos: np.ndarray) -> int:
    """Record action ``a`` at frame ``d`` and open the child's frame; returns the new depth."""
    pos[d] = a
    node_at[d + 1] = tree.children[n, a]
    pos[d + 1] = -1
    return d + 1


@njit(cache=True)
def traverse(tree: AbstractTree, buckets: np.ndarray, winner: int, p: int, prune: bool, prune_threshold: float,
             regret_floor: float, state: np.ndarray, regrets: np.ndarray, strategy_sum: np.ndarray,
             node_at: np.ndarray, pos: np.ndarray, sigma: np.ndarray, vals: np.ndarray,
             explore: np.ndarray) -> tuple[float, int]:
    """One external-sampling traversal for player ``p`` (``buckets [2, 4]`` of the deal); returns (value of
    the root for ``p``, nodes visited). ``node_at, pos [depth]``, ``sigma, vals, explore [depth, A]`` are
    scratch frames of an explicit stack (numba's cached code cannot recurse)."""
    d = 0
    node_at[0] = 0
    pos[0] = -1
    ret = 0.0
    visited = 0
    while True:
        n = node_at[d]
        if pos[d] < 0:  # entering node n
            visited += 1
            if tree.kind[n] != DECISION:
                ret = terminal_utility(tree, n, p, winner)
                d -= 1
                if d < 0:
                    return ret, visited
                continue
            k = tree.num_children[n]
            q = tree.player[n]
            rnd = tree.round[n]
            base = tree.slot[n] + buckets[q, rnd] * k
            regret_matching(regrets, base, k, sigma[d])
            if q == p:
                first = -1
                for a in range(k):
                    ok = True
                    if prune and rnd < LAST_ROUND and tree.kind[tree.children[n, a]] == DECISION:
                        ok = regrets[base + a] >= prune_threshold
                    explore[d, a] = ok
                    if ok and first < 0:
                        first = a
                if first < 0:  # everything below the threshold: explore all
                    for a in range(k):
                        explore[d, a] = True
                    first = 0
                d = _push(tree, n, first, d, node_at, pos)
            else:
                for a in range(k):
                    strategy_sum[base + a] += sigma[d, a]
                u = uniform(state)
                a = 0
                acc = sigma[d, 0]
                while a + 1 < k and u >= acc:
                    a += 1
                    acc += sigma[d, a]
                d = _push(tree, n, a, d, node_at, pos)
            continue
        # the child at slot pos[d] returned ret
        if tree.player[n] != p:
            d -= 1
            if d < 0:
                return ret, visited
            continue
        k = tree.num_children[n]
        vals[d, pos[d]] = ret
        nxt = pos[d] + 1
        while nxt < k and not explore[d, nxt]:
            nxt += 1
        if nxt < k:
            d = _push(tree, n, nxt, d, node_at, pos)
            continue
        value = 0.0
        for a in range(k):
            if explore[d, a]:
                value += sigma[d, a] * vals[d, a]
        base = tree.slot[n] + buckets[p, tree.round[n]] * k
        for a in range(k):
            if explore[d, a]:
                r = regrets[base + a] + (vals[d, a] - value)
                regrets[base + a] = r if r > regret_floor else regret_floor
        ret = value
        d -= 1
        if d < 0:
            return ret, visited


@njit(cache=True, parallel=True)
def run_iterations(tree: AbstractTree, depth: int, buckets: np.ndarray, winners: np.ndarray, first_iteration: int,
                   seed: int, prune_after: int, prune_prob: float, prune_threshold: float, regret_floor: float,
                   workers: int, regrets: np.ndarray, strategy_sum: np.ndarray, stats: np.ndarray) -> None:
    """One iteration per deal of ``buckets [n, 2, 4]`` / ``winners [n]`` (iteration numbers
    ``first_iteration ..``), split among ``workers`` (numba threads). ``stats [workers, 3]`` gains
    (iterations, nodes visited, pruned iterations) per worker; ``depth`` bounds the tree's depth."""
    n = buckets.shape[0]
    width = tree.children.shape[1]
    for w in prange(workers):
        node_at = np.empty(depth + 1, dtype=np.int64)
        pos = np.empty(depth + 1, dtype=np.int64)
        sigma = np.empty((depth + 1, width))
        vals = np.empty((depth + 1, width))
        explore = np.empty((depth + 1, width), dtype=np.bool_)
        for i in range(w, n, workers):
            t = first_iteration + i
            state = stream(seed, t)
            prune = t >= prune_after and uniform(state) < prune_prob
            for p in range(2):
                _, visited = traverse(tree, buckets[i], winners[i], p, prune, prune_threshold, regret_floor, state,
                                      regrets, strategy_sum, node_at, pos, sigma, vals, explore)
                stats[w, 1] += visited
            stats[w, 0] += 1
            if prune:
                stats[w, 2] += 1


@njit(cache=True)
def average_strategy(tree: AbstractTree, num_buckets: np.ndarray, strategy_sum: np.ndarray) -> np.ndarray:
    """float32 [slots]: ``strategy_sum`` normalised per information set (uniform where never reached)."""
    out = np.empty(strategy_sum.shape[0], dtype=np.float32)
    for n in range(tree.kind.shape[0]):
        if tree.kind[n] != DECISION:
            continue
        k = tree.num_children[n]
        for b in range(num_buckets[tree.round[n]]):
            base = tree.slot[n] + b * k
            total = 0.0
            for a in range(k):
                total += strategy_sum[base + a]
            for a in range(k):
                out[base + a] = strategy_sum[base + a] / total if total > 0.0 else 1.0 / k
    return out


@njit(cache=True)
def positive_regret(tree: AbstractTree, num_buckets: np.ndarray, regrets: np.ndarray) -> tuple[float, int]:
    """(sum over information sets of the largest positive regret, information sets with any regret)."""
    total = 0.0
    touched = 0
    for n in range(tree.kind.shape[0]):
        if tree.kind[n] != DECISION:
            continue
        k = tree.num_children[n]
        for b in range(num_buckets[tree.round[n]]):
            base = tree.slot[n] + b * k
            best = 0.0
            any_regret = False
            for a in range(k):
                r = regrets[base + a]
                any_regret = any_regret or r != 0.0
                best = max(best, r)
            total += best
            touched += any_regret
    return total, touched


def tree_depth(tree: AbstractTree) -> int:
    """Largest number of edges from the root to a node."""
    depth = np.zeros(tree.kind.shape[0], dtype=np.int64)
    for n in range(1, tree.kind.shape[0]):  # pre-order: parents come first
        depth[n] = depth[tree.parent[n]] + 1
    return int(depth.max())
