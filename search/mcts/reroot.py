"""Tree reuse: make a child the new root by copying its subtree to the front of the arrays."""
from __future__ import annotations

import numpy as np
from numba import njit

from search.mcts.tree import NO_PARENT, NO_VALUE, NOT_EXPANDED, UNKNOWN_PLAYER, UNVISITED, TreeArrays


@njit(cache=True)
def reroot(t: TreeArrays, b: int, new_root: int) -> None:
    """Keep only the subtree of ``new_root`` in tree ``b``, renumbered breadth-first (root = 0, parents
    before children); statistics, priors and proven values are kept, everything else is freed."""
    n_cap = t.parent.shape[1]
    old_of = np.empty(n_cap, np.int32)  # new index -> old index
    new_of = np.full(n_cap, -1, np.int32)  # old index -> new index
    old_of[0] = new_root
    new_of[new_root] = 0
    count, head = 1, 0
    while head < count:
        old = old_of[head]
        head += 1
        k = t.num_edges[b, old]
        first = t.first_edge[b, old]
        for e in range(first, first + max(k, 0)):
            child = t.edge_child[b, e]
            if child != UNVISITED:
                old_of[count] = child
                new_of[child] = count
                count += 1
    parent = np.empty(count, np.int32)
    action = np.empty(count, np.int32)
    player = np.empty(count, np.int32)
    visits = np.empty(count, np.int32)
    value_sum = np.empty(count, np.float64)
    net_value = np.empty(count, np.float32)
    first_edge = np.empty(count, np.int32)
    num_edges = np.empty(count, np.int32)
    terminal_value = np.empty(count, np.float32)
    e_cap = t.edge_action.shape[1]
    edge_action = np.empty(e_cap, np.int32)
    edge_prior = np.empty(e_cap, np.float32)
    edge_child = np.empty(e_cap, np.int32)
    edges = 0
    for i in range(count):
        old = old_of[i]
        p = t.parent[b, old]
        parent[i] = NO_PARENT if i == 0 else new_of[p]
        action[i] = -1 if i == 0 else t.action[b, old]
        player[i] = t.player[b, old]
        visits[i] = t.visits[b, old]
        value_sum[i] = t.value_sum[b, old]
        net_value[i] = t.net_value[b, old]
        num_edges[i] = t.num_edges[b, old]
        terminal_value[i] = t.terminal_value[b, old]
        first_edge[i] = edges
        k = t.num_edges[b, old]
        for j in range(max(k, 0)):
            e = t.first_edge[b, old] + j
            edge_action[edges] = t.edge_action[b, e]
            edge_prior[edges] = t.edge_prior[b, e]
            child = t.edge_child[b, e]
            edge_child[edges] = UNVISITED if child == UNVISITED else new_of[child]
            edges += 1
    old_count = t.node_count[b]
    for i in range(count):
        t.parent[b, i] = parent[i]
        t.action[b, i] = action[i]
        t.player[b, i] = player[i]
        t.visits[b, i] = visits[i]
        t.value_sum[b, i] = value_sum[i]
        t.net_value[b, i] = net_value[i]
        t.first_edge[b, i] = first_edge[i]
        t.num_edges[b, i] = num_edges[i]
        t.terminal_value[b, i] = terminal_value[i]
    for i in range(count, old_count):
        t.parent[b, i] = NO_PARENT
        t.player[b, i] = UNKNOWN_PLAYER
        t.visits[b, i] = 0
        t.value_sum[b, i] = 0.0
        t.num_edges[b, i] = NOT_EXPANDED
        t.terminal_value[b, i] = NO_VALUE
    for e in range(edges):
        t.edge_action[b, e] = edge_action[e]
        t.edge_prior[b, e] = edge_prior[e]
        t.edge_child[b, e] = edge_child[e]
    for e in range(edges, t.edge_count[b]):
        t.edge_child[b, e] = UNVISITED
    t.node_count[b] = count
    t.edge_count[b] = edges
