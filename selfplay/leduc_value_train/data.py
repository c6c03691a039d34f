"""Training data of the Leduc leaf value network: public belief states at the round-1/round-2 boundary,
labelled by solving the rest of the hand exactly.

PBSs come from three sources, all at Leduc's five round-1 board-dealing nodes:
* **self-play search**: depth-limited solves of round 1 (from the root, or from a round-1 node with a
  blueprint's ranges) whose leaves are valued by the current network (by blueprints before there is
  one); every leaf evaluation's PBS is a sample — the states the network is asked about in play;
* **blueprints**: the ranges of CFR strategies of random strength (1 to 300 iterations, CFR/CFR+/DCFR);
* **exploration**: every PBS is perturbed (log-normal noise per hand, some hands dropped, now and then
  a random range), so the network also sees ranges no strategy produces.
Labels: :class:`search.cfr.leaf_solve.ExactLeafValues` (CFR on the rest of the hand from the PBS), as
conditional per-pair values in chips (the network's target).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.nets.leduc_value import VALUE_SCALE, deal_weight
from search.cfr import kernels as K
from search.cfr.leaf_solve import ExactLeafValues, LeafFn, LeafSolveConfig, solve_leaf_valued
from search.cfr.solver import CFRConfig, CFRSolver, tree_args
from search.cfr.subgame import build_subgame, pair_values
from search.cfr.tree import CHANCE, DECISION, PublicTree


@dataclass(frozen=True)
class DataConfig:
    """How PBSs are generated and labelled."""

    label_iters: int = 500
    """DCFR iterations of the exact solve that labels a PBS."""
    search_iters: int = 300
    """Most iterations of a self-play depth-limited round-1 solve."""
    noise: float = 0.7
    """Standard deviation of the log-normal factor on each hand's reach."""
    drop: float = 0.3
    """Probability that a player's range loses one to three hands."""
    random_range: float = 0.1
    """Probability that a player's range is replaced by a random (Dirichlet) one."""

    def __post_init__(self) -> None:
        if self.label_iters < 1 or self.search_iters < 1:
            raise ValueError(f"label_iters and search_iters must be >= 1; got {self.label_iters}, {self.search_iters}")
        if self.noise < 0 or not 0 <= self.drop <= 1 or not 0 <= self.random_range <= 1:
            raise ValueError("noise must be >= 0, drop and random_range in [0, 1]")


def boundary_nodes(tree: PublicTree) -> np.ndarray:
    """int32 [5]: Leduc's round-1 board-dealing nodes (the depth-limit leaves of round-1 subgames)."""
    return np.flatnonzero((tree.kind == CHANCE) & (tree.round == 0)).astype(np.int32)


class PBSSource:
    """Draws PBSs (leaf node, ranges [2, H]) from search, blueprints and perturbation."""

    def __init__(self, tree: PublicTree, config: DataConfig, rng: np.random.Generator) -> None:
        self.tree, self.config, self.rng = tree, config, rng
        self.nodes = boundary_nodes(tree)
        self._blueprints: dict[tuple[str, int], np.ndarray] = {}

    def blueprint(self) -> np.ndarray:
        """A CFR strategy [D, H, A] of random strength (cached)."""
        algo = str(self.rng.choice(["cfr", "cfr+", "dcfr"]))
        iters = int(np.exp(self.rng.uniform(0.0, np.log(300.0))))
        key = (algo, iters)
        if key not in self._blueprints:
            solver = CFRSolver(self.tree, CFRConfig(algo))
            solver.run(iters)
            self._blueprints[key] = solver.average_strategy()
        return self._blueprints[key]

    def blueprint_pbs(self) -> list[tuple[int, np.ndarray]]:
        """The five boundary PBSs of a random blueprint."""
        t = self.tree
        reach = np.empty((t.num_nodes, 2, t.num_hands))
        K.forward_reach(t.kind, t.player, t.children, t.num_children, t.decision_index, self.blueprint(),
                        np.ones((2, t.num_hands)), reach)
        return [(int(n), reach[n].copy()) for n in self.nodes]

    def search_pbs(self, leaf_fn: LeafFn | None) -> list[tuple[int, np.ndarray]]:
        """The leaf PBSs a depth-limited round-1 solve visits (``leaf_fn`` None: a blueprint's pair values)."""
        t, rng = self.tree, self.rng
        if leaf_fn is None:
            pairs = pair_values(*tree_args(t), self.blueprint())
            leaf_fn = lambda nodes, ranges: pairs[nodes]  # noqa: E731
        starts = [0] + [int(t.children[0, s]) for s in range(int(t.num_children[0]))]
        start = int(rng.choice([n for n in starts if int(t.kind[n]) == DECISION]))
        root_reach = np.ones((2, t.num_hands))
        if start != 0:
            reach = np.empty((t.num_nodes, 2, t.num_hands))
            K.forward_reach(t.kind, t.player, t.children, t.num_children, t.decision_index, self.blueprint(),
                            root_reach, reach)
            root_reach = reach[start].copy()
        sub = build_subgame(t, start, 0, np.zeros((t.num_nodes, t.num_hands, t.num_hands)), horizon="round")
        iters = int(rng.integers(1, self.config.search_iters + 1))
        leaf = LeafSolveConfig(every=int(rng.choice([1, 5, 10])), ranges=str(rng.choice(["average", "current"])))
        result = solve_leaf_valued(sub, t, root_reach, leaf_fn, iters, CFRConfig(str(rng.choice(["dcfr", "cfr+"]))),
                                   leaf, keep_pbs=True)
        pick = rng.integers(len(result.pbs))
        full = sub.full_node[result.leaf_nodes]
        return [(int(n), r) for n, r in zip(full, result.pbs[pick])]

    def perturb(self, ranges: np.ndarray) -> np.ndarray:
        """float64 [2, H]: ``ranges`` normalised per player, with exploration noise (never all zero)."""
        c, rng = self.config, self.rng
        out = np.empty_like(ranges, dtype=np.float64)
        for q in range(2):
            r = np.asarray(ranges[q], dtype=np.float64) * np.exp(rng.normal(0.0, c.noise, ranges.shape[1]))
            if rng.random() < c.random_range:
                r = rng.dirichlet(np.full(ranges.shape[1], 0.5))
            if rng.random() < c.drop:
                r[rng.choice(ranges.shape[1], int(rng.integers(1, 4)), replace=False)] = 0.0
            if r.sum() <= 0.0:
                r = rng.dirichlet(np.ones(ranges.shape[1]))
            out[q] = r / r.sum()
        return out


def label(oracle: ExactLeafValues, node: int, ranges: np.ndarray) -> np.ndarray:
    """float32 [H, H]: the network's target for a PBS (conditional pair values, chips / VALUE_SCALE)."""
    pairs = oracle.solve(node, ranges)
    w = deal_weight()
    return (np.divide(pairs, w, out=np.zeros_like(pairs), where=w > 0) / VALUE_SCALE).astype(np.float32)
