"""The public betting tree of heads-up limit hold'em (ACPC structure, :mod:`games.poker.holdem`).

The tree has no card nodes: cards are abstracted away (buckets) or fixed by the caller, so a round
ends with the call that closes it and the next round's first decision is that call's child. Arrays
follow :class:`search.cfr.tree.PublicTree`'s conventions (pre-order, root = 0, children in legal-
action order, ``kind`` DECISION/TERMINAL), so the kernels of :mod:`search.cfr.kernels` run on it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from games.poker.base import CALL, FOLD, RAISE
from games.poker.holdem import BLINDS, FIRST_PLAYER, MAX_RAISES, NUM_ROUNDS, RAISE_SIZE
from search.cfr.tree import DECISION, NO_NODE, TERMINAL

SHOWDOWN = -1
"""``folder`` of a terminal reached by a call on the river."""


@dataclass(frozen=True)
class BettingTree:
    """Limit hold'em betting tree; ``N`` nodes."""

    kind: np.ndarray
    """int8 [N]: DECISION or TERMINAL."""
    player: np.ndarray
    """int8 [N]: player to act (-1 at terminals)."""
    parent: np.ndarray
    """int32 [N]: parent node (NO_NODE at the root)."""
    action: np.ndarray
    """int32 [N]: action from the parent (FOLD/CALL/RAISE; -1 at the root)."""
    children: np.ndarray
    """int32 [N, 3]: children in legal-action order, NO_NODE padded."""
    num_children: np.ndarray
    """int32 [N]: legal actions."""
    round: np.ndarray
    """int8 [N]: betting round 0..3 of the node."""
    contrib: np.ndarray
    """int32 [N, 2]: chips each player has in the pot."""
    folder: np.ndarray
    """int8 [N]: at terminals, the player who folded or SHOWDOWN; -2 elsewhere."""
    decision_index: np.ndarray
    """int32 [N]: row of a decision node in strategy tables, else -1."""

    @property
    def num_nodes(self) -> int:
        return int(self.kind.shape[0])

    @property
    def num_decisions(self) -> int:
        return int((self.kind == DECISION).sum())

    def child(self, node: int, action: int) -> int:
        """The child reached by ``action`` (NO_NODE if illegal)."""
        for s in range(int(self.num_children[node])):
            c = int(self.children[node, s])
            if int(self.action[c]) == action:
                return c
        return NO_NODE

    def legal_actions(self, node: int) -> list[int]:
        return [int(self.action[self.children[node, s]]) for s in range(int(self.num_children[node]))]

    def subtree_end(self, node: int) -> int:
        """One past the last node of ``node``'s subtree (pre-order makes a subtree a contiguous range)."""
        end = node + 1
        while end < self.num_nodes and self._is_below(end, node):
            end += 1
        return end

    def _is_below(self, n: int, top: int) -> bool:
        while n > top:
            n = int(self.parent[n])
        return n == top


def build_betting_tree() -> BettingTree:
    """The full betting tree (16,584 nodes, 6,378 of them decisions)."""
    rows: list[list] = []  # parent, action, kind, player, round, c0, c1, folder

    def add(parent: int, action: int, kind: int, player: int, rnd: int, contrib: tuple[int, int],
            folder: int) -> int:
        rows.append([parent, action, kind, player, rnd, contrib[0], contrib[1], folder])
        return len(rows) - 1

    def betting(parent: int, action: int, rnd: int, contrib: tuple[int, int], raises: int, acted: int) -> None:
        to_act = FIRST_PLAYER[rnd] ^ (acted % 2)
        node = add(parent, action, DECISION, to_act, rnd, contrib, -2)
        facing = contrib[to_act] < contrib[1 - to_act]
        moves = ([FOLD] if facing else []) + [CALL] + ([RAISE] if raises < MAX_RAISES[rnd] else [])
        for move in moves:
            if move == FOLD:
                add(node, FOLD, TERMINAL, -1, rnd, contrib, to_act)
                continue
            c = list(contrib)
            c[to_act] = contrib[1 - to_act] + (RAISE_SIZE[rnd] if move == RAISE else 0)
            c2 = (c[0], c[1])
            if move == RAISE:
                betting(node, RAISE, rnd, c2, raises + 1, acted + 1)
            elif acted + 1 < 2:
                betting(node, CALL, rnd, c2, raises, acted + 1)
            elif rnd + 1 < NUM_ROUNDS:
                betting(node, CALL, rnd + 1, c2, 0, 0)
            else:
                add(node, CALL, TERMINAL, -1, rnd, c2, SHOWDOWN)

    betting(NO_NODE, -1, 0, (BLINDS[0], BLINDS[1]), 0, 0)
    arr = np.array(rows, dtype=np.int64)
    n = arr.shape[0]
    children = np.full((n, 3), NO_NODE, dtype=np.int32)
    num_children = np.zeros(n, dtype=np.int32)
    for i in range(1, n):
        p = int(arr[i, 0])
        children[p, num_children[p]] = i
        num_children[p] += 1
    kind = arr[:, 2].astype(np.int8)
    dec = np.full(n, -1, dtype=np.int32)
    dec[kind == DECISION] = np.arange(int((kind == DECISION).sum()))
    return BettingTree(kind=kind, player=arr[:, 3].astype(np.int8), parent=arr[:, 0].astype(np.int32),
                       action=arr[:, 1].astype(np.int32), children=children, num_children=num_children,
                       round=arr[:, 4].astype(np.int8), contrib=arr[:, 5:7].astype(np.int32),
                       folder=arr[:, 7].astype(np.int8), decision_index=dec)


_TREE: list[BettingTree] = []


def betting_tree() -> BettingTree:
    """The (cached) full betting tree."""
    if not _TREE:
        _TREE.append(build_betting_tree())
    return _TREE[0]


def node_of_sequences(tree: BettingTree, sequences: list[list[int]]) -> int:
    """The node after the betting ``sequences`` (actions per round); NO_NODE if off the tree."""
    node = 0
    for seq in sequences:
        for a in seq:
            node = tree.child(node, int(a))
            if node == NO_NODE:
                return NO_NODE
    return node
