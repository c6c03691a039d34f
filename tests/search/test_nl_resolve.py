"""The real-card subgame solver: kernels against a pair-by-pair oracle, exact exploitability of the Kuhn-card
game, the safe gadget's guarantee (one re-solve and nested re-solves), and safety with real cards."""
from __future__ import annotations

import numpy as np
import pytest

from games.poker.hand_eval import hand_value
from games.poker.nolimit_rules import NoLimitRules
from search.cfr import nl_resolve_kernels as K
from search.cfr.nl_betting import Betting, abstraction_children, grow
from search.cfr.nl_blueprint import load_blueprint
from search.cfr.nl_eval import KuhnDeals, exploitability
from search.cfr.nl_hands import HoldemHands, KuhnHands
from search.cfr.nl_mirror import blueprint_ranges, mirror
from search.cfr.nl_nested import ACTION, ResolveSettings, resolve, state_at
from search.cfr.nl_resolve import SolverConfig, TreeStrategy, identity_rows, pair_mass, solve
from search.cfr.nl_solve_tree import CHANCE, TAKE, expand
from search.cfr.nl_translate import translate, walk_history
from search.cfr.nl_tree import DECISION, FOLD_END, ActionAbstraction
from tests.nolimit_blueprints import KUHN_CONFIG, kuhn_blueprint

RULES = NoLimitRules(stack=1000, small_blind=50, big_blind=100)


pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py


def oracle(ts: TreeStrategy, node: int, reach: np.ndarray, p: int, mode: int, switch: dict | None = None,
           alt: np.ndarray | None = None, hands: list[int] | None = None) -> np.ndarray:
    """``p``'s counterfactual values at ``node`` summed pair by pair (hand values from the evaluator), with
    ``switch[(id(ts), node)] = (other strategy, its node)`` composing strategies; only ``hands`` (default:
    all) get their values."""
    switch = switch or {}
    if (id(ts), node) in switch:
        other, at = switch[(id(ts), node)]
        return oracle(other, at, reach, p, mode, switch, alt, hands)
    sub, t = ts.subgame, ts.tree
    cards = sub.hands.cards
    h_count = reach.shape[1]
    kind = int(t.kind[node])
    if kind == TAKE:
        return alt.copy() if t.player[t.parent[node]] == p else np.zeros(h_count)
    if kind == CHANCE:
        out = np.zeros(h_count)
        for s in range(int(t.num_children[node])):
            c = int(t.children[node, s])
            valid = sub.boards.valid[t.board[c]]
            out += t.chance_weight[node] * valid * oracle(ts, c, reach * valid, p, mode, switch, alt, hands)
        return out
    if kind != DECISION:
        board = sub.board_cards[t.board[node]]
        mine = [h for h in (range(h_count) if hands is None else hands) if not set(cards[h]) & set(board)]
        theirs = np.flatnonzero(reach[1 - p] > 0)
        value = np.zeros(h_count, dtype=np.int64)
        for h in set(mine) | set(theirs.tolist()):
            value[h] = h if isinstance(sub.hands, KuhnHands) else (
                hand_value(list(cards[h]) + list(board)) if kind != FOLD_END and len(board) == 5 else 0)
        out = np.zeros(h_count)
        for h in mine:
            for o in theirs:
                if set(cards[h]) & set(cards[o]):
                    continue
                if kind == FOLD_END:
                    u = -t.spent[node, p] if t.folder[node] == p else t.spent[node, 1 - p]
                else:
                    u = t.spent[node, p] * np.sign(value[h] - value[o])
                out[h] += reach[1 - p, o] * u
        return out
    q = int(t.player[node])
    sigma = ts.strategy_at(node)
    values = []
    for a in range(int(t.num_children[node])):
        r = reach.copy()
        r[q] = r[q] * sigma[:, a]
        values.append(oracle(ts, int(t.children[node, a]), r, p, mode, switch, alt, hands))
    values = np.array(values)
    if q != p:
        return values.sum(axis=0)
    return values.max(axis=0) if mode == K.BR else (sigma.T * values).sum(axis=0)


def random_strategy(sub, rng: np.random.Generator) -> TreeStrategy:  # noqa: ANN001
    """A random strategy on ``sub`` (action-major rows of hands) with random ranges on a few hands."""
    offsets = sub.offsets()
    base, h = offsets[:-1], sub.hands.num_hands
    table = np.zeros(int(offsets[-1]), dtype=np.float32)
    for n in np.flatnonzero(sub.tree.kind == DECISION):
        k = int(sub.tree.num_children[n])
        x = rng.random((k, h))
        table[base[n]: base[n] + k * h] = (x / x.sum(axis=0)).ravel()
    return TreeStrategy(sub, table, base, np.full(base.shape[0], h), identity_rows(sub), 0, np.zeros((2, h)))


def _tree(betting: Betting, board: tuple[int, ...], actions: ActionAbstraction):
    nodes, kids = grow(betting, RULES, abstraction_children(actions, RULES))
    return expand(nodes, kids, HoldemHands(board))


@pytest.mark.parametrize("street", ["river", "turn"])
def test_kernel_values_equal_the_pair_oracle(street: str) -> None:
    rng = np.random.default_rng(3)
    if street == "river":
        sub = _tree(Betting(3, (200, 200), 300), (0, 5, 10, 20, 33), ActionAbstraction(river=((0.5, 1.0), (1.0,))))
        hands = 25
    else:
        sub = _tree(Betting(2, (300, 300), 400), (0, 5, 10, 20), ActionAbstraction(turn=((1.0,),), river=((1.0,),)))
        hands = 8
    assert (sub.tree.kind == CHANCE).any() == (street == "turn")
    ts = random_strategy(sub, rng)
    reach = np.zeros((2, sub.hands.num_hands))
    for q in range(2):
        reach[q, rng.choice(sub.hands.num_hands, hands, replace=False)] = rng.random(hands)
    some = sorted(set(np.flatnonzero(reach.sum(axis=0) > 0).tolist()) | set(range(0, sub.hands.num_hands, 97)))
    for p in range(2):
        for mode in (K.EV, K.BR):
            got = ts.values(0, p, mode, reach=reach)
            want = oracle(ts, 0, reach, p, mode, hands=some)
            np.testing.assert_allclose(got[some], want[some], rtol=1e-9, atol=1e-9)


def kuhn_setup() -> tuple:
    blueprint = load_blueprint(kuhn_blueprint())
    rules = KUHN_CONFIG.rules()
    hands = KuhnHands(4)
    root = Betting(0, rules.blinds, 2 * rules.big_blind)
    full = mirror(blueprint, KuhnDeals(4), 0, root, hands, np.ones((2, 4)))
    return blueprint, rules, hands, full


def kuhn_exploitability(full: TreeStrategy, switch: dict | None = None) -> float:
    reach = np.ones((2, 4))
    mass = pair_mass(reach, full.subgame.hands.cards, full.subgame.hands.num_card_ids)
    return sum(float(oracle(full, 0, reach, p, K.BR, switch) @ reach[p]) for p in range(2)) / mass / 2


def test_mirrored_blueprint_has_the_exact_exploitability() -> None:
    blueprint, _, hands, full = kuhn_setup()
    exact = exploitability(blueprint.tree, blueprint.strategy, *KuhnDeals(4).enumerate())
    reach = np.ones((2, 4))
    mass = pair_mass(reach, hands.cards, hands.num_card_ids)
    kernel = sum(float(full.values(0, p, K.BR) @ reach[p]) for p in range(2)) / mass / 2
    assert kernel == pytest.approx(exact, rel=1e-9) and kuhn_exploitability(full) == pytest.approx(exact, rel=1e-9)
    assert exact > 0.1  # weak enough for re-solving to have room


SETTINGS = dict(flop=((0.5, 1.0),), turn=((0.5, 1.0),), river=((0.5, 1.0),), later=((1.0,),), gadget_floor=1.0)


def test_safe_resolving_never_raises_exploitability_and_nests() -> None:
    _, rules, hands, full = kuhn_setup()
    before = kuhn_exploitability(full)
    events = ((ACTION, 1), (ACTION, 1))  # the small blind limps, the big blind checks: the flop starts
    node = full.child(full.child(0, 1), 1)
    solver = SolverConfig(iterations=400, seconds=0, threads=1)
    settings = ResolveSettings(solver=solver, **SETTINGS)  # type: ignore[arg-type]
    ranges, alt = state_at(full, events, opponent=1)
    first = resolve(rules, Betting(1, (2, 2), 4), hands, ranges, alt, settings)
    entered = first.values(first.root, 1, K.BR)
    assert np.max(entered - alt / ranges[0].sum()) < 1e-3 * rules.stack  # the gadget's guarantee, per hand
    switch = {(id(full), node): (first, first.root)}
    once = kuhn_exploitability(full, switch)
    assert once <= before + 1e-9
    # nested: player 0 bets the pot, player 1 calls; on the turn player 0 re-solves from the first solution
    bet = int(first.tree.action[first.tree.children[first.root, 2]])
    events2 = ((ACTION, bet), (ACTION, 1))
    turn = first.child(first.child(first.root, bet), 1)
    ranges2, alt2 = state_at(first, events2, opponent=1)
    second = resolve(rules, Betting(2, (bet, bet), bet + 2), hands, ranges2, alt2, settings)
    switch[(id(first), turn)] = (second, second.root)
    twice = kuhn_exploitability(full, switch)
    assert twice <= once + 1e-3 and twice <= before
    unsafe = resolve(rules, Betting(1, (2, 2), 4), hands, ranges, alt, ResolveSettings(
        solver=SolverConfig(iterations=400, seconds=0, threads=1), safe=False, **SETTINGS))  # type: ignore[arg-type]
    assert unsafe.subgame.gadget_player == -1 and first.subgame.gadget_player == 1


def test_gadget_is_safe_with_real_cards() -> None:
    from tests.nolimit_blueprints import STRENGTH_CONFIG, strength_blueprint
    from search.cfr.nl_config import deal_source

    blueprint = load_blueprint(strength_blueprint())
    source = deal_source(STRENGTH_CONFIG)
    rules = STRENGTH_CONFIG.rules()
    board = (2, 17, 30, 41, 51)
    sequences = [[1, 1], [1, 1], [1, 1], []]  # limp, check, checks to the river
    steps, node, betting = walk_history(blueprint.tree, rules, sequences,
                                        lambda n, b, a, k: translate(blueprint.tree, n, b, a, rules.stack))
    ranges = blueprint_ranges(blueprint, source, steps, board)
    prev = mirror(blueprint, source, node, betting, HoldemHands(board), ranges)
    ranges_now, alt = state_at(prev, (), opponent=1)
    settings = ResolveSettings(solver=SolverConfig(iterations=300, seconds=0, threads=1), gadget_floor=0.2)
    solution = resolve(rules, betting, HoldemHands(board), ranges_now, alt, settings)
    total = ranges_now[0].sum()
    entered = solution.values(solution.root, 1, K.BR)
    local_alt = alt[solution.subgame.hands.combos] / total
    assert np.max(entered - local_alt) < 0.02 * float(sum(betting.spent))
    assert solution.iterations == 300 and solution.strategy_at(solution.root).sum(axis=1) == pytest.approx(1.0)


def test_chance_sampling_scales_the_drawn_cards() -> None:
    from search.cfr.nl_resolve import _ChanceSampler

    sub = _tree(Betting(2, (300, 300), 400), (0, 5, 10, 20), ActionAbstraction(turn=((1.0,),), river=((1.0,),)))
    sampler = _ChanceSampler(sub, 6, seed=0)
    scale = sampler.draw()
    drawn = np.unique(sub.tree.action[sub.segments.start[scale > 0]])
    assert drawn.shape[0] == 6 and set(np.unique(scale)) == {0.0, 48 / 6}
    solution = solve(sub, np.ones((2, sub.hands.num_hands)), SolverConfig(iterations=3, seconds=0, chance_samples=6))
    assert solution.strategy_at(0).sum(axis=1) == pytest.approx(1.0, abs=1e-5)
