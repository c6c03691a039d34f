"""Equity of one hold'em hand against a weighted range of opponent combos, over the cards to come (numba).

The equity is the share of the pot the hand wins at a showdown with no more betting (ties count half),
averaged over the opponent's range (weights over the 1,326 combos of
:data:`search.cfr.abstraction.COMBOS`; combos that share a card with the hand, the board or the runout are
left out) and over the runouts of the board. Runouts are enumerated when there are at most ``runouts`` of
them (the flop, turn and river with the default), else ``runouts`` are sampled uniformly with replacement
(before the flop). This is local best response's ``WpRollout`` (Lisý & Bowling 2017).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.poker.hand_eval import evaluate_cards
from search.cfr.abstraction import COMBOS

NUM_CARDS = 52


@njit(cache=True)
def _score(hole: np.ndarray, board5: np.ndarray, weights: np.ndarray, combos: np.ndarray,
           seven: np.ndarray) -> tuple[float, float]:
    """(weighted wins + ties/2, weight) of ``hole`` against the range on the complete ``board5``."""
    used = np.zeros(NUM_CARDS, dtype=np.bool_)
    seven[2:] = board5
    for c in board5:
        used[c] = True
    used[hole[0]] = True
    used[hole[1]] = True
    seven[0], seven[1] = hole[0], hole[1]
    mine = evaluate_cards(seven)
    won = 0.0
    total = 0.0
    for i in range(combos.shape[0]):
        w = weights[i]
        a, b = combos[i, 0], combos[i, 1]
        if w <= 0.0 or used[a] or used[b]:
            continue
        seven[0], seven[1] = a, b
        theirs = evaluate_cards(seven)
        total += w
        if mine > theirs:
            won += w
        elif mine == theirs:
            won += 0.5 * w
    return won, total


@njit(cache=True)
def equity_kernel(hole: np.ndarray, board: np.ndarray, weights: np.ndarray, combos: np.ndarray, runouts: int,
                  seed: int) -> float:
    """See :func:`equity` (``board`` of 0, 3, 4 or 5 cards)."""
    np.random.seed(seed)
    used = np.zeros(NUM_CARDS, dtype=np.bool_)
    for c in board:
        used[c] = True
    used[hole[0]] = True
    used[hole[1]] = True
    deck = np.empty(NUM_CARDS, dtype=np.int64)
    n = 0
    for c in range(NUM_CARDS):
        if not used[c]:
            deck[n] = c
            n += 1
    missing = 5 - board.shape[0]
    board5 = np.empty(5, dtype=np.int64)
    board5[:board.shape[0]] = board
    seven = np.empty(7, dtype=np.int64)
    won = 0.0
    total = 0.0
    count = 1.0
    for m in range(missing):
        count = count * (n - m) / (m + 1)
    if missing == 0:
        return _ratio(_score(hole, board5, weights, combos, seven))
    if missing <= 2 and count <= runouts:
        for i in range(n):
            board5[board.shape[0]] = deck[i]
            if missing == 1:
                w, t = _score(hole, board5, weights, combos, seven)
                won += w
                total += t
                continue
            for j in range(i + 1, n):
                board5[4] = deck[j]
                w, t = _score(hole, board5, weights, combos, seven)
                won += w
                total += t
        return won / total if total > 0.0 else 0.5
    for _ in range(runouts):
        for m in range(missing):  # partial Fisher-Yates
            j = m + np.random.randint(n - m)
            deck[m], deck[j] = deck[j], deck[m]
            board5[board.shape[0] + m] = deck[m]
        w, t = _score(hole, board5, weights, combos, seven)
        won += w
        total += t
    return won / total if total > 0.0 else 0.5


@njit(cache=True)
def _ratio(pair: tuple[float, float]) -> float:
    return pair[0] / pair[1] if pair[1] > 0.0 else 0.5


def equity(hole: tuple[int, int] | list[int], board: tuple[int, ...] | list[int], weights: np.ndarray,
           runouts: int = 1200, seed: int = 0) -> float:
    """Equity of ``hole`` against ``weights [1326]`` on ``board`` (0.5 if the range is empty)."""
    return float(equity_kernel(np.asarray(hole, dtype=np.int64), np.asarray(board, dtype=np.int64),
                               np.ascontiguousarray(weights, dtype=np.float64), COMBOS, int(runouts), int(seed)))
