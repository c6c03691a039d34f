"""Compiled poker hand evaluator: the rank of the best 5-card hand among 5 to 7 cards, higher is better.

Cards use the 52-card numbering of :mod:`games.poker.cards` (``rank * 4 + suit``, rank 0 = deuce).
The value is ``category << 20 | r1 << 16 | r2 << 12 | r3 << 8 | r4 << 4 | r5`` where ``category`` is
:data:`HIGH_CARD` (0) .. :data:`STRAIGHT_FLUSH` (8) and ``r1..r5`` are the ranks (0..12) that break ties
inside the category, most significant first (e.g. full house: trips rank, pair rank; two pair: high
pair, low pair, kicker; straight: top card, 3 for the wheel A-5). Two hands tie exactly when their
values are equal, so comparing values orders hands as poker does.

The evaluation works on bit masks: one 13-bit rank mask per suit (a flush is a suit mask with 5+ bits,
in which a straight is a straight flush) and rank counts for pairs, trips and quads. With at most 7
cards a flush excludes quads and full houses, so the flush test can come first.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit

HIGH_CARD = 0
PAIR = 1
TWO_PAIR = 2
TRIPS = 3
STRAIGHT = 4
FLUSH = 5
FULL_HOUSE = 6
QUADS = 7
STRAIGHT_FLUSH = 8
CATEGORY_NAMES = ("high card", "pair", "two pair", "three of a kind", "straight", "flush", "full house",
                  "four of a kind", "straight flush")
"""Names of the categories by index."""
CATEGORY_SHIFT = 20
"""``value >> CATEGORY_SHIFT`` is the category."""
_NO_STRAIGHT = -1


@njit(cache=True)
def _straight_high(mask: int) -> int:
    """Rank of the top card of the best straight in a 13-bit rank mask (3 for A-5), or -1."""
    # Bit 0 of ``wide`` is a low ace; rank r sits at bit r + 1.
    wide = (mask << 1) | ((mask >> 12) & 1)
    for top in range(13, 3, -1):
        if (wide >> (top - 4)) & 0x1F == 0x1F:
            return top - 1
    return _NO_STRAIGHT


@njit(cache=True)
def _top_bits(mask: int, count: int) -> int:
    """The ``count`` highest ranks set in ``mask`` packed 4 bits each, highest first (left-aligned)."""
    packed = 0
    taken = 0
    for rank in range(12, -1, -1):
        if taken == count:
            break
        if (mask >> rank) & 1:
            packed = (packed << 4) | rank
            taken += 1
    return packed << (4 * (5 - count)) if count < 5 else packed


@njit(cache=True)
def evaluate_cards(cards: np.ndarray) -> int:
    """Value of the best 5-card hand in ``cards`` (int array [5..7] of distinct card ids); higher wins."""
    suit_masks = np.zeros(4, dtype=np.int64)
    counts = np.zeros(13, dtype=np.int64)
    for i in range(cards.shape[0]):
        card = cards[i]
        suit_masks[card & 3] |= 1 << (card >> 2)
        counts[card >> 2] += 1
    for suit in range(4):
        suited = suit_masks[suit]
        n = 0
        m = suited
        while m:
            m &= m - 1
            n += 1
        if n >= 5:
            high = _straight_high(suited)
            if high != _NO_STRAIGHT:
                return (STRAIGHT_FLUSH << CATEGORY_SHIFT) | (high << 16)
            return (FLUSH << CATEGORY_SHIFT) | _top_bits(suited, 5)
    ranks = suit_masks[0] | suit_masks[1] | suit_masks[2] | suit_masks[3]
    quad = -1
    trip1 = -1
    trip2 = -1
    pair1 = -1
    pair2 = -1
    for rank in range(12, -1, -1):
        c = counts[rank]
        if c == 4:
            quad = rank
        elif c == 3:
            if trip1 < 0:
                trip1 = rank
            elif trip2 < 0:
                trip2 = rank
        elif c == 2:
            if pair1 < 0:
                pair1 = rank
            elif pair2 < 0:
                pair2 = rank
    if quad >= 0:
        return (QUADS << CATEGORY_SHIFT) | (quad << 16) | (_top_bits(ranks & ~(1 << quad), 1) >> 4)
    if trip1 >= 0 and (trip2 >= 0 or pair1 >= 0):
        second = max(trip2, pair1)
        return (FULL_HOUSE << CATEGORY_SHIFT) | (trip1 << 16) | (second << 12)
    high = _straight_high(ranks)
    if high != _NO_STRAIGHT:
        return (STRAIGHT << CATEGORY_SHIFT) | (high << 16)
    if trip1 >= 0:
        kickers = _top_bits(ranks & ~(1 << trip1), 2)
        return (TRIPS << CATEGORY_SHIFT) | (trip1 << 16) | (kickers >> 4)
    if pair2 >= 0:
        kicker = _top_bits(ranks & ~(1 << pair1) & ~(1 << pair2), 1)
        return (TWO_PAIR << CATEGORY_SHIFT) | (pair1 << 16) | (pair2 << 12) | (kicker >> 8)
    if pair1 >= 0:
        kickers = _top_bits(ranks & ~(1 << pair1), 3)
        return (PAIR << CATEGORY_SHIFT) | (pair1 << 16) | (kickers >> 4)
    return (HIGH_CARD << CATEGORY_SHIFT) | _top_bits(ranks, 5)


@njit(cache=True)
def evaluate_many(hands: np.ndarray) -> np.ndarray:
    """Values of many hands: int array [N, K] (K in 5..7) of card ids -> int64 [N]."""
    out = np.empty(hands.shape[0], dtype=np.int64)
    for i in range(hands.shape[0]):
        out[i] = evaluate_cards(hands[i])
    return out


def hand_value(cards: Sequence[int]) -> int:
    """Value of the best 5-card hand among 5..7 distinct card ids (Python entry point)."""
    arr = np.asarray(cards, dtype=np.int64)
    if not 5 <= arr.shape[0] <= 7 or len(set(arr.tolist())) != arr.shape[0] or arr.min() < 0 or arr.max() > 51:
        raise ValueError(f"need 5 to 7 distinct card ids in 0..51, got {list(cards)}")
    return int(evaluate_cards(arr))


def hand_category(value: int | np.ndarray) -> int | np.ndarray:
    """Category index (:data:`HIGH_CARD` .. :data:`STRAIGHT_FLUSH`) of a hand value (or an array of them)."""
    return value >> CATEGORY_SHIFT
