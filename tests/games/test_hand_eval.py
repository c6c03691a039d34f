"""The numba hand evaluator against the independent ``treys`` evaluator, and known cases."""
from __future__ import annotations

import numpy as np
import pytest
from treys import Card, Evaluator

from games.poker.cards import DECK_SIZE, card_to_string, parse_cards
from games.poker.hand_eval import (
    FLUSH,
    FULL_HOUSE,
    HIGH_CARD,
    PAIR,
    QUADS,
    STRAIGHT,
    STRAIGHT_FLUSH,
    TRIPS,
    TWO_PAIR,
    evaluate_many,
    hand_category,
    hand_value,
)

_TREYS_CARDS = [Card.new(card_to_string(c)) for c in range(DECK_SIZE)]
_TREYS = Evaluator()


def _random_hands(rng: np.random.Generator, count: int, size: int) -> np.ndarray:
    """int64 [count, size] of distinct random cards per row."""
    return np.argsort(rng.random((count, DECK_SIZE)), axis=1)[:, :size].astype(np.int64)


def _treys_ranks(hands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """treys rank (1 best .. 7462 worst) and our category index per hand."""
    ranks = np.array([_TREYS.evaluate([_TREYS_CARDS[c] for c in h[:2]], [_TREYS_CARDS[c] for c in h[2:]])
                      for h in hands.tolist()])
    classes = np.array([_TREYS.get_rank_class(int(r)) for r in ranks])  # 0 royal, 1 straight flush .. 9 high
    return ranks, np.where(classes == 0, STRAIGHT_FLUSH, 9 - classes)


@pytest.mark.parametrize("size, count", [(7, 100_000), (6, 10_000), (5, 10_000)])
def test_order_and_category_equal_treys(size: int, count: int) -> None:
    rng = np.random.default_rng(size)
    hands = _random_hands(rng, count, size)
    ours = evaluate_many(hands)
    ranks, categories = _treys_ranks(hands)
    np.testing.assert_array_equal(hand_category(ours), categories)
    # Random pairs: the sign of the comparison agrees (treys: lower is better).
    a, b = rng.integers(count, size=(2, 2 * count))
    np.testing.assert_array_equal(np.sign(ours[a] - ours[b]), np.sign(ranks[b] - ranks[a]))
    # The whole sample: sorting by our value sorts treys' rank, with exactly the same ties.
    order = np.argsort(ours, kind="stable")
    assert np.all(np.diff(ranks[order]) <= 0)
    np.testing.assert_array_equal(np.diff(ours[order]) == 0, np.diff(ranks[order]) == 0)
    assert len(set(categories.tolist())) >= (9 if size == 7 else 7)  # the sample covers the categories


def _value(text: str) -> int:
    return hand_value(parse_cards(text))


@pytest.mark.parametrize("cards, category", [
    ("AsKsQsJsTs2d3c", STRAIGHT_FLUSH), ("5h4h3h2hAh9c9d", STRAIGHT_FLUSH), ("9c9d9h9sAsKd2c", QUADS),
    ("9c9d9hKsKd2c3c", FULL_HOUSE), ("2s7s9sJsKs2d2c", FLUSH), ("Ad2c3h4s5d9c9d", STRAIGHT),
    ("9c9d9hAsKd2c4c", TRIPS), ("9c9dAhAsKd2c4c", TWO_PAIR), ("9c9dAhQsKd2c4c", PAIR), ("9c8dAhQsKd2c4c", HIGH_CARD),
])
def test_known_categories(cards: str, category: int) -> None:
    assert hand_category(_value(cards)) == category


@pytest.mark.parametrize("better, worse", [
    ("AsKsQsJsTs2d3c", "KsQsJsTs9s2d3c"),  # royal flush > king-high straight flush
    ("6h5h4h3h2h9c9d", "5h4h3h2hAh9c9d"),  # six-high straight flush > steel wheel
    ("Ad2c3h4s5d9c9d", "AdKcQhJs9d2c3h"),  # wheel straight > ace high
    ("6d2c3h4s5dAc9d", "Ad2c3h4s5d9c9d"),  # six-high straight > wheel
    ("2s7s9sJsKs2d2c", "9cTdJhQsKd2c3c"),  # flush > straight
    ("AcAdAh2s2d3c4c", "KcKdKhAsAd3c4c"),  # full house: trips decide first
    ("KcKdKhQsQd3c4c", "KcKdKhJsJd3c4c"),  # ... then the pair
    ("KcKdKhQsQdQh4c", "KcKdKhJsJdJh4c"),  # two trips: the lower plays as the pair
    ("9c9d9h9sAsKd2c", "9c9d9h9sKsQd2c"),  # quads kicker
    ("AcAdKhKs9d2c3c", "AcAdKhKs8d7c3c"),  # two pair kicker
    ("AcAdKhKsQdQc2c", "AcAdKhKsJdJc9c"),  # third pair only counts as a kicker: Q > J
    ("AcAdKhQs9d2c3c", "AcAdKhQs8d7c3c"),  # pair, third kicker
    ("AcKdQhJs9d2c3c", "AcKdQhJs8d7c5c"),  # high card, fifth card
])
def test_known_orderings(better: str, worse: str) -> None:
    assert _value(better) > _value(worse)


@pytest.mark.parametrize("first, second", [
    ("AsKsQsJs9d2c3c", "AhKhQhJh9c4d5d"),  # same five ranks, suits and unused cards differ
    ("AcAdKhKs9d2c3c", "AhAsKcKd9c8d7c"),  # two pair, the best kicker is 9 in both
    ("2c3d4h5s6dKcKd", "2d3c4s5h6cKhKs"),  # straight beats the pair; equal straights
])
def test_ties(first: str, second: str) -> None:
    assert _value(first) == _value(second)


@pytest.mark.parametrize("cards", [[1, 2, 3, 4], [1, 2, 3, 4, 5, 6, 7, 8], [1, 1, 2, 3, 4], [0, 1, 2, 3, 52]])
def test_bad_input(cards: list[int]) -> None:
    with pytest.raises(ValueError):
        hand_value(cards)
