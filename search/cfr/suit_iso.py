"""Suit isomorphism of hold'em boards: canonical boards, their multiplicities, and lookup (numba).

Two boards (unordered sets of 3, 4 or 5 cards) are isomorphic when a permutation of the four suits maps
one onto the other; hands on isomorphic boards have the same strength once the same permutation is applied
to them. A board is described by its four 13-bit rank masks, one per suit; the multiset of masks does not
change under suit permutations and tells isomorphic boards apart, so the masks sorted in decreasing order
and packed 13 bits each are the board's *canonical key*. The permutation that sorts the suits maps the
board onto its canonical representative (suit of the largest mask becomes suit 0, ...). There are 1,755
canonical flops, 16,432 canonical turn boards and 134,459 canonical river boards.

A permutation is packed in an int: suit ``s`` goes to ``(perm >> 2 * s) & 3``. Card numbering:
:mod:`games.poker.cards` (``rank * 4 + suit``).
"""
from __future__ import annotations

import numpy as np
from numba import njit

CANONICAL_COUNTS = {3: 1755, 4: 16432, 5: 134459}
"""Number of canonical boards per board size."""
IDENTITY = 0b11100100
"""The packed identity permutation."""


@njit(cache=True)
def _order(ma: int, sa: int, mb: int, sb: int) -> bool:
    """Whether suit ``sa`` with mask ``ma`` sorts before suit ``sb`` with mask ``mb`` (larger mask first)."""
    return ma > mb or (ma == mb and sa < sb)


@njit(cache=True)
def canonical_key(cards: np.ndarray) -> tuple[int, int]:
    """(canonical key of the board ``cards`` (int64 [k]), packed permutation onto its representative)."""
    m0 = m1 = m2 = m3 = 0
    for i in range(cards.shape[0]):
        c = cards[i]
        bit = 1 << (c >> 2)
        s = c & 3
        if s == 0:
            m0 |= bit
        elif s == 1:
            m1 |= bit
        elif s == 2:
            m2 |= bit
        else:
            m3 |= bit
    a, sa, b, sb, c, sc, d, sd = m0, 0, m1, 1, m2, 2, m3, 3
    # sorting network for four (mask, suit) pairs, decreasing
    if not _order(a, sa, b, sb):
        a, sa, b, sb = b, sb, a, sa
    if not _order(c, sc, d, sd):
        c, sc, d, sd = d, sd, c, sc
    if not _order(a, sa, c, sc):
        a, sa, c, sc = c, sc, a, sa
    if not _order(b, sb, d, sd):
        b, sb, d, sd = d, sd, b, sb
    if not _order(b, sb, c, sc):
        b, sb, c, sc = c, sc, b, sb
    key = (((a << 13 | b) << 13 | c) << 13) | d
    perm = (0 << 2 * sa) | (1 << 2 * sb) | (2 << 2 * sc) | (3 << 2 * sd)
    return key, perm


@njit(cache=True)
def permute_card(card: int, perm: int) -> int:
    """``card`` with its suit mapped by the packed permutation ``perm``."""
    return (card & ~3) | ((perm >> 2 * (card & 3)) & 3)


@njit(cache=True)
def key_cards(key: int, k: int) -> np.ndarray:
    """int64 [k]: the cards of the canonical representative with ``key``, increasing."""
    out = np.empty(k, dtype=np.int64)
    n = 0
    for rank in range(13):
        for suit in range(4):
            if (key >> (13 * (3 - suit) + rank)) & 1:
                out[n] = rank * 4 + suit
                n += 1
    return out


@njit(cache=True)
def _all_canonical_keys(k: int) -> np.ndarray:
    """int64 [C(52, k)]: the canonical key of every k-card board, in lexicographic enumeration order."""
    total = 1
    for i in range(k):
        total = total * (52 - i) // (i + 1)
    out = np.empty(total, dtype=np.int64)
    idx = np.arange(k).astype(np.int64)
    n = 0
    while True:
        out[n] = canonical_key(idx)[0]
        n += 1
        i = k - 1
        while i >= 0 and idx[i] == 52 - k + i:
            i -= 1
        if i < 0:
            break
        idx[i] += 1
        for j in range(i + 1, k):
            idx[j] = idx[j - 1] + 1
    return out


def canonical_boards(k: int) -> tuple[np.ndarray, np.ndarray]:
    """(sorted canonical keys int64 [B], multiplicities int64 [B]: how many k-card boards map to each)."""
    keys, counts = np.unique(_all_canonical_keys(k), return_counts=True)
    return keys, counts.astype(np.int64)


@njit(cache=True)
def find_key(keys: np.ndarray, key: int) -> int:
    """Index of ``key`` in the sorted ``keys`` (binary search); -1 if absent."""
    lo, hi = 0, keys.shape[0]
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo if lo < keys.shape[0] and keys[lo] == key else -1


@njit(cache=True)
def locate(board: np.ndarray, keys: np.ndarray) -> tuple[int, int]:
    """(row of ``board``'s canonical board in ``keys``, packed permutation that maps it there)."""
    key, perm = canonical_key(board)
    return find_key(keys, key), perm
