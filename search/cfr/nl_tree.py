"""The abstract betting tree of heads-up no-limit hold'em: an action abstraction applied to ACPC's rules.

An :class:`ActionAbstraction` keeps, at every decision, fold (when facing a bet), call/check, a few raises
sized as fractions of the pot and the all-in. The sizes depend on the round and on how many raises the
round has seen, so the tree narrows after repeated raises: once a round's list of sizes is used up only
the all-in is left (and after it, only fold or call). A pot fraction ``f`` raises to
``max_spent + f * 2 * max_spent`` (the bet after calling, plus ``f`` times the pot after calling), raised
to the smallest legal raise and capped at the stack (an all-in); equal amounts are kept once.

:func:`build_tree` turns the abstraction and :class:`~games.poker.nolimit_rules.NoLimitRules` into
:class:`AbstractTree` arrays (pre-order, root = 0). Every action of the tree is a legal action of
:mod:`games.poker.holdem_nolimit` in the matching state (numbering: 0 fold, 1 call, else raise-to chips).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from games.core import InputError
from games.poker.base import CALL, FOLD
from games.poker.nolimit_rules import FIRST_PLAYER, MAX_ACTIONS_PER_ROUND, NUM_ROUNDS, NoLimitRules

DECISION = 0
"""``kind`` of a decision node."""
FOLD_END = 1
"""``kind`` of a terminal reached by a fold."""
SHOWDOWN = 2
"""``kind`` of a terminal reached by a call that ends the betting (river, or both all-in)."""
NO_NODE = -1
"""Padding of ``children``."""


class AbstractionError(InputError):
    """A malformed action abstraction (negative pot fraction, no round lists, ...)."""


@dataclass(frozen=True)
class ActionAbstraction:
    """Which raises the abstract game keeps. Each round has a list indexed by the number of raises the
    round has seen (the big blind is not a raise): entry ``k`` holds the pot fractions offered as the
    ``k+1``-th raise. Past the end of the list only the all-in is offered."""

    preflop: tuple[tuple[float, ...], ...] = ((0.5, 1.0, 2.0), (1.0,), (1.0,))
    """Pot fractions before the flop: opens to 2, 3 and 5 big blinds, then pot-sized 3- and 4-bets."""
    flop: tuple[tuple[float, ...], ...] = ((0.5, 1.0), (1.0,))
    """Pot fractions on the flop."""
    turn: tuple[tuple[float, ...], ...] = ((0.5, 1.0), (1.0,))
    """Pot fractions on the turn."""
    river: tuple[tuple[float, ...], ...] = ((0.5, 1.0), (1.0,))
    """Pot fractions on the river."""
    all_in: bool = True
    """Offer the all-in whenever raising is legal."""

    def __post_init__(self) -> None:
        for name in ("preflop", "flop", "turn", "river"):
            for k, sizes in enumerate(getattr(self, name)):
                if any(not (0.0 < f <= 100.0) for f in sizes):
                    raise AbstractionError(f"{name} raise {k + 1}: pot fractions must lie in (0, 100], got {sizes}")

    def fractions(self, rnd: int, raises: int) -> tuple[float, ...]:
        """Pot fractions offered in round ``rnd`` after ``raises`` raises in that round."""
        table = (self.preflop, self.flop, self.turn, self.river)[rnd]
        return table[raises] if raises < len(table) else ()

    def raise_targets(self, rnd: int, raises: int, max_spent: int, lo: int, hi: int) -> list[int]:
        """Sorted distinct raise-to amounts in ``[lo, hi]`` (the legal range) for this decision."""
        out = set()
        for f in self.fractions(rnd, raises):
            out.add(min(max(int(round(max_spent + f * 2 * max_spent)), lo), hi))
        if self.all_in:
            out.add(hi)
        return sorted(out)


class AbstractTree(NamedTuple):
    """Arrays of the abstract betting tree (``N`` nodes, ``A`` = most actions at a node); numba reads it."""

    kind: np.ndarray
    """int8 [N]: DECISION, FOLD_END or SHOWDOWN."""
    player: np.ndarray
    """int8 [N]: player to act (-1 at terminals)."""
    round: np.ndarray
    """int8 [N]: betting round 0..3 (at terminals, the round the betting ended in)."""
    parent: np.ndarray
    """int32 [N]: parent node (NO_NODE at the root)."""
    action: np.ndarray
    """int32 [N]: action from the parent (0 fold, 1 call, else raise-to; -1 at the root)."""
    children: np.ndarray
    """int32 [N, A]: children in increasing action order, NO_NODE padded."""
    num_children: np.ndarray
    """int32 [N]: actions at the node (0 at terminals)."""
    spent: np.ndarray
    """int32 [N, 2]: chips each player has put in."""
    folder: np.ndarray
    """int8 [N]: at FOLD_END, the player who folded; -1 elsewhere."""
    slot: np.ndarray
    """int64 [N]: at decision nodes, the offset of the node's rows in the flat regret and strategy tables
    (row of bucket ``b`` = ``slot + b * num_children``); -1 elsewhere."""
    num_slots: np.ndarray
    """int64 [1]: length of the flat tables."""


@dataclass
class _Builder:
    rules: NoLimitRules
    actions: ActionAbstraction
    rows: list[tuple[int, int, int, int, int, int, int, int]] = field(default_factory=list)
    """(kind, player, round, parent, action, spent0, spent1, folder) per node."""

    def add(self, kind: int, player: int, rnd: int, parent: int, action: int, spent: tuple[int, int],
            folder: int = -1) -> int:
        self.rows.append((kind, player, rnd, parent, action, spent[0], spent[1], folder))
        return len(self.rows) - 1

    def decision(self, parent: int, action: int, rnd: int, spent: tuple[int, int], min_raise_to: int,
                 history: list[int]) -> None:
        """Add the decision node after ``history`` (this round's actions) and its subtree, pre-order."""
        stack = self.rules.stack
        player = FIRST_PLAYER[rnd] ^ (len(history) % 2)
        node = self.add(DECISION, player, rnd, parent, action, spent)
        max_spent = max(spent)
        if spent[player] < max_spent:
            self.add(FOLD_END, -1, rnd, node, FOLD, spent, folder=player)
        self.call(node, rnd, spent, history, min_raise_to)
        if len(history) + 2 <= MAX_ACTIONS_PER_ROUND and max_spent < stack:
            raises = sum(1 for a in history if a > CALL)
            for target in self.actions.raise_targets(rnd, raises, max_spent, min(min_raise_to, stack), stack):
                after = (target, spent[1]) if player == 0 else (spent[0], target)
                self.decision(node, target, rnd, after, max(min_raise_to, 2 * target - max_spent), history + [target])

    def call(self, node: int, rnd: int, spent: tuple[int, int], history: list[int], min_raise_to: int) -> None:
        max_spent = max(spent)
        after = (max_spent, max_spent)
        if not history:  # the round's first action (a check, or the small blind's limp): the other acts next
            self.decision(node, CALL, rnd, after, min_raise_to, [CALL])
        elif max_spent >= self.rules.stack or rnd == NUM_ROUNDS - 1:
            self.add(SHOWDOWN, -1, rnd, node, CALL, after)
        else:
            self.decision(node, CALL, rnd + 1, after, max_spent + self.rules.big_blind, [])


def build_tree(rules: NoLimitRules, actions: ActionAbstraction, num_buckets: tuple[int, int, int, int]) -> AbstractTree:
    """The abstract tree with flat-table offsets for ``num_buckets`` buckets per round."""
    builder = _Builder(rules, actions)
    builder.decision(NO_NODE, -1, 0, (rules.big_blind, rules.small_blind), 2 * rules.big_blind, [])
    rows = np.array(builder.rows, dtype=np.int64)
    n = rows.shape[0]
    num_children = np.bincount(rows[1:, 3], minlength=n).astype(np.int32)
    children = np.full((n, max(int(num_children.max()), 1)), NO_NODE, dtype=np.int32)
    filled = np.zeros(n, dtype=np.int32)
    for i in range(1, n):  # pre-order: children are added in increasing action order
        p = rows[i, 3]
        children[p, filled[p]] = i
        filled[p] += 1
    kind = rows[:, 0].astype(np.int8)
    rnd = rows[:, 2].astype(np.int8)
    sizes = np.where(kind == DECISION, num_children.astype(np.int64) * np.asarray(num_buckets, dtype=np.int64)[rnd], 0)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    slot = np.where(kind == DECISION, offsets[:-1], -1).astype(np.int64)
    return AbstractTree(kind=kind, player=rows[:, 1].astype(np.int8), round=rnd, parent=rows[:, 3].astype(np.int32),
                        action=rows[:, 4].astype(np.int32), children=children, num_children=num_children,
                        spent=rows[:, 5:7].astype(np.int32), folder=rows[:, 7].astype(np.int8), slot=slot,
                        num_slots=np.array([offsets[-1]], dtype=np.int64))


def node_after(tree: AbstractTree, actions: list[int]) -> int:
    """The node reached by ``actions`` (player actions only, 0 fold / 1 call / raise-to), or NO_NODE if an
    action is not in the abstraction."""
    node = 0
    for a in actions:
        k = int(tree.num_children[node])
        found = NO_NODE
        for s in range(k):
            c = int(tree.children[node, s])
            if int(tree.action[c]) == a:
                found = c
                break
        if found == NO_NODE:
            return NO_NODE
        node = found
    return node
