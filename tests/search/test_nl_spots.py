"""The safe gadget with an estimate weight, and single decisions re-solved and scored exactly against the
blueprint (:mod:`search.cfr.nl_spots`)."""
from __future__ import annotations

import numpy as np
import pytest

from search.cfr import nl_resolve_kernels as K
from search.cfr.nl_blueprint import load_blueprint
from search.cfr.nl_config import deal_source
from search.cfr.nl_hands import HoldemHands
from search.cfr.nl_mirror import blueprint_ranges
from search.cfr.nl_resolve import SolverConfig, average_table, evaluate, identity_rows, solve
from search.cfr.nl_solve_tree import expand
from search.cfr.nl_spots import Mode, _as_strategy, _identity_layout, evaluate_spot, expected, \
    hand_table, make_spot, score, solve_spot
from search.cfr.nl_resolve import TreeStrategy
from search.cfr.nl_translate import translate, walk_history
from tests.nolimit_blueprints import STRENGTH_CONFIG, strength_blueprint

pytestmark = pytest.mark.usefixtures("one_numba_thread")  # tests/conftest.py

RULES = STRENGTH_CONFIG.rules()
BOARD = (2, 17, 30, 41, 51)


@pytest.fixture(scope="module")
def spot():  # noqa: ANN201
    """The river after limp, check, check, check: the big blind (player 0) acts first."""
    blueprint = load_blueprint(strength_blueprint())
    source = deal_source(STRENGTH_CONFIG)
    steps, node, betting = walk_history(blueprint.tree, RULES, [[1, 1], [1, 1], [1, 1], []],
                                        lambda n, b, a, k: translate(blueprint.tree, n, b, a, RULES.stack))
    ranges = blueprint_ranges(blueprint, source, steps, BOARD)
    found = make_spot(blueprint, source, node, betting, HoldemHands(BOARD), ranges)
    assert found is not None and found.player == 0
    return found


def kernel_gadget_solve(sub, weights: np.ndarray, alt: np.ndarray, iterations: int) -> np.ndarray:  # noqa: ANN001
    """The gadget walked inside the kernels (its TAKE/ENTER node at the root of the pass): the reference."""
    offsets = sub.offsets()
    base = offsets[:-1]
    stride = np.full(base.shape[0], sub.hands.num_hands, dtype=np.int64)
    regrets = np.zeros(int(offsets[-1]), dtype=np.float32)
    sums = np.zeros(int(offsets[-1]), dtype=np.float32)
    config = SolverConfig(iterations=iterations, seconds=0, threads=1)
    for t in range(1, iterations + 1):
        pos = t ** config.alpha / (t ** config.alpha + 1.0)
        neg = t ** config.beta / (t ** config.beta + 1.0)
        for p in range(2):
            evaluate(sub, 0, weights, p, K.CFR, regrets, base, stride, identity_rows(sub), sums, pos, neg,
                     float(t) ** config.gamma, alt, 1)
    return average_table(sub, base, sums)


def test_gadget_without_estimate_is_the_kernel_gadget(spot) -> None:  # noqa: ANN001
    bp = spot.blueprint
    opp = 1 - spot.player
    nodes, kids = spot.template
    sub = expand(nodes, kids, bp.subgame.hands, gadget_player=opp)
    reach = bp.root_reach
    alt = bp.values(0, opp, K.BR, reach=reach)
    weights = reach.copy()
    weights[opp] = 0.1 + 0.9 * reach[opp] / reach[opp].max()
    want = kernel_gadget_solve(sub, weights, alt, 60)
    got = solve(sub, weights, SolverConfig(iterations=60, seconds=0, threads=1), alt=alt, ranges=reach)
    assert np.allclose(got.table, want, atol=1e-6)
    # a weight on the estimate changes the answer; a huge one is the unsafe solve from the ranges
    leaning = solve(sub, weights, SolverConfig(iterations=60, seconds=0, threads=1), alt=alt, ranges=reach,
                    estimate=0.05)
    assert not np.allclose(leaning.table, want, atol=1e-3)
    # (over a few iterations, as float32 rounding at another scale grows along the iterations; and up to the
    # gadget's floor, which still weighs the hands the range all but excludes)
    huge = solve(sub, weights, SolverConfig(iterations=3, seconds=0, threads=1), alt=alt, ranges=reach,
                 estimate=1e9)
    unsafe = solve(bp.subgame, reach, SolverConfig(iterations=3, seconds=0, threads=1))
    assert np.allclose(huge.strategy_at(2), unsafe.strategy_at(0), atol=1e-3)


def test_blueprint_tables_keep_their_values(spot) -> None:  # noqa: ANN001
    bp = spot.blueprint
    layout = TreeStrategy(bp.subgame, np.zeros(1, dtype=np.float32), *_identity_layout(bp))
    per_hand = _as_strategy(layout, hand_table(bp, layout))
    for p in range(2):
        for mode in (K.EV, K.BR):
            assert expected(per_hand, 0, p, mode, bp.root_reach) == pytest.approx(
                expected(bp, 0, p, mode, bp.root_reach), abs=1e-4)
    # the subgame is zero-sum from the root's contributions: both players' values add to nothing
    assert expected(per_hand, 0, 0, K.EV, bp.root_reach) + expected(per_hand, 0, 1, K.EV, bp.root_reach) == \
        pytest.approx(0.0, abs=1e-3)


def test_spots_score_the_solutions(spot) -> None:  # noqa: ANN001
    config = SolverConfig(iterations=300, seconds=0, threads=1)
    unsafe = evaluate_spot(spot, Mode(safe=False), config)
    gadget = evaluate_spot(spot, Mode(safe=True, estimate=0.0, floor=0.2), config)
    pot = spot.pot
    # solved from the true ranges, the subgame's near-equilibrium is less exploitable than the blueprint
    assert unsafe.exploit_solution < unsafe.exploit_blueprint
    assert gadget.exploit_blueprint == pytest.approx(unsafe.exploit_blueprint)
    # the gadget keeps every opponent hand (in the range or not) near or below its alternative
    assert gadget.max_excess < 0.02 * pot and gadget.share_over <= 0.05
    # scored as the searcher's "solution", the blueprint itself gains nothing and is exactly as safe as itself
    itself = score(spot, spot.blueprint, "blueprint")
    assert itself.gain == pytest.approx(0.0, abs=1e-6 * pot) and abs(itself.max_excess) < 1e-6 * pot
    assert itself.exploit_solution == pytest.approx(itself.exploit_blueprint, abs=1e-6 * pot)
    assert unsafe.iterations == 300 and solve_spot(spot, Mode(safe=False), config).subgame is spot.blueprint.subgame
