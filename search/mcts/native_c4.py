"""Whole connect-four simulations in compiled code: select (the position travels down with the descent
as two bitboards and a ply count) -> expand (uniform priors) -> value (one uniformly random rollout, or
0 for the uniform evaluator) -> backup. With a network evaluator, :func:`c4_prepare_leaves` replays the
selected leaves and writes their observations so that Python makes one evaluator call per step."""
from __future__ import annotations

import numpy as np
from numba import njit

from games.connect_four_kernels import (
    C4_NUM_ACTIONS,
    C4_ONGOING,
    C4_STATE_SIZE,
    C4_WIN_P0,
    C4_WIN_P1,
    c4_apply,
    c4_column_full,
    c4_current_player,
    c4_is_terminal,
    c4_legal_bits,
    c4_observation,
    c4_play,
    c4_playout_value,
    c4_rng_seed,
    c4_value_for,
)
from search.mcts.simulate import choose_edge, gumbel_root_edge
from search.mcts.tree import (
    NO_PARENT,
    NOT_EXPANDED,
    P_GUMBEL,
    UNVISITED,
    TreeArrays,
    TreeRows,
    backup_rows,
    create_child_rows,
    store_counts,
    tree_rows,
)

MAX_PLIES = 64
"""Longer than any connect-four game (42 plies): size of the path buffer."""


@njit(cache=True, inline="always")
def c4_leaf_state(parents: np.ndarray, actions: np.ndarray, leaf: int, root_state: np.ndarray, path: np.ndarray,
                  out: np.ndarray) -> None:
    """Write the state of node ``leaf`` into ``out`` (int64 [4]) by replaying its path from the root
    (``parents``, ``actions``: the tree's parent and action rows). Used by the network path, which
    meets its leaves after the descent; whole simulations keep the state along the descent instead."""
    depth = 0
    node = leaf
    while parents[node] != NO_PARENT:
        path[depth] = actions[node]
        depth += 1
        node = parents[node]
    for i in range(C4_STATE_SIZE):
        out[i] = root_state[i]
    for i in range(depth - 1, -1, -1):
        c4_apply(out, path[i])


@njit(cache=True, inline="always")
def c4_expand_leaf(parent: np.ndarray, player: np.ndarray, net_value: np.ndarray, first_edge: np.ndarray,
                   num_edges: np.ndarray, terminal: np.ndarray, edge_action: np.ndarray, edge_prior: np.ndarray,
                   edge_child: np.ndarray, counts: np.ndarray, leaf: int, p0: np.int64, p1: np.int64, ply: int,
                   outcome: int, rollout: bool, rng: np.uint64) -> tuple[float, np.uint64]:
    """Expand ``leaf`` (position ``p0``, ``p1``, ``ply``, ``outcome`` as in a state array) with uniform
    priors; returns (its value for its player to move, generator state). A terminal leaf gets the exact
    return of the player who moved into it; an already expanded leaf keeps its edges and evaluator value.
    Arrays: one tree's rows."""
    if num_edges[leaf] != NOT_EXPANDED:
        return np.float64(net_value[leaf]), rng
    if outcome != C4_ONGOING:
        up = parent[leaf]
        mover = player[up] if up != NO_PARENT else 0
        value = 0.0
        if outcome == C4_WIN_P0:
            value = 1.0 if mover == 0 else -1.0
        elif outcome == C4_WIN_P1:
            value = 1.0 if mover == 1 else -1.0
        player[leaf] = mover
        num_edges[leaf] = 0
        terminal[leaf] = value
        net_value[leaf] = value
        return value, rng
    first = counts[1]
    occupied = p0 | p1
    k = 0
    for col in range(C4_NUM_ACTIONS):
        if not c4_column_full(occupied, col):
            edge_action[first + k] = col
            edge_child[first + k] = UNVISITED
            k += 1
    prior = np.float32(1.0 / k)
    for i in range(first, first + k):
        edge_prior[i] = prior
    counts[1] = first + k
    mover = ply % 2
    value = 0.0
    if rollout:
        if mover == 0:
            value, rng = c4_playout_value(p0, p1, ply, rng)
        else:
            value, rng = c4_playout_value(p1, p0, ply, rng)
    first_edge[leaf] = first
    num_edges[leaf] = k
    player[leaf] = mover
    net_value[leaf] = value
    return value, rng


@njit(cache=True)
def c4_run_simulations(t: TreeArrays, b: int, root_state: np.ndarray, num_sims: int, params: np.ndarray,
                       schedule: np.ndarray, sim_start: int, rollout: bool, seed: int) -> int:
    """Run up to ``num_sims`` whole simulations on tree ``b`` (root position ``root_state``, int64 [4]);
    returns how many ran (fewer if the root got proven or the tree filled up). Rollouts draw from a
    splitmix64 generator seeded with ``seed``. The loop itself is :func:`_simulate`."""
    counts = np.empty(2, np.int32)
    r = tree_rows(t, b, counts)
    done = _simulate(r, root_state, num_sims, params, schedule, sim_start, rollout, seed,
                     np.empty(C4_NUM_ACTIONS, np.float64))
    store_counts(t, b, r)
    return done


@njit(cache=True, _nrt=False)
def _simulate(r: TreeRows, root_state: np.ndarray, num_sims: int, params: np.ndarray, schedule: np.ndarray,
              sim_start: int, rollout: bool, seed: int, scratch: np.ndarray) -> int:
    """The simulation loop of :func:`c4_run_simulations` on one tree's rows (``scratch`` float64 [7]).

    The position travels down with the descent in four scalars (no replay from the root, no array per
    simulation). Compiled without numba's reference counting (``_nrt=False``: it allocates nothing):
    with it, every inlined helper taking arrays adds an atomic increment and decrement per array per
    call, measured at 60 % of the whole simulation time.
    """
    rng = c4_rng_seed(seed)
    parent, action, player, visits, value_sum = r.parent, r.action, r.player, r.visits, r.value_sum
    net_value, first_edge, num_edges, terminal = r.net_value, r.first_edge, r.num_edges, r.terminal_value
    edge_action, edge_prior, edge_child, counts = r.edge_action, r.edge_prior, r.edge_child, r.counts
    gumbel = params[P_GUMBEL] > 0.0
    root_p0, root_p1, root_ply, root_outcome = root_state[0], root_state[1], root_state[2], root_state[3]
    done = 0
    edge_room = edge_action.shape[0] - C4_NUM_ACTIONS  # a new node needs up to 7 edges
    while done < num_sims and terminal[0] != terminal[0] and counts[1] <= edge_room:
        root_edge = gumbel_root_edge(r, params, schedule, sim_start + done, scratch) if gumbel else -1
        p0, p1, ply, outcome = root_p0, root_p1, root_ply, root_outcome
        node = 0
        leaf = -1
        while True:  # descend, playing each edge's column on the scalar position
            e = choose_edge(player, visits, value_sum, net_value, first_edge, num_edges, terminal, edge_prior,
                            edge_child, node, root_edge, params)
            if e < 0:
                leaf = node
                break
            p0, p1, ply, outcome = c4_play(p0, p1, ply, edge_action[e])
            child = edge_child[e]
            if child == UNVISITED:
                leaf = create_child_rows(parent, action, player, visits, value_sum, net_value, num_edges, terminal,
                                         edge_action, edge_child, counts, node, e)
                break
            node = child
        if leaf < 0:
            break  # no room for a new node
        done += 1
        if terminal[leaf] == terminal[leaf]:
            value = np.float64(terminal[leaf])
        else:
            value, rng = c4_expand_leaf(parent, player, net_value, first_edge, num_edges, terminal, edge_action,
                                        edge_prior, edge_child, counts, leaf, p0, p1, ply, outcome, rollout, rng)
        backup_rows(parent, player, visits, value_sum, terminal, first_edge, num_edges, edge_child, leaf, value)
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
