"""Limit hold'em: betting tree against the game, card abstraction, sampled CFR, river subgame solving."""
from __future__ import annotations

import numpy as np
import pytest

from games.poker.hand_eval import hand_value
from games.registry import make_game
from search.cfr import kernels as K
from search.cfr.abstraction import (COMBOS, board_values, bucket_of, combo_index, preflop_class,
                                    strength, strengths_on_board)
from search.cfr.holdem_blueprint import HoldemAbstraction, load_or_solve, make_abstraction, solve_blueprint
from search.cfr.holdem_subgame import (TAKE, build_river_subgame, river_values, showdown_margin, solve_river,
                                       unblocked_mass)
from search.cfr.holdem_tree import SHOWDOWN, betting_tree, node_of_sequences
from search.cfr.tree import DECISION, NO_NODE, TERMINAL


def _random_states(count: int, seed: int):
    game = make_game("holdem_limit")
    rng = np.random.default_rng(seed)
    for _ in range(count):
        state = game.new_state()
        while not state.is_terminal():
            if state.is_chance_node():
                actions, probs = state.chance_outcomes()
                state.apply(int(rng.choice(actions, p=probs)))
                continue
            yield state
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
        yield state


def test_betting_tree_follows_the_game() -> None:
    tree = betting_tree()
    assert tree.num_nodes == 16584 and tree.num_decisions == 6378
    for state in _random_states(300, 0):
        node = node_of_sequences(tree, state.sequences)
        assert node != NO_NODE
        if state.is_terminal():
            assert tree.kind[node] == TERMINAL
            c = int(tree.contrib[node].min()) if tree.folder[node] == SHOWDOWN else None
            if c is not None:
                assert abs(state.returns()[0]) in (0.0, float(c))
            else:
                assert abs(state.returns()[0]) == float(tree.contrib[node, tree.folder[node]])
        elif not state.is_chance_node():
            assert tree.kind[node] == DECISION and tree.player[node] == state.current_player
            assert tree.legal_actions(node) == [int(a) for a in state.legal_actions()]
            assert list(tree.contrib[node]) == state.contributions
            assert tree.round[node] == state.round
    root = tree.child(tree.child(0, 1), 1)  # limp, check: the flop's first decision
    assert tree.round[root] == 1 and tree.player[root] == 0
    end = tree.subtree_end(root)
    assert all(tree._is_below(n, root) for n in range(root, end)) and not tree._is_below(end, root)


def test_combos_strengths_and_buckets() -> None:
    assert all(combo_index(a, b) == i and combo_index(b, a) == i for i, (a, b) in enumerate(COMBOS))
    assert len({preflop_class(a, b) for a, b in COMBOS}) == 169
    rng = np.random.default_rng(1)
    board = rng.choice(52, 5, replace=False).astype(np.int64)
    values = board_values(board)
    hs = strengths_on_board(values, COMBOS)
    for i in rng.choice(np.flatnonzero(values >= 0), 5, replace=False):
        a, b = COMBOS[i]
        assert values[i] == hand_value([a, b, *board])
        others = [j for j, (c, d) in enumerate(COMBOS) if values[j] >= 0 and not {c, d} & {a, b}]
        expected = np.mean([1.0 if values[i] > values[j] else 0.5 if values[i] == values[j] else 0.0 for j in others])
        assert hs[i] == pytest.approx(expected) and strength(a, b, board, values, COMBOS) == pytest.approx(expected)
    assert [bucket_of(x, np.array([0.2, 0.5])) for x in (0.1, 0.2, 0.4, 0.9)] == [0, 1, 1, 2]


@pytest.fixture(scope="module")
def abstraction() -> HoldemAbstraction:
    return make_abstraction(4, seed=0, preflop_samples=200, boards_per_round=5)


def test_abstraction_orders_hands(abstraction: HoldemAbstraction) -> None:
    assert abstraction.num_buckets == 4 and np.all(np.diff(abstraction.thresholds, axis=1) > 0)
    aces, seven_two = (48, 49), (20, 1)  # AcAd, 7c2d
    assert abstraction.bucket(aces, []) == 3 and abstraction.bucket(seven_two, []) == 0
    board = [50, 51, 0]  # Ah As 2c: trip aces for AcAd
    assert abstraction.bucket(aces, board) == 3
    buckets = abstraction.combo_buckets(board)
    assert buckets[0, combo_index(*aces)] == 3 and buckets[2, 0] == -1
    assert buckets[1, combo_index(50, 51)] == -1  # uses board cards


def test_sampled_cfr_blueprint_and_cache(tmp_path) -> None:
    tree = betting_tree()
    bp = solve_blueprint(300, num_buckets=3, seed=0)
    s = bp.strategy
    dec = np.flatnonzero(tree.kind == DECISION)
    sums = s[tree.decision_index[dec]].sum(axis=2)
    np.testing.assert_allclose(sums, 1.0, atol=1e-9)
    root = bp.action_probs(0, 2)  # small blind with a strong hand
    assert root.shape == (3,) and root[0] < 0.5  # folds less than half the time
    cached = load_or_solve(tmp_path, 300, 3, 0)
    again = load_or_solve(tmp_path, 300, 3, 0)  # from disk
    np.testing.assert_allclose(again.strategy, cached.strategy, atol=1e-6)
    np.testing.assert_array_equal(again.abstraction.thresholds, cached.abstraction.thresholds)


def test_river_terminal_values_match_brute_force() -> None:
    rng = np.random.default_rng(2)
    board = [int(c) for c in rng.choice(52, 5, replace=False)]
    sub = build_river_subgame(betting_tree(), _river_root(), board)
    num = sub.combos.shape[0]
    assert num == 1081
    reach = rng.random(num)
    margin, mass = np.empty(num), np.empty(num)
    showdown_margin(reach, sub.cards, sub.order, sub.values, margin)
    unblocked_mass(reach, sub.cards, mass)
    for h in rng.choice(num, 25, replace=False):
        free = np.array([not set(sub.cards[o]) & set(sub.cards[h]) for o in range(num)])
        sign = np.sign(sub.values[h] - sub.values)
        assert margin[h] == pytest.approx(float((free * sign * reach).sum()))
        assert mass[h] == pytest.approx(float((free * reach).sum()))


def _river_root() -> int:
    tree = betting_tree()
    node = 0
    for a in (1, 1, 1, 1, 1, 1):  # limp/check through preflop, flop, turn
        node = tree.child(node, a)
    assert tree.round[node] == 3
    return node


def _nash_conv(sub, strategy, reach) -> float:
    n, h = sub.kind.shape[0], sub.combos.shape[0]
    r, v = np.empty((n, 2, h)), np.empty((n, h))
    total = 0.0
    K.forward_reach(sub.kind, sub.player, sub.children, sub.num_children, sub.decision_index, strategy, reach, r)
    for p in (0, 1):
        river_values(sub.kind, sub.player, sub.children, sub.num_children, sub.decision_index, sub.folder, sub.stake,
                     sub.cards, sub.order, sub.values, np.zeros(h), strategy, r, p, True, v)
        total += float((v[0] * reach[p]).sum())
    return total


def test_river_resolving_converges_and_gadget_is_built(tmp_path) -> None:
    tree = betting_tree()
    bp = load_or_solve(tmp_path, 200, 3, 0)
    board = [0, 5, 22, 37, 51]
    seqs = [[1, 1], [1, 1], [1, 1], []]
    conv = []
    for iters in (5, 200):
        sub, strategy = solve_river(bp, tree, seqs, board, iters)
        from search.cfr.holdem_subgame import river_ranges

        reach = river_ranges(bp, tree, seqs, board, sub.combos)
        conv.append(_nash_conv(sub, strategy, reach))
    assert conv[1] < 0.2 * conv[0]
    gsub = build_river_subgame(tree, node_of_sequences(tree, seqs), board, gadget_player=1)
    assert gsub.player[0] == 1 and gsub.folder[1] == TAKE and gsub.kind[2] == DECISION
    _, safe = solve_river(bp, tree, seqs, board, 50, safe=True, defender=0)
    assert np.all(np.abs(safe[sub.decision_index[sub.kind == DECISION]].sum(axis=2) - 1.0) < 1e-9)
    with pytest.raises(ValueError):
        solve_river(bp, tree, [[1, 1], [], [], []], board, 10)
