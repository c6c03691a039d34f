"""CFR iterations in open_spiel's floating-point order: one history (pair of hands) at a time.

Why: CFR+ on Leduc is chaotic in floating point. A relative change of 1e-14 in the regrets at
iteration 50 moves the exploitability at iteration 1,000 by about 1% (``tests/search`` shows it),
so two correct implementations agree to 3 significant digits after ~150 iterations only if they
perform the same operations in the same order. The public-tree kernels (:mod:`.kernels`) sum over
the opponent's hands inside counterfactual values; open_spiel's solvers (C++ ``CFRSolverBase`` and
its Python port, which agree bit for bit) walk the game tree history by history. This module repeats
that walk's arithmetic on the public tree:

* utilities per pair of hands, unweighted by chance: a decision node's value is ``0.0 + p_1 u_1 + ...``
  over legal actions in ascending order, a chance node's ``0.0 + q u_b + ...`` over board cards in
  ascending order (``q = 1 / cards left``);
* the regret of an information set grows by ``(opponent reach * chance reach) * (u_child - u)`` once per
  opponent hand, in ascending order of that hand, and the average strategy by
  ``(weight * own reach) * p`` (CFR, CFR+; ``(own reach * p) * weight`` for open_spiel's Python LCFR and
  DCFR) once per opponent hand;
* histories where both players' reach is zero are skipped (open_spiel prunes them).

It costs ``H`` times the public-tree kernels' work and is meant as the reference arithmetic
(``CFRConfig(order="history")``), not as the fast path.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from search.cfr import kernels as K
from search.cfr.tree import NO_CARD, PublicTree


def raw_payoffs(tree: PublicTree) -> np.ndarray:
    """float64 [T, H, H]: player 0's return at each terminal per pair of hands, without chance weights."""
    d = tree.rules.deck_size
    out = np.zeros_like(tree.payoff)
    for n in np.flatnonzero(tree.terminal_index >= 0):
        t = int(tree.terminal_index[n])
        dealt = d * (d - 1) * ((d - 2) if int(tree.board[n]) != NO_CARD else 1)
        out[t] = np.rint(tree.payoff[t] * dealt * 2.0) / 2.0  # returns are whole or half chips
    return out


def chance_reach(tree: PublicTree) -> np.ndarray:
    """float64 [N]: chance's probability of the deal up to each node, multiplied in open_spiel's order."""
    d = tree.rules.deck_size
    pre = 1.0
    pre *= 1.0 / d
    pre *= 1.0 / (d - 1)
    board = pre * (1.0 / (d - 2))
    return np.where(tree.board >= 0, board, pre)


@njit(cache=True)
def pair_utilities(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                   decision_index: np.ndarray, terminal_index: np.ndarray, board: np.ndarray,
                   raw: np.ndarray, strategy: np.ndarray, board_prob: float, out: np.ndarray) -> None:
    """``out [N, H, H]``: player 0's expected return at each node per pair of hands under ``strategy``."""
    num_hands = out.shape[1]
    for n in range(kind.shape[0] - 1, -1, -1):
        if kind[n] == 2:
            out[n] = raw[terminal_index[n]]
            continue
        d = decision_index[n]
        for h0 in range(num_hands):
            for h1 in range(num_hands):
                v = 0.0
                for s in range(num_children[n]):
                    c = children[n, s]
                    if kind[n] == 1:
                        b = board[c]
                        if b == h0 or b == h1:
                            continue
                        v += board_prob * out[c, h0, h1]
                    elif player[n] == 0:
                        v += strategy[d, h0, s] * out[c, h0, h1]
                    else:
                        v += strategy[d, h1, s] * out[c, h0, h1]
                out[n, h0, h1] = v


@njit(cache=True)
def update_player_histories(kind: np.ndarray, player: np.ndarray, children: np.ndarray,
                            num_children: np.ndarray, decision_index: np.ndarray, board: np.ndarray,
                            strategy: np.ndarray, reach: np.ndarray, chance: np.ndarray, util: np.ndarray,
                            p: int, avg_weight: float, weight_first: bool, regret: np.ndarray,
                            strategy_sum: np.ndarray) -> None:
    """Regret and average-strategy increments at ``p``'s nodes, one history at a time.

    ``weight_first``: the average strategy grows by ``(weight * reach) * p`` (open_spiel's CFR/CFR+),
    else by ``(reach * p) * weight`` (its discounted CFR solvers).
    """
    num_hands = util.shape[1]
    sign = 1.0 if p == 0 else -1.0
    for n in range(kind.shape[0]):
        if kind[n] != 0 or player[n] != p:
            continue
        d = decision_index[n]
        bd = board[n]
        for x in range(num_hands):
            if x == bd:
                continue
            for y in range(num_hands):
                if y == x or y == bd:
                    continue
                own = reach[n, p, x]
                opp = reach[n, 1 - p, y]
                if own == 0.0 and opp == 0.0:
                    continue
                cf = opp * chance[n]
                h0 = x if p == 0 else y
                h1 = y if p == 0 else x
                here = sign * util[n, h0, h1]
                for s in range(num_children[n]):
                    c = children[n, s]
                    regret[d, x, s] += cf * (sign * util[c, h0, h1] - here)
                    if weight_first:
                        strategy_sum[d, x, s] += avg_weight * own * strategy[d, x, s]
                    else:
                        strategy_sum[d, x, s] += own * strategy[d, x, s] * avg_weight


@njit(cache=True)
def run_iterations_history(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                           decision_index: np.ndarray, terminal_index: np.ndarray, board: np.ndarray,
                           raw: np.ndarray, chance: np.ndarray, root_reach: np.ndarray, board_prob: float,
                           algo: int, alpha: float, beta: float, gamma: float, first_iter: int, num_iters: int,
                           strategy: np.ndarray, regret: np.ndarray, strategy_sum: np.ndarray,
                           reach: np.ndarray, util: np.ndarray) -> None:
    """Like :func:`kernels.run_iterations` (alternating updates, player 0 first) in history order."""
    for t in range(first_iter, first_iter + num_iters):
        for p in range(2):
            K.forward_reach(kind, player, children, num_children, decision_index, strategy, root_reach, reach)
            pair_utilities(kind, player, children, num_children, decision_index, terminal_index, board, raw,
                           strategy, board_prob, util)
            update_player_histories(kind, player, children, num_children, decision_index, board, strategy,
                                    reach, chance, util, p, K.average_weight(algo, t, gamma),
                                    algo == K.ALGO_CFR or algo == K.ALGO_CFR_PLUS, regret, strategy_sum)
            K.discount_regrets(kind, player, num_children, decision_index, p, algo, float(t), alpha, beta, regret)
            K.player_strategy(kind, player, num_children, decision_index, regret, p, strategy)
