"""numba kernels of the CFR family on a public tree, vectorised over private hands.

Arrays (``N`` nodes, ``D`` decision nodes, ``T`` terminals, ``H`` hands, ``A`` = 3 action slots):
``kind/player/children/num_children/decision_index/terminal_index`` as in :class:`PublicTree`;
``payoff [T, H, H]``; ``strategy, regret, strategy_sum [D, H, A]``; ``reach [N, 2, H]`` (each
player's own probability of playing to the node); ``value [N, H]`` (counterfactual values of one
player, chance and the opponent's reach included).
"""
from __future__ import annotations

import numpy as np
from numba import njit

MAX_ACTIONS = 3
"""Action slots of the strategy tables (Leduc: fold, call, raise)."""

ALGO_CFR, ALGO_CFR_PLUS, ALGO_LCFR, ALGO_DCFR = 0, 1, 2, 3
"""Algorithm codes for :func:`run_iterations`."""


@njit(cache=True)
def normalise(strategy_sum: np.ndarray, num_children: np.ndarray, node_of_decision: np.ndarray,
              out: np.ndarray) -> None:
    """Average strategy: ``strategy_sum`` normalised per hand, uniform where the sum is 0."""
    num_dec, num_hands, _ = strategy_sum.shape
    for d in range(num_dec):
        k = num_children[node_of_decision[d]]
        for h in range(num_hands):
            total = 0.0
            for a in range(k):
                total += strategy_sum[d, h, a]
            for a in range(k):
                out[d, h, a] = strategy_sum[d, h, a] / total if total > 0.0 else 1.0 / k


@njit(cache=True)
def forward_reach(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                  decision_index: np.ndarray, strategy: np.ndarray, root_reach: np.ndarray,
                  reach: np.ndarray) -> None:
    """Top-down: ``reach [N, 2, H]`` of both players under ``strategy``, from ``root_reach [2, H]``."""
    num_nodes = kind.shape[0]
    num_hands = reach.shape[2]
    for q in range(2):
        for h in range(num_hands):
            reach[0, q, h] = root_reach[q, h]
    for n in range(num_nodes):
        if kind[n] == 2:
            continue
        d = decision_index[n]
        q = player[n]
        for s in range(num_children[n]):
            c = children[n, s]
            for h in range(num_hands):
                r0 = reach[n, 0, h]
                r1 = reach[n, 1, h]
                if kind[n] == 0:
                    if q == 0:
                        r0 *= strategy[d, h, s]
                    else:
                        r1 *= strategy[d, h, s]
                reach[c, 0, h] = r0
                reach[c, 1, h] = r1


@njit(cache=True)
def terminal_value(payoff: np.ndarray, t: int, p: int, opp_reach: np.ndarray, out: np.ndarray) -> None:
    """Counterfactual value of player ``p`` per hand at terminal ``t`` given the opponent's reach."""
    num_hands = out.shape[0]
    for h in range(num_hands):
        acc = 0.0
        if p == 0:
            for o in range(num_hands):
                acc += payoff[t, h, o] * opp_reach[o]
        else:
            for o in range(num_hands):
                acc -= payoff[t, o, h] * opp_reach[o]
        out[h] = acc


@njit(cache=True)
def propagate_values(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                     decision_index: np.ndarray, strategy: np.ndarray, p: int, best_response: bool,
                     value: np.ndarray) -> None:
    """Bottom-up counterfactual values of player ``p`` at non-terminal nodes, from the terminals' ``value``.

    At ``p``'s nodes the value follows ``strategy``, or the best action per hand if ``best_response``;
    elsewhere (opponent, chance) the children's values add up (their reach is already in them).
    """
    num_hands = value.shape[1]
    for n in range(kind.shape[0] - 1, -1, -1):
        if kind[n] == 2:
            continue
        own = kind[n] == 0 and player[n] == p
        d = decision_index[n]
        for h in range(num_hands):
            if own and best_response:
                v = -np.inf
                for s in range(num_children[n]):
                    v = max(v, value[children[n, s], h])
            elif own:
                v = 0.0
                for s in range(num_children[n]):
                    v += strategy[d, h, s] * value[children[n, s], h]
            else:
                v = 0.0
                for s in range(num_children[n]):
                    v += value[children[n, s], h]
            value[n, h] = v


@njit(cache=True)
def backward_values(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                    decision_index: np.ndarray, terminal_index: np.ndarray,
                    payoff: np.ndarray, strategy: np.ndarray, reach: np.ndarray, p: int, best_response: bool,
                    value: np.ndarray) -> None:
    """Counterfactual values ``value [N, H]`` of player ``p``: terminals from ``payoff``, then
    :func:`propagate_values`."""
    opp = 1 - p
    for n in range(kind.shape[0]):
        if kind[n] == 2:
            terminal_value(payoff, terminal_index[n], p, reach[n, opp], value[n])
    propagate_values(kind, player, children, num_children, decision_index, strategy, p, best_response, value)


@njit(cache=True)
def update_player(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                  decision_index: np.ndarray, strategy: np.ndarray, reach: np.ndarray, value: np.ndarray,
                  p: int, avg_weight: float, regret: np.ndarray, strategy_sum: np.ndarray) -> None:
    """Add instantaneous regrets and the ``avg_weight``-weighted own-reach strategy at ``p``'s nodes."""
    num_hands = value.shape[1]
    for n in range(kind.shape[0]):
        if kind[n] != 0 or player[n] != p:
            continue
        d = decision_index[n]
        for s in range(num_children[n]):
            c = children[n, s]
            for h in range(num_hands):
                regret[d, h, s] += value[c, h] - value[n, h]
                strategy_sum[d, h, s] += avg_weight * reach[n, p, h] * strategy[d, h, s]


@njit(cache=True)
def discount_regrets(kind: np.ndarray, player: np.ndarray, num_children: np.ndarray,
                     decision_index: np.ndarray, p: int, algo: int, t: float, alpha: float, beta: float,
                     regret: np.ndarray) -> None:
    """Post-iteration regret step at ``p``'s nodes: CFR+ clamps, LCFR/DCFR discount."""
    pos, neg = 1.0, 1.0
    if algo == ALGO_LCFR:
        pos = t / (t + 1.0)
        neg = pos
    elif algo == ALGO_DCFR:
        pos = t ** alpha / (t ** alpha + 1.0)
        neg = t ** beta / (t ** beta + 1.0)
    for n in range(kind.shape[0]):
        if kind[n] != 0 or player[n] != p:
            continue
        d = decision_index[n]
        for h in range(regret.shape[1]):
            for s in range(num_children[n]):
                r = regret[d, h, s]
                if algo == ALGO_CFR_PLUS:
                    regret[d, h, s] = max(r, 0.0)
                elif algo != ALGO_CFR:
                    regret[d, h, s] = r * (pos if r >= 0.0 else neg)


@njit(cache=True)
def player_strategy(kind: np.ndarray, player: np.ndarray, num_children: np.ndarray,
                    decision_index: np.ndarray, regret: np.ndarray, p: int, strategy: np.ndarray) -> None:
    """Regret matching at ``p``'s decision nodes only."""
    for n in range(kind.shape[0]):
        if kind[n] != 0 or player[n] != p:
            continue
        d = decision_index[n]
        k = num_children[n]
        for h in range(regret.shape[1]):
            total = 0.0
            for s in range(k):
                if regret[d, h, s] > 0.0:
                    total += regret[d, h, s]
            for s in range(k):
                strategy[d, h, s] = max(regret[d, h, s], 0.0) / total if total > 0.0 else 1.0 / k


@njit(cache=True)
def average_weight(algo: int, t: int, gamma: float) -> float:
    """Weight of iteration ``t``'s strategy in the average: 1 (CFR), t (CFR+, LCFR) or t^gamma (DCFR)."""
    if algo == ALGO_CFR:
        return 1.0
    if algo == ALGO_DCFR:
        return float(t) ** gamma
    return float(t)


@njit(cache=True)
def player_step(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                decision_index: np.ndarray, terminal_index: np.ndarray,
                payoff: np.ndarray, root_reach: np.ndarray, p: int, algo: int, t: int, alpha: float,
                beta: float, gamma: float, strategy: np.ndarray, regret: np.ndarray, strategy_sum: np.ndarray,
                reach: np.ndarray, value: np.ndarray) -> None:
    """One alternating half-iteration for player ``p``: reach, values, regrets, average, new strategy.

    On exit ``value [N, H]`` holds ``p``'s counterfactual values under the strategy it started with.
    """
    forward_reach(kind, player, children, num_children, decision_index, strategy, root_reach, reach)
    backward_values(kind, player, children, num_children, decision_index, terminal_index, payoff,
                    strategy, reach, p, False, value)
    update_player(kind, player, children, num_children, decision_index, strategy, reach, value, p,
                  average_weight(algo, t, gamma), regret, strategy_sum)
    discount_regrets(kind, player, num_children, decision_index, p, algo, float(t), alpha, beta, regret)
    player_strategy(kind, player, num_children, decision_index, regret, p, strategy)


@njit(cache=True)
def run_iterations(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                   decision_index: np.ndarray, terminal_index: np.ndarray,
                   payoff: np.ndarray, root_reach: np.ndarray, algo: int, alpha: float, beta: float, gamma: float,
                   first_iter: int, num_iters: int, strategy: np.ndarray, regret: np.ndarray,
                   strategy_sum: np.ndarray, reach: np.ndarray, value: np.ndarray) -> None:
    """Run ``num_iters`` alternating-update iterations numbered from ``first_iter`` (1-based).

    ``strategy`` must hold the current (regret-matched) strategy on entry; it does on exit.
    """
    for t in range(first_iter, first_iter + num_iters):
        for p in range(2):
            player_step(kind, player, children, num_children, decision_index, terminal_index,
                        payoff, root_reach, p, algo, t, alpha, beta, gamma, strategy, regret, strategy_sum,
                        reach, value)


@njit(cache=True)
def root_values(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                decision_index: np.ndarray, terminal_index: np.ndarray,
                payoff: np.ndarray, strategy: np.ndarray, root_reach: np.ndarray, p: int, best_response: bool,
                reach: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Counterfactual values ``[H]`` of player ``p`` at the root (best response if asked)."""
    forward_reach(kind, player, children, num_children, decision_index, strategy, root_reach, reach)
    backward_values(kind, player, children, num_children, decision_index, terminal_index, payoff,
                    strategy, reach, p, best_response, value)
    return value[0].copy()


@njit(cache=True)
def run_max_margin(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                   decision_index: np.ndarray, terminal_index: np.ndarray,
                   payoff: np.ndarray, defender: int, defender_reach: np.ndarray, alt: np.ndarray,
                   allowed: np.ndarray, algo: int, alpha: float, beta: float, gamma: float, num_iters: int,
                   strategy: np.ndarray, regret: np.ndarray, strategy_sum: np.ndarray,
                   root_regret: np.ndarray, reach: np.ndarray, value: np.ndarray) -> None:
    """Max-margin re-solving (Moravcik et al.; Brown & Sandholm): the opponent first picks a hand
    ``h`` (regret matching+ over ``allowed [H]`` hands) and scores its counterfactual value minus
    ``alt[h]``; the defender minimises the largest such margin. Updates like :func:`run_iterations`."""
    opp = 1 - defender
    num_hands = alt.shape[0]
    root_reach = np.zeros((2, num_hands))
    root_reach[defender, :] = defender_reach
    for t in range(1, num_iters + 1):
        total = 0.0
        count = 0.0
        for h in range(num_hands):
            if allowed[h]:
                total += max(root_regret[h], 0.0)
                count += 1.0
        for h in range(num_hands):
            if not allowed[h]:
                root_reach[opp, h] = 0.0
            elif total > 0.0:
                root_reach[opp, h] = max(root_regret[h], 0.0) / total
            else:
                root_reach[opp, h] = 1.0 / count
        for p in range(2):
            player_step(kind, player, children, num_children, decision_index, terminal_index,
                        payoff, root_reach, p, algo, t, alpha, beta, gamma, strategy, regret, strategy_sum,
                        reach, value)
            if p == opp:
                mean = 0.0
                for h in range(num_hands):
                    mean += root_reach[opp, h] * (value[0, h] - alt[h])
                for h in range(num_hands):
                    if allowed[h]:
                        root_regret[h] = max(root_regret[h] + value[0, h] - alt[h] - mean, 0.0)


@njit(cache=True)
def unblocked_mass(opp_reach: np.ndarray, cards: np.ndarray, num_ids: int, out: np.ndarray) -> None:
    """``out[h]`` = opponent reach of the hands sharing no card with hand ``h`` (``cards[h]``: its two card
    ids, below ``num_ids``): all reach, less the reach through either card, plus ``h``'s own, counted twice."""
    card_sum = np.zeros(num_ids)
    total = 0.0
    for h in range(opp_reach.shape[0]):
        total += opp_reach[h]
        card_sum[cards[h, 0]] += opp_reach[h]
        card_sum[cards[h, 1]] += opp_reach[h]
    for h in range(opp_reach.shape[0]):
        out[h] = total - card_sum[cards[h, 0]] - card_sum[cards[h, 1]] + opp_reach[h]
