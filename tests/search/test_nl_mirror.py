"""The blueprint on real cards: action translation, ranges along a history, the mirrored subtree, the
blueprint value of one pair of hands, and the equity of a hand against a range."""
from __future__ import annotations

import numpy as np
import pytest

from games.poker.base import CALL, FOLD
from search.cfr import nl_resolve_kernels as K
from search.cfr.abstraction import COMBOS, combo_index
from search.cfr.equity import strengths
from search.cfr.nl_betting import Betting
from search.cfr.nl_blueprint import load_blueprint
from search.cfr.nl_buckets import all_buckets
from search.cfr.nl_config import deal_source
from search.cfr.nl_hands import HoldemHands
from search.cfr.nl_mirror import blueprint_ranges, mirror
from search.cfr.nl_translate import pseudo_harmonic, translate, walk_history
from search.cfr.nl_tree import node_after
from search.cfr.nl_value import pair_value
from search.cfr.range_equity import equity
from tests.nolimit_blueprints import STRENGTH_CONFIG, strength_blueprint

RULES = STRENGTH_CONFIG.rules()


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


@pytest.fixture(scope="module")
def blueprint():  # noqa: ANN201
    return load_blueprint(strength_blueprint())


def nearest(blueprint):  # noqa: ANN001, ANN201
    return lambda node, betting, action, key: translate(blueprint.tree, node, betting, action, RULES.stack)


def test_pseudo_harmonic_mapping() -> None:
    assert pseudo_harmonic(0.5, 1.0, 0.5) == 1.0 and pseudo_harmonic(0.5, 1.0, 1.0) == 0.0
    assert pseudo_harmonic(0.5, 1.0, 0.75) == pytest.approx(0.25 * 1.5 / (0.5 * 1.75))
    assert pseudo_harmonic(0.0, 1.0, 0.5) == pytest.approx(1 / 3)  # Ganzfried & Sandholm's example


def test_translation_of_real_actions(blueprint) -> None:  # noqa: ANN001
    tree = blueprint.tree
    root = Betting(0, RULES.blinds, 2 * RULES.big_blind)  # the small blind acts: fold, call, pot (300), all-in
    actions = [int(tree.action[tree.children[0, s]]) for s in range(int(tree.num_children[0]))]
    assert actions == [FOLD, CALL, 300, RULES.stack]
    assert [translate(tree, 0, root, a, RULES.stack) for a in (FOLD, CALL, 300, RULES.stack)] == [0, 1, 2, 3]
    assert translate(tree, 0, root, 200, RULES.stack) == 2  # below the smallest raise: the smallest
    assert translate(tree, 0, root, 3500, RULES.stack) == 3  # close to all-in (fraction 17 vs 19.5 pots)
    # between pot (fraction 1) and all-in (fraction 19.5): the draw decides with the pseudo-harmonic probability
    x = (1000 - 100) / 200
    p = pseudo_harmonic(1.0, (RULES.stack - 100) / 200, x)
    assert translate(tree, 0, root, 1000, RULES.stack, u=p - 1e-9) == 2
    assert translate(tree, 0, root, 1000, RULES.stack, u=p + 1e-9) == 3
    assert p < 0.5  # nearer to all-in in the pseudo-harmonic sense: the abstract hand ends at the call
    _, node, betting = walk_history(tree, RULES, [[1000, 1]], nearest(blueprint))
    assert node == -1 and betting is not None and betting.round == 1 and betting.spent == (1000, 1000)
    steps, node, betting = walk_history(tree, RULES, [[400, 1]], nearest(blueprint))
    assert node == node_after(tree, [300, 1]) and betting.spent == (400, 400)  # the real chips, not the abstract
    assert [(s.player, s.round) for s in steps] == [(1, 0), (0, 0)]


def test_ranges_follow_the_blueprint_by_bayes(blueprint) -> None:  # noqa: ANN001
    source = deal_source(STRENGTH_CONFIG)
    board = (4, 9, 27)
    steps, node, _ = walk_history(blueprint.tree, RULES, [[1, 1], [1]], nearest(blueprint))
    ranges = blueprint_ranges(blueprint, source, steps, board)
    h = combo_index(50, 51)
    pre, flop = all_buckets(source, 0, ())[h], all_buckets(source, 1, board)[h]
    want1 = blueprint.action_probs(0, pre)[1]  # the small blind limps (slot 1 after fold)
    want0 = blueprint.action_probs(node_after(blueprint.tree, [1]), pre)[0] * \
        blueprint.action_probs(node_after(blueprint.tree, [1, 1]), flop)[0]  # checks (slot 0: nothing to fold to)
    assert ranges[1, h] == pytest.approx(want1) and ranges[0, h] == pytest.approx(want0)
    assert (ranges[:, np.isin(COMBOS, board).any(axis=1)] == 0).all()


@pytest.mark.parametrize("street", [2, 3])
def test_pair_value_equals_the_mirrored_blueprint(blueprint, street: int) -> None:  # noqa: ANN001
    source = deal_source(STRENGTH_CONFIG)
    board = (2, 17, 30, 41, 51)[: street + 2]
    sequences = [[1, 1], [1, 1], [1, 1], []][: street] + [[]]
    _, node, betting = walk_history(blueprint.tree, RULES, sequences, nearest(blueprint))
    holes = ((0, 13), (25, 44))
    hands = HoldemHands(board)
    ts = mirror(blueprint, source, node, betting, hands, np.ones((2, 1326)))
    reach = np.zeros((2, hands.num_hands))
    mine, theirs = (int(np.searchsorted(hands.combos, combo_index(*h))) for h in holes)
    reach[0, mine] = reach[1, theirs] = 1.0
    kernel = ts.values(0, 0, K.EV, reach=reach)[mine]
    assert pair_value(blueprint, source, node, betting, board, holes) == pytest.approx(kernel, rel=1e-9, abs=1e-9)


def test_equity_against_a_range() -> None:
    board = (2, 17, 30, 41, 51)
    uniform = np.ones(1326)
    s = strengths(board)
    for a, b in ((0, 13), (48, 49), (5, 9)):
        assert equity((a, b), board, uniform) == pytest.approx(s[combo_index(a, b)])
    aces = np.zeros(1326)
    aces[[combo_index(48, 49), combo_index(48, 50)]] = 1.0
    turn = board[:4]
    runs = np.array([_versus((0, 1), turn + (c,), aces) for c in range(52) if c not in turn + (0, 1)])
    assert equity((0, 1), turn, aces) == pytest.approx(runs[:, 0].sum() / runs[:, 1].sum())  # (river, hand) pairs
    assert equity((48, 49), (), np.ones(1326), runouts=200) == pytest.approx(0.85, abs=0.05)


def _versus(hole: tuple[int, int], board: tuple[int, ...], weights: np.ndarray) -> tuple[float, float]:
    """(weighted wins + ties / 2, weight) of ``hole`` against the combos that avoid its cards and ``board``."""
    from games.poker.hand_eval import hand_value

    mine = hand_value(list(hole) + list(board))
    won = total = 0.0
    for i in np.flatnonzero(weights):
        if set(COMBOS[i]) & (set(hole) | set(board)):
            continue
        theirs = hand_value(list(COMBOS[i]) + list(board))
        won += weights[i] * (1.0 if mine > theirs else 0.5 if mine == theirs else 0.0)
        total += weights[i]
    return won, total
