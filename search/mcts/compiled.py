"""Whole simulations in compiled code for any game with compiled rules (:mod:`games.compiled`).

The searcher names no game: it calls the protocol functions (``rules_apply``, ``rules_expand``, ...)
with the game's rules tag, and numba specialises these loops per tag (cached on disk per game).

* :func:`run_simulations`: select (the position travels down the descent on a stack of rows, one
  copy-make per ply) -> expand (uniform priors, or the game's heuristic priors) -> value (0 for the
  uniform evaluator, one random playout, or the heuristic value) -> backup, for a whole chunk of
  simulations without returning to Python.
* :func:`prepare_leaves`: for a network evaluator, replays the selected leaves from their roots and
  writes their observations, legal masks and legal actions so that Python makes ONE evaluator call
  per step; ``search.mcts.simulate.finish_batch`` then expands and backs up.

Stacks (int64 ``[R, S]``): rows ``0 .. H-1`` hold the root's history with the root in row ``H - 1``;
the descent writes the path's positions below it (:func:`games.compiled.stack_rows` rows in all).
"""
from __future__ import annotations

import numpy as np
from numba import njit

from games.compiled import (
    rules_apply,
    rules_expand,
    rules_heuristic,
    rules_observe,
    rules_outcome,
    rules_player,
    rules_rollout,
    splitmix_seed,
)
from search.mcts.simulate import choose_edge, finish_batch, gumbel_root_edge, select_batch
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

MODE_UNIFORM = 0
"""Leaf value 0, uniform priors (pure search)."""
MODE_ROLLOUT = 1
"""Leaf value = one uniformly random playout, uniform priors."""
MODE_HEURISTIC = 2
"""Leaf value and prior logits from the game's heuristic kernel (chess: material)."""


@njit(cache=True)
def run_simulations(t: TreeArrays, b: int, rules: tuple, stack: np.ndarray, history: int, num_sims: int,
                    params: np.ndarray, schedule: np.ndarray, sim_start: int, mode: int, hparams: np.ndarray,
                    seed: int, stop: np.ndarray, actions: np.ndarray, logits: np.ndarray,
                    scratch: np.ndarray) -> int:
    """Run up to ``num_sims`` whole simulations on tree ``b`` whose root history fills ``stack[:history]``.

    Returns how many ran: fewer if the root got proven, the tree's nodes or edges filled up, or
    ``stop[0]`` (uint8 [1]) became non-zero. Playouts draw from splitmix64 seeded with ``seed``.
    ``actions`` (int32) and ``logits`` (float64) hold ``max_actions``; ``scratch`` float64 [A].
    """
    counts = np.empty(2, np.int32)
    r = tree_rows(t, b, counts)
    done = _simulate(r, rules, stack, history, num_sims, params, schedule, sim_start, mode, hparams, seed, stop,
                     actions, logits, scratch)
    store_counts(t, b, r)
    return done


@njit(cache=True, _nrt=False)
def _simulate(r: TreeRows, rules: tuple, stack: np.ndarray, history: int, num_sims: int, params: np.ndarray,
              schedule: np.ndarray, sim_start: int, mode: int, hparams: np.ndarray, seed: int, stop: np.ndarray,
              actions: np.ndarray, logits: np.ndarray, scratch: np.ndarray) -> int:
    """The loop of :func:`run_simulations` on one tree's rows. Compiled without reference counting
    (it allocates nothing; see :mod:`search.mcts.tree` for why that pays)."""
    rng = splitmix_seed(seed)
    parent, action, player, visits, value_sum = r.parent, r.action, r.player, r.visits, r.value_sum
    net_value, first_edge, num_edges, terminal = r.net_value, r.first_edge, r.num_edges, r.terminal_value
    edge_action, edge_prior, edge_child, counts = r.edge_action, r.edge_prior, r.edge_child, r.counts
    gumbel = params[P_GUMBEL] > 0.0
    root_row = history - 1
    edge_room = edge_action.shape[0] - actions.shape[0]  # a new node needs up to max_actions edges
    done = 0
    while done < num_sims and terminal[0] != terminal[0] and counts[1] <= edge_room and stop[0] == 0:
        root_edge = gumbel_root_edge(r, params, schedule, sim_start + done, scratch) if gumbel else -1
        node = 0
        d = root_row
        leaf = -1
        while True:  # descend, making each edge's move on the next stack row
            e = choose_edge(player, visits, value_sum, net_value, first_edge, num_edges, terminal, edge_prior,
                            edge_child, node, root_edge, params)
            if e < 0:
                leaf = node
                break
            rules_apply(rules, stack, d, edge_action[e])
            d += 1
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
        elif num_edges[leaf] != NOT_EXPANDED:
            value = np.float64(net_value[leaf])
        else:
            value, rng = _expand_leaf(r, rules, stack, d, leaf, mode, hparams, actions, logits, rng)
        backup_rows(parent, player, visits, value_sum, terminal, first_edge, num_edges, edge_child, leaf, value)
    return done


@njit(cache=True, inline="always")
def _expand_leaf(r: TreeRows, rules: tuple, stack: np.ndarray, d: int, leaf: int, mode: int, hparams: np.ndarray,
                 actions: np.ndarray, logits: np.ndarray, rng: np.uint64) -> tuple[float, np.uint64]:
    """Expand the new ``leaf`` (position in stack row ``d``); returns (its value for its player to move,
    generator state). A finished position gets the exact return of the player who moved into it."""
    k = rules_expand(rules, stack, d, actions)
    if k == 0:
        value = rules_outcome(rules, stack, d)
        up = r.parent[leaf]
        r.player[leaf] = r.player[up] if up != NO_PARENT else 0
        r.num_edges[leaf] = 0
        r.terminal_value[leaf] = value
        r.net_value[leaf] = value
        return value, rng
    value = 0.0
    first = r.counts[1]
    if mode == MODE_HEURISTIC:
        value = rules_heuristic(rules, stack, d, actions, k, logits, hparams)
        top = -np.inf
        for i in range(k):
            top = max(top, logits[i])
        total = 0.0
        for i in range(k):  # rounded through float32 as finish_batch's softmax does: the same tree
            logits[i] = np.float32(np.exp(logits[i] - top))
            total += logits[i]
        for i in range(k):
            r.edge_prior[first + i] = np.float32(logits[i] / total)
    else:
        prior = np.float32(1.0 / k)
        for i in range(k):
            r.edge_prior[first + i] = prior
    for i in range(k):
        r.edge_action[first + i] = actions[i]
        r.edge_child[first + i] = UNVISITED
    r.counts[1] = first + k
    if mode == MODE_ROLLOUT:
        value, rng = rules_rollout(rules, stack, d, actions, rng)
    r.first_edge[leaf] = first
    r.num_edges[leaf] = k
    r.player[leaf] = rules_player(rules, stack, d)
    r.net_value[leaf] = value
    return np.float64(r.net_value[leaf]), rng  # the float32 value, as the evaluated path backs up


@njit(cache=True)
def replay_leaf(parents: np.ndarray, actions: np.ndarray, leaf: int, rules: tuple, stack: np.ndarray,
                history: int, path: np.ndarray) -> int:
    """Make the moves from the root (stack row ``history - 1``) to node ``leaf`` (``parents``,
    ``actions``: one tree's rows) on the stack; returns the leaf's row. ``path`` int32 scratch."""
    depth = 0
    node = leaf
    while parents[node] != NO_PARENT:
        path[depth] = actions[node]
        depth += 1
        node = parents[node]
    d = history - 1
    for i in range(depth - 1, -1, -1):
        rules_apply(rules, stack, d, path[i])
        d += 1
    return d


@njit(cache=True)
def prepare_leaves(t: TreeArrays, rules: tuple, leaf_tree: np.ndarray, leaf_node: np.ndarray, roots: np.ndarray,
                   stack: np.ndarray, kind: np.ndarray, leaf_value: np.ndarray, leaf_player: np.ndarray,
                   eval_row: np.ndarray, offsets: np.ndarray, actions: np.ndarray, observations: np.ndarray,
                   legal_mask: np.ndarray, buffer: np.ndarray) -> int:
    """For a network evaluator: turn selected leaves (arrays [M]) into the inputs of ``finish_batch``
    and the evaluator's batch; returns R, the rows of ``observations`` (float32 [M, F], flattened
    observations) and ``legal_mask`` (bool [M, A]) to evaluate.

    ``roots`` int64 [B, H, S]: tree b's root history; ``stack`` int64 [R, S] scratch; ``actions``
    int32 [M * max_actions] receives the legal actions (``offsets`` int64 [M + 1]); ``buffer`` int32
    scratch of at least max(max_actions, R). Kinds as in ``finish_batch``: 0 proven, 1 finished, 2 to
    evaluate.
    """
    history = roots.shape[1]
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
        stack[:history] = roots[b]
        d = replay_leaf(r.parent, r.action, node, rules, stack, history, buffer)
        k = rules_expand(rules, stack, d, buffer)
        if k == 0:
            kind[i] = 1
            leaf_value[i] = rules_outcome(rules, stack, d)
            continue
        kind[i] = 2
        leaf_player[i] = rules_player(rules, stack, d)
        eval_row[i] = rows
        rules_observe(rules, stack, d, observations[rows])
        legal_mask[rows, :] = False
        start = offsets[i]
        for j in range(k):
            legal_mask[rows, buffer[j]] = True
            actions[start + j] = buffer[j]
        offsets[i + 1] = start + k
        rows += 1
    return rows


@njit(cache=True)
def select_and_prepare(t: TreeArrays, rules: tuple, trees: np.ndarray, counts: np.ndarray, params: np.ndarray,
                       schedules: np.ndarray, sims_done: np.ndarray, scratch: np.ndarray, selected: np.ndarray,
                       ran: np.ndarray, roots: np.ndarray, stack: np.ndarray, path: np.ndarray,
                       leaf_tree: np.ndarray, leaf_node: np.ndarray, kind: np.ndarray, leaf_value: np.ndarray,
                       leaf_player: np.ndarray, eval_row: np.ndarray, offsets: np.ndarray, actions: np.ndarray,
                       observations: np.ndarray, legal_mask: np.ndarray) -> tuple[int, int]:
    """One network step's first half in a single compiled call: select ``counts[i]`` leaves in tree
    ``trees[i]`` with virtual loss (``search.mcts.simulate.select_batch``; ``selected`` int32 [T, L]
    scratch, ``ran`` int32 [T] receives the leaves each tree got), then :func:`prepare_leaves` on them
    into the leaf arrays (capacity >= sum of counts). Returns (M leaves, R rows to evaluate)."""
    select_batch(t, trees, counts, params, schedules, sims_done, scratch, selected)
    m = 0
    for i in range(trees.shape[0]):
        ran[i] = 0
        for j in range(counts[i]):
            node = selected[i, j]
            if node < 0:
                break
            leaf_tree[m] = trees[i]
            leaf_node[m] = node
            ran[i] += 1
            m += 1
    rows = prepare_leaves(t, rules, leaf_tree[:m], leaf_node[:m], roots, stack, kind, leaf_value, leaf_player,
                          eval_row, offsets, actions, observations, legal_mask, path)
    return m, rows


@njit(cache=True)
def finish_leaves(t: TreeArrays, m: int, leaf_tree: np.ndarray, leaf_node: np.ndarray, params: np.ndarray,
                  kind: np.ndarray, leaf_value: np.ndarray, leaf_player: np.ndarray, eval_row: np.ndarray,
                  offsets: np.ndarray, actions: np.ndarray, logits: np.ndarray, values: np.ndarray) -> None:
    """The second half: the evaluator's ``values`` (float32 [R]) into the evaluated leaves, then
    ``finish_batch`` (expand from ``logits`` float32 [R, A], back up) on the first ``m`` leaves."""
    for i in range(m):
        if kind[i] == 2:
            leaf_value[i] = values[eval_row[i]]
    finish_batch(t, leaf_tree[:m], leaf_node[:m], params, kind[:m], leaf_value[:m], leaf_player[:m], eval_row[:m],
                 offsets[:m + 1], actions, logits)
