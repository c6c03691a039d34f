"""River subgame solving for limit hold'em on top of a bucketed blueprint.

With the board complete, the rest of the hand is the river betting: a small public tree whose
private states are the 1,081 hole-card combos that avoid the five board cards. Both players'
ranges come from the blueprint by Bayes' rule along the betting history (each combo's bucket in
each round and the blueprint's probability of the actions taken). The subgame is solved with the
kernels of :mod:`search.cfr.kernels`; terminal values are computed in O(combos) per terminal by
sorting combos by hand value and removing blocked combos card by card (no [H, H] matrices).

Safe re-solving (``safe=True``) puts Burch et al.'s re-solve gadget on top: the opponent may take,
per combo, its best-response counterfactual value against the solving player's blueprint river
strategy instead of entering. (Exact exploitability is out of reach here, so unlike
:mod:`search.cfr.resolve` the result is not checked against the blueprint.) The gadget only bounds
what a best-responding opponent can gain; it has no reason to win more than the blueprint does
against the blueprint itself, and with few iterations it can do worse there than the plain solve.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from search.cfr import kernels as K
from search.cfr.abstraction import COMBOS, NUM_CARDS, board_values
from search.cfr.holdem_blueprint import HoldemBlueprint
from search.cfr.holdem_tree import SHOWDOWN, BettingTree, node_of_sequences
from search.cfr.solver import ALGORITHMS, CFRConfig
from search.cfr.tree import DECISION, NO_NODE, TERMINAL

TAKE = -3
"""``folder`` of the gadget's terminate terminal."""


@dataclass
class RiverSubgame:
    """The river subtree (optionally under a gadget) with combos that avoid the board."""

    kind: np.ndarray
    player: np.ndarray
    children: np.ndarray
    num_children: np.ndarray
    decision_index: np.ndarray
    folder: np.ndarray
    """int8 [n]: folder, SHOWDOWN or TAKE at terminals."""
    stake: np.ndarray
    """float64 [n, 2]: chips each player has in at a terminal."""
    betting_node: np.ndarray
    """int32 [n]: node of the betting tree (NO_NODE for gadget nodes)."""
    combos: np.ndarray
    """int64 [H]: indices into :data:`COMBOS` of the combos that avoid the board."""
    cards: np.ndarray
    """int64 [H, 2]: the combos' cards."""
    order: np.ndarray
    """int64 [H]: combos sorted by hand value, weakest first."""
    values: np.ndarray
    """int64 [H]: hand values with the board."""


def build_river_subgame(tree: BettingTree, root: int, board: list[int], gadget_player: int = -1) -> RiverSubgame:
    """The subgame of betting-tree decision ``root`` (a river node) for ``board`` (5 cards); with
    ``gadget_player`` >= 0 that player gets the terminate/enter choice on top."""
    end = tree.subtree_end(root)
    nodes = np.arange(root, end)
    shift = 2 if gadget_player >= 0 else 0
    n = nodes.shape[0] + shift
    kind = np.full(n, TERMINAL, dtype=np.int8)
    player = np.full(n, -1, dtype=np.int8)
    children = np.full((n, 3), NO_NODE, dtype=np.int32)
    num_children = np.zeros(n, dtype=np.int32)
    folder = np.full(n, -2, dtype=np.int8)
    stake = np.zeros((n, 2))
    betting_node = np.full(n, NO_NODE, dtype=np.int32)
    kind[shift:] = tree.kind[nodes]
    player[shift:] = tree.player[nodes]
    folder[shift:] = tree.folder[nodes]
    stake[shift:] = tree.contrib[nodes]
    betting_node[shift:] = nodes
    kids = tree.children[nodes]
    children[shift:] = np.where(kids >= 0, kids - root + shift, NO_NODE)
    num_children[shift:] = tree.num_children[nodes]
    if gadget_player >= 0:
        kind[0], player[0], num_children[0] = DECISION, gadget_player, 2
        children[0, :2] = (1, 2)
        folder[1] = TAKE
    dec = np.full(n, -1, dtype=np.int32)
    dec[kind == DECISION] = np.arange(int((kind == DECISION).sum()))
    b = np.asarray(board, dtype=np.int64)
    all_values = board_values(b)
    combos = np.flatnonzero(all_values >= 0).astype(np.int64)
    values = all_values[combos]
    return RiverSubgame(kind=kind, player=player, children=children, num_children=num_children,
                        decision_index=dec, folder=folder, stake=stake, betting_node=betting_node, combos=combos,
                        cards=COMBOS[combos], order=np.argsort(values, kind="stable").astype(np.int64), values=values)


@njit(cache=True)
def showdown_margin(opp_reach: np.ndarray, cards: np.ndarray, order: np.ndarray, values: np.ndarray,
                    out: np.ndarray) -> None:
    """``out[h]`` = opponent reach of combos ``h`` beats minus of those beating ``h``, blockers removed."""
    num = order.shape[0]
    card_sum = np.zeros(NUM_CARDS)
    total = 0.0
    i = 0
    while i < num:  # ascending: combos strictly weaker than the group
        j = i
        while j < num and values[order[j]] == values[order[i]]:
            j += 1
        for k in range(i, j):
            h = order[k]
            out[h] = total - card_sum[cards[h, 0]] - card_sum[cards[h, 1]]
        for k in range(i, j):
            h = order[k]
            total += opp_reach[h]
            card_sum[cards[h, 0]] += opp_reach[h]
            card_sum[cards[h, 1]] += opp_reach[h]
        i = j
    card_sum[:] = 0.0
    total = 0.0
    i = num - 1
    while i >= 0:  # descending: combos strictly stronger
        j = i
        while j >= 0 and values[order[j]] == values[order[i]]:
            j -= 1
        for k in range(i, j, -1):
            h = order[k]
            out[h] -= total - card_sum[cards[h, 0]] - card_sum[cards[h, 1]]
        for k in range(i, j, -1):
            h = order[k]
            total += opp_reach[h]
            card_sum[cards[h, 0]] += opp_reach[h]
            card_sum[cards[h, 1]] += opp_reach[h]
        i = j


@njit(cache=True)
def unblocked_mass(opp_reach: np.ndarray, cards: np.ndarray, out: np.ndarray) -> None:
    """``out[h]`` = opponent reach of combos sharing no card with ``h`` (:func:`search.cfr.kernels.unblocked_mass`
    over the 52 cards)."""
    K.unblocked_mass(opp_reach, cards, NUM_CARDS, out)


@njit(cache=True)
def river_values(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                 decision_index: np.ndarray, folder: np.ndarray, stake: np.ndarray, cards: np.ndarray,
                 order: np.ndarray, values: np.ndarray, alt: np.ndarray, strategy: np.ndarray,
                 reach: np.ndarray, p: int, best_response: bool, value: np.ndarray) -> None:
    """Counterfactual values ``[n, H]`` of player ``p`` (terminals in O(H), then propagation)."""
    num_hands = value.shape[1]
    scratch = np.empty(num_hands)
    for n in range(kind.shape[0]):
        if kind[n] != 2:
            continue
        f = folder[n]
        if f == TAKE:
            for h in range(num_hands):
                value[n, h] = alt[h] if player[0] == p else 0.0
        elif f == SHOWDOWN:
            showdown_margin(reach[n, 1 - p], cards, order, values, scratch)
            for h in range(num_hands):
                value[n, h] = stake[n, p] * scratch[h]
        else:
            unblocked_mass(reach[n, 1 - p], cards, scratch)
            u = -stake[n, p] if f == p else stake[n, 1 - p]
            for h in range(num_hands):
                value[n, h] = u * scratch[h]
    K.propagate_values(kind, player, children, num_children, decision_index, strategy, p, best_response, value)


@njit(cache=True)
def run_river_cfr(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                  decision_index: np.ndarray, folder: np.ndarray, stake: np.ndarray, cards: np.ndarray,
                  order: np.ndarray, values: np.ndarray, alt: np.ndarray, root_reach: np.ndarray, algo: int,
                  alpha: float, beta: float, gamma: float, num_iters: int, strategy: np.ndarray,
                  regret: np.ndarray, strategy_sum: np.ndarray) -> None:
    """``num_iters`` alternating CFR-family iterations on a river subgame (as :func:`K.run_iterations`)."""
    num_nodes, num_hands = kind.shape[0], root_reach.shape[1]
    reach = np.empty((num_nodes, 2, num_hands))
    value = np.empty((num_nodes, num_hands))
    for t in range(1, num_iters + 1):
        for p in range(2):
            K.forward_reach(kind, player, children, num_children, decision_index, strategy, root_reach, reach)
            river_values(kind, player, children, num_children, decision_index, folder, stake, cards, order, values,
                         alt, strategy, reach, p, False, value)
            K.update_player(kind, player, children, num_children, decision_index, strategy, reach, value, p,
                            K.average_weight(algo, t, gamma), regret, strategy_sum)
            K.discount_regrets(kind, player, num_children, decision_index, p, algo, float(t), alpha, beta, regret)
            K.player_strategy(kind, player, num_children, decision_index, regret, p, strategy)


def river_ranges(blueprint: HoldemBlueprint, tree: BettingTree, sequences: list[list[int]],
                 board: list[int], combos: np.ndarray) -> np.ndarray:
    """float64 [2, H]: each player's blueprint probability of the betting ``sequences`` per combo."""
    buckets = blueprint.abstraction.combo_buckets(board)[:, combos]
    out = np.ones((2, combos.shape[0]))
    node = 0
    for seq in sequences:
        for a in seq:
            q, d = int(tree.player[node]), int(tree.decision_index[node])
            slot = tree.legal_actions(node).index(int(a))
            rnd = int(tree.round[node])
            out[q] *= blueprint.strategy[d, buckets[rnd], slot]
            node = tree.child(node, int(a))
    return out


def blueprint_subgame_strategy(blueprint: HoldemBlueprint, tree: BettingTree, sub: RiverSubgame,
                               board: list[int]) -> np.ndarray:
    """float64 [d, H, 3]: the blueprint's river strategy on the subgame's combos (gadget rows uniform)."""
    buckets = blueprint.abstraction.combo_buckets(board)[3, sub.combos]
    out = np.zeros((int((sub.kind == DECISION).sum()), sub.combos.shape[0], 3))
    for i in np.flatnonzero(sub.kind == DECISION):
        b = int(sub.betting_node[i])
        k = int(sub.num_children[i])
        out[sub.decision_index[i], :, :k] = (blueprint.strategy[int(tree.decision_index[b]), buckets, :k]
                                             if b >= 0 else 1.0 / k)
    return out


def solve_river(blueprint: HoldemBlueprint, tree: BettingTree, sequences: list[list[int]], board: list[int],
                iterations: int, algo: str = "dcfr", safe: bool = False,
                defender: int = 0) -> tuple[RiverSubgame, np.ndarray]:
    """Re-solve the river from the betting ``sequences`` (ending at a river decision) on ``board``.

    Returns the subgame (without gadget) and the average strategy ``[d, H, 3]`` of its decision
    nodes. With ``safe``, ``defender``'s strategy comes from the gadget solve (the other player's
    from the plain solve).
    """
    root = node_of_sequences(tree, sequences)
    if root == NO_NODE or int(tree.round[root]) != 3 or int(tree.kind[root]) != DECISION:
        raise ValueError("river re-solving needs a river decision node")
    sub = build_river_subgame(tree, root, board)
    reach = river_ranges(blueprint, tree, sequences, board, sub.combos)
    plain = _solve(sub, reach, np.zeros(sub.combos.shape[0]), iterations, algo)
    if not safe:
        return sub, plain
    opp = 1 - defender
    bp = blueprint_subgame_strategy(blueprint, tree, sub, board)
    reach_arr = np.empty((sub.kind.shape[0], 2, sub.combos.shape[0]))
    value = np.empty((sub.kind.shape[0], sub.combos.shape[0]))
    K.forward_reach(sub.kind, sub.player, sub.children, sub.num_children, sub.decision_index, bp, reach, reach_arr)
    river_values(sub.kind, sub.player, sub.children, sub.num_children, sub.decision_index, sub.folder, sub.stake,
                 sub.cards, sub.order, sub.values, np.zeros(sub.combos.shape[0]), bp, reach_arr, opp, True, value)
    alt = value[0].copy()
    gsub = build_river_subgame(tree, root, board, gadget_player=opp)
    root_reach = np.ones_like(reach)
    root_reach[defender] = reach[defender]
    guarded = _solve(gsub, root_reach, alt, iterations, algo)
    out = plain.copy()
    for i in np.flatnonzero((sub.kind == DECISION) & (sub.player == defender)):
        out[sub.decision_index[i]] = guarded[gsub.decision_index[i + 2]]
    return sub, out


def _solve(sub: RiverSubgame, root_reach: np.ndarray, alt: np.ndarray, iterations: int, algo: str) -> np.ndarray:
    c = CFRConfig(algo)
    d, h = int((sub.kind == DECISION).sum()), root_reach.shape[1]
    strategy = np.zeros((d, h, 3))
    for i in np.flatnonzero(sub.kind == DECISION):
        strategy[sub.decision_index[i], :, : sub.num_children[i]] = 1.0 / sub.num_children[i]
    regret, strategy_sum = np.zeros((d, h, 3)), np.zeros((d, h, 3))
    run_river_cfr(sub.kind, sub.player, sub.children, sub.num_children, sub.decision_index, sub.folder, sub.stake,
                  sub.cards, sub.order, sub.values, alt, root_reach, ALGORITHMS[c.algo], c.alpha, c.beta, c.gamma,
                  iterations, strategy, regret, strategy_sum)
    out = np.zeros_like(strategy_sum)
    K.normalise(strategy_sum, sub.num_children, np.flatnonzero(sub.decision_index >= 0).astype(np.int32), out)
    return out
