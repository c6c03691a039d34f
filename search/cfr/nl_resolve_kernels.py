"""numba kernels of the real-card subgame solver: one pass over a :class:`~search.cfr.nl_solve_tree.SolveTree`,
vectorised over the ``H`` hands, for CFR updates, expected values or best-response values.

A pass for player ``p`` goes top-down (each player's reach, ``[., 2, H]``) and bottom-up (``p``'s
counterfactual values ``[., H]``: the opponent's reach and chance are in them). Terminal values cost O(H)
(hands sorted by value, blocked opponent hands removed card by card, as in :mod:`search.cfr.holdem_subgame`).
The segments (subtrees below the first CHANCE nodes) are walked in parallel by ``workers`` numba threads,
each with its own scratch; the nodes above them (``top``) are walked before and after.

Strategies are flat tables, action-major so that the inner loops run over contiguous hands: action ``a``
of decision ``n`` for a hand in row ``r`` is ``table[base[n] + a * stride[n] + r]``, where
``r = rows[board[n], h]`` (the hand itself for a subgame solution, with ``stride = H``; its bucket for a
blueprint, with ``stride`` = the round's buckets). Modes:

* ``CFR``: the current strategy is regret matching on ``table`` (rows = hands); at ``p``'s decisions the
  regrets grow by (action value - node value) and are discounted (DCFR: ``pos``/``neg`` factors), and
  ``sums`` gains ``weight * reach * strategy``;
* ``EV``: both players follow ``table``; ``p``'s values;
* ``BR``: the opponent follows ``table``, ``p`` best-responds per hand.

A TAKE node (the gadget's) is worth ``alt[h]`` to the player who chose it and 0 to the other.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from search.cfr.kernels import unblocked_mass
from search.cfr.nl_solve_tree import CHANCE, TAKE, Boards, SolveTree

CFR, EV, BR = 0, 1, 2
"""Pass modes."""
_DECISION, _FOLD_END, _SHOWDOWN = 0, 1, 2


@njit(cache=True)
def showdown_margin(opp_reach: np.ndarray, sorted_cards: np.ndarray, num_ids: int, order: np.ndarray,
                    group_end: np.ndarray, group_start: np.ndarray, out: np.ndarray) -> None:
    """``out[h]`` = opponent reach of the hands ``h`` beats minus of those beating it, conflicts removed.

    ``order [H]``: hands by showdown value, weakest first; ``sorted_cards [H, 2]`` their cards in that
    order; ``group_end/group_start [H]``: one past the last / the first position of each position's tie
    group (:class:`~search.cfr.nl_solve_tree.Boards`)."""
    num = order.shape[0]
    card_sum = np.zeros(num_ids)
    total = 0.0
    i = 0
    while i < num:  # ascending: hands strictly weaker than the group
        j = group_end[i]
        for m in range(i, j):
            out[order[m]] = total - card_sum[sorted_cards[m, 0]] - card_sum[sorted_cards[m, 1]]
        for m in range(i, j):
            r = opp_reach[order[m]]
            total += r
            card_sum[sorted_cards[m, 0]] += r
            card_sum[sorted_cards[m, 1]] += r
        i = j
    card_sum[:] = 0.0
    total = 0.0
    j = num
    while j > 0:  # descending: hands strictly stronger
        i = group_start[j - 1]
        for m in range(i, j):
            out[order[m]] -= total - card_sum[sorted_cards[m, 0]] - card_sum[sorted_cards[m, 1]]
        for m in range(i, j):
            r = opp_reach[order[m]]
            total += r
            card_sum[sorted_cards[m, 0]] += r
            card_sum[sorted_cards[m, 1]] += r
        j = i


@njit(cache=True)
def _strategy(table: np.ndarray, off: int, k: int, stride: int, rows: np.ndarray, regret_mode: bool,
              out: np.ndarray) -> None:
    """``out [A, H]``: the strategy at a node whose table starts at ``off`` (action ``a`` of row ``r`` at
    ``off + a * stride + r``); regret matching in CFR mode (rows = hands)."""
    num_hands = out.shape[1]
    if not regret_mode:
        for a in range(k):
            o = out[a]
            for h in range(num_hands):
                o[h] = table[off + a * stride + rows[h]]
        return
    total = np.zeros(num_hands)
    for a in range(k):
        for h in range(num_hands):
            r = table[off + a * stride + h]
            if r > 0.0:
                total[h] += r
    uniform = 1.0 / k
    for a in range(k):
        o = out[a]
        for h in range(num_hands):
            r = table[off + a * stride + h]
            t = total[h]
            o[h] = ((r if r > 0.0 else 0.0) / t) if t > 0.0 else uniform


@njit(cache=True)
def _scale_into(dst: np.ndarray, src: np.ndarray, by: np.ndarray) -> None:
    for h in range(dst.shape[0]):
        dst[h] = src[h] * by[h]


@njit(cache=True)
def _down(tree: SolveTree, boards: Boards, nodes: np.ndarray, offset: int, local: np.ndarray, seg_of: np.ndarray,
          table: np.ndarray, base: np.ndarray, stride: np.ndarray, rows: np.ndarray, regret_mode: bool,
          reach: np.ndarray, sig: np.ndarray, entry: np.ndarray, seg_scale: np.ndarray) -> None:
    """Top-down over ``nodes`` (pre-order; index ``n - offset``, or ``local[n] + offset + 1`` with a
    negative ``offset`` meaning top mode, where segment roots get their reach in ``entry [S, 2, H]``)."""
    for j in range(nodes.shape[0]):
        n = nodes[j]
        i = n - offset if offset >= 0 else local[n] + offset + 1
        kind = tree.kind[n]
        if kind == CHANCE:
            for s in range(tree.num_children[n]):
                c = tree.children[n, s]
                valid = boards.valid[tree.board[c]]
                if offset < 0 and seg_of[c] >= 0:
                    if seg_scale[seg_of[c]] == 0.0:
                        continue
                    target = entry[seg_of[c]]
                else:
                    target = reach[c - offset if offset >= 0 else local[c] + offset + 1]
                for q in range(2):
                    _scale_into(target[q], reach[i, q], valid)
            continue
        if kind != _DECISION:
            continue
        k = tree.num_children[n]
        q = tree.player[n]
        _strategy(table, base[n], k, stride[n], rows[tree.board[n]], regret_mode, sig[i])
        for a in range(k):
            c = tree.children[n, a]
            ci = c - offset if offset >= 0 else local[c] + offset + 1
            _scale_into(reach[ci, q], reach[i, q], sig[i, a])
            reach[ci, 1 - q] = reach[i, 1 - q]


@njit(cache=True)
def _up(tree: SolveTree, boards: Boards, cards: np.ndarray, num_ids: int, nodes: np.ndarray, offset: int,
        local: np.ndarray, seg_of: np.ndarray, p: int, mode: int, table: np.ndarray, base: np.ndarray,
        stride: np.ndarray, sums: np.ndarray, pos: float, neg: float, weight: float, alt: np.ndarray,
        reach: np.ndarray, sig: np.ndarray, value: np.ndarray, seg_value: np.ndarray,
        seg_scale: np.ndarray) -> None:
    """Bottom-up over ``nodes`` (indexing as :func:`_down`); CFR updates at ``p``'s decisions in CFR mode."""
    num_hands = value.shape[1]
    for j in range(nodes.shape[0] - 1, -1, -1):
        n = nodes[j]
        i = n - offset if offset >= 0 else local[n] + offset + 1
        kind = tree.kind[n]
        out = value[i]
        if kind == _FOLD_END:
            unblocked_mass(reach[i, 1 - p], cards, num_ids, out)
            f = tree.folder[n]
            u = -tree.spent[n, p] if f == p else tree.spent[n, 1 - p]
            for h in range(num_hands):
                out[h] *= u
        elif kind == _SHOWDOWN:
            b = tree.board[n]
            showdown_margin(reach[i, 1 - p], boards.sorted_cards[b], num_ids, boards.order[b], boards.group_end[b],
                            boards.group_start[b], out)
            stake = tree.spent[n, p]
            for h in range(num_hands):
                out[h] *= stake
        elif kind == TAKE:
            mine = tree.player[tree.parent[n]] == p
            for h in range(num_hands):
                out[h] = alt[h] if mine else 0.0
        elif kind == CHANCE:
            w = tree.chance_weight[n]
            out[:] = 0.0
            for s in range(tree.num_children[n]):
                c = tree.children[n, s]
                valid = boards.valid[tree.board[c]]
                scale = w
                if offset < 0 and seg_of[c] >= 0:
                    scale *= seg_scale[seg_of[c]]
                    if scale == 0.0:
                        continue
                    child = seg_value[seg_of[c]]
                else:
                    child = value[c - offset if offset >= 0 else local[c] + offset + 1]
                for h in range(num_hands):
                    out[h] += scale * valid[h] * child[h]
        else:
            _decision_up(tree, n, i, offset, local, p, mode, table, base[n], stride[n], sums, pos, neg, weight,
                         reach[i, p], sig[i], value)


@njit(cache=True)
def _decision_up(tree: SolveTree, n: int, i: int, offset: int, local: np.ndarray, p: int, mode: int,
                 table: np.ndarray, off: int, stride: int, sums: np.ndarray, pos: float, neg: float,
                 weight: float, own_reach: np.ndarray, sig: np.ndarray, value: np.ndarray) -> None:
    num_hands = value.shape[1]
    k = tree.num_children[n]
    out = value[i]
    own = tree.player[n] == p
    for a in range(k):
        c = tree.children[n, a]
        child = value[c - offset if offset >= 0 else local[c] + offset + 1]
        s = sig[a]
        if a == 0:
            if not own:
                out[:] = child
            elif mode == BR:
                out[:] = child
            else:
                for h in range(num_hands):
                    out[h] = s[h] * child[h]
        elif not own:
            for h in range(num_hands):
                out[h] += child[h]
        elif mode == BR:
            for h in range(num_hands):
                out[h] = max(out[h], child[h])
        else:
            for h in range(num_hands):
                out[h] += s[h] * child[h]
    if not own or mode != CFR:
        return
    for a in range(k):
        c = tree.children[n, a]
        child = value[c - offset if offset >= 0 else local[c] + offset + 1]
        s = sig[a]
        e = off + a * stride
        for h in range(num_hands):
            r = table[e + h] + (child[h] - out[h])
            table[e + h] = r * (pos if r >= 0.0 else neg)
            sums[e + h] += weight * own_reach[h] * s[h]


@njit(cache=True, parallel=True)
def _walk_segments(tree: SolveTree, boards: Boards, cards: np.ndarray, num_ids: int, local: np.ndarray,
                   seg_of: np.ndarray, p: int, mode: int, table: np.ndarray, base: np.ndarray, stride: np.ndarray,
                   rows: np.ndarray, sums: np.ndarray, pos: float, neg: float, weight: float, alt: np.ndarray,
                   seg_start: np.ndarray, seg_stop: np.ndarray, seg_scale: np.ndarray, entry: np.ndarray,
                   seg_value: np.ndarray, workers: int) -> None:
    """Walk every segment with a nonzero scale from its entry reach; its root value goes to ``seg_value``.
    (Only this loop is compiled in parallel mode: numba's parallel compilation made the serial walks above
    and below the segments ten times slower.)"""
    num_hands = entry.shape[2]
    width = tree.children.shape[1]
    regret_mode = mode == CFR
    num_seg = seg_start.shape[0]
    biggest = 1
    for s in range(num_seg):
        biggest = max(biggest, seg_stop[s] - seg_start[s])
    for w in prange(workers):
        s_reach = np.empty((biggest, 2, num_hands))
        s_sig = np.empty((biggest, width, num_hands))
        s_value = np.empty((biggest, num_hands))
        for s in range(w, num_seg, workers):
            if seg_scale[s] == 0.0:
                continue
            lo = seg_start[s]
            s_reach[0] = entry[s]
            nodes = np.arange(lo, seg_stop[s]).astype(np.int32)
            _down(tree, boards, nodes, lo, local, seg_of, table, base, stride, rows, regret_mode, s_reach, s_sig,
                  s_reach, seg_scale)
            _up(tree, boards, cards, num_ids, nodes, lo, local, seg_of, p, mode, table, base, stride, sums, pos, neg,
                weight, alt, s_reach, s_sig, s_value, s_value, seg_scale)
            seg_value[s] = s_value[0]


@njit(cache=True)
def run_pass(tree: SolveTree, boards: Boards, cards: np.ndarray, num_ids: int, root: int, root_reach: np.ndarray,
             p: int, mode: int, table: np.ndarray, base: np.ndarray, stride: np.ndarray, rows: np.ndarray,
             sums: np.ndarray, pos: float, neg: float, weight: float, alt: np.ndarray, top: np.ndarray,
             local: np.ndarray, seg_of: np.ndarray, seg_start: np.ndarray, seg_stop: np.ndarray,
             seg_scale: np.ndarray, workers: int) -> np.ndarray:
    """One pass for player ``p`` on the subtree of ``root`` (reach ``root_reach [2, H]``); returns ``p``'s
    values at ``root`` ``[H]``. ``top`` holds the top nodes of the subtree (pre-order; empty when ``root``
    lies inside a segment, which is then walked alone) and ``seg_start/seg_stop [S]`` the segments;
    ``seg_scale [S]`` multiplies each segment's value at its chance node (0: skipped this pass, e.g. outside
    the subtree; chance sampling passes ``cards / sampled cards`` for the sampled ones)."""
    num_hands = root_reach.shape[1]
    width = tree.children.shape[1]
    regret_mode = mode == CFR
    if top.shape[0] == 0:  # the root lies inside a segment: walk its subtree alone
        size = tree.end[root] - root
        reach = np.empty((size, 2, num_hands))
        sig = np.empty((size, width, num_hands))
        value = np.empty((size, num_hands))
        reach[0] = root_reach
        nodes = np.arange(root, tree.end[root]).astype(np.int32)
        _down(tree, boards, nodes, root, local, seg_of, table, base, stride, rows, regret_mode, reach, sig, reach,
              seg_scale)
        _up(tree, boards, cards, num_ids, nodes, root, local, seg_of, p, mode, table, base, stride, sums, pos, neg,
            weight, alt, reach, sig, value, value, seg_scale)
        return value[0].copy()
    num_top = top.shape[0]
    shift = -local[root] - 1  # top mode: index = local[n] + shift + 1 = local[n] - local[root]
    num_seg = seg_start.shape[0]
    reach = np.empty((num_top, 2, num_hands))
    sig = np.empty((num_top, width, num_hands))
    value = np.empty((num_top, num_hands))
    entry = np.empty((max(num_seg, 1), 2, num_hands))
    seg_value = np.empty((max(num_seg, 1), num_hands))
    reach[0] = root_reach
    _down(tree, boards, top, shift, local, seg_of, table, base, stride, rows, regret_mode, reach, sig, entry,
          seg_scale)
    active = 0
    for s in range(num_seg):
        active += seg_scale[s] != 0.0
    if active:
        _walk_segments(tree, boards, cards, num_ids, local, seg_of, p, mode, table, base, stride, rows, sums, pos, neg,
                       weight, alt, seg_start, seg_stop, seg_scale, entry, seg_value, min(workers, active))
    _up(tree, boards, cards, num_ids, top, shift, local, seg_of, p, mode, table, base, stride, sums, pos, neg, weight,
        alt, reach, sig, value, seg_value, seg_scale)
    return value[0].copy()


@njit(cache=True)
def normalise_blocks(table: np.ndarray, decisions: np.ndarray, base: np.ndarray, num_children: np.ndarray,
                     hands: int) -> None:
    """In place: each decision's action-major block ``[k, hands]`` of strategy sums becomes, per hand, the
    normalised strategy (uniform where the sums are 0)."""
    for n in decisions:
        k = num_children[n]
        b = base[n]
        for j in range(hands):
            total = 0.0
            for a in range(k):
                total += table[b + a * hands + j]
            for a in range(k):
                table[b + a * hands + j] = table[b + a * hands + j] / total if total > 0.0 else 1.0 / k
