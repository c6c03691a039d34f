"""Equity features of hands on canonical boards, for the card abstraction (numba, parallel over boards).

* River: every combo's strength on each canonical river board (:mod:`search.cfr.equity`), quantised to
  uint16 levels ``round(strength * LEVELS)``; :data:`BLOCKED` where the combo uses a board card.
* Turn: for each combo on a turn board, the histogram over the 46 river cards of its river strength.
* Flop: for each combo on a flop, the histogram over the 1,081 (turn, river) run-outs of its river strength.

Histograms have ``D`` equal-width bins over [0, 1] and are returned as CDFs (float32 ``[1326, D]``, the
last entry 1), the form :mod:`search.cfr.kmeans` clusters. River strengths of later boards are read from
the river table through :mod:`search.cfr.suit_iso` (canonical board row + suit permutation of the combo).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from search.cfr.abstraction import NUM_COMBOS, combo_index
from search.cfr.equity import board_strengths
from search.cfr.kmeans import nearest
from search.cfr.suit_iso import key_cards, locate, permute_card

LEVELS = 65534
"""Quantisation of a strength: level = round(strength * LEVELS)."""
BLOCKED = 65535
"""Level stored for a combo that uses a board card."""


@njit(cache=True, parallel=True)
def river_table(river_keys: np.ndarray, combos: np.ndarray) -> np.ndarray:
    """uint16 [R, 1326]: quantised strength of every combo on every canonical river board."""
    out = np.empty((river_keys.shape[0], NUM_COMBOS), dtype=np.uint16)
    for r in prange(river_keys.shape[0]):
        board = key_cards(river_keys[r], 5)
        s = np.empty(NUM_COMBOS)
        board_strengths(board, combos, s)
        for i in range(NUM_COMBOS):
            out[r, i] = BLOCKED if s[i] < 0.0 else int(s[i] * LEVELS + 0.5)
    return out


@njit(cache=True)
def level_weights(table: np.ndarray, multiplicity: np.ndarray) -> np.ndarray:
    """float64 [LEVELS + 1]: total multiplicity of the (board, combo) pairs at each strength level."""
    out = np.zeros(LEVELS + 1)
    for r in range(table.shape[0]):
        w = float(multiplicity[r])
        for i in range(table.shape[1]):
            level = table[r, i]
            if level != BLOCKED:
                out[level] += w
    return out


@njit(cache=True)
def _to_cdf(counts: np.ndarray, out: np.ndarray) -> None:
    """Normalised cumulative sums of ``counts [H, D]`` into ``out [H, D]`` (rows with no count: zeros)."""
    for i in range(counts.shape[0]):
        total = counts[i].sum()
        acc = 0.0
        for j in range(counts.shape[1]):
            acc += counts[i, j]
            out[i, j] = acc / total if total > 0 else 0.0


@njit(cache=True)
def turn_cdfs(turn: np.ndarray, river_keys: np.ndarray, table: np.ndarray, combos: np.ndarray,
              out: np.ndarray) -> None:
    """``out [1326, D]``: CDF of every combo's river strength over the river cards, on the 4-card ``turn``."""
    bins = out.shape[1]
    counts = np.zeros((NUM_COMBOS, bins), dtype=np.int32)
    used = np.zeros(52, dtype=np.bool_)
    for c in turn:
        used[c] = True
    board5 = np.empty(5, dtype=np.int64)
    board5[:4] = turn
    for river in range(52):
        if used[river]:
            continue
        board5[4] = river
        row, perm = locate(board5, river_keys)
        for i in range(NUM_COMBOS):
            a, b = combos[i, 0], combos[i, 1]
            if used[a] or used[b] or a == river or b == river:
                continue
            level = table[row, combo_index(permute_card(a, perm), permute_card(b, perm))]
            counts[i, min(level * bins // (LEVELS + 1), bins - 1)] += 1
    _to_cdf(counts, out)


@njit(cache=True)
def flop_cdfs(flop: np.ndarray, river_keys: np.ndarray, table: np.ndarray, combos: np.ndarray,
              out: np.ndarray) -> None:
    """``out [1326, D]``: CDF of every combo's river strength over the (turn, river) run-outs of ``flop``."""
    bins = out.shape[1]
    counts = np.zeros((NUM_COMBOS, bins), dtype=np.int32)
    used = np.zeros(52, dtype=np.bool_)
    for c in flop:
        used[c] = True
    board5 = np.empty(5, dtype=np.int64)
    board5[:3] = flop
    for turn in range(52):
        if used[turn]:
            continue
        for river in range(turn + 1, 52):
            if used[river]:
                continue
            board5[3] = turn
            board5[4] = river
            row, perm = locate(board5, river_keys)
            for i in range(NUM_COMBOS):
                a, b = combos[i, 0], combos[i, 1]
                if used[a] or used[b] or a == turn or b == turn or a == river or b == river:
                    continue
                level = table[row, combo_index(permute_card(a, perm), permute_card(b, perm))]
                counts[i, min(level * bins // (LEVELS + 1), bins - 1)] += 1
    _to_cdf(counts, out)


@njit(cache=True, parallel=True)
def board_cdfs(keys: np.ndarray, k: int, river_keys: np.ndarray, table: np.ndarray, combos: np.ndarray,
               bins: int) -> np.ndarray:
    """float32 [B, 1326, D]: flop (``k = 3``) or turn (``k = 4``) CDFs of the canonical boards ``keys [B]``."""
    out = np.zeros((keys.shape[0], NUM_COMBOS, bins), dtype=np.float32)
    for r in prange(keys.shape[0]):
        board = key_cards(keys[r], k)
        if k == 3:
            flop_cdfs(board, river_keys, table, combos, out[r])
        else:
            turn_cdfs(board, river_keys, table, combos, out[r])
    return out


@njit(cache=True, parallel=True)
def assign_boards(keys: np.ndarray, k: int, river_keys: np.ndarray, table: np.ndarray, combos: np.ndarray,
                  centroids: np.ndarray, out: np.ndarray) -> None:
    """``out [B, 1326]``: nearest centroid (EMD) of every valid combo on every canonical board (0 where
    blocked); features are computed board by board and not kept."""
    bins = centroids.shape[1]
    for r in prange(keys.shape[0]):
        board = key_cards(keys[r], k)
        cdf = np.zeros((NUM_COMBOS, bins), dtype=np.float32)
        if k == 3:
            flop_cdfs(board, river_keys, table, combos, cdf)
        else:
            turn_cdfs(board, river_keys, table, combos, cdf)
        for i in range(NUM_COMBOS):
            out[r, i] = 0 if cdf[i, bins - 1] == 0.0 else nearest(cdf[i], centroids)
