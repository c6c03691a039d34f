"""From a searched root to a :class:`SearchSummary` and a move: visit policy, temperature, proven moves."""
from __future__ import annotations

import numpy as np

from search.mcts.config import SearchSummary
from search.mcts.gumbel import gumbel_final
from search.mcts.tree import UNVISITED, TreeArrays, tree_rows


def select_action(summary: SearchSummary, temperature: float, rng: np.random.Generator) -> int:
    """Draw a move from the summary's visit counts: ``temperature`` 0 = most visited (first on ties),
    else probability proportional to visits ** (1 / temperature). A proven win is always played."""
    if summary.proven_value is not None and summary.proven_value >= 1.0:
        return summary.action
    visits = np.asarray(summary.visit_counts, np.float64)
    if visits.sum() <= 0:
        return summary.action
    return _choose(visits, temperature, rng)


def solver_target(weights: np.ndarray, summary: SearchSummary) -> np.ndarray:
    """Policy target from non-negative root ``weights`` [A] (visits or an improved policy), corrected by
    what the solver proved: when the root is proven (and not lost), uniform over the moves that achieve its
    value; otherwise no mass on moves proven lost as long as some move is not. Without the correction a
    search stopped by a proven win leaves the winning move with one visit among many, and a network
    trained on such targets learns to pass up immediate wins."""
    return _corrected(weights, summary.proven_moves, summary.lost_moves)


def _corrected(weights: np.ndarray, proven_moves: np.ndarray | None, lost_moves: np.ndarray | None) -> np.ndarray:
    """:func:`solver_target` from the solver's move masks."""
    w = np.asarray(weights, np.float64).copy()
    if proven_moves is not None and proven_moves.any():
        w = proven_moves.astype(np.float64)
    elif lost_moves is not None and lost_moves.any():
        w[lost_moves] = 0.0
        if w.sum() <= 0:  # all the weight was on lost moves (a proven loss, or a tiny search): keep it
            w = np.asarray(weights, np.float64)
    total = w.sum()
    return (w / total).astype(np.float32) if total > 0 else np.asarray(weights, np.float32)


def _choose(weights: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Index drawn from non-negative ``weights`` at ``temperature`` (0 = argmax, first on ties)."""
    if temperature <= 0:
        return int(np.argmax(weights))
    logits = np.where(weights > 0, np.log(np.maximum(weights, 1e-300)) / temperature, -np.inf)
    probs = np.exp(logits - logits.max())
    return int(rng.choice(len(probs), p=probs / probs.sum()))


def summarize(t: TreeArrays, b: int, num_actions: int, params: np.ndarray, gumbel: bool, temperature: float,
              rng: np.random.Generator, simulations: int, seconds: float, calls: int) -> SearchSummary:
    """Read tree ``b``'s root statistics into a :class:`SearchSummary` and choose the recommended action."""
    first, k = int(t.first_edge[b, 0]), int(t.num_edges[b, 0])
    acts = t.edge_action[b, first:first + k].astype(np.int64)
    children = t.edge_child[b, first:first + k]
    created = children != UNVISITED
    safe = np.where(created, children, 0)
    root_player = t.player[b, 0]
    sign = np.where(t.player[b, safe] == root_player, 1.0, -1.0)
    n = np.where(created, t.visits[b, safe], 0).astype(np.float64)
    q = np.where(n > 0, sign * t.value_sum[b, safe] / np.maximum(n, 1), 0.0)
    proven_child = np.where(created, sign * t.terminal_value[b, safe], np.nan)
    q = np.where(np.isnan(proven_child), q, proven_child)

    visit_counts = np.zeros(num_actions, np.float32)
    visit_counts[acts] = n
    q_values = np.zeros(num_actions, np.float32)
    q_values[acts] = q
    policy = np.zeros(num_actions, np.float32)
    root_tv = float(t.terminal_value[b, 0])
    proven = None if np.isnan(root_tv) else root_tv

    lost = np.nan_to_num(proven_child, nan=0.0) <= -1.0
    action = int(acts[0]) if k > 0 else -1
    best = -1
    if gumbel and k > 0:
        scratch = np.empty(k, np.float64)
        local = np.empty(k, np.float64)
        best = int(gumbel_final(tree_rows(t, b, np.empty(2, np.int32)), params, scratch, local))
        policy[acts] = local
    else:
        total = n.sum()
        if total > 0:
            policy[acts] = n / total
        elif k > 0:
            policy[acts] = t.edge_prior[b, first:first + k]
    if k > 0:
        if proven is not None and proven > -1.0:  # play a move achieving the proven value
            action = int(acts[int(np.argmax(np.nan_to_num(proven_child, nan=-np.inf)))])
        elif best >= 0 and not lost[best]:
            action = int(acts[best])
        else:
            choice = n.copy() if n.sum() > 0 else t.edge_prior[b, first:first + k].astype(np.float64)
            if (~lost).any():
                choice[lost] = 0.0
            if choice.sum() <= 0:
                choice = np.where(lost & (~lost).any(), 0.0, 1.0)
            action = int(acts[_choose(choice, temperature, rng)])
    value = float(t.value_sum[b, 0] / t.visits[b, 0]) if t.visits[b, 0] > 0 else float(t.net_value[b, 0])
    if proven is not None:
        value = proven
    proven_moves = lost_moves = None
    if k > 0 and proven is not None and proven > -1.0:
        proven_moves = np.zeros(num_actions, bool)
        proven_moves[acts] = np.nan_to_num(proven_child, nan=-np.inf) >= proven
    if k > 0 and lost.any():
        lost_moves = np.zeros(num_actions, bool)
        lost_moves[acts] = lost
    return SearchSummary(
        visit_counts=visit_counts, policy=_corrected(policy, proven_moves, lost_moves), value=value,
        q_values=q_values, action=action, simulations=simulations, seconds=seconds, evaluator_calls=calls,
        proven_value=proven, tree_nodes=int(t.node_count[b]), proven_moves=proven_moves, lost_moves=lost_moves,
    )
