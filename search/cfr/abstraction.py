"""Card abstraction for limit hold'em: hand-strength buckets per betting round.

A hand's *strength* on a board (flop, turn, river) is the probability that it beats a uniformly
random opponent hand from the unseen cards (ties count half), with no cards to come. Before the
flop it is the equity against a random hand to the river, estimated once by Monte Carlo for each
of the 169 hole-card classes. A round's strengths are cut into ``num_buckets`` buckets of equal
probability (quantiles of the strength of a random deal), so a bucket is an integer in
``[0, num_buckets)``, higher = stronger.

Hole-card *combos* are numbered ``0..1325`` in the order of :data:`COMBOS` (pairs ``(a, b)``, ``a < b``
of 52-card ids, :mod:`games.poker.cards` numbering).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.poker.hand_eval import evaluate_cards

NUM_CARDS = 52
COMBOS = np.array([(a, b) for a in range(NUM_CARDS) for b in range(a + 1, NUM_CARDS)], dtype=np.int64)
"""int64 [1326, 2]: every hole-card pair, lower card first."""
NUM_COMBOS = COMBOS.shape[0]
NUM_CLASSES = 169
"""Preflop classes: 13 pairs, 78 suited and 78 offsuit rank pairs."""


@njit(cache=True)
def preflop_class(a: int, b: int) -> int:
    """Class index 0..168 of hole cards ``a, b``: ``hi * 13 + lo`` with ``hi >= lo`` for offsuit/pairs,
    ``lo * 13 + hi`` (the mirror half) for suited hands."""
    ra, rb = a >> 2, b >> 2
    hi, lo = max(ra, rb), min(ra, rb)
    if (a & 3) == (b & 3) and hi != lo:
        return lo * 13 + hi
    return hi * 13 + lo


@njit(cache=True)
def preflop_equities(samples: int, seed: int) -> np.ndarray:
    """float64 [169] (indexed by ``preflop_class``): Monte Carlo equity against a random hand."""
    np.random.seed(seed)
    wins = np.zeros(169)
    counts = np.zeros(169)
    deck = np.arange(NUM_CARDS)
    seven0 = np.empty(7, dtype=np.int64)
    seven1 = np.empty(7, dtype=np.int64)
    for hi in range(13):
        for lo in range(13):
            suited = lo > hi
            r_hi, r_lo = (lo, hi) if suited else (hi, lo)
            a = r_hi * 4
            b = r_lo * 4 + (0 if suited else 1)
            cls = preflop_class(a, b)
            for _ in range(samples):
                np.random.shuffle(deck)
                k = 0
                for i in range(NUM_CARDS):
                    c = deck[i]
                    if c == a or c == b:
                        continue
                    if k < 2:
                        seven1[k] = c
                    else:
                        seven0[k] = c
                        seven1[k] = c
                    k += 1
                    if k == 7:
                        break
                seven0[0] = a
                seven0[1] = b
                v0 = evaluate_cards(seven0)
                v1 = evaluate_cards(seven1)
                wins[cls] += 1.0 if v0 > v1 else (0.5 if v0 == v1 else 0.0)
                counts[cls] += 1.0
    return wins / np.maximum(counts, 1.0)


@njit(cache=True)
def board_values(board: np.ndarray) -> np.ndarray:
    """int64 [1326]: value of every combo with ``board`` (3..5 cards); -1 for combos that use a board card."""
    out = np.full(NUM_COMBOS, -1, dtype=np.int64)
    cards = np.empty(board.shape[0] + 2, dtype=np.int64)
    cards[2:] = board
    used = np.zeros(NUM_CARDS, dtype=np.bool_)
    for c in board:
        used[c] = True
    i = 0
    for a in range(NUM_CARDS):
        for b in range(a + 1, NUM_CARDS):
            if not used[a] and not used[b]:
                cards[0] = a
                cards[1] = b
                out[i] = evaluate_cards(cards)
            i += 1
    return out


@njit(cache=True)
def combo_index(a: int, b: int) -> int:
    """Index in :data:`COMBOS` of the hole cards ``a != b`` (any order)."""
    lo, hi = min(a, b), max(a, b)
    return lo * (2 * NUM_CARDS - lo - 1) // 2 + (hi - lo - 1)


@njit(cache=True)
def strengths_on_board(values: np.ndarray, combos: np.ndarray) -> np.ndarray:
    """float64 [1326]: every combo's strength against the other combos valid with it (see module doc);
    -1 where ``values`` is -1. O(combos^2) comparisons."""
    out = np.full(NUM_COMBOS, -1.0)
    for i in range(NUM_COMBOS):
        if values[i] < 0:
            continue
        a, b = combos[i, 0], combos[i, 1]
        score, count = 0.0, 0.0
        for j in range(NUM_COMBOS):
            if values[j] < 0:
                continue
            c, d = combos[j, 0], combos[j, 1]
            if c == a or c == b or d == a or d == b:
                continue
            count += 1.0
            if values[i] > values[j]:
                score += 1.0
            elif values[i] == values[j]:
                score += 0.5
        out[i] = score / count if count > 0 else 0.5
    return out


@njit(cache=True)
def strength(hole0: int, hole1: int, board: np.ndarray, values: np.ndarray, combos: np.ndarray) -> float:
    """Strength of one hand given ``values = board_values(board)`` (O(combos))."""
    own = values[combo_index(hole0, hole1)]
    score, count = 0.0, 0.0
    for j in range(NUM_COMBOS):
        v = values[j]
        if v < 0:
            continue
        c, d = combos[j, 0], combos[j, 1]
        if c == hole0 or c == hole1 or d == hole0 or d == hole1:
            continue
        count += 1.0
        if own > v:
            score += 1.0
        elif own == v:
            score += 0.5
    return score / count if count > 0 else 0.5


@njit(cache=True)
def bucket_of(value: float, thresholds: np.ndarray) -> int:
    """Number of ``thresholds`` (sorted, [B-1]) at or below ``value``: the bucket in ``[0, B)``."""
    b = 0
    while b < thresholds.shape[0] and value >= thresholds[b]:
        b += 1
    return b
