"""The exact value of re-solving one no-limit decision against the blueprint, over every pair of hands.

A *spot* is a decision reached in play (a public history and a board). The blueprint is mirrored onto real
cards from there (:func:`~search.cfr.nl_mirror.mirror`, both ranges by Bayes' rule), and the searcher's
subgame is solved on that same tree, so the searcher's strategy and the blueprint's answer each other
without action translation. Everything is then computed exactly over both ranges (no hands are sampled):

* **gain**: the searcher's expected chips with its solution minus with the blueprint's strategy, both against
  the blueprint (the head-to-head value of searching at this spot, with no card luck in it);
* **exploitability against the range**: the opponent's best-response expected chips against each strategy,
  with the opponent's range at the spot (how much a player who knew the strategy would win here);
* **safety**: per opponent hand (every hand the board leaves, whatever its weight), its best-response value
  against the solution minus its *alternative*, its best-response value against the blueprint: the safe
  gadget promises that no hand gains (a hand outside the estimated range is where unsafe solving is
  exploited, Brown & Sandholm 2017).

A solve is ``unsafe`` (from both ranges) or ``safe`` under the re-solve gadget with a gadget floor and an
``estimate`` weight (:class:`~search.cfr.nl_resolve._Gadget`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from search.cfr import nl_resolve_kernels as K
from search.cfr.nl_mirror import mirror, mirror_template
from search.cfr.nl_nested import gadget_weights
from search.cfr.nl_resolve import SolverConfig, TreeStrategy, identity_rows, pair_mass, solve
from search.cfr.nl_solve_tree import Subgame, expand
from search.cfr.nl_tree import DECISION

EXCESS_TOLERANCE = 0.01
"""Pots by which a hand's value may exceed its alternative before it counts as over it (a solve of a few
hundred iterations is that far from converged)."""


@dataclass(frozen=True)
class Mode:
    """One way of re-solving a spot."""

    safe: bool
    estimate: float = 0.0
    """With ``safe``: weight of the opponent's estimated range beside the gadget."""
    floor: float = 0.1
    """With ``safe``: the gadget's floor weight."""

    @property
    def name(self) -> str:
        return f"safe(estimate={self.estimate:g})" if self.safe else "unsafe"


@dataclass(frozen=True)
class SpotResult:
    """One mode at one spot; chips unless named in pots."""

    mode: str
    iterations: int
    gain: float
    """Searcher's expected chips with the solution minus with the blueprint, against the blueprint."""
    exploit_blueprint: float
    """Opponent's best-response expected chips against the blueprint's strategy (its range at the spot)."""
    exploit_solution: float
    """... against the solution."""
    max_excess: float
    """Largest (best-response value against the solution - alternative) over the opponent's hands, in chips
    per unit of the searcher's range (the gadget's guarantee is that it is <= 0)."""
    share_over: float
    """Share of the opponent's hands (every hand the board leaves) above their alternative by more than
    :data:`EXCESS_TOLERANCE` pots."""
    seconds: float


@dataclass
class Spot:
    """A decision of the searcher with the blueprint mirrored from there."""

    blueprint: TreeStrategy
    """The mirrored blueprint, rooted at the decision (ranges at its root, summing to 1 each)."""
    template: tuple[list, list[list[int]]]
    """The mirror's betting template (nodes, children), to expand with a gadget."""
    player: int
    """The searcher (the player to act)."""

    @property
    def pot(self) -> float:
        return float(self.blueprint.tree.spent[0].sum())


def make_spot(blueprint, source, node: int, betting, hands, ranges: np.ndarray) -> Spot | None:  # noqa: ANN001
    """The spot at abstract decision ``node`` with real betting ``betting``, ``hands`` of the board and both
    blueprint ranges ``[2, G]``; None when either range is empty (the blueprint never gets there)."""
    strategy = mirror(blueprint, source, node, betting, hands, ranges)
    reach = strategy.root_reach
    if not (reach[0].sum() > 0 and reach[1].sum() > 0):
        return None
    strategy.root_reach = reach / reach.sum(axis=1, keepdims=True)
    return Spot(strategy, mirror_template(blueprint, node, betting), int(betting.player))


def expected(strategy: TreeStrategy, node: int, p: int, mode: int, reach: np.ndarray) -> float:
    """``p``'s expected chips at ``node`` (EV or BR mode) given both ranges ``reach [2, H]`` there."""
    return expectation(strategy, strategy.values(node, p, mode, reach=reach), p, reach)


def expectation(strategy: TreeStrategy, values: np.ndarray, p: int, reach: np.ndarray) -> float:
    """``p``'s counterfactual ``values [H]`` turned into expected chips under both ranges ``reach``."""
    hands = strategy.subgame.hands
    return float(np.dot(reach[p], values)) / pair_mass(reach, hands.cards, hands.num_card_ids)


def hand_table(strategy: TreeStrategy, layout: TreeStrategy, shift: int = 0) -> np.ndarray:
    """``strategy``'s action probabilities in the one-row-per-hand table of ``layout``: node ``n`` of
    ``layout`` reads node ``n + shift`` of ``strategy`` (``shift`` = 2 for a solution with a gadget on top)."""
    tree = layout.tree
    hands = layout.subgame.hands.num_hands
    out = np.zeros(int(layout.subgame.offsets()[-1]), dtype=np.float32)
    for n in np.flatnonzero(tree.kind == DECISION):
        probs = strategy.strategy_at(int(n) + shift)
        for a in range(probs.shape[1]):
            lo = int(layout.base[n]) + a * hands
            out[lo: lo + hands] = probs[:, a]
    return out


def _with_player(table: np.ndarray, other: np.ndarray, like: TreeStrategy, player: int) -> np.ndarray:
    """``other`` with ``player``'s decisions taken from ``table`` (same layout)."""
    out = other.copy()
    tree = like.tree
    hands = like.subgame.hands.num_hands
    for n in np.flatnonzero((tree.kind == DECISION) & (tree.player == player)):
        lo = int(like.base[n])
        out[lo: lo + int(tree.num_children[n]) * hands] = table[lo: lo + int(tree.num_children[n]) * hands]
    return out


def _as_strategy(like: TreeStrategy, table: np.ndarray) -> TreeStrategy:
    return TreeStrategy(like.subgame, table, like.base, like.stride, like.rows, like.root, like.root_reach)


def solve_spot(spot: Spot, mode: Mode, config: SolverConfig) -> TreeStrategy:
    """The searcher's solution at ``spot`` under ``mode`` (on a tree with a gadget on top when safe)."""
    bp = spot.blueprint
    reach = bp.root_reach
    if not mode.safe:
        return solve(bp.subgame, reach, config)
    opp = 1 - spot.player
    nodes, kids = spot.template
    sub: Subgame = expand(nodes, kids, bp.subgame.hands, gadget_player=opp)
    if not (np.array_equal(sub.tree.kind[2:], bp.tree.kind) and np.array_equal(sub.tree.action[3:], bp.tree.action[1:])):
        raise AssertionError("the gadget's subgame is not the mirror's tree below the gadget")
    alt = bp.values(0, opp, K.BR, reach=reach)
    weights = reach.copy()
    weights[opp] = gadget_weights(reach[opp], mode.floor)
    return solve(sub, weights, config, alt=alt, ranges=reach, estimate=mode.estimate)


def evaluate_spot(spot: Spot, mode: Mode, config: SolverConfig) -> SpotResult:
    """Solve ``spot`` under ``mode`` and measure the solution exactly against the blueprint."""
    started = time.perf_counter()
    solution = solve_spot(spot, mode, config)
    return score(spot, solution, mode.name, time.perf_counter() - started)


def score(spot: Spot, solution: TreeStrategy, name: str, seconds: float = 0.0) -> SpotResult:
    """The searcher's ``solution`` at ``spot`` (on the blueprint's tree, or with a gadget on top) measured
    exactly against the blueprint."""
    bp = spot.blueprint
    reach = bp.root_reach
    me, opp = spot.player, 1 - spot.player
    shift = 2 if solution.subgame.gadget_player >= 0 else 0
    # both strategies in one layout: the blueprint's tree (the gadget's tree below the gadget)
    layout = TreeStrategy(bp.subgame, np.zeros(1, dtype=np.float32), *_identity_layout(bp))
    theirs = hand_table(bp, layout)
    mine = hand_table(solution, layout, shift)
    base = expected(_as_strategy(layout, theirs), 0, me, K.EV, reach)
    mixed = expected(_as_strategy(layout, _with_player(mine, theirs, layout, me)), 0, me, K.EV, reach)
    alt = bp.values(0, opp, K.BR, reach=reach)  # the opponent's best response to the blueprint, per hand
    against = _as_strategy(layout, mine).values(0, opp, K.BR, reach=reach)
    exploit_bp, exploit_sol = expectation(bp, alt, opp, reach), expectation(bp, against, opp, reach)
    excess = against - alt
    valid = bp.subgame.boards.valid[int(bp.tree.board[0])] > 0
    scale = spot.pot
    return SpotResult(name, solution.iterations, mixed - base, exploit_bp, exploit_sol,
                      float(excess[valid].max()), float(np.mean(excess[valid] > EXCESS_TOLERANCE * scale)), seconds)


def _identity_layout(like: TreeStrategy) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
    """(base, stride, rows, root, root_reach) of a one-row-per-hand table on ``like``'s subgame."""
    offsets = like.subgame.offsets()
    hands = like.subgame.hands.num_hands
    base = offsets[:-1]
    return base, np.full(base.shape[0], hands, dtype=np.int64), identity_rows(like.subgame), 0, like.root_reach
