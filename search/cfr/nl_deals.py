"""Deal sources of the no-limit blueprint: sampled deals turned into buckets and a showdown winner.

The MCCFR kernel never sees cards. A *deal source* samples ``n`` deals and returns, per deal, each
player's bucket in each round (int32 ``[n, 2, 4]``) and the showdown winner (int8 ``[n]``: 0, 1, or -1 for
a split pot); a player's information set is (betting node, bucket of the current round). Two sources:

* :class:`TableDeals` — hold'em with the k-means card abstraction (:mod:`search.cfr.card_abstraction`).
* :class:`StrengthDeals` — hold'em with hand-strength quantile buckets computed on the fly (no tables:
  fast to set up, for tests and tiny runs, and the E[HS] baseline of the abstraction literature).

Deal ``i`` of a run seeded ``s`` is drawn from its own stream (:mod:`search.cfr.rng`), so a batch is the
same whatever the number of threads. Deal layout: hole cards of player 0, of player 1, then 5 board cards.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numba import njit, prange

from games.poker.hand_eval import evaluate_cards
from search.cfr.abstraction import COMBOS, board_values, combo_index, preflop_class, strength
from search.cfr.card_abstraction import CardAbstraction, CardTables
from search.cfr.equity import board_strengths
from search.cfr.rng import below, stream
from search.cfr.suit_iso import locate, permute_card

BOARD_SIZES = (0, 3, 4, 5)
"""Board cards seen in each round."""


class DealSource(Protocol):
    """What the blueprint trainer needs from a card abstraction."""

    num_buckets: tuple[int, int, int, int]
    """Buckets per round."""

    def fingerprint(self) -> str:
        """Names the abstraction; a blueprint refuses a source with another fingerprint."""

    def sample(self, first: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        """(buckets int32 [n, 2, 4], winners int8 [n]) of deals ``first .. first + n - 1``."""


@njit(cache=True)
def draw_deal(seed: int, index: int, out: np.ndarray) -> None:
    """``out [9]``: the cards of deal ``index`` (partial Fisher-Yates on a fresh 52-card deck)."""
    state = stream(seed, index)
    deck = np.arange(52)
    for i in range(9):
        j = i + below(state, 52 - i)
        deck[i], deck[j] = deck[j], deck[i]
        out[i] = deck[i]


@njit(cache=True)
def showdown_winner(deal: np.ndarray) -> int:
    """0 or 1 for the player with the better 7-card hand, -1 for a split."""
    seven = np.empty(7, dtype=np.int64)
    seven[2:] = deal[4:9]
    seven[0], seven[1] = deal[0], deal[1]
    v0 = evaluate_cards(seven)
    seven[0], seven[1] = deal[2], deal[3]
    v1 = evaluate_cards(seven)
    return 0 if v0 > v1 else (1 if v1 > v0 else -1)


@njit(cache=True)
def _table_bucket(board: np.ndarray, a: int, b: int, keys: np.ndarray, table: np.ndarray) -> int:
    row, perm = locate(board, keys)
    return table[row, combo_index(permute_card(a, perm), permute_card(b, perm))]


@njit(cache=True, parallel=True)
def table_deals(first: int, seed: int, tables: CardTables, buckets: np.ndarray, winners: np.ndarray) -> None:
    """Fill ``buckets [n, 2, 4]`` and ``winners [n]`` for deals ``first ..`` with the table abstraction."""
    for i in prange(buckets.shape[0]):
        deal = np.empty(9, dtype=np.int64)
        draw_deal(seed, first + i, deal)
        for p in range(2):
            a, b = deal[2 * p], deal[2 * p + 1]
            buckets[i, p, 0] = preflop_class(a, b)
            buckets[i, p, 1] = _table_bucket(deal[4:7], a, b, tables.flop_keys, tables.flop)
            buckets[i, p, 2] = _table_bucket(deal[4:8], a, b, tables.turn_keys, tables.turn)
            buckets[i, p, 3] = _table_bucket(deal[4:9], a, b, tables.river_keys, tables.river)
        winners[i] = showdown_winner(deal)


@njit(cache=True, parallel=True)
def strength_deals(first: int, seed: int, thresholds: np.ndarray, combos: np.ndarray, buckets: np.ndarray,
                   winners: np.ndarray) -> None:
    """As :func:`table_deals` with hand-strength buckets: bucket = number of ``thresholds[round]`` (sorted,
    [4, B-1], row 0 unused) at or below the strength on the round's board."""
    for i in prange(buckets.shape[0]):
        deal = np.empty(9, dtype=np.int64)
        draw_deal(seed, first + i, deal)
        for p in range(2):
            buckets[i, p, 0] = preflop_class(deal[2 * p], deal[2 * p + 1])
        for rnd in range(1, 4):
            board = deal[4:4 + 2 + rnd]
            values = board_values(board)
            for p in range(2):
                s = strength(deal[2 * p], deal[2 * p + 1], board, values, combos)
                b = 0
                while b < thresholds.shape[1] and s >= thresholds[rnd, b]:
                    b += 1
                buckets[i, p, rnd] = b
        winners[i] = showdown_winner(deal)


@dataclass(frozen=True)
class TableDeals:
    """Deals bucketed by a built :class:`CardAbstraction`."""

    abstraction: CardAbstraction

    @property
    def num_buckets(self) -> tuple[int, int, int, int]:
        return self.abstraction.num_buckets

    def fingerprint(self) -> str:
        return "kmeans-" + self.abstraction.fingerprint()

    def sample(self, first: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        buckets = np.empty((n, 2, 4), dtype=np.int32)
        winners = np.empty(n, dtype=np.int8)
        table_deals(first, seed, self.abstraction.tables, buckets, winners)
        return buckets, winners


@njit(cache=True)
def _strength_samples(boards: int, seed: int, combos: np.ndarray, size: int) -> np.ndarray:
    """float64 [boards, 1326]: strengths of every combo on ``boards`` random ``size``-card boards."""
    out = np.empty((boards, combos.shape[0]))
    for r in range(boards):
        deal = np.empty(9, dtype=np.int64)
        draw_deal(seed, r, deal)
        board_strengths(deal[:size].copy(), combos, out[r])
    return out


@dataclass(frozen=True)
class StrengthDeals:
    """Hand-strength quantile buckets (equal-probability cuts of the strength of a random hand per round)."""

    flop_buckets: int = 10
    """Buckets on the flop (and turn and river, below)."""
    turn_buckets: int = 10
    river_buckets: int = 10
    boards: int = 200
    """Random boards per round whose strengths set the quantiles."""
    seed: int = 0

    @property
    def num_buckets(self) -> tuple[int, int, int, int]:
        return (169, self.flop_buckets, self.turn_buckets, self.river_buckets)

    def fingerprint(self) -> str:
        text = json.dumps([self.flop_buckets, self.turn_buckets, self.river_buckets, self.boards, self.seed])
        return "strength-" + hashlib.sha256(text.encode()).hexdigest()[:16]

    def thresholds(self) -> np.ndarray:
        """float64 [4, max B - 1]: quantile cuts per round (row 0 unused; short rows padded with 2.0)."""
        counts = self.num_buckets
        out = np.full((4, max(counts[1:]) - 1), 2.0)
        for rnd in (1, 2, 3):
            s = _strength_samples(self.boards, self.seed + rnd, COMBOS, BOARD_SIZES[rnd]).ravel()
            s = s[s >= 0]
            out[rnd, :counts[rnd] - 1] = np.quantile(s, np.arange(1, counts[rnd]) / counts[rnd])
        return out

    def sample(self, first: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
        buckets = np.empty((n, 2, 4), dtype=np.int32)
        winners = np.empty(n, dtype=np.int8)
        strength_deals(first, seed, _thresholds(self), COMBOS, buckets, winners)
        return buckets, winners


_THRESHOLDS: dict[StrengthDeals, np.ndarray] = {}


def _thresholds(source: StrengthDeals) -> np.ndarray:
    if source not in _THRESHOLDS:
        _THRESHOLDS[source] = source.thresholds()
    return _THRESHOLDS[source]
