"""Adaptive thinking: a per-move simulation budget chosen by the search itself.

Two rules, checked between evaluator steps (Python-backed games) or compiled chunks (native connect four):

* **Smart pruning** (lc0): stop as soon as the most-visited root child cannot be overtaken, i.e. even if
  every remaining simulation (``limit - done``) went to the runner-up it would still have fewer visits:
  ``n2 + remaining < n1``. At temperature 0 (visit-count choice) the move is then the one the full budget
  would have played with this tree. Children proven lost for the chooser are left out (never played).
* **Think longer when uncertain** (after Huang, Coulom and Lin 2010, "Time management for Monte-Carlo tree
  search"): when the limit is reached but the top two children are close in visit share or Q, or the root
  value still moved since the previous check, the limit grows by a quarter of the nominal budget, up to
  ``max_extend`` x the nominal budget; smart pruning then applies against the new limit. While the race
  is close and the limit can still grow, smart pruning waits (an early stop would skip the extension).

:class:`AdaptiveBudget` keeps one tree's state for one search; :meth:`AdaptiveBudget.allowance` says how
many simulations may run before the rule has to be looked at again (0 = stop): the first simulation count
at which the leader could have become unassailable (each simulation lowers ``n2 + remaining - n1`` by at
most 2), at the latest :data:`CHECK_INTERVAL` (or budget / 16) simulations later (a proven-lost runner-up
leaves the race).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from search.mcts.config import MCTSConfig
from search.mcts.tree import UNVISITED, TreeArrays

EXTEND_STEP = 0.25
"""An extension raises the limit by this fraction of the nominal budget (then the rule is checked again)."""
CHECK_INTERVAL = 16
"""Most simulations between two looks at the rule (or 1/16 of the budget if more): a child proven lost
leaves the race at once, which the visit arithmetic alone cannot foresee."""


class Race(NamedTuple):
    """The root statistics the rule reads: the two most visited moves among those the chooser may still
    play (children proven lost for it are left out; first on ties)."""

    leader_visits: float
    runner_visits: float
    """Visits of the second most visited candidate (0 with a single candidate)."""
    leader_q: float
    """Mean value of the leader for the root's mover (0 unvisited; exact when proven)."""
    runner_q: float
    total: float
    """Visits of all candidate children."""
    moves: int
    """Candidate moves."""
    value: float
    """Root value for its mover (mean of the values backed up through the root; 0 before any)."""

    @classmethod
    def of(cls, visits: np.ndarray, q: np.ndarray, value: float = 0.0) -> "Race":
        """The race of candidate children with ``visits`` [k] and ``q`` [k] (e.g. synthetic counts)."""
        visits = np.asarray(visits, np.float64)
        if len(visits) == 0:
            return cls(0.0, 0.0, 0.0, 0.0, 0.0, 0, value)
        order = np.argsort(-visits, kind="stable")
        second = int(order[1]) if len(visits) > 1 else -1
        return cls(float(visits[order[0]]), float(visits[second]) if second >= 0 else 0.0, float(q[order[0]]),
                   float(q[second]) if second >= 0 else 0.0, float(visits.sum()), len(visits), value)


@njit(cache=True)
def _root_race(visits: np.ndarray, value_sum: np.ndarray, player: np.ndarray, terminal: np.ndarray,
               first_edge: np.ndarray, num_edges: np.ndarray, edge_child: np.ndarray, b: int,
               out: np.ndarray) -> None:
    """Fill ``out`` float64 [7] with tree ``b``'s :class:`Race` fields (arrays: the tree's [B, N] / [B, E])."""
    first, k = first_edge[b, 0], max(num_edges[b, 0], 0)
    lost = 0
    for j in range(k):
        child = edge_child[b, first + j]
        if child != UNVISITED and terminal[b, child] == terminal[b, child]:
            sign = 1.0 if player[b, child] == player[b, 0] else -1.0
            if sign * terminal[b, child] <= -1.0:
                lost += 1
    skip_lost = lost < k  # every move loses: all stay candidates
    n1, n2, q1, q2, total, moves = -1.0, -1.0, 0.0, 0.0, 0.0, 0
    for j in range(k):
        child = edge_child[b, first + j]
        n, q = 0.0, 0.0
        if child != UNVISITED:
            sign = 1.0 if player[b, child] == player[b, 0] else -1.0
            n = float(visits[b, child])
            if terminal[b, child] == terminal[b, child]:
                q = sign * terminal[b, child]
                if skip_lost and q <= -1.0:
                    continue
            elif n > 0:
                q = sign * value_sum[b, child] / n
        moves += 1
        total += n
        if n > n1:
            n2, q2 = n1, q1
            n1, q1 = n, q
        elif n > n2:
            n2, q2 = n, q
    root_visits = float(visits[b, 0])
    out[0], out[1] = max(n1, 0.0), max(n2, 0.0)
    out[2], out[3], out[4], out[5] = q1, q2, total, moves
    out[6] = value_sum[b, 0] / root_visits if root_visits > 0 else 0.0


def root_race(t: TreeArrays, b: int) -> Race:
    """Tree ``b``'s :class:`Race` (compiled: the search reads it every few simulations)."""
    out = np.empty(7, np.float64)
    _root_race(t.visits, t.value_sum, t.player, t.terminal_value, t.first_edge, t.num_edges, t.edge_child, b, out)
    return Race(out[0], out[1], out[2], out[3], out[4], int(out[5]), out[6])


def unassailable(race: Race, remaining: int) -> bool:
    """Smart pruning: True when no other move can reach the leader's visits with ``remaining`` simulations
    (all of them given to the runner-up), or there is a single candidate."""
    return race.moves <= 1 or race.runner_visits + remaining < race.leader_visits


def sims_until_decidable(race: Race, remaining: int) -> int:
    """Fewest simulations after which :func:`unassailable` could first hold (0 when it holds now).

    A simulation to the leader narrows ``n2 + remaining - n1`` by 2, any other by 1 or 0.
    """
    if race.moves <= 1:
        return 0
    gap = race.runner_visits + remaining - race.leader_visits + 1  # must fall to <= 0
    return max(0, int(math.ceil(gap / 2.0)))


def close_race(race: Race, config: MCTSConfig) -> bool:
    """Whether the top two moves are close: visit counts within ``extend_visit_gap`` of the candidates'
    visits, or the runner-up's Q within ``extend_q_gap`` of the leader's (or above it)."""
    if race.moves <= 1:
        return False
    if race.total > 0 and (race.leader_visits - race.runner_visits) / race.total < config.extend_visit_gap:
        return True
    return race.runner_visits > 0 and race.runner_q >= race.leader_q - config.extend_q_gap


def uncertain(race: Race, previous_value: float | None, config: MCTSConfig) -> bool:
    """Whether the search should think longer: a close race, or the root value moved by more than
    ``extend_value_drift`` since ``previous_value`` (None: not known)."""
    if race.moves <= 1:
        return False
    if close_race(race, config):
        return True
    return previous_value is not None and abs(race.value - previous_value) > config.extend_value_drift


class AdaptiveBudget:
    """One tree's adaptive budget during one search.

    While the limit may still be extended (``limit < cap``) and the race is close, smart pruning waits:
    an early stop would skip the longer thinking such a position asks for. With ``max_extend = 1`` (or a
    clear leader) the search stops at the first simulation count where the leader is unassailable.

    Args:
        config: the search settings (``num_simulations`` is the nominal budget, > 0).
    """

    def __init__(self, config: MCTSConfig) -> None:
        self.config = config
        self.budget = config.num_simulations
        self.cap = max(self.budget, int(math.floor(self.budget * config.max_extend)))
        """Most simulations this search may run."""
        self.step = max(1, int(round(self.budget * EXTEND_STEP)))
        self.limit = self.budget
        """Current limit: the nominal budget, raised by each extension."""
        self.extensions = 0
        """Times the limit was raised."""
        self.interval = max(CHECK_INTERVAL, self.budget // 16)
        """Most simulations between two looks at the rule."""
        self._mark = self.budget - self.step if self.budget > self.step else self.budget
        self._mark_value: float | None = None

    def allowance(self, done: int, race: Race) -> int:
        """Simulations that may run before the next check, given ``done`` so far; 0 = stop now."""
        if done >= self._mark:
            previous = self._mark_value
            if done >= self.limit:
                if self.limit < self.cap and uncertain(race, previous, self.config):
                    self.limit = min(self.cap, self.limit + self.step)
                    self.extensions += 1
                else:
                    return 0
            self._mark_value = race.value
            self._mark = self.limit
        remaining = self.limit - done
        waiting = self.limit < self.cap and close_race(race, self.config)
        if not waiting and unassailable(race, remaining):
            return 0
        until = self.interval if waiting else sims_until_decidable(race, remaining)
        return max(1, min(until, self.interval, self._mark - done, remaining))
