"""The search tree as preallocated flat arrays, batched over trees, and its compiled primitives.

Kernels work on :class:`TreeRows`, the 1-D views of ONE tree taken once per kernel call. The hot
primitives (``*_rows``, :func:`select_child`) take those views as plain array arguments and are inlined
into the loops that call them. numba still counts references to every array an inlined helper takes
(an atomic increment and decrement per array per call): the loops that descend
(``search.mcts.simulate.select_leaf``, ``search.mcts.compiled._simulate``) are therefore compiled
with ``_nrt=False`` (they allocate nothing), which measured 3x faster whole connect-four simulations.

Node index = creation order, the root is node 0 of every tree. Node arrays are ``[B, N]`` (B trees of
capacity N nodes), edge arrays ``[B, E]``: a node's edges are the contiguous slice
``first_edge .. first_edge + num_edges`` so a node pays only for its legal actions. Values are stored
for the player to move AT THE NODE; a parent reads a child's value with the sign
``+1 if player[child] == player[parent] else -1``, which serves one- and two-player games alike.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

NO_PARENT = -1
"""``parent`` of a root."""
UNVISITED = -1
"""``edge_child`` of an edge whose child node has not been created yet."""
NOT_EXPANDED = -1
"""``num_edges`` of a node whose legal actions are not known yet (a leaf waiting for evaluation)."""
UNKNOWN_PLAYER = -1
"""``player`` of a node created but not expanded yet."""
NO_VALUE = np.float32(np.nan)
"""``terminal_value`` of a node whose exact value is unknown."""
LOSS_SCORE = -1.0e9
"""Selection score of a child proven lost for the chooser (taken only when nothing else is left)."""

# Indices into the float64 ``params`` vector the kernels read (built by :func:`make_params`).
P_C_INIT, P_C_BASE, P_FPU, P_VIRTUAL_LOSS, P_GUMBEL, P_C_VISIT, P_C_SCALE = range(7)


class TreeArrays(NamedTuple):
    """All arrays of B trees searched together (numba reads this tuple directly)."""

    parent: np.ndarray
    """int32 [B, N]: parent node, :data:`NO_PARENT` at the root."""
    action: np.ndarray
    """int32 [B, N]: action that led from the parent to this node (-1 at the root)."""
    player: np.ndarray
    """int32 [B, N]: player to move at the node (at a terminal node: the player who moved into it)."""
    visits: np.ndarray
    """int32 [B, N]: visit count (virtual visits of pending paths included)."""
    value_sum: np.ndarray
    """float64 [B, N]: sum of backed-up values for the node's player (virtual losses included)."""
    net_value: np.ndarray
    """float32 [B, N]: evaluator's value at expansion, for the node's player."""
    first_edge: np.ndarray
    """int32 [B, N]: index of the node's first edge."""
    num_edges: np.ndarray
    """int32 [B, N]: number of edges (legal actions); :data:`NOT_EXPANDED` before expansion."""
    terminal_value: np.ndarray
    """float32 [B, N]: exact value for the node's player if terminal or proven by the solver, else NaN."""
    edge_action: np.ndarray
    """int32 [B, E]: action of the edge."""
    edge_prior: np.ndarray
    """float32 [B, E]: prior probability of the edge."""
    edge_child: np.ndarray
    """int32 [B, E]: child node, :data:`UNVISITED` until created."""
    node_count: np.ndarray
    """int32 [B]: nodes in use per tree."""
    edge_count: np.ndarray
    """int32 [B]: edges in use per tree."""
    root_gumbel: np.ndarray
    """float32 [B, A]: Gumbel root score g + log prior per root edge offset; -inf = not considered."""
    root_base_visits: np.ndarray
    """int32 [B, A]: visits of each root edge's child when the current search started (Gumbel)."""


def allocate(num_trees: int, num_nodes: int, num_edges: int, num_actions: int) -> TreeArrays:
    """Empty trees: every tree holds only an unexpanded root."""
    t = TreeArrays(
        parent=np.full((num_trees, num_nodes), NO_PARENT, np.int32),
        action=np.full((num_trees, num_nodes), -1, np.int32),
        player=np.full((num_trees, num_nodes), UNKNOWN_PLAYER, np.int32),
        visits=np.zeros((num_trees, num_nodes), np.int32),
        value_sum=np.zeros((num_trees, num_nodes), np.float64),
        net_value=np.zeros((num_trees, num_nodes), np.float32),
        first_edge=np.zeros((num_trees, num_nodes), np.int32),
        num_edges=np.full((num_trees, num_nodes), NOT_EXPANDED, np.int32),
        terminal_value=np.full((num_trees, num_nodes), NO_VALUE, np.float32),
        edge_action=np.zeros((num_trees, num_edges), np.int32),
        edge_prior=np.zeros((num_trees, num_edges), np.float32),
        edge_child=np.full((num_trees, num_edges), UNVISITED, np.int32),
        node_count=np.ones(num_trees, np.int32),
        edge_count=np.zeros(num_trees, np.int32),
        root_gumbel=np.full((num_trees, num_actions), -np.inf, np.float32),
        root_base_visits=np.zeros((num_trees, num_actions), np.int32),
    )
    return t


def clear_tree(t: TreeArrays, b: int) -> None:
    """Reset tree ``b`` to a lone unexpanded root (in place)."""
    n = int(t.node_count[b])
    t.parent[b, :n] = NO_PARENT
    t.action[b, :n] = -1
    t.player[b, :n] = UNKNOWN_PLAYER
    t.visits[b, :n] = 0
    t.value_sum[b, :n] = 0.0
    t.net_value[b, :n] = 0.0
    t.num_edges[b, :n] = NOT_EXPANDED
    t.terminal_value[b, :n] = NO_VALUE
    e = int(t.edge_count[b])
    t.edge_child[b, :e] = UNVISITED
    t.node_count[b] = 1
    t.edge_count[b] = 0


def grow(t: TreeArrays, num_nodes: int, num_edges: int) -> TreeArrays:
    """Copy of ``t`` with node capacity ``num_nodes`` and edge capacity ``num_edges`` (not smaller)."""
    b, n_old = t.parent.shape
    e_old = t.edge_action.shape[1]
    n_new, e_new = max(num_nodes, n_old), max(num_edges, e_old)
    fresh = allocate(b, n_new, e_new, t.root_gumbel.shape[1])
    for name in TreeArrays._fields:
        old, new = getattr(t, name), getattr(fresh, name)
        if old.ndim == 1 or name.startswith("root_"):
            new[...] = old
        else:
            new[:, : old.shape[1]] = old
    return fresh


def make_params(c_init: float, c_base: float, fpu: float, virtual_loss: int, gumbel: bool,
                c_visit: float, c_scale: float) -> np.ndarray:
    """float64 [7] parameter vector read by the kernels (indices ``P_*``)."""
    return np.array([c_init, c_base, fpu, virtual_loss, 1.0 if gumbel else 0.0, c_visit, c_scale], np.float64)


class TreeRows(NamedTuple):
    """1-D views of one tree's arrays (fields as in :class:`TreeArrays`, without the tree axis)."""

    parent: np.ndarray
    action: np.ndarray
    player: np.ndarray
    visits: np.ndarray
    value_sum: np.ndarray
    net_value: np.ndarray
    first_edge: np.ndarray
    num_edges: np.ndarray
    terminal_value: np.ndarray
    edge_action: np.ndarray
    edge_prior: np.ndarray
    edge_child: np.ndarray
    counts: np.ndarray
    """int32 [2] view: nodes in use, edges in use (``counts[0]``, ``counts[1]``)."""
    root_gumbel: np.ndarray
    root_base_visits: np.ndarray


@njit(cache=True)
def tree_rows(t: TreeArrays, b: int, counts: np.ndarray) -> TreeRows:
    """Views of tree ``b``; ``counts`` (int32 [2]) is loaded with its node and edge counts and must be
    written back with :func:`store_counts` after the kernel."""
    counts[0] = t.node_count[b]
    counts[1] = t.edge_count[b]
    return TreeRows(t.parent[b], t.action[b], t.player[b], t.visits[b], t.value_sum[b], t.net_value[b],
                    t.first_edge[b], t.num_edges[b], t.terminal_value[b], t.edge_action[b], t.edge_prior[b],
                    t.edge_child[b], counts, t.root_gumbel[b], t.root_base_visits[b])


@njit(cache=True)
def store_counts(t: TreeArrays, b: int, r: TreeRows) -> None:
    """Write tree ``b``'s node and edge counts back from its rows."""
    t.node_count[b] = r.counts[0]
    t.edge_count[b] = r.counts[1]


@njit(cache=True, inline="always")
def select_child(visits: np.ndarray, player: np.ndarray, value_sum: np.ndarray, terminal: np.ndarray,
                 net_value: np.ndarray, first_edge: np.ndarray, num_edges: np.ndarray, edge_child: np.ndarray,
                 edge_prior: np.ndarray, node: int, c_init: float, c_base: float, fpu: float) -> int:
    """THE child selection of every descent: the edge of expanded ``node`` maximising
    Q + c(s) P sqrt(N) / (1 + n), c(s) = c_init + log((N + c_base + 1) / c_base) (AlphaZero's PUCT).

    Q is the child's mean value for the chooser (exact when proven; a proven loss scores
    :data:`LOSS_SCORE` lower); an unvisited child gets first-play urgency: the node's value minus ``fpu``.
    The log and the square root are taken once per node; per child it is a few loads and two divisions.
    """
    n_parent = visits[node]
    scale = (c_init + np.log((n_parent + c_base + 1.0) / c_base)) * np.sqrt(max(n_parent, 1))
    if n_parent > 0:  # first-play urgency: the node's mean value once visited, else its evaluator value
        fpu_value = value_sum[node] / n_parent - fpu
    else:
        fpu_value = net_value[node] - fpu
    me = player[node]
    first = first_edge[node]
    best, best_score = first, -np.inf
    for e in range(first, first + num_edges[node]):
        child = edge_child[e]
        if child == UNVISITED:
            score = fpu_value + scale * edge_prior[e]
        else:
            n = visits[child]
            tv = terminal[child]
            if tv == tv:  # not NaN: proven
                q = tv if player[child] == me else -tv
                if q <= -1.0:
                    q += LOSS_SCORE
            elif n > 0:
                q = value_sum[child] / n
                if player[child] != me:
                    q = -q
            else:
                q = fpu_value
            score = q + scale * edge_prior[e] / (1.0 + n)
        if score > best_score:
            best, best_score = e, score
    return best


@njit(cache=True, inline="always")
def create_child_rows(parent: np.ndarray, action: np.ndarray, player: np.ndarray, visits: np.ndarray,
                      value_sum: np.ndarray, net_value: np.ndarray, num_edges: np.ndarray, terminal: np.ndarray,
                      edge_action: np.ndarray, edge_child: np.ndarray, counts: np.ndarray, node: int,
                      edge: int) -> int:
    """Create the child of ``node`` along ``edge`` (not expanded); its index, or -1 if the tree is full."""
    idx = counts[0]
    if idx >= parent.shape[0]:
        return -1
    counts[0] = idx + 1
    parent[idx] = node
    action[idx] = edge_action[edge]
    player[idx] = UNKNOWN_PLAYER
    visits[idx] = 0
    value_sum[idx] = 0.0
    net_value[idx] = 0.0
    num_edges[idx] = NOT_EXPANDED
    terminal[idx] = NO_VALUE
    edge_child[edge] = idx
    return idx


@njit(cache=True, inline="always")
def try_prove_rows(player: np.ndarray, terminal: np.ndarray, first_edge: np.ndarray, num_edges: np.ndarray,
                   edge_child: np.ndarray, node: int) -> bool:
    """MCTS-solver: prove ``node`` if a child wins for its mover (+1) or all children are proven (max)."""
    if terminal[node] == terminal[node]:
        return True
    k = num_edges[node]
    if k <= 0:
        return False
    best = -np.inf
    all_proven = True
    me = player[node]
    for e in range(first_edge[node], first_edge[node] + k):
        child = edge_child[e]
        if child == UNVISITED or terminal[child] != terminal[child]:
            all_proven = False
            continue
        v = terminal[child] if player[child] == me else -terminal[child]
        if v > best:
            best = v
    if best >= 1.0 or (all_proven and best > -np.inf):
        terminal[node] = best
        return True
    return False


@njit(cache=True, inline="always")
def backup_rows(parent: np.ndarray, player: np.ndarray, visits: np.ndarray, value_sum: np.ndarray,
                terminal: np.ndarray, first_edge: np.ndarray, num_edges: np.ndarray, edge_child: np.ndarray,
                leaf: int, value: float) -> None:
    """Add one visit and ``value`` (for the leaf's player) along leaf..root; when the leaf is proven,
    prove its ancestors as far as the solver can."""
    leaf_player = player[leaf]
    proving = terminal[leaf] == terminal[leaf]
    node = leaf
    while node != NO_PARENT:
        visits[node] += 1
        value_sum[node] += value if player[node] == leaf_player else -value
        up = parent[node]
        if proving and up != NO_PARENT:
            proving = try_prove_rows(player, terminal, first_edge, num_edges, edge_child, up)
        node = up


@njit(cache=True, inline="always")
def expand_rows(first_edge: np.ndarray, num_edges: np.ndarray, player: np.ndarray, net_value: np.ndarray,
                edge_action: np.ndarray, edge_prior: np.ndarray, edge_child: np.ndarray, counts: np.ndarray,
                node: int, node_player: int, actions: np.ndarray, priors: np.ndarray, k: int, value: float) -> bool:
    """Give ``node`` the edges ``actions[:k]`` with ``priors[:k]`` and its evaluator value.

    Returns False (changing nothing) if the edge arrays are full; an expanded node is left alone.
    """
    if num_edges[node] != NOT_EXPANDED:
        return True
    first = counts[1]
    if first + k > edge_action.shape[0]:
        return False
    for i in range(k):
        edge_action[first + i] = actions[i]
        edge_prior[first + i] = priors[i]
        edge_child[first + i] = UNVISITED
    counts[1] = first + k
    first_edge[node] = first
    num_edges[node] = k
    player[node] = node_player
    net_value[node] = value
    return True


# ----- primitives on TreeRows, for code outside the hot loops ------------------------------------


@njit(cache=True)
def child_sign(r: TreeRows, parent: int, child: int) -> float:
    """+1 if parent and child have the same player to move, else -1."""
    return 1.0 if r.player[child] == r.player[parent] else -1.0


@njit(cache=True)
def node_value(r: TreeRows, node: int) -> float:
    """Exact value if known, else mean backed-up value, else the evaluator's value (node's player)."""
    tv = r.terminal_value[node]
    if not np.isnan(tv):
        return tv
    if r.visits[node] > 0:
        return r.value_sum[node] / r.visits[node]
    return r.net_value[node]


@njit(cache=True)
def expand(r: TreeRows, node: int, player: int, actions: np.ndarray, priors: np.ndarray, value: float) -> bool:
    """:func:`expand_rows` on a tree's rows (``actions`` int [K], ``priors`` float [K])."""
    return expand_rows(r.first_edge, r.num_edges, r.player, r.net_value, r.edge_action, r.edge_prior,
                       r.edge_child, r.counts, node, player, actions, priors, actions.shape[0], value)


@njit(cache=True)
def set_terminal(r: TreeRows, node: int, value_for_mover_in: float) -> None:
    """Mark ``node`` terminal; its player is the parent's player (who moved into it), its value
    ``value_for_mover_in`` is that player's return."""
    parent = r.parent[node]
    r.player[node] = r.player[parent] if parent != NO_PARENT else 0
    r.num_edges[node] = 0
    r.terminal_value[node] = value_for_mover_in
    r.net_value[node] = value_for_mover_in


@njit(cache=True)
def virtual_loss(r: TreeRows, leaf: int, amount: int) -> None:
    """Add (``amount`` > 0) or remove (< 0) virtual visits along the path root..leaf; each virtual
    visit counts as a loss for the player who chose the node."""
    if amount == 0:
        return
    node = leaf
    while node != NO_PARENT:
        r.visits[node] += amount
        parent = r.parent[node]
        if parent != NO_PARENT:
            r.value_sum[node] -= amount * child_sign(r, parent, node)
        node = parent


@njit(cache=True)
def backup(r: TreeRows, leaf: int, value: float) -> None:
    """:func:`backup_rows` on a tree's rows."""
    backup_rows(r.parent, r.player, r.visits, r.value_sum, r.terminal_value, r.first_edge, r.num_edges,
                r.edge_child, leaf, value)
