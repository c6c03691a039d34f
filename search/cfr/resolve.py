"""Depth-limited subgame re-solving on top of a blueprint, and the strategy it composes to.

Re-solve points are the first decision of every betting round and, with ``depth = N``, the decision
nodes N actions further down. At a re-solve point the subgame to the depth limit is solved from both
players' ranges (Bayes' rule along the public path under the strategy actually played), leaves
valued by the blueprint. The composed strategy plays each region as re-solved.

Safety (``safe=True``): for each player P, a candidate subgame strategy is accepted only if no
opponent hand gets a higher best-response counterfactual value at the re-solve point than against
P's blueprint there (at the root of the game: the total). Candidates, in order: the plain
(unsafe) solution, the max-margin solution (Moravcik et al.; Brown & Sandholm), the solution of
Burch et al.'s re-solve gadget, and the blueprint itself. By Burch et al.'s theorem, and by
induction over the disjoint regions from the top, the composed strategy is then never more
exploitable than the blueprint (the safety tests check this exactly on many blueprints).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from search.cfr import kernels as K
from search.cfr.solver import ALGORITHMS, CFRConfig, CFRSolver, tree_args, uniform_strategy
from search.cfr.subgame import Subgame, build_subgame, pair_values, terminate_payoff
from search.cfr.tree import CHANCE, DECISION, PublicTree

SAFETY_TOLERANCE = 1e-12
"""Counterfactual values may exceed the blueprint's by this much (rounding) and still pass."""


@dataclass(frozen=True)
class ResolveConfig:
    """How to re-solve subgames."""

    iterations: int = 1000
    """Solver iterations per subgame (0 = play the blueprint)."""
    algo: str = "dcfr"
    """CFR variant for the subgames."""
    depth: int = 0
    """Actions per subgame before a leaf; 0 = to the end of the betting round."""
    safe: bool = True
    """Keep only subgame strategies that pass the safety check (else fall back as described above)."""


@dataclass
class ResolveStats:
    """What happened at the re-solve points."""

    subgames: int = 0
    accepted: dict[str, int] = field(default_factory=lambda: {"unsafe": 0, "max_margin": 0, "gadget": 0,
                                                                  "blueprint": 0})
    """Per player-subgame, which candidate was kept."""


class Resolver:
    """Re-solves lazily along public paths and keeps the composed strategy (for agents and tables)."""

    def __init__(self, tree: PublicTree, blueprint: np.ndarray, config: ResolveConfig) -> None:
        self.tree = tree
        self.blueprint = blueprint
        self.config = config
        self.strategy = blueprint.copy()
        """float64 [D, H, A]: the composed strategy (blueprint where nothing was re-solved yet)."""
        self.stats = ResolveStats()
        self._solved: set[int] = set()
        self._pairs = pair_values(*tree_args(tree), blueprint)
        self._reach = np.empty((tree.num_nodes, 2, tree.num_hands))
        self._value = np.empty((tree.num_nodes, tree.num_hands))

    def is_resolve_point(self, node: int) -> bool:
        """Whether a subgame starts at ``node``."""
        t = self.tree
        if int(t.kind[node]) != DECISION:
            return False
        if node == 0 or int(t.kind[t.parent[node]]) == CHANCE:
            return True
        if self.config.depth <= 0:
            return False
        steps, n = 0, node
        while n != 0 and int(t.kind[t.parent[n]]) == DECISION:
            n, steps = int(t.parent[n]), steps + 1
        return steps % self.config.depth == 0

    def strategy_at(self, node: int) -> np.ndarray:
        """float64 [H, A]: the composed strategy at decision ``node`` (re-solving on the way as needed)."""
        if self.config.iterations > 0:
            path = []
            n = node
            while n >= 0:
                path.append(n)
                n = int(self.tree.parent[n])
            for n in reversed(path):
                if n not in self._solved and self.is_resolve_point(n):
                    self.resolve(n)
        return self.strategy[self.tree.decision_index[node]]

    def resolve_all(self) -> np.ndarray:
        """Re-solve at every re-solve point (parents first); returns the composed strategy."""
        if self.config.iterations > 0:
            for n in range(self.tree.num_nodes):
                if n not in self._solved and self.is_resolve_point(n):
                    self.resolve(n)
        return self.strategy

    def ranges(self, node: int) -> np.ndarray:
        """float64 [2, H]: each player's probability of playing to ``node`` under the composed strategy."""
        K.forward_reach(self.tree.kind, self.tree.player, self.tree.children, self.tree.num_children,
                        self.tree.decision_index, self.strategy, np.ones((2, self.tree.num_hands)), self._reach)
        return self._reach[node].copy()

    def resolve(self, node: int) -> None:
        """Solve the subgame at ``node`` and write the kept strategies into :attr:`strategy`."""
        cfg = self.config
        reach = self.ranges(node)
        sub = build_subgame(self.tree, node, cfg.depth, self._pairs)
        plain = self._solve(sub, reach)
        self.stats.subgames += 1
        self._solved.add(node)
        for p in (0, 1):
            if not cfg.safe:
                self._write(sub, plain, p, self.strategy)
                continue
            alt = self._opponent_values(node, 1 - p, self.strategy)
            best = "blueprint"
            for name in ("unsafe", "max_margin", "gadget"):  # in order of preference; each solved lazily
                if name == "unsafe":
                    candidate_sub, candidate = sub, plain
                elif name == "max_margin":
                    candidate_sub, candidate = sub, self._max_margin_solution(sub, node, p, reach, alt)
                else:
                    candidate_sub, candidate = self._gadget_solution(node, p, reach, alt)
                if self._is_safe(candidate_sub, candidate, p, node, alt):
                    self._write(candidate_sub, candidate, p, self.strategy)
                    best = name
                    break
            self.stats.accepted[best] += 1

    def _solve(self, sub: Subgame, root_reach: np.ndarray) -> np.ndarray:
        solver = CFRSolver(sub.tree, CFRConfig(self.config.algo), root_reach=root_reach)
        solver.run(self.config.iterations)
        return solver.average_strategy()

    def _opponent_values(self, node: int, opp: int, strategy: np.ndarray) -> np.ndarray:
        """float64 [H]: ``opp``'s best-response counterfactual values at ``node`` against ``strategy``."""
        t = self.tree
        K.forward_reach(t.kind, t.player, t.children, t.num_children, t.decision_index, strategy,
                        np.ones((2, t.num_hands)), self._reach)
        K.backward_values(*tree_args(t), strategy, self._reach, opp, True, self._value)
        return self._value[node].copy()

    def _is_safe(self, sub: Subgame, sub_strategy: np.ndarray, p: int, node: int, alt: np.ndarray) -> bool:
        """No opponent hand gains at ``node`` (the total, at the root of the game) over the blueprint."""
        hybrid = self.strategy.copy()
        self._write(sub, sub_strategy, p, hybrid)
        new = self._opponent_values(node, 1 - p, hybrid)
        if node == 0:  # nothing above the root: the total is the exploitability
            return float(new.sum()) <= float(alt.sum()) + SAFETY_TOLERANCE
        return bool(np.all(new <= alt + SAFETY_TOLERANCE))

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

    def _gadget_solution(self, node: int, p: int, reach: np.ndarray, alt: np.ndarray) -> tuple[Subgame, np.ndarray]:
        opp = 1 - p
        take = terminate_payoff(self.tree, node, opp, alt, reach[p])
        sub = build_subgame(self.tree, node, self.config.depth, self._pairs, gadget=(opp, take))
        root_reach = np.ones((2, self.tree.num_hands))
        root_reach[p] = reach[p]
        solver = CFRSolver(sub.tree, CFRConfig(self.config.algo), root_reach=root_reach)
        solver.run(self.config.iterations)
        return sub, solver.average_strategy()

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
