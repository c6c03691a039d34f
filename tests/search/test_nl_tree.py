"""The abstract no-limit betting tree: every action legal in the real game, sizes, narrowing, table layout."""
from __future__ import annotations

import numpy as np
import pytest

from games.core import CHANCE
from games.poker.base import CALL, FOLD
from games.poker.holdem_nolimit import HoldemNoLimitGame, HoldemNoLimitState
from games.poker.nolimit_rules import NoLimitRules
from search.cfr.nl_tree import (DECISION, FOLD_END, NO_NODE, SHOWDOWN, AbstractionError, ActionAbstraction,
                                AbstractTree, build_tree, node_after)

SMALL = ActionAbstraction(preflop=((0.5, 1.0), (1.0,)), flop=((1.0,),), turn=((0.5,),), river=((1.0,),))
RULES = NoLimitRules(stack=2000)


DECK_ORDER = [51, 50, 12, 7, 30, 22, 4, 40, 17, 33, 25, 9, 0]
"""Cards dealt, in this order, skipping those already out."""


def _deal(state: HoldemNoLimitState) -> None:
    while state.current_player == CHANCE:
        used = set(state.hole[0] + state.hole[1] + state.board)
        state.apply(next(c for c in DECK_ORDER if c not in used))


def _walk(tree: AbstractTree, rules: NoLimitRules, path_limit: int) -> int:
    """Depth-first over the tree alongside the game; checks every node. Returns the nodes checked."""
    game = HoldemNoLimitGame(rules)
    checked = 0
    stack = [(0, game.new_state())]
    while stack and checked < path_limit:
        node, state = stack.pop()
        _deal(state)
        checked += 1
        assert list(state.spent) == tree.spent[node].tolist(), str(state)
        if tree.kind[node] == FOLD_END:
            assert state.is_terminal() and state.folded == tree.folder[node]
            continue
        if tree.kind[node] == SHOWDOWN:
            assert state.is_terminal() and state.folded < 0
            continue
        assert tree.kind[node] == DECISION and state.current_player == tree.player[node]
        assert state.round == tree.round[node]
        k = int(tree.num_children[node])
        actions = [int(tree.action[tree.children[node, s]]) for s in range(k)]
        assert actions == sorted(actions) and len(set(actions)) == k
        for action, child in zip(actions, tree.children[node, :k]):
            assert state.is_legal(action), f"{action} illegal after '{state}'"
            nxt = state.copy()
            nxt.apply(action)
            stack.append((int(child), nxt))
    return checked


def test_every_abstract_action_is_legal_and_bookkeeping_matches() -> None:
    tree = build_tree(RULES, SMALL, (169, 5, 5, 5))
    assert _walk(tree, RULES, 10**9) == tree.kind.shape[0]


def test_default_abstraction_on_the_full_game_is_legal() -> None:
    tree = build_tree(NoLimitRules(), ActionAbstraction(), (169, 200, 200, 200))
    assert _walk(tree, NoLimitRules(), 4000) == 4000


def _actions(tree: AbstractTree, node: int) -> list[int]:
    return [int(tree.action[c]) for c in tree.children[node, :tree.num_children[node]]]


def test_raise_sizes_and_narrowing() -> None:
    tree = build_tree(NoLimitRules(), ActionAbstraction(), (169, 1, 1, 1))
    first = _actions(tree, 0)
    assert first == [FOLD, CALL, 200, 300, 500, 20000]  # 2, 3, 5 big blinds and all-in
    three_bet = node_after(tree, [300])
    assert _actions(tree, three_bet) == [FOLD, CALL, 900, 20000]
    four_bet = node_after(tree, [300, 900])
    assert _actions(tree, four_bet) == [FOLD, CALL, 2700, 20000]
    five_bet = node_after(tree, [300, 900, 2700])  # the preflop list has three entries: only the all-in is left
    assert _actions(tree, five_bet) == [FOLD, CALL, 20000]
    shove = node_after(tree, [300, 900, 2700, 20000])
    assert tree.num_children[shove] == 2
    assert tree.kind[node_after(tree, [300, 900, 2700, 20000, CALL])] == SHOWDOWN
    flop = node_after(tree, [300, CALL])
    assert tree.round[flop] == 1 and tree.player[flop] == 0
    # flop bets: half pot and pot of 600 over a 300 contribution, then all-in
    assert _actions(tree, flop) == [CALL, 600, 900, 20000]
    assert node_after(tree, [300, 777]) == NO_NODE


def test_small_raises_are_lifted_to_the_minimum() -> None:
    actions = ActionAbstraction(preflop=((0.1,),), flop=((0.1,),), turn=(), river=())
    tree = build_tree(NoLimitRules(), actions, (1, 1, 1, 1))
    first = _actions(tree, 0)
    assert first == [FOLD, CALL, 200, 20000]


def test_table_layout() -> None:
    buckets = (169, 7, 5, 3)
    tree = build_tree(RULES, SMALL, buckets)
    decision = tree.kind == DECISION
    sizes = tree.num_children[decision].astype(np.int64) * np.asarray(buckets)[tree.round[decision]]
    assert int(tree.num_slots[0]) == sizes.sum()
    slots = tree.slot[decision]
    assert slots[0] == 0 and np.all(np.diff(slots) == sizes[:-1])
    assert np.all(tree.slot[~decision] == -1)


@pytest.mark.parametrize("bad", [dict(preflop=((0.0,),)), dict(flop=((-1.0, 1.0),)), dict(river=((101.0,),))])
def test_bad_abstraction_is_refused(bad: dict) -> None:
    with pytest.raises(AbstractionError, match="pot fractions"):
        ActionAbstraction(**bad)
