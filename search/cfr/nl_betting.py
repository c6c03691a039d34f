"""ACPC no-limit betting as a small value object, and betting trees grown from any real state.

:class:`Betting` is the public betting situation of a no-limit hand (round, chips in, smallest raise-to,
this round's actions) with the rules of :mod:`games.poker.holdem_nolimit`; :func:`betting_of` reads it
off a game state. :func:`grow` builds a *template* tree (betting only, no cards) from a situation, asking
a child function which actions to keep at each decision: :func:`abstraction_children` keeps the actions
of an :class:`~search.cfr.nl_tree.ActionAbstraction` (so the same pot fractions as the blueprint tree, but
from the real chip counts), and :mod:`search.cfr.nl_mirror` keeps the children of a blueprint node.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, NamedTuple

from games.poker.base import CALL, FOLD
from games.poker.nolimit_rules import FIRST_PLAYER, MAX_ACTIONS_PER_ROUND, NUM_ROUNDS, NoLimitRules
from search.cfr.nl_tree import DECISION, FOLD_END, SHOWDOWN, ActionAbstraction


@dataclass(frozen=True)
class Betting:
    """The public betting situation of a decision (ACPC semantics, raise-to amounts)."""

    round: int
    """Betting round 0..3."""
    spent: tuple[int, int]
    """Chips each player has put in."""
    min_raise_to: int
    """ACPC's smallest raise-to (before the stack cap)."""
    history: tuple[int, ...] = ()
    """This round's actions so far (0 fold, 1 call, else raise-to)."""

    @property
    def player(self) -> int:
        """Player to act."""
        return FIRST_PLAYER[self.round] ^ (len(self.history) % 2)

    @property
    def max_spent(self) -> int:
        return max(self.spent)

    @property
    def raises(self) -> int:
        """Raises made in this round."""
        return sum(1 for a in self.history if a > CALL)

    def facing_bet(self) -> bool:
        return self.spent[self.player] < self.max_spent

    def raise_range(self, stack: int) -> tuple[int, int] | None:
        """(smallest, largest) legal raise-to, or None."""
        if len(self.history) + 2 > MAX_ACTIONS_PER_ROUND or self.max_spent >= stack:
            return None
        return (min(self.min_raise_to, stack), stack)

    def is_legal(self, action: int, stack: int) -> bool:
        if action == FOLD:
            return self.facing_bet()
        if action == CALL:
            return True
        span = self.raise_range(stack)
        return span is not None and span[0] <= action <= span[1]

    def after(self, action: int, rules: NoLimitRules) -> "Betting | Outcome":
        """The situation after ``action``, or the :class:`Outcome` that ends the betting."""
        p = self.player
        if action == FOLD:
            return Outcome(FOLD_END, self.round, self.spent, p)
        m = self.max_spent
        if action == CALL:
            called = (m, m)
            if not self.history:  # the round's first action: the other player acts next
                return replace(self, spent=called, history=(CALL,))
            if m >= rules.stack or self.round == NUM_ROUNDS - 1:
                return Outcome(SHOWDOWN, self.round, called, -1)
            return Betting(self.round + 1, called, m + rules.big_blind, ())
        spent = (action, self.spent[1]) if p == 0 else (self.spent[0], action)
        return Betting(self.round, spent, max(self.min_raise_to, 2 * action - m), self.history + (action,))


class Outcome(NamedTuple):
    """How the betting ended: a fold or a showdown (possibly before the river, both all-in)."""

    kind: int
    """FOLD_END or SHOWDOWN."""
    round: int
    spent: tuple[int, int]
    folder: int
    """The player who folded, or -1."""


def betting_of(state: Any) -> Betting:
    """The betting situation of a :class:`~games.poker.holdem_nolimit.HoldemNoLimitState` at a decision."""
    return Betting(int(state.round), (int(state.spent[0]), int(state.spent[1])), int(state.min_raise_to),
                   tuple(int(a) for a in state.sequences[state.round]))


def raise_to_fraction(raise_to: int, max_spent: int) -> float:
    """Pot fraction of a raise: ``(raise_to - max_spent) / (2 * max_spent)`` (the pot after calling)."""
    return (raise_to - max_spent) / (2.0 * max_spent)


def fraction_to_raise(fraction: float, betting: Betting, stack: int) -> int | None:
    """The legal raise-to closest to a pot ``fraction`` in ``betting`` (None if no raise is legal)."""
    span = betting.raise_range(stack)
    if span is None:
        return None
    m = betting.max_spent
    return min(max(int(round(m + fraction * 2 * m)), span[0]), span[1])


class TemplateNode(NamedTuple):
    """A node of a betting-only tree (pre-order; root = 0)."""

    kind: int
    """DECISION, FOLD_END or SHOWDOWN."""
    parent: int
    action: int
    """Action from the parent (-1 at the root)."""
    round: int
    spent: tuple[int, int]
    player: int
    """Player to act (-1 at terminals)."""
    folder: int
    betting: Betting | None
    """The situation at a decision (None at terminals)."""
    context: Any
    """What the child function attached (e.g. the blueprint node a decision mirrors)."""


ChildFn = Callable[[Betting, Any], list[tuple[int, Any]]]
"""``children(betting, context) -> [(action, child context), ...]`` in increasing action order."""


def grow(root: Betting, rules: NoLimitRules, children: ChildFn,
         context: Any = None) -> tuple[list[TemplateNode], list[list[int]]]:
    """The template tree below ``root`` (a decision) and each node's children, pre-order."""
    nodes: list[TemplateNode] = []
    kids: list[list[int]] = []
    stack: list[tuple[Betting | Outcome, int, int, Any]] = [(root, -1, -1, context)]
    while stack:
        item, parent, action, ctx = stack.pop()
        idx = len(nodes)
        if isinstance(item, Outcome):
            nodes.append(TemplateNode(item.kind, parent, action, item.round, item.spent, -1, item.folder, None, ctx))
        else:
            nodes.append(TemplateNode(DECISION, parent, action, item.round, item.spent, item.player, -1, item, ctx))
        kids.append([])
        if parent >= 0:
            kids[parent].append(idx)
        if isinstance(item, Betting):
            for a, child_ctx in reversed(children(item, ctx)):
                stack.append((item.after(a, rules), idx, a, child_ctx))
    return nodes, kids


def abstraction_children(actions: ActionAbstraction, rules: NoLimitRules) -> ChildFn:
    """Fold (when facing a bet), call, and the abstraction's raises at every decision."""
    def children(betting: Betting, _: Any) -> list[tuple[int, Any]]:
        out: list[tuple[int, Any]] = [(FOLD, None)] if betting.facing_bet() else []
        out.append((CALL, None))
        span = betting.raise_range(rules.stack)
        if span is not None:
            out += [(r, None) for r in actions.raise_targets(betting.round, betting.raises, betting.max_spent, *span)]
        return out
    return children


def subgame_abstraction(root_round: int, first: tuple[tuple[float, ...], ...],
                        later: tuple[tuple[float, ...], ...]) -> ActionAbstraction:
    """An action abstraction with ``first`` in round ``root_round`` and ``later`` in the rounds after."""
    rounds = [later] * NUM_ROUNDS
    rounds[root_round] = first
    return ActionAbstraction(preflop=rounds[0], flop=rounds[1], turn=rounds[2], river=rounds[3])
