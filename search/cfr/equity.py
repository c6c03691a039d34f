"""Hand strength of every hole-card combo on a board, in O(H log H) (numba).

The strength of a combo on a board is the probability that it beats a uniformly random opponent combo
drawn from the cards left (ties count half), with no card to come; on the river it is the combo's
equity against a random hand. All 1,326 combos are evaluated at once: the valid ones are sorted by
hand value, and for each the opponents below it (or tied) are counted by inclusion-exclusion over the
two cards it holds (combos below that hold card ``a``, that hold card ``b``), so no O(H^2) pass is needed.

Combos are indexed as :data:`search.cfr.abstraction.COMBOS`.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.poker.hand_eval import evaluate_cards
from search.cfr.abstraction import COMBOS, NUM_COMBOS

INVALID = -1.0
"""Strength of a combo that uses a board card."""


@njit(cache=True)
def board_strengths(board: np.ndarray, combos: np.ndarray, out: np.ndarray) -> None:
    """``out [1326]`` (float64): every combo's strength on ``board`` (3..5 cards); INVALID where blocked."""
    k = board.shape[0]
    used = np.zeros(52, dtype=np.bool_)
    for c in board:
        used[c] = True
    cards = np.empty(k + 2, dtype=np.int64)
    cards[2:] = board
    values = np.empty(NUM_COMBOS, dtype=np.int64)
    valid = np.empty(NUM_COMBOS, dtype=np.int64)
    n = 0
    for i in range(NUM_COMBOS):
        a, b = combos[i, 0], combos[i, 1]
        out[i] = INVALID
        if used[a] or used[b]:
            continue
        cards[0] = a
        cards[1] = b
        values[n] = evaluate_cards(cards)
        valid[n] = i
        n += 1
    order = np.argsort(values[:n], kind="mergesort")
    left = 52 - k
    opponents = (left - 2) * (left - 3) // 2
    below_card = np.zeros(52, dtype=np.int64)
    equal_card = np.zeros(52, dtype=np.int64)
    below = 0
    start = 0
    while start < n:
        end = start
        v = values[order[start]]
        while end < n and values[order[end]] == v:
            end += 1
        equal = end - start
        for j in range(start, end):
            i = valid[order[j]]
            equal_card[combos[i, 0]] += 1
            equal_card[combos[i, 1]] += 1
        for j in range(start, end):
            i = valid[order[j]]
            a, b = combos[i, 0], combos[i, 1]
            wins = below - below_card[a] - below_card[b]
            ties = equal - equal_card[a] - equal_card[b] + 1
            out[i] = (wins + 0.5 * ties) / opponents
        for j in range(start, end):
            i = valid[order[j]]
            equal_card[combos[i, 0]] -= 1
            equal_card[combos[i, 1]] -= 1
            below_card[combos[i, 0]] += 1
            below_card[combos[i, 1]] += 1
        below += equal
        start = end


def strengths(board: list[int] | tuple[int, ...] | np.ndarray) -> np.ndarray:
    """float64 [1326]: :func:`board_strengths` of a 3..5-card board (Python entry point)."""
    b = np.asarray(board, dtype=np.int64)
    out = np.empty(NUM_COMBOS)
    board_strengths(b, COMBOS, out)
    return out
