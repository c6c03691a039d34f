"""Whole connect-four simulations in compiled code: select -> replay the path with the c4 kernels ->
expand (uniform priors) -> value (one uniformly random rollout, or 0 for the uniform evaluator) ->
backup. With a network evaluator, :func:`c4_prepare_leaves` replays the selected leaves and writes
their observations so that Python makes one evaluator call per step."""
from __future__ import annotations

import numpy as np
from numba import njit

from games.connect_four_kernels import (
    C4_NUM_ACTIONS,
    C4_ONGOING,
    c4_apply,
    c4_current_player,
    c4_is_terminal,
    c4_legal_bits,
    c4_observation,
    c4_value_for,
)
from search.mcts.simulate import descend_rows, gumbel_root_edge
from search.mcts.tree import (
    NO_PARENT,
    P_GUMBEL,
    TreeArrays,
    backup_rows,
    expand_rows,
    store_counts,
    tree_rows,
)

MAX_PLIES = 64
"""Longer than any connect-four game (42 plies): size of the path buffer."""


@njit(cache=True)
def c4_fast_playout(s: np.ndarray) -> None:
    """Uniformly random legal moves until the end, in place: the distribution of
    ``c4_random_playout`` (drawn by rejection of full columns: one draw per move on most boards),
    measured 2.7x faster."""
    while s[3] == C4_ONGOING:
        bits = c4_legal_bits(s)
        while True:
            col = np.random.randint(0, C4_NUM_ACTIONS)
            if (bits >> col) & 1:
                break
        c4_apply(s, col)


@njit(cache=True, inline="always")
def c4_leaf_state(parents: np.ndarray, actions: np.ndarray, leaf: int, root_state: np.ndarray, path: np.ndarray,
                  out: np.ndarray) -> None:
    """Write the state of node ``leaf`` into ``out`` (int64 [4]) by replaying its path from the root
    (``parents``, ``actions``: the tree's parent and action rows)."""
    depth = 0
    node = leaf
    while parents[node] != NO_PARENT:
        path[depth] = actions[node]
        depth += 1
        node = parents[node]
    out[:] = root_state
    for i in range(depth - 1, -1, -1):
        c4_apply(out, path[i])


@njit(cache=True, inline="always")
def c4_expand_leaf(parent: np.ndarray, player: np.ndarray, net_value: np.ndarray, first_edge: np.ndarray,
                   num_edges: np.ndarray, terminal: np.ndarray, edge_action: np.ndarray, edge_prior: np.ndarray,
                   edge_child: np.ndarray, counts: np.ndarray, leaf: int, state: np.ndarray, rollout: bool,
                   actions: np.ndarray, priors: np.ndarray, work: np.ndarray) -> float:
    """Expand ``leaf`` (state ``state``) with uniform priors; returns its value for its player to move
    (terminal: the exact return of the player who moved into it). Arrays: one tree's rows."""
    if c4_is_terminal(state):
        up = parent[leaf]
        mover = player[up] if up != NO_PARENT else 0
        value = c4_value_for(state, mover)
        player[leaf] = mover
        num_edges[leaf] = 0
        terminal[leaf] = value
        net_value[leaf] = value
        return value
    bits = c4_legal_bits(state)
    k = 0
    for col in range(C4_NUM_ACTIONS):
        if (bits >> col) & 1:
            actions[k] = col
            k += 1
    for i in range(k):
        priors[i] = 1.0 / k
    mover = c4_current_player(state)
    value = 0.0
    if rollout:
        work[:] = state
        c4_fast_playout(work)
        value = c4_value_for(work, mover)
    expand_rows(first_edge, num_edges, player, net_value, edge_action, edge_prior, edge_child, counts, leaf, mover,
                actions, priors, k, value)
    return value


@njit(cache=True)
def c4_run_simulations(t: TreeArrays, b: int, root_state: np.ndarray, num_sims: int, params: np.ndarray,
                       schedule: np.ndarray, sim_start: int, rollout: bool, seed: int) -> int:
    """Run up to ``num_sims`` whole simulations on tree ``b``; returns how many ran (fewer if the root
    got proven or the tree filled up). Seeds numba's generator with ``seed`` first."""
    np.random.seed(seed)
    path = np.empty(MAX_PLIES, np.int32)
    state = np.empty(4, np.int64)
    work = np.empty(4, np.int64)
    actions = np.empty(C4_NUM_ACTIONS, np.int32)
    priors = np.empty(C4_NUM_ACTIONS, np.float32)
    scratch = np.empty(C4_NUM_ACTIONS, np.float64)
    counts = np.empty(2, np.int32)
    r = tree_rows(t, b, counts)
    # Views unpacked once: the loop below must not touch the tuple (see search.mcts.tree).
    parent, action, player, visits, value_sum = r.parent, r.action, r.player, r.visits, r.value_sum
    net_value, first_edge, num_edges, terminal = r.net_value, r.first_edge, r.num_edges, r.terminal_value
    edge_action, edge_prior, edge_child = r.edge_action, r.edge_prior, r.edge_child
    gumbel = params[P_GUMBEL] > 0.0
    done = 0
    while done < num_sims and terminal[0] != terminal[0]:
        root_edge = gumbel_root_edge(r, params, schedule, sim_start + done, scratch) if gumbel else -1
        leaf = descend_rows(parent, action, player, visits, value_sum, net_value, first_edge, num_edges, terminal,
                            edge_action, edge_prior, edge_child, counts, params, root_edge)
        if leaf < 0:
            break
        done += 1
        if terminal[leaf] == terminal[leaf]:
            value = np.float64(terminal[leaf])
        else:
            c4_leaf_state(parent, action, leaf, root_state, path, state)
            value = c4_expand_leaf(parent, player, net_value, first_edge, num_edges, terminal, edge_action,
                                   edge_prior, edge_child, counts, leaf, state, rollout, actions, priors, work)
        backup_rows(parent, player, visits, value_sum, terminal, first_edge, num_edges, edge_child, leaf, value)
    store_counts(t, b, r)
    return done


@njit(cache=True)
def c4_prepare_leaves(t: TreeArrays, leaf_tree: np.ndarray, leaf_node: np.ndarray, roots: np.ndarray,
                      kind: np.ndarray, leaf_value: np.ndarray, leaf_player: np.ndarray, eval_row: np.ndarray,
                      offsets: np.ndarray, actions: np.ndarray, observations: np.ndarray,
                      legal_mask: np.ndarray) -> int:
    """For a network evaluator: turn selected leaves (arrays [M]) into the inputs of ``finish_batch``
    and the evaluator's batch; returns R, the rows of ``observations`` (float32 [M, 3, 6, 7]) and
    ``legal_mask`` (bool [M, 7]) to evaluate. ``roots`` is int64 [B, 4] (root state of each tree)."""
    path = np.empty(MAX_PLIES, np.int32)
    state = np.empty(4, np.int64)
    counts = np.empty(2, np.int32)
    rows = 0
    offsets[0] = 0
    for i in range(leaf_node.shape[0]):
        b, node = leaf_tree[i], leaf_node[i]
        r = tree_rows(t, b, counts)
        offsets[i + 1] = offsets[i]
        eval_row[i] = -1
        leaf_player[i] = 0
        leaf_value[i] = 0.0
        if not np.isnan(r.terminal_value[node]):
            kind[i] = 0
            continue
        c4_leaf_state(r.parent, r.action, node, roots[b], path, state)
        if c4_is_terminal(state):
            parent = r.parent[node]
            kind[i] = 1
            leaf_value[i] = c4_value_for(state, r.player[parent] if parent != NO_PARENT else 0)
            continue
        kind[i] = 2
        leaf_player[i] = c4_current_player(state)
        eval_row[i] = rows
        c4_observation(state, observations[rows])
        bits = c4_legal_bits(state)
        for col in range(C4_NUM_ACTIONS):
            legal = ((bits >> col) & 1) == 1
            legal_mask[rows, col] = legal
            if legal:
                actions[offsets[i + 1]] = col
                offsets[i + 1] += 1
        rows += 1
    return rows
