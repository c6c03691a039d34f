"""Nested safe subgame solving (Brown & Sandholm 2017) on real cards: one re-solve from the previous solution.

At each of its decisions the searching player re-solves the rest of the hand from the current state. The
*previous solution* (the last subgame solved this hand, or the blueprint mirrored onto real cards at the
start of the street, :mod:`search.cfr.nl_mirror`) is walked along the public events since its root (both
players' actions, the cards dealt), which gives:

* both ranges at the current state, by Bayes' rule through the previous solution's strategies;
* the opponent's best-response counterfactual values there against the searcher's previous strategy
  (the *alternatives*): what the opponent could already get.

The new subgame (:func:`~search.cfr.nl_betting.subgame_abstraction`: finer raises in the current round,
coarser ones after) is solved under Burch et al.'s re-solve gadget: the opponent first picks, per hand,
between its alternative value and entering the subgame. Whatever the solver returns, a best-responding
opponent who enters gets at most its alternative plus the solver's gap, so (with enough iterations) the
searcher is never more exploitable than with its previous strategy. Following Brown & Sandholm, the
opponent's hands at the gadget are weighted by their estimated range (plus a floor ``gadget_floor`` of the
most likely hand's weight), which keeps the guarantee for every hand with positive weight and spends the
iterations where the opponent really is.

An opponent raise that is not in the previous solution's tree (*off-tree*) is not translated: the new
subgame simply starts after it (its size is part of the root state), the opponent's range is its range
before the raise weighted by its strategy for the nearest raise in the tree, and its alternatives are its
best-response values at the decision where it raised: the best any action in the tree would have given it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from games.poker.base import CALL
from games.poker.nolimit_rules import BOARD_CARDS_BY_ROUND, NoLimitRules
from search.cfr import nl_resolve_kernels as K
from search.cfr.nl_betting import Betting, abstraction_children, grow, raise_to_fraction, subgame_abstraction
from search.cfr.nl_hands import HandModel, to_global, to_local
from search.cfr.nl_resolve import SolverConfig, TreeStrategy, solve
from search.cfr.nl_solve_tree import CHANCE, expand
from search.cfr.nl_tree import DECISION, NO_NODE, SHOWDOWN, ActionAbstraction

ACTION, CARD = 0, 1
"""Kinds of public events."""
Event = tuple[int, int]
"""(ACTION, action) or (CARD, card)."""


class ResolveError(ValueError):
    """The public events do not fit the previous solution's tree."""


class SubgameTooLargeError(ValueError):
    """The expanded subgame would have more nodes than ``ResolveSettings.max_nodes``."""


def expanded_size(nodes: list, board: tuple[int, ...], deals: bool) -> int:
    """Nodes of a template once every card to come is dealt (chance nodes not counted)."""
    if not deals:
        return len(nodes)
    root = BOARD_CARDS_BY_ROUND[nodes[0].round]
    total = 0
    for node in nodes:
        target = 5 if node.kind == SHOWDOWN else BOARD_CARDS_BY_ROUND[node.round]
        copies = 1
        for i in range(max(target - max(root, len(board)), 0)):
            copies *= 52 - len(board) - i
        total += copies
    return total


def public_events(sequences: list[list[int]], board: tuple[int, ...] | list[int]) -> tuple[Event, ...]:
    """Every public event of a hand in order: round 0's actions, the flop, round 1's actions, ..."""
    out: list[Event] = []
    for rnd, seq in enumerate(sequences):
        if rnd > 0:
            out += [(CARD, int(c)) for c in board[BOARD_CARDS_BY_ROUND[rnd - 1]:BOARD_CARDS_BY_ROUND[rnd]]]
        out += [(ACTION, int(a)) for a in seq]
    return tuple(out)


@dataclass(frozen=True)
class ResolveSettings:
    """How each decision is re-solved."""

    flop: tuple[tuple[float, ...], ...] = ((0.33, 0.67, 1.0), (1.0,))
    """Pot fractions of the raises (by raises made in the round) when re-solving on the flop."""
    turn: tuple[tuple[float, ...], ...] = ((0.33, 0.67, 1.0), (1.0,))
    """... on the turn (the blueprint's default: 0.5 and 1 pot, then pot)."""
    river: tuple[tuple[float, ...], ...] = ((0.25, 0.5, 0.75, 1.0, 1.5), (0.67, 1.0), (1.0,))
    """... on the river."""
    later: tuple[tuple[float, ...], ...] = ((1.0,),)
    """Pot fractions in the rounds after the current one (then all-in only)."""
    solver: SolverConfig = field(default_factory=lambda: SolverConfig(chance_samples=12))
    """Budget and DCFR parameters of each solve."""
    safe: bool = True
    """Solve under the re-solve gadget (else from both estimated ranges, no guarantee)."""
    gadget_floor: float = 0.1
    """Gadget weight of an opponent hand: ``floor + (1 - floor) * range / max range`` (1 = Burch's gadget)."""
    estimate: float = 0.05
    """Weight of the opponent's estimated range (scaled to a largest weight of 1) entering the subgame beside
    the gadget's hands (weights in [gadget_floor, 1]); 0 = the gadget alone. On exact river spots
    (``python -m benchmarks.poker spots``) the gadget alone settled on safe strategies that lost to the
    blueprint they replaced; 0.05 kept each opponent hand below its alternative as well and played better."""
    abstraction: ActionAbstraction | None = None
    """When set, every round of the subgame uses exactly this action abstraction instead of the lists above
    (``sizes=blueprint``: the blueprint's own, so the opponent's blueprint never translates the searcher's
    raises)."""
    max_nodes: int = 400_000
    """Largest expanded subgame solved (a flop subgame with the default raises is far larger: then the
    searcher keeps its previous strategy)."""

    def __post_init__(self) -> None:
        if not 0.0 < self.gadget_floor <= 1.0:
            raise ValueError(f"gadget_floor must lie in (0, 1], got {self.gadget_floor}")
        if not self.estimate >= 0.0 or not np.isfinite(self.estimate):
            raise ValueError(f"estimate must be a finite number >= 0, got {self.estimate}")
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be >= 1, got {self.max_nodes}")

    def lists(self, rnd: int) -> tuple[tuple[float, ...], ...]:
        """Raise lists of the current round ``rnd``."""
        return {1: self.flop, 2: self.turn}.get(rnd, self.river)


def locate(prev: TreeStrategy, events: tuple[Event, ...]) -> tuple[int, int | None]:
    """(node reached from ``prev.root`` by ``events``, the final opponent action if it is off the tree —
    the node is then the decision where it was taken — or None)."""
    node = prev.root
    tree = prev.tree
    for i, (kind, value) in enumerate(events):
        if kind == CARD and tree.kind[node] != CHANCE:
            raise ResolveError(f"a card is dealt at node {node}, which is no chance node")
        child = prev.child(node, value)
        if child == NO_NODE:
            if kind == ACTION and tree.kind[node] == DECISION and i == len(events) - 1 and value > CALL:
                return node, value
            raise ResolveError(f"event {i} ({'card' if kind else 'action'} {value}) is not in the previous tree")
        node = child
    return node, None


def nearest_raise(prev: TreeStrategy, node: int, action: int) -> int:
    """Slot of the raise at ``node`` whose pot fraction is closest to real raise ``action``'s."""
    tree = prev.tree
    m = float(tree.spent[node].max())
    x = raise_to_fraction(action, int(m))
    best, slot = np.inf, int(tree.num_children[node]) - 1
    for s in range(int(tree.num_children[node])):
        a = int(tree.action[tree.children[node, s]])
        if a > CALL and abs(raise_to_fraction(a, int(m)) - x) < best:
            best, slot = abs(raise_to_fraction(a, int(m)) - x), s
    return slot


def state_at(prev: TreeStrategy, events: tuple[Event, ...], opponent: int,
             threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """(both ranges [2, G] and the opponent's alternatives [G], model-wide hands) at the end of ``events``."""
    node, off = locate(prev, events)
    reach = prev.reach_at(node)
    if off is not None:
        weight = prev.strategy_at(node)[:, nearest_raise(prev, node, off)]
        guess = reach[opponent] * weight
        if guess.sum() > 1e-9 * reach[opponent].sum():
            reach[opponent] = guess
    alt = prev.values(node, opponent, K.BR, reach=prev.reach_at(node), threads=threads)
    hands = prev.subgame.hands
    return np.stack([to_global(hands, reach[0]), to_global(hands, reach[1])]), to_global(hands, alt)


def resolve(rules: NoLimitRules, betting: Betting, hands: HandModel, ranges: np.ndarray, alt: np.ndarray | None,
            settings: ResolveSettings, seconds_left: float | None = None) -> TreeStrategy:
    """Re-solve from ``betting`` (a decision of the searcher) with both ranges ``[2, G]`` and, for a safe
    solve, the opponent's alternatives ``alt [G]`` (model-wide hands); returns the solution. A time budget
    (``seconds_left``) covers building the subgame too: DCFR gets what is left of it."""
    deadline = None if seconds_left is None else time.perf_counter() + seconds_left
    me = betting.player
    opp = 1 - me
    local = np.stack([to_local(hands, ranges[0]), to_local(hands, ranges[1])])
    for q in range(2):
        total = local[q].sum()
        if total <= 0.0:  # an impossible range (a translated path the blueprint never takes): start uniform
            local[q] = 1.0
            total = float(hands.num_hands)
        local[q] /= total
        if q == me and alt is not None:
            alt = to_local(hands, alt) / total
    abstraction = settings.abstraction or subgame_abstraction(betting.round, settings.lists(betting.round),
                                                              settings.later)
    nodes, kids = grow(betting, rules, abstraction_children(abstraction, rules))
    size = expanded_size(nodes, tuple(hands.board), bool(hands.next_cards(tuple(hands.board))))
    if size > settings.max_nodes:
        raise SubgameTooLargeError(f"the subgame would have about {size} nodes (max_nodes {settings.max_nodes})")
    config = settings.solver
    if not settings.safe or alt is None:
        return solve(expand(nodes, kids, hands), local, _left(config, deadline))
    sub = expand(nodes, kids, hands, gadget_player=opp)
    gadget = local.copy()
    gadget[opp] = gadget_weights(local[opp], settings.gadget_floor)
    return solve(sub, gadget, _left(config, deadline), alt=alt, ranges=local, estimate=settings.estimate)


def gadget_weights(opponent_range: np.ndarray, floor: float) -> np.ndarray:
    """The opponent's hand weights at the gadget: ``floor + (1 - floor) * range / max(range)``."""
    top = opponent_range.max()
    return floor + (1.0 - floor) * opponent_range / (top if top > 0 else 1.0)


def _left(config: SolverConfig, deadline: float | None) -> SolverConfig:
    """``config`` with its time budget cut to what is left before ``deadline`` (at least 0.05 s)."""
    if deadline is None or not config.seconds:
        return config
    return SolverConfig(**{**config.__dict__, "seconds": max(deadline - time.perf_counter(), 0.05)})
