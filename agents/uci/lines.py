"""What a searched tree says, read for the ``info`` lines: depths, proven mates, the root moves' lines.

Reads tree 0 of a :class:`search.mcts.tree.TreeArrays` between searches (nothing else writes it then).
Node indices follow creation order (a parent before its children, also after tree reuse), so one forward
pass gives every node's depth and one backward pass every proven node's distance to mate.

Proven values follow :mod:`search.mcts.tree`: ``terminal_value`` is the exact value for ``player`` of the
node, and a game-over node (``num_edges == 0``) holds +1 for the player who moved into it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from search.mcts.tree import UNVISITED, TreeArrays

PV_LIMIT = 64
"""Most plies of a principal variation."""
NOT_PROVEN = -1
"""``mate_plies`` of a node that is not a proven win or loss."""


@njit(cache=True)
def depth_stats(parent: np.ndarray, count: int) -> tuple[float, int]:
    """(mean depth of the nodes below the root, deepest node's depth) of a tree of ``count`` nodes."""
    depth = np.zeros(max(count, 1), np.int32)
    total, deepest = 0, 0
    for i in range(1, count):
        p = parent[i]
        d = depth[p] + 1 if 0 <= p < i else 1
        depth[i] = d
        total += d
        deepest = max(deepest, d)
    return total / max(count - 1, 1), deepest


@njit(cache=True)
def mate_plies(player: np.ndarray, terminal_value: np.ndarray, first_edge: np.ndarray, num_edges: np.ndarray,
               edge_child: np.ndarray, count: int) -> np.ndarray:
    """int32 [count]: plies to the end of the game along the proven line from each proven win or loss
    (the winner takes the shortest proven mate, the loser the longest resistance); :data:`NOT_PROVEN`
    elsewhere."""
    plies = np.full(count, NOT_PROVEN, np.int32)
    for i in range(count - 1, -1, -1):
        tv = terminal_value[i]
        if tv != tv or -1.0 < tv < 1.0:
            continue
        k = num_edges[i]
        if k <= 0:
            plies[i] = 0
            continue
        win = tv >= 1.0
        best = -1
        for e in range(first_edge[i], first_edge[i] + k):
            c = edge_child[e]
            if c < 0 or plies[c] < 0:
                continue
            value = terminal_value[c] if player[c] == player[i] else -terminal_value[c]
            if win and value >= 1.0 and (best < 0 or plies[c] < best):
                best = plies[c]
            elif not win and value <= -1.0 and plies[c] > best:
                best = plies[c]
        if best >= 0:
            plies[i] = best + 1
    return plies


@dataclass(frozen=True)
class Line:
    """One root move and what the search thinks of it."""

    action: int
    """The root move."""
    visits: int
    """Its visits."""
    q: float
    """Its mean value for the side to move at the root, in [-1, 1] (exact when proven)."""
    prior: float
    """Its prior probability."""
    mate: int | None
    """Proven result in moves: +N = the side to move mates in N, -N = it is mated in N; None = otherwise."""
    proven: bool
    """The solver proved the move's value (a win, a loss or a draw): :attr:`q` is exact."""
    pv: tuple[int, ...]
    """Principal variation starting with :attr:`action` (actions)."""


def _child_value(t: TreeArrays, parent: int, child: int) -> tuple[float, float]:
    """(mean value, proven value or NaN) of ``child`` for the player to move at ``parent``."""
    sign = 1.0 if t.player[0, child] == t.player[0, parent] else -1.0
    n = int(t.visits[0, child])
    q = sign * float(t.value_sum[0, child]) / n if n > 0 else 0.0
    return q, sign * float(t.terminal_value[0, child])


def _edges(t: TreeArrays, node: int) -> range:
    first = int(t.first_edge[0, node])
    return range(first, first + max(int(t.num_edges[0, node]), 0))


def _rank(t: TreeArrays, node: int, e: int, plies: np.ndarray) -> tuple[float, ...]:
    """Sort key of edge ``e`` of ``node``, best first: proven wins (shortest first), then by visits and Q,
    proven losses last (longest first)."""
    child = int(t.edge_child[0, e])
    if child == UNVISITED:
        return (1.0, 0.0, -float(t.edge_prior[0, e]))
    q, proven = _child_value(t, node, child)
    if proven >= 1.0:
        return (0.0, float(plies[child]), 0.0)
    if proven <= -1.0:
        return (2.0, -float(plies[child]), 0.0)
    return (1.0, -float(t.visits[0, child]), -q)


def principal_variation(t: TreeArrays, node: int, plies: np.ndarray) -> list[int]:
    """Actions of the best line from ``node``: at each node the best ranked visited child."""
    pv: list[int] = []
    while len(pv) < PV_LIMIT and int(t.num_edges[0, node]) > 0:
        visited = [e for e in _edges(t, node) if t.edge_child[0, e] != UNVISITED
                   and t.visits[0, int(t.edge_child[0, e])] > 0]
        if not visited:
            break
        e = min(visited, key=lambda edge: _rank(t, node, edge, plies))
        pv.append(int(t.edge_action[0, e]))
        node = int(t.edge_child[0, e])
    return pv


def root_lines(t: TreeArrays, count: int, first: int | None = None) -> list[Line]:
    """The ``count`` best root moves that have visits (at least one line if the root has moves), best first;
    ``first`` (an action) is put at the front when given (the move the engine plays)."""
    n = int(t.node_count[0])
    plies = mate_plies(t.player[0], t.terminal_value[0], t.first_edge[0], t.num_edges[0], t.edge_child[0], n)
    edges = sorted(_edges(t, 0), key=lambda e: _rank(t, 0, e, plies))
    if first is not None:
        edges.sort(key=lambda e: int(t.edge_action[0, e]) != first)
    lines: list[Line] = []
    for e in edges:
        child = int(t.edge_child[0, e])
        visits = int(t.visits[0, child]) if child != UNVISITED else 0
        if len(lines) >= count:
            break
        if lines and visits == 0:
            continue
        q, proven = (0.0, float("nan")) if child == UNVISITED else _child_value(t, 0, child)
        mate = None
        if abs(proven) >= 1.0 and plies[child] >= 0:
            total = int(plies[child]) + 1
            mate = (total + 1) // 2 if proven > 0 else -(total // 2)
        if proven == proven:
            q = proven
        tail = principal_variation(t, child, plies) if child != UNVISITED else []
        lines.append(Line(int(t.edge_action[0, e]), visits, q, float(t.edge_prior[0, e]), mate, proven == proven,
                          (int(t.edge_action[0, e]), *tail)))
    return lines


def tree_depth(t: TreeArrays) -> tuple[float, int]:
    """(mean depth, deepest node's depth) of tree 0."""
    mean, deepest = depth_stats(t.parent[0], int(t.node_count[0]))
    return float(mean), int(deepest)
