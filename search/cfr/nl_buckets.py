"""The blueprint bucket of every private hand at once, for each deal source of :mod:`search.cfr.nl_deals`.

Real-time search needs the blueprint's strategy for all 1,326 hole-card combos (the ranges, the
blueprint mapped onto a real-card tree): :func:`all_buckets` returns each combo's bucket on a board with
exactly the arithmetic the trainer used for its deals (the k-means tables through the same suit
permutation, or the strength quantiles through :func:`~search.cfr.abstraction.strengths_on_board`,
whose sums run in the same order as the trainer's :func:`~search.cfr.abstraction.strength`). For
``cards = kuhn`` a hand is a card and its bucket is the card.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from search.cfr.abstraction import COMBOS, NUM_COMBOS, board_values, combo_index, preflop_class, strengths_on_board
from search.cfr.nl_deals import DealSource, StrengthDeals, TableDeals, _thresholds
from search.cfr.nl_eval import KuhnDeals
from search.cfr.suit_iso import locate, permute_card


@njit(cache=True)
def preflop_buckets(combos: np.ndarray) -> np.ndarray:
    """int64 [1326]: the 169 preflop classes of every combo."""
    out = np.empty(combos.shape[0], dtype=np.int64)
    for i in range(combos.shape[0]):
        out[i] = preflop_class(combos[i, 0], combos[i, 1])
    return out


@njit(cache=True)
def table_buckets(board: np.ndarray, keys: np.ndarray, table: np.ndarray, combos: np.ndarray) -> np.ndarray:
    """int64 [1326]: every combo's bucket in a k-means ``table`` (0 for combos holding a board card)."""
    row, perm = locate(board, keys)
    out = np.zeros(combos.shape[0], dtype=np.int64)
    used = np.zeros(52, dtype=np.bool_)
    for c in board:
        used[c] = True
    for i in range(combos.shape[0]):
        a, b = combos[i, 0], combos[i, 1]
        if not used[a] and not used[b]:
            out[i] = table[row, combo_index(permute_card(a, perm), permute_card(b, perm))]
    return out


@njit(cache=True)
def quantile_buckets(strengths: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """int64 [n]: the number of ``thresholds`` at or below each strength (0 where the strength is < 0)."""
    out = np.zeros(strengths.shape[0], dtype=np.int64)
    for i in range(strengths.shape[0]):
        s = strengths[i]
        if s < 0.0:
            continue
        b = 0
        while b < thresholds.shape[0] and s >= thresholds[b]:
            b += 1
        out[i] = b
    return out


def all_buckets(source: DealSource, rnd: int, board: tuple[int, ...] | list[int]) -> np.ndarray:
    """int64 [G]: the bucket of every hand of the source's game in round ``rnd`` on ``board`` (G = 1,326
    combos, or the ``cards`` of a Kuhn source)."""
    if isinstance(source, KuhnDeals):
        return np.arange(source.cards, dtype=np.int64)
    if rnd == 0:
        return preflop_buckets(COMBOS)
    b = np.asarray(board, dtype=np.int64)
    if isinstance(source, TableDeals):
        t = source.abstraction.tables
        keys, table = [(t.flop_keys, t.flop), (t.turn_keys, t.turn), (t.river_keys, t.river)][rnd - 1]
        return table_buckets(b, keys, table, COMBOS)
    if isinstance(source, StrengthDeals):
        strengths = strengths_on_board(board_values(b), COMBOS)
        return quantile_buckets(strengths, _thresholds(source)[rnd])
    raise TypeError(f"no bucketing for deal source {type(source).__name__}")


def num_hands(source: DealSource) -> int:
    """Hands of the source's game: 1,326 combos, or the cards of a Kuhn source."""
    return source.cards if isinstance(source, KuhnDeals) else NUM_COMBOS
