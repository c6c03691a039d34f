"""The blueprint on real cards: ranges by Bayes' rule along a real history, and the blueprint's subtree
mapped onto a real-card tree (the "previous solution" of the first re-solve of a hand).

* :func:`blueprint_ranges`: each player's probability of the actions taken, per hand, under the
  blueprint (the real actions translated onto the abstract tree, each hand read through its bucket on the
  board of the round).
* :func:`mirror`: the abstract subtree below a blueprint node, rebuilt from a real betting situation: each
  abstract raise keeps its pot fraction but is sized from the real chips (an all-in stays all-in); two
  abstract actions that become the same real action (raises clamped to the stack, a raise where the real
  player can only call) are merged and their probabilities added; where the abstract hand is over but
  the real one goes on, the real player checks or calls. Chance deals real cards (:mod:`.nl_solve_tree`),
  and each hand reads the blueprint row of its bucket on each board, so the result is a
  :class:`~search.cfr.nl_resolve.TreeStrategy` like a subgame solution.
"""
from __future__ import annotations

import numpy as np

from games.poker.base import CALL, FOLD
from search.cfr.nl_betting import Betting, TemplateNode, fraction_to_raise, grow, raise_to_fraction
from search.cfr.nl_blueprint import Blueprint
from search.cfr.nl_buckets import all_buckets, num_hands
from search.cfr.nl_deals import DealSource
from search.cfr.nl_hands import HandModel, to_local
from search.cfr.nl_resolve import TreeStrategy
from search.cfr.nl_solve_tree import Subgame, expand
from search.cfr.nl_translate import Step
from search.cfr.nl_tree import DECISION, NO_NODE

ROUND_OF_BOARD = {0: 0, 3: 1, 4: 2, 5: 3}
"""Betting round whose buckets apply to a board of that many cards."""


def board_of_round(board: tuple[int, ...] | list[int], rnd: int) -> tuple[int, ...]:
    """The board cards showing during round ``rnd``."""
    return tuple(board[:(0, 3, 4, 5)[rnd]])


def blueprint_ranges(blueprint: Blueprint, source: DealSource, steps: list[Step],
                     board: tuple[int, ...] | list[int]) -> np.ndarray:
    """float64 [2, G]: each player's blueprint probability of the ``steps`` per hand (G = 1,326 combos, or
    the Kuhn cards), with ``board`` the cards dealt so far; hands holding a board card get 0."""
    g = num_hands(source)
    out = np.ones((2, g))
    buckets: dict[int, np.ndarray] = {}
    tree = blueprint.tree
    for step in steps:
        if step.round not in buckets:
            buckets[step.round] = all_buckets(source, step.round, board_of_round(board, step.round))
        k = int(tree.num_children[step.node])
        rows = int(tree.slot[step.node]) + buckets[step.round] * k + step.slot
        out[step.player] *= blueprint.strategy[rows]
    if g == 1326 and board:
        from search.cfr.abstraction import COMBOS

        hit = np.isin(COMBOS, np.asarray(board)).any(axis=1)
        out[:, hit] = 0.0
    return out


def _real_action(tree, node: int, slot: int, betting: Betting, stack: int) -> int:
    """The real action an abstract child stands for in ``betting``."""
    a = int(tree.action[tree.children[node, slot]])
    if a == FOLD:
        return FOLD if betting.facing_bet() else CALL
    if a == CALL:
        return CALL
    if a >= stack:
        return stack if betting.raise_range(stack) is not None else CALL
    real = fraction_to_raise(raise_to_fraction(a, int(tree.spent[node].max())), betting, stack)
    return CALL if real is None else real


def real_groups(tree, node: int, betting: Betting, stack: int) -> list[tuple[int, list[int], int]]:
    """(real action, abstract slots merged into it, the slot whose subtree it follows), by real action."""
    merged: dict[int, list[int]] = {}
    for s in range(int(tree.num_children[node])):
        merged.setdefault(_real_action(tree, node, s, betting, stack), []).append(s)
    out = []
    for real, slots in sorted(merged.items()):
        same = [s for s in slots if int(tree.action[tree.children[node, s]]) == real]
        out.append((real, slots, same[0] if same else slots[-1]))
    return out


def mirror_template(blueprint: Blueprint, node: int, betting: Betting) -> tuple[list[TemplateNode], list[list[int]]]:
    """The betting template of :func:`mirror` (before chance is expanded): the abstract subtree below ``node``
    with real chips, each template node's ``context`` the abstract node it follows."""
    tree = blueprint.tree
    rules = blueprint.config.rules()

    def children(b: Betting, abstract: int) -> list[tuple[int, int]]:
        if abstract == NO_NODE or tree.kind[abstract] != DECISION:
            return [(CALL, NO_NODE)]
        groups = real_groups(tree, abstract, b, rules.stack)
        return [(real, int(tree.children[abstract, follow])) for real, _, follow in groups]

    return grow(betting, rules, children, node)


def mirror(blueprint: Blueprint, source: DealSource, node: int, betting: Betting, hands: HandModel,
           root_reach: np.ndarray) -> TreeStrategy:
    """The blueprint below abstract decision ``node`` on a real-card tree grown from ``betting`` (``node =
    NO_NODE``: the abstract hand is over; the real players check or call to the end), with both ranges
    ``root_reach [2, G]`` (model-wide hands) at the root."""
    tree = blueprint.tree
    rules = blueprint.config.rules()
    nodes, kids = mirror_template(blueprint, node, betting)
    sub = expand(nodes, kids, hands)
    counts = source.num_buckets
    blocks, offsets = [], [0]
    t_base = np.full(len(nodes), -1, dtype=np.int64)
    t_stride = np.zeros(len(nodes), dtype=np.int64)
    for t, tn in enumerate(nodes):
        if tn.kind != DECISION:
            continue
        rows = counts[tn.round]
        abstract = tn.context
        if abstract == NO_NODE or tree.kind[abstract] != DECISION:
            block = np.ones((1, rows), dtype=np.float32)
        else:
            k = int(tree.num_children[abstract])
            base = int(tree.slot[abstract])
            bp = blueprint.strategy[base: base + rows * k].reshape(rows, k)
            groups = real_groups(tree, abstract, tn.betting, rules.stack)
            block = np.stack([bp[:, slots].sum(axis=1) for _, slots, _ in groups])
        t_base[t], t_stride[t] = offsets[-1], rows
        blocks.append(block.ravel())
        offsets.append(offsets[-1] + block.size)
    table = np.concatenate(blocks).astype(np.float32) if blocks else np.zeros(1, dtype=np.float32)
    template = sub.tree.template
    is_decision = sub.tree.kind == DECISION
    base = np.where(is_decision, t_base[np.maximum(template, 0)], -1)
    stride = np.where(is_decision, t_stride[np.maximum(template, 0)], 0)
    rows = _bucket_rows(sub, source)
    reach = np.stack([to_local(hands, root_reach[0]), to_local(hands, root_reach[1])])
    return TreeStrategy(sub, table, base.astype(np.int64), stride.astype(np.int64), rows, 0, reach)


def _bucket_rows(sub: Subgame, source: DealSource) -> np.ndarray:
    """int64 [B, H]: the blueprint bucket of each hand on each board."""
    hands = sub.hands
    rows = np.zeros((len(sub.board_cards), hands.num_hands), dtype=np.int64)
    for b, cards in enumerate(sub.board_cards):
        rows[b] = all_buckets(source, ROUND_OF_BOARD[len(cards)], cards)[hands.combos]
    return rows
