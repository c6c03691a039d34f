"""Solving a real-card subgame by DCFR, and strategies on expanded trees (reach, values, walking).

A :class:`TreeStrategy` is a strategy for both players on a :class:`~search.cfr.nl_solve_tree.Subgame`
(a flat table read through ``base``/``rows``, see :mod:`search.cfr.nl_resolve_kernels`) together with the
players' ranges at its root. Solutions of subgames and blueprints mapped onto real-card trees
(:mod:`search.cfr.nl_mirror`) are both TreeStrategies, so nested re-solving treats them alike: walk to
the current state, read both ranges there (Bayes' rule along the path) and the opponent's best-response
counterfactual values (the safe gadget's alternatives).

:func:`solve` runs DCFR (Brown & Sandholm 2019: positive regrets discounted by ``t^a/(t^a+1)``, negative
ones by ``t^b/(t^b+1)``, iteration ``t``'s strategy weighted ``t^g`` in the average) with alternating
updates until an iteration count or a time limit is reached.

Values are *counterfactual*: ``p``'s value of hand ``h`` at a node sums, over opponent hands ``o`` that do
not conflict with ``h``, the opponent's reach of ``o`` (root range times its strategy along the path),
chance, and the payoff in chips. :func:`pair_mass` turns them into expectations.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numba
import numpy as np

from search.cfr import nl_resolve_kernels as K
from search.cfr.nl_solve_tree import CHANCE, SolveTree, Subgame
from search.cfr.nl_tree import DECISION, NO_NODE


@dataclass(frozen=True)
class SolverConfig:
    """Budget and parameters of one subgame solve."""

    iterations: int = 1000
    """Stop after this many DCFR iterations (0: no limit, ``seconds`` decides)."""
    seconds: float = 5.0
    """Stop once this many seconds have passed (0: no limit, ``iterations`` decides)."""
    alpha: float = 1.5
    """DCFR: positive regrets are scaled by t^alpha / (t^alpha + 1) after iteration t."""
    beta: float = 0.0
    """DCFR: negative regrets are scaled by t^beta / (t^beta + 1)."""
    gamma: float = 2.0
    """DCFR: iteration t's strategy weighs t^gamma in the average."""
    threads: int = 2
    """numba threads walking the chance segments in parallel."""
    chance_samples: int = 0
    """Cards of the first chance node (the river of a turn subgame) visited per iteration, drawn anew each
    iteration (public chance sampling; values of the drawn cards scaled up); 0 = every card."""
    seed: int = 0
    """Seed of the chance sampling."""

    def __post_init__(self) -> None:
        if self.iterations < 0 or self.seconds < 0 or self.threads < 1 or self.chance_samples < 0:
            raise ValueError(f"iterations and seconds must be >= 0 and threads >= 1 ({self})")
        if self.iterations == 0 and self.seconds == 0:
            raise ValueError("a solve needs an iteration count or a time limit")


@dataclass
class TreeStrategy:
    """Both players' strategies on a subgame tree, and their ranges at ``root``."""

    subgame: Subgame
    table: np.ndarray
    """float32 [entries]: action probabilities; action ``a`` of decision ``n`` for row ``r`` at
    ``base[n] + a * stride[n] + r``."""
    base: np.ndarray
    """int64 [N]: offset of each decision's block in ``table``."""
    stride: np.ndarray
    """int64 [N]: rows of each decision's block."""
    rows: np.ndarray
    """int64 [B, H]: row of each hand on each board (the hand itself, or its blueprint bucket)."""
    root: int
    """The node the ranges belong to."""
    root_reach: np.ndarray
    """float64 [2, H]: each player's range at ``root`` (hands of the subgame's hand model)."""
    iterations: int = 0
    """Solver iterations that produced the table (0 for a blueprint)."""
    seconds: float = 0.0
    """Seconds the solve took."""

    @property
    def tree(self) -> SolveTree:
        return self.subgame.tree

    def strategy_at(self, node: int) -> np.ndarray:
        """float64 [H, k]: the strategy of every hand at decision ``node``."""
        k = int(self.tree.num_children[node])
        rows = self.rows[int(self.tree.board[node])]
        idx = int(self.base[node]) + rows[:, None] + np.arange(k)[None, :] * int(self.stride[node])
        return np.asarray(self.table[idx], dtype=np.float64)

    def path_to(self, node: int) -> list[int]:
        """Nodes from ``root`` (exclusive) down to ``node`` (inclusive); ValueError if not below root."""
        path = []
        n = node
        while n != self.root:
            if n == NO_NODE:
                raise ValueError(f"node {node} is not below the strategy's root {self.root}")
            path.append(n)
            n = int(self.tree.parent[n])
        return path[::-1]

    def reach_at(self, node: int) -> np.ndarray:
        """float64 [2, H]: both ranges at ``node`` (Bayes' rule along the path from ``root``)."""
        reach = self.root_reach.copy()
        for n in self.path_to(node):
            parent = int(self.tree.parent[n])
            if self.tree.kind[parent] == CHANCE:
                reach *= self.subgame.boards.valid[int(self.tree.board[n])][None, :]
            elif self.tree.kind[parent] == DECISION:
                slot = int(np.flatnonzero(self.tree.children[parent] == n)[0])
                q = int(self.tree.player[parent])
                reach[q] *= self.strategy_at(parent)[:, slot]
        return reach

    def values(self, node: int, p: int, mode: int, reach: np.ndarray | None = None, threads: int = 1) -> np.ndarray:
        """float64 [H]: ``p``'s counterfactual values at ``node`` (``mode`` EV or BR) under this strategy,
        with both ranges at ``node`` from :meth:`reach_at` unless ``reach [2, H]`` is given."""
        reach = self.reach_at(node) if reach is None else reach
        empty = np.zeros(1, dtype=self.table.dtype)
        return evaluate(self.subgame, node, reach, p, mode, self.table, self.base, self.stride, self.rows, empty,
                        1.0, 1.0, 0.0, np.zeros(reach.shape[1]), threads)

    def child(self, node: int, action: int) -> int:
        """The child of ``node`` reached by ``action`` (a player action or a card), or NO_NODE."""
        t = self.tree
        for s in range(int(t.num_children[node])):
            c = int(t.children[node, s])
            if int(t.action[c]) == action:
                return c
        return NO_NODE


def evaluate(subgame: Subgame, node: int, reach: np.ndarray, p: int, mode: int, table: np.ndarray, base: np.ndarray,
             stride: np.ndarray, rows: np.ndarray, sums: np.ndarray, pos: float, neg: float, weight: float,
             alt: np.ndarray, threads: int, seg_scale: np.ndarray | None = None) -> np.ndarray:
    """One kernel pass on the subtree of ``node`` (see :func:`search.cfr.nl_resolve_kernels.run_pass`);
    ``seg_scale [S]`` over all the subgame's segments (default: every segment, scale 1)."""
    seg = subgame.segments
    t = subgame.tree
    end = int(t.end[node])
    scale = np.ones(seg.start.shape[0]) if seg_scale is None else np.asarray(seg_scale, dtype=np.float64)
    if seg.local[node] >= 0:
        lo, hi = np.searchsorted(seg.top, [node, end])
        top = seg.top[lo:hi]
        scale = np.where((seg.start >= node) & (seg.stop <= end), scale, 0.0)  # segment ids stay global
    else:
        top = np.zeros(0, dtype=np.int32)
    return K.run_pass(t, subgame.boards, subgame.hands.cards, subgame.hands.num_card_ids, node,
                      np.ascontiguousarray(reach, dtype=np.float64), p, mode, table, base, stride, rows, sums, pos, neg,
                      weight, np.ascontiguousarray(alt, dtype=np.float64), top, seg.local, seg.seg_of, seg.start,
                      seg.stop, np.ascontiguousarray(scale, dtype=np.float64),
                      max(1, min(threads, numba.get_num_threads())))


def identity_rows(subgame: Subgame) -> np.ndarray:
    """int64 [B, H]: every hand reads its own row on every board."""
    b, h = subgame.boards.valid.shape
    return np.tile(np.arange(h, dtype=np.int64), (b, 1))


def pair_mass(reach: np.ndarray, cards: np.ndarray, num_ids: int) -> float:
    """Total weight of the non-conflicting hand pairs under ranges ``reach [2, H]`` (the normaliser that
    turns a sum of counterfactual values weighted by the own range into an expectation)."""
    mass = np.empty(reach.shape[1])
    K.unblocked_mass(np.ascontiguousarray(reach[1]), cards, num_ids, mass)
    return float(np.dot(reach[0], mass))


def solve(subgame: Subgame, root_reach: np.ndarray, config: SolverConfig, alt: np.ndarray | None = None,
          ranges: np.ndarray | None = None, estimate: float = 0.0) -> TreeStrategy:
    """DCFR on ``subgame`` from ``root_reach [2, H]`` (with a gadget: the defender's range and the
    opponent's gadget weights; ``alt [H]`` the opponent's alternative values). The result's ranges are
    ``ranges [2, H]`` at the subgame's real root (default ``root_reach``). With a gadget, the opponent enters
    the subgame with its gadget weight times its probability of entering, plus ``estimate`` times its range
    in ``ranges`` scaled to a largest weight of 1 (see :class:`_Gadget`). With a time limit, at least one iteration runs and no iteration
    starts that would likely end past the limit (the limit counts from the call, setting up included)."""
    start = time.perf_counter()
    offsets = subgame.offsets()
    base, size = offsets[:-1], int(offsets[-1])
    stride = np.full(base.shape[0], subgame.hands.num_hands, dtype=np.int64)
    regrets = np.zeros(size, dtype=np.float32)
    sums = np.zeros(size, dtype=np.float32)
    rows = identity_rows(subgame)
    alt = np.zeros(subgame.hands.num_hands) if alt is None else alt
    c = config
    sampler = _ChanceSampler(subgame, c.chance_samples, c.seed)
    gadget = None
    if subgame.gadget_player >= 0:
        gadget = _Gadget(subgame.gadget_player, int(base[0]), root_reach, root_reach if ranges is None else ranges,
                         estimate)
    t = 0
    longest = 0.0  # the longest iteration so far: the loop stops when one more might overrun the budget
    while (c.iterations == 0 or t < c.iterations) and (c.seconds == 0 or t == 0
                                                       or time.perf_counter() - start + 1.5 * longest < c.seconds):
        began = time.perf_counter()
        t += 1
        pos = t ** c.alpha / (t ** c.alpha + 1.0)
        neg = t ** c.beta / (t ** c.beta + 1.0)
        scale = sampler.draw()
        for p in range(2):
            reach = root_reach if gadget is None else gadget.reach(regrets)
            value = evaluate(subgame, subgame.root, reach, p, K.CFR, regrets, base, stride, rows, sums, pos, neg,
                             float(t) ** c.gamma, alt, c.threads, scale)
            if gadget is not None and p == gadget.player:
                gadget.update(regrets, sums, value, alt, pos, neg, float(t) ** c.gamma)
        longest = max(longest, time.perf_counter() - began)
    table = average_table(subgame, base, sums)
    reach = root_reach if ranges is None else ranges
    return TreeStrategy(subgame, table, base, stride, rows, subgame.root, np.asarray(reach, dtype=np.float64), t,
                        time.perf_counter() - start)


def average_table(subgame: Subgame, base: np.ndarray, sums: np.ndarray) -> np.ndarray:
    """float32 [entries]: the strategy sums normalised per (decision, hand); uniform where never reached
    (action-major blocks of ``H`` hands)."""
    out = sums.astype(np.float32, copy=True)
    t = subgame.tree
    decisions = np.flatnonzero(t.kind == DECISION).astype(np.int64)
    K.normalise_blocks(out, decisions, np.ascontiguousarray(base, dtype=np.int64),
                       np.ascontiguousarray(t.num_children, dtype=np.int64), int(subgame.hands.num_hands))
    return out


class _Gadget:
    """The re-solve gadget's decision (the opponent, per hand: TAKE its alternative value or ENTER the
    subgame), updated here rather than in the kernels so that the opponent can also enter with its
    estimated range.

    The opponent's reach at the subgame's real root is ``weight * P(enter) + estimate * range / max(range)``
    (per hand, the estimate weighs like the gadget's weights, which lie in [floor, 1]). With
    ``estimate = 0`` this is Burch et al.'s gadget with Brown & Sandholm's weights (the same arithmetic as
    walking the gadget node in the kernels, in the same order): the searcher minimises the weighted excess
    of each opponent hand over its alternative, and nothing else, so among the many safe strategies it
    settles on one that need not play well against the opponent's likely hands. The ``estimate`` term
    adds the unsafe solver's objective (the value against the estimated range) beside the gadget's: a
    small ``estimate`` breaks the ties among safe strategies, a large one approaches unsafe solving. Regrets and strategy sums live in the
    gadget node's block of the solver's tables (slot 0 TAKE, slot 1 ENTER), DCFR-discounted like the rest.
    """

    def __init__(self, player: int, offset: int, root_reach: np.ndarray, ranges: np.ndarray, estimate: float) -> None:
        self.player = player
        self.offset = offset
        self.weights = np.asarray(root_reach[player], dtype=np.float64)
        mine = np.asarray(ranges[player], dtype=np.float64)
        top = float(mine.max()) if mine.size else 0.0
        self.forced = estimate * mine / top if top > 0.0 else np.zeros_like(mine)
        self.root_reach = np.asarray(root_reach, dtype=np.float64)
        self.hands = self.weights.shape[0]

    def _blocks(self, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h, o = self.hands, self.offset
        return table[o: o + h], table[o + h: o + 2 * h]

    def enter_probability(self, regrets: np.ndarray) -> np.ndarray:
        """float64 [H]: regret matching between TAKE and ENTER (1/2 where neither regret is positive)."""
        take, enter = (np.maximum(b.astype(np.float64), 0.0) for b in self._blocks(regrets))
        total = take + enter
        return np.divide(enter, total, out=np.full(self.hands, 0.5), where=total > 0.0)

    def reach(self, regrets: np.ndarray) -> np.ndarray:
        """float64 [2, H]: both reaches at the subgame's real root under the current gadget strategy."""
        out = self.root_reach.copy()
        out[self.player] = self.weights * self.enter_probability(regrets) + self.forced
        return out

    def update(self, regrets: np.ndarray, sums: np.ndarray, value: np.ndarray, alt: np.ndarray, pos: float,
               neg: float, weight: float) -> None:
        """After the opponent's pass (``value [H]``: its counterfactual values of entering)."""
        enter = self.enter_probability(regrets)
        node = enter * value + (1.0 - enter) * alt
        for block, child, share, s in zip(self._blocks(regrets), (alt, value), (1.0 - enter, enter), self._blocks(sums)):
            r = block.astype(np.float64) + (child - node)
            block[:] = r * np.where(r >= 0.0, pos, neg)
            s[:] = s.astype(np.float64) + weight * self.weights * share


class _ChanceSampler:
    """Per iteration, the scale of each segment: ``cards / drawn`` for the segments whose card was drawn,
    0 for the others (every segment 1 when not sampling)."""

    def __init__(self, subgame: Subgame, samples: int, seed: int) -> None:
        seg = subgame.segments
        self.card = subgame.tree.action[seg.start]
        self.cards = np.unique(self.card)
        self.samples = samples if 0 < samples < self.cards.shape[0] else 0
        self.rng = np.random.default_rng(seed)
        self.all = np.ones(seg.start.shape[0])

    def draw(self) -> np.ndarray:
        if not self.samples:
            return self.all
        drawn = self.rng.choice(self.cards, size=self.samples, replace=False)
        return np.where(np.isin(self.card, drawn), self.cards.shape[0] / self.samples, 0.0)
