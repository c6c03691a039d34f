"""Depth-limited subgame re-solving on top of a blueprint, and the strategy it composes to.

Re-solve points are decision nodes with at least ``first`` player actions before them that start a
betting round, lie ``depth`` actions below a round start (``depth > 0``), or any decision node
(``every``: continual re-solving). At a re-solve point the subgame to the depth limit and horizon
(end of the round or of the hand) is solved from both players' ranges (Bayes' rule along the
public path under the strategy actually played), leaves valued by the blueprint. Re-solve points
are handled in node (pre-)order, so parents first; the composed strategy plays each region as last
re-solved, and is the same function of the public tree however an agent meets the nodes.

Safety (``safe=True``): for each player P the candidates are the plain (unsafe) solution, the
max-margin solution (Moravcik et al.; Brown & Sandholm), Burch et al.'s re-solve gadget with the
opponent's current values at the re-solve point as alternatives, and the same gadget with *reach*
alternatives (Brown & Sandholm's reach subgame solving with exact gifts): the opponent may
instead take the best value it can get elsewhere on the path above the re-solve point. Changing
P's strategy below node S changes the opponent's best-response value of hand h at the top of the
game as ``max(C_h, D_h + v_S(h))``, where ``C_h`` (the best upstream alternative, plus sibling values)
and ``D_h`` (sibling values at the path's non-opponent nodes) come from the values along the path;
the reach gadget with alternatives ``C_h - D_h`` minimises exactly the opponent's total. A candidate
is kept only if that total shrinks (we evaluate it on the whole tree, which gives the same number);
the candidate with the smallest total wins, else the strategy stays (counted as ``blueprint``). The composed strategy
is therefore never more exploitable than the blueprint, by construction, whatever the iterations.

Depth-limit leaves are valued by the blueprint's pair values, or, given a leaf function (a value
network over public belief states, or the exact oracle; :mod:`search.cfr.leaf_solve`), from the ranges
reaching them while the subgame is solved. The safety check needs no trust in those values: it
judges every candidate on the whole tree, where the strategy below the leaves is what is currently
composed there (or, with ``lookahead``, what re-solving the next subgames on top of the candidate gives).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from search.cfr import kernels as K
from search.cfr.leaf_solve import LEAF_RANGES, LeafFn, LeafSolveConfig, leaf_nodes, solve_leaf_valued
from search.cfr.solver import ALGORITHMS, CFRConfig, CFRSolver, tree_args, uniform_strategy
from search.cfr.subgame import HORIZONS, Subgame, build_subgame, pair_values, terminate_payoff
from search.cfr.tree import CHANCE, DECISION, PublicTree

Candidate = tuple[Subgame, np.ndarray]
"""A subgame solution: the subgame and its strategy [D, H, A]."""

CANDIDATES = ("unsafe", "max_margin", "gadget", "reach", "reach_max_margin")
"""Subgame solutions a safe re-solve compares (see the module docstring)."""


@dataclass(frozen=True)
class ResolveConfig:
    """How to re-solve subgames."""

    iterations: int = 1000
    """Solver iterations per subgame (0 = play the blueprint)."""
    algo: str = "dcfr"
    """CFR variant for the subgames."""
    depth: int = 0
    """Actions per subgame before a blueprint-valued leaf; 0 = to the horizon."""
    safe: bool = True
    """Keep only subgame strategies that pass the safety check (else the plain solution)."""
    horizon: Literal["round", "game"] = "game"
    """A subgame ends at the end of the betting round (leaves valued by the blueprint) or of the hand."""
    every: bool = False
    """Re-solve at every decision node (continual re-solving), not only at round starts and depth steps."""
    first: int = 1
    """Player actions before the first re-solve point (the blueprint plays the first ``first`` actions;
    with ``horizon="game"`` and ``first=0`` the first subgame is the whole game)."""
    leaf_every: int = 1
    """With a leaf function: iterations between two evaluations of the leaves' PBSs."""
    leaf_ranges: Literal["average", "current"] = "average"
    """With a leaf function: leaf PBSs from the average strategy or the current iterate."""
    lookahead: bool = False
    """Safe re-solving of a depth-limited subgame judges each candidate together with the re-solves of
    the next subgames below its leaves (what re-solving will play there), not with the strategy
    currently below them."""

    def __post_init__(self) -> None:
        if self.horizon not in HORIZONS:
            raise ValueError(f"horizon must be one of {', '.join(HORIZONS)}; got '{self.horizon}'")
        if self.leaf_every < 1 or self.leaf_ranges not in LEAF_RANGES:
            raise ValueError(f"leaf_every must be >= 1 and leaf_ranges one of {', '.join(LEAF_RANGES)}")
        if self.iterations < 0 or self.depth < 0 or self.first < 0:
            raise ValueError("iterations, depth and first must be >= 0")


@dataclass
class ResolveStats:
    """What happened at the re-solve points."""

    subgames: int = 0
    accepted: dict[str, int] = field(default_factory=lambda: {name: 0 for name in CANDIDATES + ("blueprint",)})
    """Per player-subgame, which candidate was kept (``blueprint``: none passed; the strategy stays)."""


def _actions_before(tree: PublicTree, node: int) -> tuple[int, int]:
    """(player actions from the root to ``node``, player actions since the start of its round)."""
    total, in_round, n, same_round = 0, 0, node, True
    while n != 0:
        parent = int(tree.parent[n])
        if int(tree.kind[parent]) == DECISION:
            total += 1
            in_round += same_round
        else:
            same_round = False
        n = parent
    return total, in_round


class Resolver:
    """Re-solves lazily along public paths and keeps the composed strategy (for agents and tables)."""

    def __init__(self, tree: PublicTree, blueprint: np.ndarray, config: ResolveConfig,
                 leaf_fn: LeafFn | None = None) -> None:
        self.tree = tree
        self.leaf_fn = leaf_fn
        """Values depth-limit leaves from their PBSs while solving (None: the blueprint's pair values)."""
        self.blueprint = blueprint
        self.config = config
        self.strategy = blueprint.copy()
        """float64 [D, H, A]: the composed strategy (blueprint where nothing was re-solved yet)."""
        self.stats = ResolveStats()
        self._next = 0
        self._pairs = pair_values(*tree_args(tree), blueprint)
        self._reach = np.empty((tree.num_nodes, 2, tree.num_hands))
        self._value = np.empty((tree.num_nodes, tree.num_hands))
        self._floor = -(float(np.abs(tree.payoff).sum(axis=2).max()) + 1.0)

    def is_resolve_point(self, node: int) -> bool:
        """Whether a subgame starts at ``node``."""
        t, c = self.tree, self.config
        if int(t.kind[node]) != DECISION:
            return False
        total, in_round = _actions_before(t, node)
        if total < c.first:
            return False
        return (c.every or total == c.first or in_round == 0
                or (c.depth > 0 and in_round % c.depth == 0))

    def strategy_at(self, node: int) -> np.ndarray:
        """float64 [H, A]: the composed strategy at decision ``node``.

        Re-solve points are processed in node (pre-)order up to ``node``: a node's strategy is written
        only by re-solves at itself or its ancestors, which come first, so the answer equals
        :meth:`resolve_all`'s whatever order the agent meets the nodes in.
        """
        self._resolve_through(node)
        return self.strategy[self.tree.decision_index[node]]

    def resolve_all(self) -> np.ndarray:
        """Re-solve at every re-solve point (parents first); returns the composed strategy."""
        self._resolve_through(self.tree.num_nodes - 1)
        return self.strategy

    def _resolve_through(self, last: int) -> None:
        if self.config.iterations <= 0:
            return
        while self._next <= last:
            if self.is_resolve_point(self._next):
                self.resolve(self._next)
            self._next += 1

    def ranges(self, node: int) -> np.ndarray:
        """float64 [2, H]: each player's probability of playing to ``node`` under the composed strategy."""
        K.forward_reach(self.tree.kind, self.tree.player, self.tree.children, self.tree.num_children,
                        self.tree.decision_index, self.strategy, np.ones((2, self.tree.num_hands)), self._reach)
        return self._reach[node].copy()

    def resolve(self, node: int) -> None:
        """Solve the subgame at ``node`` and write the kept strategies into :attr:`strategy`."""
        cfg = self.config
        reach = self.ranges(node)
        sub = build_subgame(self.tree, node, cfg.depth, self._pairs, horizon=cfg.horizon)
        plain = self._solve(sub, reach)
        self.stats.subgames += 1
        for p in (0, 1):
            if not cfg.safe:
                self._write(sub, plain, p, self.strategy)
                continue
            values = self._opponent_values(1 - p, self.strategy)
            best, best_total = "blueprint", float(values[0].sum())
            kept: np.ndarray | None = None
            for name in CANDIDATES:
                hybrid = self._hybrid(self._candidate(name, sub, plain, node, p, reach, values), p)
                total = float(self._opponent_values(1 - p, hybrid)[0].sum())
                if total < best_total:
                    best, best_total, kept = name, total, hybrid
            if kept is not None:
                self.strategy = kept
            self.stats.accepted[best] += 1

    def _candidate(self, name: str, sub: Subgame, plain: np.ndarray, node: int, p: int, reach: np.ndarray,
                   values: np.ndarray) -> Candidate:
        if name == "unsafe":
            return sub, plain
        if name == "max_margin":
            return sub, self._max_margin_solution(sub, node, p, reach, values[node])
        if name == "gadget":
            return self._gadget_solution(node, p, reach, values[node])
        alt = self._reach_alternatives(node, 1 - p, values)
        if name == "reach":
            return self._gadget_solution(node, p, reach, alt)
        # Brown & Sandholm's reach-maxmargin: margins over the current values plus the gifts upstream
        return sub, self._max_margin_solution(sub, node, p, reach, np.maximum(values[node], alt))

    def _solve(self, sub: Subgame, root_reach: np.ndarray) -> np.ndarray:
        """The subgame's average strategy; with a leaf function, ``sub``'s leaf payoffs keep its last values."""
        c = self.config
        if self.leaf_fn is not None and len(leaf_nodes(sub, self.tree)):
            return solve_leaf_valued(sub, self.tree, root_reach, self.leaf_fn, c.iterations, CFRConfig(c.algo),
                                     LeafSolveConfig(c.leaf_every, c.leaf_ranges)).strategy
        solver = CFRSolver(sub.tree, CFRConfig(c.algo), root_reach=root_reach)
        solver.run(c.iterations)
        return solver.average_strategy()

    def _opponent_values(self, opp: int, strategy: np.ndarray) -> np.ndarray:
        """float64 [N, H]: ``opp``'s best-response counterfactual values against ``strategy``."""
        t = self.tree
        K.forward_reach(t.kind, t.player, t.children, t.num_children, t.decision_index, strategy,
                        np.ones((2, t.num_hands)), self._reach)
        K.backward_values(*tree_args(t), strategy, self._reach, opp, True, self._value)
        return self._value.copy()

    def _hybrid(self, candidate: Candidate, p: int) -> np.ndarray:
        """The composed strategy with ``p`` playing ``candidate`` in the subgame and, with ``lookahead``
        and depth-limit leaves, ``p``'s part of what re-solving the next subgames below them makes of it
        (safe re-solves on top of the candidate, as :meth:`resolve_all` will run them)."""
        hybrid = self.strategy.copy()
        sub, strategy = candidate
        self._write(sub, strategy, p, hybrid)
        if not (self.config.lookahead and sub.leaves):
            return hybrid
        t = self.tree
        child = Resolver(t, self.blueprint, dataclasses.replace(self.config, lookahead=False), self.leaf_fn)
        child.strategy = hybrid.copy()
        for leaf in sub.leaves:
            points = ([int(c) for c in t.children[leaf, : t.num_children[leaf]]] if int(t.kind[leaf]) == CHANCE
                      else [leaf])
            for point in points:
                child.resolve(point)
        own = t.decision_index[(t.kind == DECISION) & (t.player == p)]
        hybrid[own] = child.strategy[own]  # only the re-solves below the leaves changed anything
        return hybrid

    def _reach_alternatives(self, node: int, opp: int, values: np.ndarray) -> np.ndarray:
        """float64 [H]: ``C_h - D_h`` of the module docstring (a value below any reachable one where the
        opponent has no alternative on the path)."""
        t = self.tree
        best = np.full(t.num_hands, -np.inf)  # C
        shift = np.zeros(t.num_hands)  # D
        n = node
        while n != 0:
            parent = int(t.parent[n])
            siblings = [int(t.children[parent, s]) for s in range(int(t.num_children[parent]))
                        if int(t.children[parent, s]) != n]
            if int(t.kind[parent]) == DECISION and int(t.player[parent]) == opp:
                if siblings:
                    best = np.maximum(best, values[siblings].max(axis=0))
            elif siblings:
                add = values[siblings].sum(axis=0)
                best, shift = best + add, shift + add
            n = parent
        return np.where(np.isfinite(best), best - shift, self._floor)

    def _max_margin_solution(self, sub: Subgame, node: int, p: int, reach: np.ndarray,
                             alt: np.ndarray) -> np.ndarray:
        t, c = self.tree, CFRConfig(self.config.algo)
        board = int(t.board[node])
        hands = np.arange(t.num_hands)
        mass = np.array([reach[p][(hands != h) & (hands != board)].sum() for h in hands])
        allowed = (hands != board) & (mass > 0.0)
        if not allowed.any():
            return uniform_strategy(sub.tree)
        shape = (sub.tree.num_decisions, t.num_hands, K.MAX_ACTIONS)
        strategy, regret, strategy_sum = uniform_strategy(sub.tree), np.zeros(shape), np.zeros(shape)
        K.run_max_margin(*tree_args(sub.tree), p, reach[p], alt, allowed, ALGORITHMS[c.algo], c.alpha, c.beta,
                         c.gamma, self.config.iterations, strategy, regret, strategy_sum, np.zeros(t.num_hands),
                         np.empty((sub.tree.num_nodes, 2, t.num_hands)), np.empty((sub.tree.num_nodes, t.num_hands)))
        out = np.zeros(shape)
        node_of = np.flatnonzero(sub.tree.decision_index >= 0).astype(np.int32)
        K.normalise(strategy_sum, sub.tree.num_children, node_of, out)
        return out

    def _gadget_solution(self, node: int, p: int, reach: np.ndarray, alt: np.ndarray) -> Candidate:
        opp = 1 - p
        take = terminate_payoff(self.tree, node, opp, alt, reach[p])
        sub = build_subgame(self.tree, node, self.config.depth, self._pairs, gadget=(opp, take),
                            horizon=self.config.horizon)
        root_reach = np.ones((2, self.tree.num_hands))
        root_reach[p] = reach[p]
        return sub, self._solve(sub, root_reach)

    def _write(self, sub: Subgame, sub_strategy: np.ndarray, p: int, target: np.ndarray) -> None:
        """Copy player ``p``'s subgame strategy into a full-tree strategy array."""
        st = sub.tree
        for i in np.flatnonzero((st.kind == DECISION) & (st.player == p)):
            f = int(sub.full_node[i])
            if f >= 0:
                target[self.tree.decision_index[f]] = sub_strategy[st.decision_index[i]]


def resolved_strategy(tree: PublicTree, blueprint: np.ndarray,
                      config: ResolveConfig) -> tuple[np.ndarray, ResolveStats]:
    """The full strategy that re-solving at every re-solve point produces, and what was kept."""
    r = Resolver(tree, blueprint, config)
    return r.resolve_all(), r.stats
