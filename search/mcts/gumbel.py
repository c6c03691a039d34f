"""Gumbel root search with sequential halving (Danihelka et al., "Policy improvement by planning with
Gumbel", ICLR 2022): completed Q values, the sigma transform, the visit schedule and the root choice."""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from search.mcts.tree import P_C_SCALE, P_C_VISIT, UNVISITED, TreeRows, child_sign, node_value


def halving_schedule(num_considered: int, num_simulations: int) -> np.ndarray:
    """int32 [num_simulations]: for each simulation, the visit count (in this search) that the root action
    to simulate must have. Each phase of sequential halving gives every remaining action
    ``max(1, n // (ceil(log2 m) * remaining))`` more visits, then halves the remaining actions (down to 2).
    Selecting, among actions with exactly that many visits, the best by g + logits + sigma(q) visits the
    phase's survivors in turn and prunes the rest implicitly."""
    n, m = num_simulations, num_considered
    if m <= 1:
        return np.arange(n, dtype=np.int32)
    phases = max(1, math.ceil(math.log2(m)))
    out: list[int] = []
    visits = 0
    remaining = m
    while len(out) < n:
        extra = max(1, n // (phases * remaining))
        for _ in range(extra):
            out.extend([visits] * remaining)
            visits += 1
        remaining = max(2, remaining // 2)
    return np.asarray(out[:n], dtype=np.int32)


@njit(cache=True)
def completed_q(r: TreeRows, out: np.ndarray) -> int:
    """Fill ``out[:K]`` (K = root edges) with the root's completed Q values rescaled to [0, 1].

    Visited children keep their mean value (root mover's view; exact when proven); unvisited ones get
    v_mix = (v_net + N_sum / P_visited * sum_visited P q) / (1 + N_sum). Returns max child visits.
    """
    first, k = r.first_edge[0], r.num_edges[0]
    n_sum, max_n = 0, 0
    p_visited, pq = 0.0, 0.0
    for i in range(k):
        child = r.edge_child[first + i]
        if child != UNVISITED and (r.visits[child] > 0 or not np.isnan(r.terminal_value[child])):
            q = child_sign(r, 0, child) * node_value(r, child)
            n = r.visits[child]
            n_sum += n
            max_n = max(max_n, n)
            p_visited += r.edge_prior[first + i]
            pq += r.edge_prior[first + i] * q
            out[i] = q
        else:
            out[i] = np.nan
    v_mix = r.net_value[0]
    if n_sum > 0 and p_visited > 0:
        v_mix = (r.net_value[0] + n_sum * pq / p_visited) / (1.0 + n_sum)
    lo, hi = np.inf, -np.inf
    for i in range(k):
        if np.isnan(out[i]):
            out[i] = v_mix
        lo = min(lo, out[i])
        hi = max(hi, out[i])
    span = max(hi - lo, 1e-8)
    for i in range(k):
        out[i] = (out[i] - lo) / span
    return max_n


@njit(cache=True)
def gumbel_root_select(r: TreeRows, params: np.ndarray, target_visits: int, scratch: np.ndarray) -> int:
    """Edge index of the considered root action with exactly ``target_visits`` visits in this search
    (base visits subtracted) maximising g + logits + sigma(q); -1 if none qualifies."""
    first, k = r.first_edge[0], r.num_edges[0]
    max_n = completed_q(r, scratch)
    sigma = (params[P_C_VISIT] + max_n) * params[P_C_SCALE]
    best, best_score = -1, -np.inf
    for i in range(k):
        g = r.root_gumbel[i]
        if g == -np.inf:
            continue
        child = r.edge_child[first + i]
        n = 0 if child == UNVISITED else r.visits[child] - r.root_base_visits[i]
        if n != target_visits:
            continue
        score = g + sigma * scratch[i]
        if score > best_score:
            best, best_score = first + i, score
    return best


@njit(cache=True)
def gumbel_final(r: TreeRows, params: np.ndarray, scratch: np.ndarray, policy_out: np.ndarray) -> int:
    """Root edge offset Gumbel recommends (most visited considered actions, best g + logits + sigma(q))
    and the improved policy softmax(logits + sigma(completed q)) per root edge in ``policy_out[:K]``."""
    first, k = r.first_edge[0], r.num_edges[0]
    max_n = completed_q(r, scratch)
    sigma = (params[P_C_VISIT] + max_n) * params[P_C_SCALE]
    most = -1
    for i in range(k):
        if r.root_gumbel[i] > -np.inf:
            child = r.edge_child[first + i]
            n = 0 if child == UNVISITED else r.visits[child] - r.root_base_visits[i]
            most = max(most, n)
    best, best_score = 0, -np.inf
    top = -np.inf
    for i in range(k):
        logit = np.log(max(r.edge_prior[first + i], 1e-30))
        policy_out[i] = logit + sigma * scratch[i]
        top = max(top, policy_out[i])
        g = r.root_gumbel[i]
        if g == -np.inf:
            continue
        child = r.edge_child[first + i]
        n = 0 if child == UNVISITED else r.visits[child] - r.root_base_visits[i]
        if n == most and g + sigma * scratch[i] > best_score:
            best, best_score = i, g + sigma * scratch[i]
    total = 0.0
    for i in range(k):
        policy_out[i] = np.exp(policy_out[i] - top)
        total += policy_out[i]
    for i in range(k):
        policy_out[i] /= total
    return best


