"""Subgames of a public tree: extraction to a depth limit, blueprint leaf values, the re-solve gadget.

A subgame starts at a public decision node ``root`` of the full tree and stops at the end of the
betting round (horizon ``round``: the board-dealing chance node becomes a leaf) or of the hand
(horizon ``game``), or ``depth`` actions below ``root``.
A leaf is valued by the blueprint: ``pair_values[leaf, h0, h1]`` is player 0's expected return from
the leaf on when both players follow the blueprint, chance weights included like terminal payoffs
(:mod:`search.cfr.leaf_solve` re-values leaves from their public belief states while solving).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from search.cfr.tree import CHANCE, DECISION, NO_NODE, TERMINAL, PublicTree, _finish


@njit(cache=True)
def pair_values(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                decision_index: np.ndarray, terminal_index: np.ndarray, payoff: np.ndarray,
                strategy: np.ndarray) -> np.ndarray:
    """float64 [N, H, H]: player 0's chance-weighted expected return per pair of hands under ``strategy``."""
    num_nodes = kind.shape[0]
    num_hands = payoff.shape[1]
    out = np.zeros((num_nodes, num_hands, num_hands))
    for n in range(num_nodes - 1, -1, -1):
        if kind[n] == 2:
            out[n] = payoff[terminal_index[n]]
            continue
        d = decision_index[n]
        for s in range(num_children[n]):
            c = children[n, s]
            for h0 in range(num_hands):
                for h1 in range(num_hands):
                    if kind[n] == 1:
                        w = 1.0
                    elif player[n] == 0:
                        w = strategy[d, h0, s]
                    else:
                        w = strategy[d, h1, s]
                    out[n, h0, h1] += w * out[c, h0, h1]
    return out


@dataclass
class Subgame:
    """A depth-limited subgame as its own :class:`PublicTree`, and its place in the full tree."""

    tree: PublicTree
    """The subgame (root = 0; leaves are TERMINAL nodes with blueprint value matrices)."""
    full_node: np.ndarray
    """int32 [n]: the full-tree node of each subgame node (NO_NODE for a gadget node)."""
    root: int
    """Full-tree node the subgame starts at."""
    leaves: list[int]
    """Full-tree nodes cut off at the depth limit (decision nodes there are the next re-solve points)."""


def _row(tree: PublicTree, n: int, parent: int, kind: int) -> dict:
    return dict(parent=parent, action=int(tree.action[n]) if parent != NO_NODE else -1, kind=kind,
                player=int(tree.player[n]) if kind == DECISION else -1, round=int(tree.round[n]),
                board=int(tree.board[n]), contrib=tuple(int(x) for x in tree.contrib[n]),
                raises=int(tree.num_raises[n]), acts=tree.round_actions[n], children=[])


HORIZONS = ("round", "game")
"""Where a subgame ends at the latest: the end of the betting round, or of the hand."""


def build_subgame(tree: PublicTree, root: int, depth: int, leaf_values: np.ndarray,
                  gadget: tuple[int, np.ndarray] | None = None, horizon: str = "round") -> Subgame:
    """Extract the subgame at ``root`` (a decision node; or a board-dealing chance node with
    ``horizon="game"`` and no gadget: the rest of the hand, as leaf oracles solve it).

    Args:
        depth: actions below ``root`` before a decision node becomes a leaf; 0 = to the horizon.
        leaf_values: float64 [N, H, H] blueprint pair values of the full tree (:func:`pair_values`).
        gadget: ``(opponent, terminate_payoff [H, H])``: put Burch et al.'s re-solve gadget on top, an
            opponent decision with slot 0 = take the payoff matrix (player 0's view), slot 1 = enter.
        horizon: ``round`` (the board-dealing chance node is a leaf) or ``game`` (chance nodes kept).
    """
    if horizon not in HORIZONS:
        raise ValueError(f"unknown subgame horizon '{horizon}' (known: {', '.join(HORIZONS)})")
    kind_root = int(tree.kind[root])
    if kind_root != DECISION and not (kind_root == CHANCE and horizon == "game" and gadget is None):
        raise ValueError(f"subgame root {root} is not a decision node (a chance node needs horizon 'game', no gadget)")
    rows: list[dict] = []
    payoffs: list[np.ndarray] = []
    full: list[int] = []
    leaves: list[int] = []
    top = NO_NODE
    if gadget is not None:
        opp, take = gadget
        g = _row(tree, root, NO_NODE, DECISION)
        g["player"] = opp
        rows.append(g)
        full.append(NO_NODE)
        t = _row(tree, root, 0, TERMINAL)
        t["action"] = 0
        rows.append(t)
        full.append(NO_NODE)
        payoffs.append(np.asarray(take, dtype=np.float64))
        g["children"] = [1]
        top = 0
    stack = [(root, top, 0)]
    while stack:
        n, parent, d = stack.pop()
        k = int(tree.kind[n])
        cut = n != root and ((k == CHANCE and horizon == "round") or (k == DECISION and 0 < depth <= d))
        kind = TERMINAL if (k == TERMINAL or cut) else k
        row = _row(tree, n, parent, kind)
        if gadget is not None and n == root:
            row["action"] = 1
        idx = len(rows)
        rows.append(row)
        full.append(n)
        if parent != NO_NODE:
            rows[parent]["children"].append(idx)
        if kind == TERMINAL:
            payoffs.append(tree.payoff[tree.terminal_index[n]] if k == TERMINAL else leaf_values[n])
            if cut:
                leaves.append(n)
            continue
        for s in range(int(tree.num_children[n]) - 1, -1, -1):
            stack.append((int(tree.children[n, s]), idx, d + (1 if k == DECISION else 0)))
    # the stack visits children in slot order, so rows are in pre-order and children lists are sorted
    sub = _finish(tree.rules, rows, payoffs)
    return Subgame(tree=sub, full_node=np.array(full, dtype=np.int32), root=root, leaves=leaves)


def terminate_payoff(tree: PublicTree, node: int, opponent: int, alt: np.ndarray,
                     defender_reach: np.ndarray) -> np.ndarray:
    """float64 [H, H] (player 0's view) giving ``opponent`` counterfactual value ``alt[h]`` per hand.

    The defender's reach ``[H]`` is fixed at the gadget, so spreading ``alt[h]`` over the compatible
    defender hands in proportion to nothing but compatibility reproduces ``alt`` exactly.
    """
    num_hands = tree.num_hands
    board = int(tree.board[node])
    out = np.zeros((num_hands, num_hands))
    for h in range(num_hands):
        compat = np.array([o != h and o != board and h != board for o in range(num_hands)], dtype=float)
        mass = float((compat * defender_reach).sum())
        if mass <= 0.0:
            continue
        row = alt[h] * compat / mass  # opponent's payoff against each defender hand
        if opponent == 0:
            out[h, :] = row
        else:
            out[:, h] = -row
    return out
