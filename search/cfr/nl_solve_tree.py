"""The tree a real-card subgame is solved on: a betting template expanded with the cards chance deals.

:func:`expand` takes a template (:func:`search.cfr.nl_betting.grow`) and a hand model
(:mod:`search.cfr.nl_hands`) and inserts a CHANCE node wherever the template enters a round whose board
is not dealt yet (the river of a turn subgame), or reaches an all-in showdown before the river; every
card gets its own copy of the subtree below. Optionally Burch et al.'s re-solve gadget sits on top: the
opponent first chooses, per hand, to TAKE a fixed counterfactual value or to enter the subgame.

The arrays (:class:`SolveTree`, ``N`` nodes in pre-order, root = 0) are what the numba kernels read; the
board of each node is an index into :class:`Boards`. The subtrees below the first CHANCE nodes met from
the root (*segments*) are independent given their entry reach and are solved in parallel.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numba import njit

from search.cfr.nl_betting import TemplateNode
from search.cfr.nl_hands import BLOCKED_VALUE, HandModel
from search.cfr.nl_tree import DECISION, FOLD_END, NO_NODE, SHOWDOWN

CHANCE = 3
"""``kind`` of a node where chance deals a board card."""
TAKE = 4
"""``kind`` of the gadget's terminal: the opponent takes its alternative value."""
GADGET_TAKE, GADGET_ENTER = 0, 1
"""Actions of the gadget node (children 0 and 1)."""


class SolveTree(NamedTuple):
    """Arrays of an expanded subgame tree (``N`` nodes, ``A`` = most children of a node)."""

    kind: np.ndarray
    """int8 [N]: DECISION, FOLD_END, SHOWDOWN, CHANCE or TAKE."""
    player: np.ndarray
    """int8 [N]: player to act at decisions, -1 elsewhere."""
    parent: np.ndarray
    """int32 [N]: NO_NODE at the root."""
    action: np.ndarray
    """int64 [N]: action from the parent (0 fold, 1 call, else raise-to; the card below a CHANCE node;
    GADGET_TAKE / GADGET_ENTER below the gadget)."""
    children: np.ndarray
    """int32 [N, A]: children in order, NO_NODE padded."""
    num_children: np.ndarray
    """int32 [N]."""
    spent: np.ndarray
    """float64 [N, 2]: chips each player has put in."""
    folder: np.ndarray
    """int8 [N]: at FOLD_END, the player who folded."""
    board: np.ndarray
    """int32 [N]: index of the node's board in :class:`Boards`."""
    end: np.ndarray
    """int32 [N]: one past the node's last descendant (its subtree is ``n .. end[n] - 1``)."""
    chance_weight: np.ndarray
    """float64 [N]: at CHANCE nodes, the probability of each card (given both hands)."""
    template: np.ndarray
    """int32 [N]: template node of the node (NO_NODE for chance and gadget nodes)."""
    round: np.ndarray
    """int8 [N]: betting round."""


class Boards(NamedTuple):
    """Per-board hand data (``B`` boards, ``H`` hands)."""

    valid: np.ndarray
    """float64 [B, H]: 1 for hands that avoid the board, else 0."""
    values: np.ndarray
    """int64 [B, H]: showdown values on complete boards (BLOCKED_VALUE where blocked or incomplete)."""
    order: np.ndarray
    """int64 [B, H]: hands sorted by ``values``, weakest first."""
    sorted_cards: np.ndarray
    """int64 [B, H, 2]: the cards of the hands in ``order``."""
    group_end: np.ndarray
    """int64 [B, H]: for each position of ``order``, one past the last position with the same value."""
    group_start: np.ndarray
    """int64 [B, H]: for each position of ``order``, the first position with the same value."""


@dataclass(frozen=True)
class Segments:
    """Independent subtrees below the first CHANCE nodes, and the indexing of the nodes above them."""

    start: np.ndarray
    """int32 [S]: first node of each segment."""
    stop: np.ndarray
    """int32 [S]: one past its last node."""
    top: np.ndarray
    """int32 [T]: nodes in no segment, pre-order."""
    local: np.ndarray
    """int32 [N]: for top nodes, their position in ``top``; -1 elsewhere."""
    seg_of: np.ndarray
    """int32 [N]: for segment roots, the segment; -1 elsewhere."""


@dataclass(frozen=True)
class Subgame:
    """An expanded tree with its boards and hands."""

    tree: SolveTree
    boards: Boards
    board_cards: tuple[tuple[int, ...], ...]
    """The cards of each board index."""
    hands: HandModel
    segments: Segments
    gadget_player: int
    """The opponent who chooses at the gadget, or -1 without a gadget."""

    @property
    def num_nodes(self) -> int:
        return int(self.tree.kind.shape[0])

    @property
    def root(self) -> int:
        """The subgame's real root (below the gadget if there is one)."""
        return 2 if self.gadget_player >= 0 else 0

    def offsets(self) -> np.ndarray:
        """int64 [N]: each decision's offset in a flat ``[hands, children]`` table (-1 elsewhere), and the
        table's length last (so the array has N + 1 entries)."""
        t = self.tree
        sizes = np.where(t.kind == DECISION, t.num_children.astype(np.int64) * self.hands.num_hands, 0)
        out = np.concatenate([[0], np.cumsum(sizes)])
        out[:-1][t.kind != DECISION] = -1
        return out


COLUMNS = 11
"""Row layout while expanding: kind, player, parent, action, spent0, spent1, folder, board, template, round,
chance weight."""


def _template_table(nodes: list[TemplateNode]) -> tuple[np.ndarray, np.ndarray]:
    """(rows [T, COLUMNS] of the template, board column 0; subtree ends [T])."""
    table = np.array([[t.kind, t.player, t.parent, t.action, t.spent[0], t.spent[1], t.folder, 0, i, t.round, 0.0]
                      for i, t in enumerate(nodes)], dtype=np.float64)
    return table, _subtree_ends(table[:, 2].astype(np.int64))


@njit(cache=True)
def _subtree_ends(parent: np.ndarray) -> np.ndarray:
    """int64 [N]: one past the last descendant of each node of a pre-order tree."""
    n = parent.shape[0]
    size = np.ones(n, dtype=np.int64)
    for i in range(n - 1, 0, -1):
        size[parent[i]] += size[i]
    return np.arange(n) + size


def expand(nodes: list[TemplateNode], kids: list[list[int]], hands: HandModel, gadget_player: int = -1) -> Subgame:
    """Expand template ``nodes``/``kids`` (root = 0) for ``hands`` (whose board is the root's).

    A subtree below a card after which no more cards come (the river of a turn subgame) is the template's
    own pre-order slice, so it is copied as one block per card rather than node by node."""
    template, ends = _template_table(nodes)
    pieces: list[np.ndarray] = []
    pending: list[list[float]] = []
    count = 0
    board_ids: dict[tuple[int, ...], int] = {}

    def add(row: list[float]) -> int:
        nonlocal count
        pending.append(row)
        count += 1
        return count - 1

    def node_row(t: int, parent: int, action: int, board: tuple[int, ...], kind: int = -1, weight: float = 0.0,
                 player: int | None = None) -> list[float]:
        row = template[t].tolist()
        row[2], row[3], row[7], row[10] = parent, action, board_ids.setdefault(board, len(board_ids)), weight
        if kind >= 0:
            row[0], row[1], row[8] = kind, -1 if player is None else player, NO_NODE
        return row

    def needs_card(t: int, board: tuple[int, ...]) -> bool:
        kind = int(template[t, 0])
        upcoming = int(template[t, 9]) if kind == DECISION else (4 if kind == SHOWDOWN else -1)
        return upcoming >= 0 and hands.deals_at(board, upcoming)

    def block(t: int, parent: int, card: int, board: tuple[int, ...]) -> None:
        nonlocal count
        rows = template[t:ends[t]].copy()
        rows[:, 2] += count - t
        rows[0, 2], rows[0, 3] = parent, card
        rows[:, 7] = board_ids.setdefault(board, len(board_ids))
        if pending:
            pieces.append(np.array(pending, dtype=np.float64))
            pending.clear()
        pieces.append(rows)
        count += rows.shape[0]

    root_board = tuple(hands.board)
    parent0 = -1
    if gadget_player >= 0:
        parent0 = add(node_row(0, -1, -1, root_board, DECISION, player=gadget_player))
        add(node_row(0, parent0, GADGET_TAKE, root_board, TAKE))
    stack: list[tuple[int, tuple[int, ...], int, int]] = [(0, root_board, parent0,
                                                           GADGET_ENTER if parent0 >= 0 else -1)]
    while stack:
        t, board, parent, action = stack.pop()
        if needs_card(t, board):
            c = add(node_row(t, parent, action, board, CHANCE, hands.chance_weight(board)))
            cards = hands.next_cards(board)
            if not hands.deals_at(board + (cards[0],), 4):  # nothing more to deal below: copy blocks
                for card in cards:
                    block(t, c, card, board + (card,))
                continue
            for card in reversed(cards):
                stack.append((t, board + (card,), c, card))
            continue
        n = add(node_row(t, parent, action, board))
        for child in reversed(kids[t]):
            stack.append((child, board, n, nodes[child].action))
    if pending:
        pieces.append(np.array(pending, dtype=np.float64))
    return _finish(np.concatenate(pieces), board_ids, hands, gadget_player)


def _finish(table: np.ndarray, board_ids: dict[tuple[int, ...], int], hands: HandModel,
            gadget_player: int) -> Subgame:
    n = table.shape[0]
    parent = table[:, 2].astype(np.int64)
    num = np.bincount(parent[1:], minlength=n).astype(np.int32)
    kids = np.full((n, max(int(num.max()), 1)), NO_NODE, dtype=np.int32)
    below = np.argsort(parent[1:], kind="stable") + 1  # grouped by parent, pre-order within a group
    first = np.concatenate([[0], np.cumsum(num)])[:-1]
    kids[parent[below], np.arange(below.shape[0]) - first[parent[below]]] = below
    tree = SolveTree(kind=table[:, 0].astype(np.int8), player=table[:, 1].astype(np.int8),
                     parent=parent.astype(np.int32), action=table[:, 3].astype(np.int64), children=kids,
                     num_children=num, spent=table[:, 4:6].copy(), folder=table[:, 6].astype(np.int8),
                     board=table[:, 7].astype(np.int32), end=_subtree_ends(parent).astype(np.int32),
                     chance_weight=table[:, 10].copy(), template=table[:, 8].astype(np.int32),
                     round=table[:, 9].astype(np.int8))
    cards = sorted(board_ids, key=board_ids.__getitem__)
    return Subgame(tree, board_data(cards, hands), tuple(cards), hands, segments_of(tree), gadget_player)


def board_data(boards: list[tuple[int, ...]], hands: HandModel) -> Boards:
    """Validity, showdown values and value order of ``hands`` on each board."""
    h = hands.num_hands
    valid = np.ones((len(boards), h))
    values = np.full((len(boards), h), BLOCKED_VALUE, dtype=np.int64)
    root = len(hands.board)
    for b, cards in enumerate(boards):
        for card in cards[root:]:
            valid[b, hands.blocked(card)] = 0.0
        if len(cards) == 5 or not hands.next_cards(cards):
            values[b] = np.where(valid[b] > 0, hands.showdown_values(cards), BLOCKED_VALUE)
    order = np.argsort(values, axis=1, kind="stable").astype(np.int64)
    ranked = np.take_along_axis(values, order, axis=1)
    positions = np.arange(h)
    new_group = np.ones((len(boards), h), dtype=bool)
    new_group[:, 1:] = ranked[:, 1:] != ranked[:, :-1]
    group_start = np.maximum.accumulate(np.where(new_group, positions, 0), axis=1)
    last = np.ones((len(boards), h), dtype=bool)
    last[:, :-1] = new_group[:, 1:]
    group_end = np.minimum.accumulate(np.where(last, positions + 1, h)[:, ::-1], axis=1)[:, ::-1]
    return Boards(valid, values, order, hands.cards[order], group_end.astype(np.int64), group_start.astype(np.int64))


def segments_of(tree: SolveTree) -> Segments:
    """The children of the first CHANCE nodes below the root are the segments."""
    n = tree.kind.shape[0]
    starts: list[int] = []
    i = 0
    top: list[int] = []
    while i < n:
        top.append(i)
        if tree.kind[i] == CHANCE:
            for s in range(int(tree.num_children[i])):
                starts.append(int(tree.children[i, s]))
            i = int(tree.end[i])
            continue
        i += 1
    # children of a chance node come right after it, so the skipped range is exactly its segments
    start = np.array(starts, dtype=np.int32)
    stop = tree.end[start].astype(np.int32) if starts else np.zeros(0, dtype=np.int32)
    local = np.full(n, -1, dtype=np.int32)
    local[top] = np.arange(len(top), dtype=np.int32)
    seg_of = np.full(n, -1, dtype=np.int32)
    seg_of[start] = np.arange(len(starts), dtype=np.int32)
    return Segments(start, stop, np.array(top, dtype=np.int32), local, seg_of)
