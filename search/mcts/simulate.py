"""Compiled simulation steps shared by every game: descend to a leaf (PUCT or Gumbel at the root) with
virtual loss, then, once the leaves are evaluated, expand them and back their values up."""
from __future__ import annotations

import numpy as np
from numba import njit

from search.mcts.gumbel import gumbel_root_select
from search.mcts.tree import (
    NOT_EXPANDED,
    P_C_BASE,
    P_C_INIT,
    P_FPU,
    P_GUMBEL,
    P_VIRTUAL_LOSS,
    UNVISITED,
    TreeArrays,
    TreeRows,
    backup,
    create_child_rows,
    expand,
    select_child,
    set_terminal,
    store_counts,
    tree_rows,
    virtual_loss,
)


@njit(cache=True, inline="always")
def choose_edge(player: np.ndarray, visits: np.ndarray, value_sum: np.ndarray, net_value: np.ndarray,
                first_edge: np.ndarray, num_edges: np.ndarray, terminal: np.ndarray, edge_prior: np.ndarray,
                edge_child: np.ndarray, node: int, root_edge: int, params: np.ndarray) -> int:
    """One step of every descent: the edge to follow from ``node``, or -1 if ``node`` is where the
    descent ends (terminal or proven, not expanded, or without edges). ``root_edge`` >= 0 forces the
    edge taken at the root (the Gumbel choice); otherwise :func:`select_child` (PUCT) chooses."""
    k = num_edges[node]
    if terminal[node] == terminal[node] or k == NOT_EXPANDED or k == 0:
        return -1
    if node == 0 and root_edge >= 0:
        return root_edge
    return select_child(visits, player, value_sum, terminal, net_value, first_edge, num_edges, edge_child,
                        edge_prior, node, params[P_C_INIT], params[P_C_BASE], params[P_FPU])


@njit(cache=True, inline="always")
def descend_rows(parent: np.ndarray, action: np.ndarray, player: np.ndarray, visits: np.ndarray,
                 value_sum: np.ndarray, net_value: np.ndarray, first_edge: np.ndarray, num_edges: np.ndarray,
                 terminal: np.ndarray, edge_action: np.ndarray, edge_prior: np.ndarray, edge_child: np.ndarray,
                 counts: np.ndarray, params: np.ndarray, root_edge: int) -> int:
    """:func:`select_leaf` on one tree's unpacked rows: :func:`choose_edge` from the root until the
    descent ends or reaches an edge without a child (which is then created; -1 if the tree is full)."""
    node = 0
    while True:
        e = choose_edge(player, visits, value_sum, net_value, first_edge, num_edges, terminal, edge_prior,
                        edge_child, node, root_edge, params)
        if e < 0:
            return node
        child = edge_child[e]
        if child == UNVISITED:
            return create_child_rows(parent, action, player, visits, value_sum, net_value, num_edges, terminal,
                                     edge_action, edge_child, counts, node, e)
        node = child


@njit(cache=True)
def gumbel_root_edge(r: TreeRows, params: np.ndarray, schedule: np.ndarray, sim_index: int,
                     scratch: np.ndarray) -> int:
    """The root edge sequential halving visits in simulation ``sim_index``; -1 = use PUCT (Gumbel off,
    schedule exhausted (or -1 there), root not expanded or proven, or no action due)."""
    if params[P_GUMBEL] <= 0.0 or sim_index >= schedule.shape[0] or r.num_edges[0] <= 0:
        return -1
    if schedule[sim_index] < 0:
        return -1
    if r.terminal_value[0] == r.terminal_value[0]:
        return -1
    return gumbel_root_select(r, params, schedule[sim_index], scratch)


@njit(cache=True, _nrt=False)
def select_leaf(r: TreeRows, params: np.ndarray, schedule: np.ndarray, sim_index: int, scratch: np.ndarray) -> int:
    """Descend one tree from the root; returns the leaf: a new (unexpanded) node, a node waiting for
    evaluation, or a terminal/proven node (whose exact value is then backed up without evaluation).
    Returns -1 if a new node was needed but the tree is full. ``schedule`` is the Gumbel visit schedule
    (root selection falls back to PUCT past its end). Compiled without reference counting (see
    :mod:`search.mcts.tree`): it allocates nothing."""
    root_edge = gumbel_root_edge(r, params, schedule, sim_index, scratch)
    return descend_rows(r.parent, r.action, r.player, r.visits, r.value_sum, r.net_value, r.first_edge,
                        r.num_edges, r.terminal_value, r.edge_action, r.edge_prior, r.edge_child, r.counts,
                        params, root_edge)


@njit(cache=True)
def select_batch(t: TreeArrays, trees: np.ndarray, counts: np.ndarray, params: np.ndarray,
                 schedules: np.ndarray, sims_done: np.ndarray, scratch: np.ndarray, out: np.ndarray) -> None:
    """Select ``counts[i]`` leaves in tree ``trees[i]`` into ``out[i, :counts[i]]`` (int32 [T, L]; -1 once
    the tree is full), adding virtual loss along each path so the next descent spreads out.
    ``schedules`` int32 [B, S]: tree b's Gumbel visit schedule in row b."""
    vl = int(params[P_VIRTUAL_LOSS])
    tree_counts = np.empty(2, np.int32)
    for i in range(trees.shape[0]):
        b = trees[i]
        r = tree_rows(t, b, tree_counts)
        for j in range(out.shape[1]):
            out[i, j] = -1
        for j in range(counts[i]):
            leaf = select_leaf(r, params, schedules[b], sims_done[b] + j, scratch)
            if leaf < 0:
                break
            out[i, j] = leaf
            virtual_loss(r, leaf, vl)
        store_counts(t, b, r)


@njit(cache=True)
def _expand_from_logits(r: TreeRows, node: int, player: int, acts: np.ndarray, row: np.ndarray, value: float) -> None:
    top = -np.inf
    for a in acts:
        top = max(top, row[a])
    priors = np.empty(acts.shape[0], np.float32)
    total = 0.0
    for j in range(acts.shape[0]):
        priors[j] = np.exp(row[acts[j]] - top)
        total += priors[j]
    for j in range(acts.shape[0]):
        priors[j] /= total
    if not expand(r, node, player, acts, priors, min(1.0, max(-1.0, value))):
        raise RuntimeError("edge arrays full")  # the caller grows them beforehand


@njit(cache=True)
def finish_batch(t: TreeArrays, leaf_tree: np.ndarray, leaf_node: np.ndarray, params: np.ndarray,
                 kind: np.ndarray, leaf_value: np.ndarray, leaf_player: np.ndarray, eval_row: np.ndarray,
                 offsets: np.ndarray, actions: np.ndarray, logits: np.ndarray) -> None:
    """Complete a batch of selected leaves (arrays [M] unless noted).

    Args:
        leaf_tree, leaf_node: tree and node of each selected leaf (duplicates allowed).
        kind: 0 = already proven (value known in the tree), 1 = terminal state reached, 2 = evaluated.
        leaf_value: terminal return of the player who moved into the leaf (kind 1) or the evaluator's
            value for the leaf's player to move (kind 2).
        leaf_player: player to move at an evaluated leaf.
        eval_row: row of ``logits`` for an evaluated leaf.
        offsets, actions: legal actions of leaf i are ``actions[offsets[i]:offsets[i + 1]]``.
        logits: float32 [R, A] evaluator logits; priors are their softmax over the legal actions.
    """
    vl = int(params[P_VIRTUAL_LOSS])
    m = leaf_node.shape[0]
    tree_counts = np.empty(2, np.int32)
    for i in range(m):  # all virtual losses go before any player is set, so signs match
        r = tree_rows(t, leaf_tree[i], tree_counts)
        virtual_loss(r, leaf_node[i], -vl)
    for i in range(m):
        b, node = leaf_tree[i], leaf_node[i]
        r = tree_rows(t, b, tree_counts)
        if kind[i] == 1 and r.num_edges[node] == NOT_EXPANDED:
            set_terminal(r, node, leaf_value[i])
        elif kind[i] == 2 and r.num_edges[node] == NOT_EXPANDED:
            _expand_from_logits(r, node, leaf_player[i], actions[offsets[i]:offsets[i + 1]], logits[eval_row[i]],
                                leaf_value[i])
        store_counts(t, b, r)
    for i in range(m):
        r = tree_rows(t, leaf_tree[i], tree_counts)
        node = leaf_node[i]
        tv = r.terminal_value[node]
        backup(r, node, tv if not np.isnan(tv) else r.net_value[node])
