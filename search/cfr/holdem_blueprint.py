"""A limit hold'em blueprint: chance-sampled CFR on the betting tree with hand-strength buckets.

The abstract game: a player's information set is (betting node, bucket of its hand in the node's
round) (imperfect recall: earlier rounds' buckets are forgotten). Each iteration samples one deal
(both hands and the board), computes both players' buckets for the four rounds and the showdown
result, and runs one alternating CFR pass of each player over the whole betting tree with that
deal (regret matching, linear averaging: iteration t weighs t). The average strategy is the
blueprint ``[D, B, 3]``; :func:`solve_blueprint` caches it on disk as one ``.npz`` with the bucket
thresholds and the preflop equity table, so an agent rebuilds the abstraction from the file alone.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numba import njit

from games.poker.hand_eval import evaluate_cards
from search.cfr import kernels as K
from search.cfr.abstraction import (COMBOS, NUM_CARDS, board_values, bucket_of, preflop_class, preflop_equities,
                                    strength, strengths_on_board)
from search.cfr.holdem_tree import SHOWDOWN, BettingTree, betting_tree

BOARD_CARDS = (0, 3, 4, 5)
"""Board cards visible in each round."""
FORMAT_VERSION = 1


@dataclass(frozen=True)
class HoldemAbstraction:
    """The card abstraction: preflop equities and per-round bucket thresholds."""

    preflop: np.ndarray
    """float64 [169]: equity of each preflop class (:func:`preflop_class`)."""
    thresholds: np.ndarray
    """float64 [4, B-1]: strength quantiles cutting each round into ``B`` buckets."""

    @property
    def num_buckets(self) -> int:
        return int(self.thresholds.shape[1]) + 1

    def bucket(self, hole: tuple[int, int] | list[int], board: list[int] | tuple[int, ...]) -> int:
        """Bucket of one hand in the round that ``board`` (0, 3, 4 or 5 cards) implies."""
        rnd = BOARD_CARDS.index(len(board))
        if rnd == 0:
            return bucket_of(self.preflop[preflop_class(hole[0], hole[1])], self.thresholds[0])
        b = np.asarray(board, dtype=np.int64)
        return bucket_of(strength(hole[0], hole[1], b, board_values(b), COMBOS), self.thresholds[rnd])

    def combo_buckets(self, board: list[int] | tuple[int, ...]) -> np.ndarray:
        """int64 [4, 1326]: every combo's bucket in each round up to the one ``board`` implies (-1 for
        combos that use a board card, and for rounds not reached)."""
        out = np.full((4, COMBOS.shape[0]), -1, dtype=np.int64)
        last = BOARD_CARDS.index(len(board))
        used = np.zeros(NUM_CARDS, dtype=bool)
        used[list(board)] = True
        valid = ~(used[COMBOS[:, 0]] | used[COMBOS[:, 1]])
        for i in np.flatnonzero(valid):
            out[0, i] = bucket_of(self.preflop[preflop_class(COMBOS[i, 0], COMBOS[i, 1])], self.thresholds[0])
        for rnd in range(1, last + 1):
            b = np.asarray(board[: BOARD_CARDS[rnd]], dtype=np.int64)
            hs = strengths_on_board(board_values(b), COMBOS)
            out[rnd, valid] = np.searchsorted(self.thresholds[rnd], hs[valid], side="right")
        return out


def make_abstraction(num_buckets: int, seed: int = 0, preflop_samples: int = 2000,
                     boards_per_round: int = 60) -> HoldemAbstraction:
    """Preflop equities by Monte Carlo and equal-probability strength quantiles per round."""
    preflop = preflop_equities(preflop_samples, seed)
    rng = np.random.default_rng(seed)
    qs = np.arange(1, num_buckets) / num_buckets
    classes = np.array([preflop_class(a, b) for a, b in COMBOS])
    thresholds = [np.quantile(preflop[classes], qs)]
    for rnd in (1, 2, 3):
        values = []
        for _ in range(boards_per_round):
            board = rng.choice(NUM_CARDS, size=BOARD_CARDS[rnd], replace=False).astype(np.int64)
            hs = strengths_on_board(board_values(board), COMBOS)
            values.append(hs[hs >= 0])
        thresholds.append(np.quantile(np.concatenate(values), qs))
    return HoldemAbstraction(preflop=preflop, thresholds=np.array(thresholds))


@njit(cache=True)
def _deal_buckets(deal: np.ndarray, preflop: np.ndarray, thresholds: np.ndarray, combos: np.ndarray,
                  buckets: np.ndarray) -> int:
    """Buckets ``[2, 4]`` of the deal (hole0, hole1, 5 board cards); returns the showdown winner
    (0, 1) or -1 for a split."""
    for p in range(2):
        buckets[p, 0] = bucket_of(preflop[preflop_class(deal[2 * p], deal[2 * p + 1])], thresholds[0])
    for rnd in range(1, 4):
        board = deal[4: 4 + 2 + rnd]
        values = board_values(board)
        for p in range(2):
            buckets[p, rnd] = bucket_of(strength(deal[2 * p], deal[2 * p + 1], board, values, combos),
                                        thresholds[rnd])
    seven = np.empty(7, dtype=np.int64)
    seven[2:] = deal[4:9]
    seven[0], seven[1] = deal[0], deal[1]
    v0 = evaluate_cards(seven)
    seven[0], seven[1] = deal[2], deal[3]
    v1 = evaluate_cards(seven)
    return 0 if v0 > v1 else (1 if v1 > v0 else -1)


@njit(cache=True)
def _sampled_strategy(kind: np.ndarray, player: np.ndarray, num_children: np.ndarray, rnd: np.ndarray,
                      decision_index: np.ndarray, regret: np.ndarray, buckets: np.ndarray,
                      strategy: np.ndarray) -> None:
    """Regret matching at every decision node for the deal's buckets -> ``strategy [D, 1, 3]``."""
    for n in range(kind.shape[0]):
        if kind[n] != 0:
            continue
        d = decision_index[n]
        b = buckets[player[n], rnd[n]]
        k = num_children[n]
        total = 0.0
        for s in range(k):
            total += max(regret[d, b, s], 0.0)
        for s in range(k):
            strategy[d, 0, s] = max(regret[d, b, s], 0.0) / total if total > 0.0 else 1.0 / k


@njit(cache=True)
def run_sampled_cfr(kind: np.ndarray, player: np.ndarray, children: np.ndarray, num_children: np.ndarray,
                    rnd: np.ndarray, contrib: np.ndarray, folder: np.ndarray, decision_index: np.ndarray,
                    preflop: np.ndarray, thresholds: np.ndarray, combos: np.ndarray, first_iter: int,
                    num_iters: int, seed: int, regret: np.ndarray, strategy_sum: np.ndarray) -> None:
    """``num_iters`` chance-sampled CFR iterations (``regret, strategy_sum [D, B, 3]`` updated in place)."""
    np.random.seed(seed)
    num_nodes = kind.shape[0]
    num_dec = regret.shape[0]
    deck = np.arange(NUM_CARDS)
    buckets = np.zeros((2, 4), dtype=np.int64)
    strategy = np.zeros((num_dec, 1, 3))
    reach = np.zeros((num_nodes, 2, 1))
    value = np.zeros((num_nodes, 1))
    root = np.ones((2, 1))
    local_regret = np.zeros((num_dec, 1, 3))
    local_sum = np.zeros((num_dec, 1, 3))
    for t in range(first_iter, first_iter + num_iters):
        np.random.shuffle(deck)
        winner = _deal_buckets(deck[:9].copy(), preflop, thresholds, combos, buckets)
        _sampled_strategy(kind, player, num_children, rnd, decision_index, regret, buckets, strategy)
        for p in range(2):
            K.forward_reach(kind, player, children, num_children, decision_index, strategy, root, reach)
            for n in range(num_nodes):
                if kind[n] != 2:
                    continue
                f = folder[n]
                if f == SHOWDOWN:
                    u = 0.0 if winner < 0 else (contrib[n, 1 - p] if winner == p else -contrib[n, p])
                else:
                    u = -contrib[n, p] if f == p else contrib[n, 1 - p]
                value[n, 0] = u * reach[n, 1 - p, 0]
            K.propagate_values(kind, player, children, num_children, decision_index, strategy, p, False, value)
            local_regret[:] = 0.0
            local_sum[:] = 0.0
            K.update_player(kind, player, children, num_children, decision_index, strategy, reach, value, p,
                            float(t), local_regret, local_sum)
            for n in range(num_nodes):
                if kind[n] != 0 or player[n] != p:
                    continue
                d = decision_index[n]
                b = buckets[p, rnd[n]]
                for s in range(num_children[n]):
                    regret[d, b, s] += local_regret[d, 0, s]
                    strategy_sum[d, b, s] += local_sum[d, 0, s]


def average_strategy(tree: BettingTree, strategy_sum: np.ndarray) -> np.ndarray:
    """float64 [D, B, 3]: normalised ``strategy_sum`` (uniform where never reached)."""
    out = np.zeros_like(strategy_sum)
    node_of = np.flatnonzero(tree.decision_index >= 0).astype(np.int32)
    K.normalise(strategy_sum, tree.num_children, node_of, out)
    return out


@dataclass(frozen=True)
class HoldemBlueprint:
    """A solved abstract strategy and its abstraction."""

    abstraction: HoldemAbstraction
    strategy: np.ndarray
    """float64 [D, B, 3]: average strategy per betting decision and bucket."""
    iterations: int

    def action_probs(self, node: int, bucket: int) -> np.ndarray:
        """float64 [legal actions] at betting ``node`` for a hand in ``bucket``."""
        tree = betting_tree()
        k = int(tree.num_children[node])
        return self.strategy[tree.decision_index[node], bucket, :k]


def solve_blueprint(iterations: int, num_buckets: int = 8, seed: int = 0, chunk: int = 5000) -> HoldemBlueprint:
    """Build the abstraction and run ``iterations`` sampled CFR iterations."""
    tree = betting_tree()
    abstraction = make_abstraction(num_buckets, seed)
    shape = (tree.num_decisions, num_buckets, 3)
    regret, strategy_sum = np.zeros(shape), np.zeros(shape)
    done = 0
    while done < iterations:
        n = min(chunk, iterations - done)
        run_sampled_cfr(tree.kind, tree.player, tree.children, tree.num_children, tree.round, tree.contrib,
                        tree.folder, tree.decision_index, abstraction.preflop, abstraction.thresholds, COMBOS,
                        done + 1, n, seed + done, regret, strategy_sum)
        done += n
    return HoldemBlueprint(abstraction, average_strategy(tree, strategy_sum), iterations)


def blueprint_path(cache: Path, iterations: int, num_buckets: int, seed: int) -> Path:
    return cache / f"holdem_limit-b{num_buckets}-i{iterations}-s{seed}.npz"


def load_or_solve(cache: Path, iterations: int, num_buckets: int = 8, seed: int = 0) -> HoldemBlueprint:
    """The blueprint from ``cache`` (solved and written atomically first if missing or stale)."""
    path = blueprint_path(cache, iterations, num_buckets, seed)
    tree = betting_tree()
    if path.exists():
        with np.load(path) as f:
            if int(f["version"]) == FORMAT_VERSION and f["strategy"].shape == (tree.num_decisions, num_buckets, 3):
                abstraction = HoldemAbstraction(preflop=f["preflop"], thresholds=f["thresholds"])
                return HoldemBlueprint(abstraction, f["strategy"], int(f["iterations"]))
    bp = solve_blueprint(iterations, num_buckets, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(fd, "wb") as f:
        np.savez_compressed(f, version=FORMAT_VERSION, strategy=bp.strategy.astype(np.float32),
                            preflop=bp.abstraction.preflop, thresholds=bp.abstraction.thresholds,
                            iterations=iterations)
    os.replace(tmp, path)
    return bp

