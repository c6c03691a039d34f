"""Depth-limited subgame solving with leaves valued from public belief states (ReBeL-style).

A leaf of a depth-limited subgame (a board-dealing chance node with horizon ``round``, or a decision
node cut at a depth limit) is a public state; together with both players' ranges reaching it, it is a
*public belief state* (PBS). A :data:`LeafFn` maps a batch of PBSs to pair-value matrices ``[H, H]``
in the convention of terminal payoffs (player 0's return times the chance probability of the deal
and of any board cards still to come): the value of the rest of the hand when both players follow a
continuation chosen *for those ranges* (an equilibrium of the rest, a value network's guess of it).

:func:`solve_leaf_valued` runs the CFR family on the subgame and, every ``every`` iterations,
recomputes the leaves' ranges under the current average (or current) strategy and asks the
:data:`LeafFn` for new matrices, so the leaves follow the strategy being solved. The network is a
plain callable here; :class:`ExactLeafValues` is the exact oracle (solves the rest of the hand from
the PBS with our CFR), used to test the solver and to label training data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import numpy as np

from search.cfr import kernels as K
from search.cfr.solver import ALGORITHMS, CFRConfig, CFRSolver, tree_args, uniform_strategy
from search.cfr.subgame import Subgame, build_subgame, pair_values
from search.cfr.tree import TERMINAL, PublicTree

LeafFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
"""``(nodes [L] full-tree leaf nodes, ranges [L, 2, H] reach of both players) -> [L, H, H]`` pair values
(player 0's return times the deal's chance probability, like :attr:`PublicTree.payoff`)."""

LEAF_RANGES = ("average", "current")
"""Which strategy's ranges define the leaves' PBSs: the running average, or the current iterate."""


class LeafValueError(ValueError):
    """A leaf function that returned the wrong shape or cannot value a leaf."""


@dataclass(frozen=True)
class LeafSolveConfig:
    """How often and from which ranges leaves are re-valued."""

    every: int = 1
    """Iterations between two leaf evaluations (the first is before iteration 1)."""
    ranges: Literal["average", "current"] = "average"
    """Leaf PBSs from the average strategy (converges with it) or from the current iterate."""

    def __post_init__(self) -> None:
        if self.every < 1:
            raise ValueError(f"leaf evaluation interval must be >= 1; got {self.every}")
        if self.ranges not in LEAF_RANGES:
            raise ValueError(f"leaf ranges must be one of {', '.join(LEAF_RANGES)}; got '{self.ranges}'")


@dataclass
class LeafSolveResult:
    """The solved subgame (its leaf payoffs hold the last leaf values) and what the leaves saw."""

    strategy: np.ndarray
    """float64 [D, H, A]: the subgame's average strategy."""
    leaf_nodes: np.ndarray
    """int32 [L]: subgame nodes that are depth-limit leaves."""
    evaluations: int = 0
    """Calls of the leaf function."""
    pbs: list[np.ndarray] = field(default_factory=list)
    """Per evaluation, the leaves' ranges float64 [L, 2, H] (kept only if asked: training data)."""


def leaf_nodes(sub: Subgame, full: PublicTree) -> np.ndarray:
    """int32 [L]: the subgame nodes cut at the depth limit (terminal in the subgame, not in the full tree)."""
    st = sub.tree
    out = [i for i in np.flatnonzero(st.kind == TERMINAL)
           if int(sub.full_node[i]) >= 0 and int(full.kind[sub.full_node[i]]) != TERMINAL]
    return np.array(out, dtype=np.int32)


def leaf_ranges(sub: Subgame, strategy: np.ndarray, root_reach: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """float64 [L, 2, H]: both players' reach of each leaf ``nodes`` under ``strategy`` from ``root_reach``."""
    st = sub.tree
    reach = np.empty((st.num_nodes, 2, st.num_hands))
    K.forward_reach(st.kind, st.player, st.children, st.num_children, st.decision_index, strategy,
                    np.asarray(root_reach, dtype=np.float64), reach)
    return reach[nodes].copy()


def set_leaf_values(sub: Subgame, full: PublicTree, nodes: np.ndarray, leaf_fn: LeafFn,
                    ranges: np.ndarray) -> None:
    """Write ``leaf_fn``'s matrices for the leaves ``nodes`` (ranges ``[L, 2, H]``) into the subgame payoffs."""
    st = sub.tree
    values = np.asarray(leaf_fn(sub.full_node[nodes], ranges), dtype=np.float64)
    if values.shape != (len(nodes), st.num_hands, st.num_hands):
        raise LeafValueError(f"leaf function returned shape {values.shape}; expected "
                             f"{(len(nodes), st.num_hands, st.num_hands)}")
    st.payoff[st.terminal_index[nodes]] = values


def solve_leaf_valued(sub: Subgame, full: PublicTree, root_reach: np.ndarray, leaf_fn: LeafFn, iterations: int,
                      cfr: CFRConfig = CFRConfig(), leaf: LeafSolveConfig = LeafSolveConfig(),
                      keep_pbs: bool = False) -> LeafSolveResult:
    """Solve ``sub`` (its payoffs are modified in place) with leaves re-valued every ``leaf.every`` iterations.

    Args:
        sub: a subgame of ``full`` (:func:`build_subgame`), possibly with a re-solve gadget on top.
        root_reach: float64 [2, H] ranges at the subgame's root.
        leaf_fn: values a batch of PBSs (see :data:`LeafFn`).
        iterations: CFR iterations in all.
        keep_pbs: record every evaluation's leaf ranges in the result.
    """
    st = sub.tree
    nodes = leaf_nodes(sub, full)
    shape = (st.num_decisions, st.num_hands, K.MAX_ACTIONS)
    strategy, regret, strategy_sum = uniform_strategy(st), np.zeros(shape), np.zeros(shape)
    reach = np.empty((st.num_nodes, 2, st.num_hands))
    value = np.empty((st.num_nodes, st.num_hands))
    rr = np.asarray(root_reach, dtype=np.float64)
    node_of = np.flatnonzero(st.decision_index >= 0).astype(np.int32)
    result = LeafSolveResult(strategy=strategy, leaf_nodes=nodes)
    done = 0
    while done < iterations:
        if len(nodes):
            current = strategy
            if leaf.ranges == "average" and done > 0:
                current = np.zeros(shape)
                K.normalise(strategy_sum, st.num_children, node_of, current)
            ranges = leaf_ranges(sub, current, rr, nodes)
            set_leaf_values(sub, full, nodes, leaf_fn, ranges)
            result.evaluations += 1
            if keep_pbs:
                result.pbs.append(ranges)
        chunk = min(leaf.every, iterations - done) if len(nodes) else iterations - done
        K.run_iterations(*tree_args(st), rr, ALGORITHMS[cfr.algo], cfr.alpha, cfr.beta, cfr.gamma, done + 1, chunk,
                         strategy, regret, strategy_sum, reach, value)
        done += chunk
    out = np.zeros(shape)
    K.normalise(strategy_sum, st.num_children, node_of, out)
    result.strategy = out
    return result


class ExactLeafValues:
    """The exact leaf oracle: solves the rest of the hand from each PBS with CFR and returns the
    pair values of that solution (a :data:`LeafFn`; trees of the rest are cached per node)."""

    def __init__(self, tree: PublicTree, iterations: int = 1000, algo: str = "dcfr") -> None:
        self.tree = tree
        self.iterations = int(iterations)
        self.config = CFRConfig(algo)
        self._rest: dict[int, Subgame] = {}
        self._dummy = np.zeros((tree.num_nodes, tree.num_hands, tree.num_hands))

    def rest(self, node: int) -> Subgame:
        """The rest of the hand from ``node`` (a chance or decision node) as a subgame."""
        if node not in self._rest:
            if int(self.tree.kind[node]) == TERMINAL:
                raise LeafValueError(f"node {node} is terminal; it has no rest of the hand to solve")
            self._rest[node] = build_subgame(self.tree, node, 0, self._dummy, horizon="game")
        return self._rest[node]

    def solve(self, node: int, ranges: np.ndarray) -> np.ndarray:
        """float64 [H, H]: pair values of the solution of the rest of the hand from ``node`` with
        ``ranges [2, H]`` at its root."""
        sub = self.rest(node)
        solver = CFRSolver(sub.tree, self.config, root_reach=np.asarray(ranges, dtype=np.float64))
        solver.run(self.iterations)
        return pair_values(*tree_args(sub.tree), solver.average_strategy())[0]

    def __call__(self, nodes: np.ndarray, ranges: np.ndarray) -> np.ndarray:
        return np.stack([self.solve(int(n), r) for n, r in zip(nodes, ranges)])

