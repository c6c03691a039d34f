"""Measuring abstract no-limit strategies: expected head-to-head value, and exact exploitability of small games.

* :func:`expected_values` walks the whole betting tree for each sampled deal and returns player 0's
  expected chips, both strategies' action probabilities included (no action sampling, so far less noise
  than playing hands out). :func:`head_to_head` plays both seat assignments on the same deals.
* :func:`exploitability` is exact for small abstract games whose deals can be listed with their
  probabilities and whose buckets give perfect recall (a player's bucket in a round determines its
  buckets before): the best response picks, per (node, bucket), the action with the highest value summed
  over the deals in that information set, bottom-up. :class:`KuhnDeals` is such a game: each player holds
  one of ``C`` cards for the whole hand (higher card wins the showdown), played on the no-limit tree.

Strategies are float32 flat tables over the tree's slots (:func:`search.cfr.mccfr.average_strategy`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from search.cfr.mccfr import terminal_utility
from search.cfr.nl_tree import DECISION, AbstractTree
from search.cfr.rng import below, stream


@njit(cache=True)
def _deal_value(tree: AbstractTree, seat0: np.ndarray, seat1: np.ndarray, buckets: np.ndarray, winner: int,
                reach: np.ndarray) -> float:
    """Player 0's expected chips on one deal (``reach [N]`` scratch)."""
    reach[0] = 1.0
    value = 0.0
    for n in range(tree.kind.shape[0]):  # pre-order: a node's reach is final before its children
        r = reach[n]
        if tree.kind[n] != DECISION:
            if r > 0.0:
                value += r * terminal_utility(tree, n, 0, winner)
            continue
        k = tree.num_children[n]
        q = tree.player[n]
        base = tree.slot[n] + buckets[q, tree.round[n]] * k
        strategy = seat0 if q == 0 else seat1
        for a in range(k):
            reach[tree.children[n, a]] = r * strategy[base + a] if r > 0.0 else 0.0
    return value


@njit(cache=True, parallel=True)
def expected_values(tree: AbstractTree, seat0: np.ndarray, seat1: np.ndarray, buckets: np.ndarray,
                    winners: np.ndarray) -> np.ndarray:
    """float64 [n]: player 0's expected chips on each deal when ``seat0`` plays player 0, ``seat1`` player 1."""
    out = np.empty(buckets.shape[0])
    for i in prange(buckets.shape[0]):
        reach = np.empty(tree.kind.shape[0])
        out[i] = _deal_value(tree, seat0, seat1, buckets[i], winners[i], reach)
    return out


@dataclass(frozen=True)
class Match:
    """A head-to-head result in chips per hand for the first strategy."""

    mean: float
    stderr: float
    hands: int


def head_to_head(tree: AbstractTree, first: np.ndarray, second: np.ndarray, buckets: np.ndarray,
                 winners: np.ndarray) -> Match:
    """``first`` against ``second`` on the same deals in both seats (duplicate): chips per hand for ``first``."""
    a = expected_values(tree, first, second, buckets, winners)
    b = expected_values(tree, second, first, buckets, winners)
    per_deal = (a - b) / 2.0
    n = per_deal.shape[0]
    return Match(float(per_deal.mean()), float(per_deal.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan"), n)


def best_response_value(tree: AbstractTree, strategy: np.ndarray, responder: int, buckets: np.ndarray,
                        winners: np.ndarray, probs: np.ndarray) -> float:
    """Expected chips of ``responder``'s best response to ``strategy`` over the listed deals
    (``buckets [M, 2, 4]``, ``winners [M]``, ``probs [M]``); exact under perfect recall."""
    num = tree.kind.shape[0]
    m = buckets.shape[0]
    opp = 1 - responder
    reach = np.zeros((num, m))  # chance x opponent reach
    reach[0] = probs
    for n in range(num):
        if tree.kind[n] != DECISION:
            continue
        k = int(tree.num_children[n])
        rows = tree.slot[n] + buckets[:, tree.player[n], tree.round[n]] * k
        for a in range(k):
            c = tree.children[n, a]
            reach[c] = reach[n] * (strategy[rows + a] if tree.player[n] == opp else 1.0)
    value = np.zeros((num, m))
    for n in range(num - 1, -1, -1):
        if tree.kind[n] != DECISION:
            value[n] = [terminal_utility(tree, n, responder, int(w)) for w in winners]
            continue
        k = int(tree.num_children[n])
        kids = tree.children[n, :k]
        bucket = buckets[:, tree.player[n], tree.round[n]]
        if tree.player[n] == opp:
            rows = tree.slot[n] + bucket * k
            value[n] = sum(strategy[rows + a] * value[kids[a]] for a in range(k))
            continue
        weighted = np.stack([np.bincount(bucket, weights=reach[n] * value[c], minlength=bucket.max() + 1)
                             for c in kids])  # [k, buckets]
        choice = weighted.argmax(axis=0)[bucket]
        value[n] = value[kids[choice], np.arange(m)]
    return float(np.dot(probs, value[0]))


def exploitability(tree: AbstractTree, strategy: np.ndarray, buckets: np.ndarray, winners: np.ndarray,
                   probs: np.ndarray) -> float:
    """Chips per hand a best responder wins on average over both seats against ``strategy`` (0 at a Nash
    equilibrium of the abstract game)."""
    return (best_response_value(tree, strategy, 0, buckets, winners, probs)
            + best_response_value(tree, strategy, 1, buckets, winners, probs)) / 2.0


@njit(cache=True)
def _kuhn_deals(first: int, seed: int, cards: int, buckets: np.ndarray, winners: np.ndarray) -> None:
    for i in range(buckets.shape[0]):
        state = stream(seed, first + i)
        a = below(state, cards)
        b = below(state, cards - 1)
        b += b >= a
        buckets[i, 0, :] = a
        buckets[i, 1, :] = b
        winners[i] = 0 if a > b else 1


@dataclass(frozen=True)
class KuhnDeals:
    """A small perfect-recall deal source: each player holds one of ``cards`` distinct cards."""

    cards: int = 3
    """Cards in the deck (the higher card wins the showdown)."""

    @property
    def num_buckets(self) -> tuple[int, int, int, int]:
        return (self.cards,) * 4

    def fingerprint(self) -> str:
        return f"kuhn-{self.cards}"

    def sample(self, first: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        buckets = np.empty((n, 2, 4), dtype=np.int32)
        winners = np.empty(n, dtype=np.int8)
        _kuhn_deals(first, seed, self.cards, buckets, winners)
        return buckets, winners

    def enumerate(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every deal: (buckets int32 [M, 2, 4], winners int8 [M], probabilities float64 [M])."""
        pairs = [(a, b) for a in range(self.cards) for b in range(self.cards) if a != b]
        buckets = np.array([[[a] * 4, [b] * 4] for a, b in pairs], dtype=np.int32)
        winners = np.array([0 if a > b else 1 for a, b in pairs], dtype=np.int8)
        return buckets, winners, np.full(len(pairs), 1.0 / len(pairs))
