"""Configuration and result objects of the MCTS search (:class:`MCTSConfig`, :class:`SearchSummary`)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from games.core import InputError


class MCTSConfigError(InputError):
    """An MCTS option out of range (negative budget, fraction outside [0, 1], ...)."""


@dataclass(frozen=True, kw_only=True)
class MCTSConfig:
    """Hyper-parameters of one search. Budgets: the search stops at whichever limit comes first."""

    num_simulations: int = 800
    """Simulations per search (counted per tree; 0 = no simulation limit, then ``max_seconds`` is needed)."""
    max_seconds: float = 0.0
    """Wall-clock budget per search in seconds (0 = none)."""
    c_puct: float = 1.25
    """PUCT exploration constant (AlphaZero's c_init): c(s) = c_puct + log((N(s) + c_base + 1) / c_base)."""
    c_base: float = 19652.0
    """PUCT c_base of AlphaZero."""
    fpu: float = 0.0
    """First-play urgency reduction: an unvisited child is valued at (parent's value - fpu)."""
    dirichlet_alpha: float = 0.3
    """Concentration of the Dirichlet noise mixed into the root priors."""
    dirichlet_fraction: float = 0.0
    """Weight of the Dirichlet noise at the root (0 = off; AlphaZero self-play uses 0.25)."""
    gumbel: bool = False
    """Gumbel root selection with sequential halving (Danihelka et al. 2022) instead of PUCT at the root."""
    gumbel_num_considered: int = 16
    """Actions sampled without replacement at the root for sequential halving (m)."""
    gumbel_c_visit: float = 50.0
    """c_visit of the monotone transform sigma(q) = (c_visit + max_b N(b)) * c_scale * q."""
    gumbel_c_scale: float = 1.0
    """c_scale of the same transform."""
    gumbel_scale: float = 1.0
    """Scale of the Gumbel noise (0 = deterministic choice, e.g. for evaluation matches)."""
    virtual_loss: int = 1
    """Visits (each worth a loss for the chooser) added along a pending path while leaves are batched."""
    leaves_per_eval: int = 1
    """Leaves one tree contributes to each evaluator call (batched with virtual loss)."""
    temperature: float = 0.0
    """Move choice from visit counts: 0 = most visited, 1 = proportional to visits (ignored by Gumbel)."""
    max_nodes: int = 1 << 20
    """Most nodes one tree may hold; the search stops early when the tree is full."""
    compiled: bool = True
    """Run whole simulations (or the leaves' replay, with a network) in compiled code when the game has
    compiled rules (``GameSpec.compiled``); False replays every path through the Python State (the
    reference path, slower, same tree)."""
    seed: int = 0
    """Seed of the noise (Dirichlet, Gumbel, rollouts, temperature); tree i uses (seed, i)."""
    adaptive: bool = False
    """Adaptive budget (search.mcts.adaptive): stop once the most visited root move cannot be overtaken
    within ``num_simulations`` (smart pruning), think longer while the top moves are close."""
    max_extend: float = 2.0
    """Adaptive: most simulations per search, as a multiple of ``num_simulations`` (1 = never extend)."""
    extend_visit_gap: float = 0.1
    """Adaptive: extend while the top two root moves' visit counts differ by less than this share of the
    root children's visits."""
    extend_q_gap: float = 0.0
    """Adaptive: extend while the runner-up's Q is within this of the most visited move's; 0 = only while it
    is at least as high (the most visited move is not the best valued: "unstable evaluation")."""
    extend_value_drift: float = 0.03
    """Adaptive: extend while the root value moved by more than this since the previous check."""

    def __post_init__(self) -> None:
        checks = [
            (self.num_simulations >= 0, f"num_simulations must be >= 0; got {self.num_simulations}"),
            (self.max_seconds >= 0, f"max_seconds must be >= 0; got {self.max_seconds}"),
            (self.num_simulations > 0 or self.max_seconds > 0, "give a budget: num_simulations > 0 or max_seconds > 0"),
            (self.c_puct >= 0 and self.c_base > 0, f"need c_puct >= 0 and c_base > 0; got {self.c_puct}, {self.c_base}"),
            (self.dirichlet_alpha > 0, f"dirichlet_alpha must be > 0; got {self.dirichlet_alpha}"),
            (0.0 <= self.dirichlet_fraction <= 1.0, f"dirichlet_fraction must be in [0, 1]; got {self.dirichlet_fraction}"),
            (self.gumbel_num_considered >= 1, f"gumbel_num_considered must be >= 1; got {self.gumbel_num_considered}"),
            (self.gumbel_c_visit >= 0 and self.gumbel_c_scale >= 0, "gumbel_c_visit and gumbel_c_scale must be >= 0"),
            (self.gumbel_scale >= 0, f"gumbel_scale must be >= 0; got {self.gumbel_scale}"),
            (self.virtual_loss >= 0, f"virtual_loss must be >= 0; got {self.virtual_loss}"),
            (self.leaves_per_eval >= 1, f"leaves_per_eval must be >= 1; got {self.leaves_per_eval}"),
            (self.temperature >= 0 and math.isfinite(self.temperature), f"temperature must be >= 0; got {self.temperature}"),
            (self.max_nodes >= 2, f"max_nodes must be >= 2; got {self.max_nodes}"),
            (not self.adaptive or self.num_simulations > 0, "adaptive needs a simulation budget (num_simulations > 0)"),
            (not (self.adaptive and self.gumbel), "adaptive does not combine with gumbel (sequential halving plans "
                                                  "a fixed budget)"),
            (self.max_extend >= 1.0 and math.isfinite(self.max_extend), f"max_extend must be >= 1; got {self.max_extend}"),
            (min(self.extend_visit_gap, self.extend_q_gap, self.extend_value_drift) >= 0,
             "extend_visit_gap, extend_q_gap and extend_value_drift must be >= 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise MCTSConfigError(message)


@dataclass(frozen=True)
class SearchSummary:
    """What one search of one tree found. Values are for the player to move at the root, in [-1, 1]."""

    visit_counts: np.ndarray
    """float32 [A]: visits of each root action (those kept from earlier searches included)."""
    policy: np.ndarray
    """float32 [A]: policy target: Gumbel's softmax(logits + sigma(completed Q)), else visits / sum; then
    corrected by the solver (:func:`search.mcts.policy.solver_target`): uniform over the moves achieving a
    proven root value, and nothing on moves proven lost while others are not."""
    value: float
    """Root value estimate (mean of the values backed up through the root)."""
    q_values: np.ndarray
    """float32 [A]: mean value of each root action for the root's mover (0 where unvisited)."""
    action: int
    """Action the search recommends (proven win first; Gumbel's choice; else by visits and temperature)."""
    simulations: int
    """Simulations run in this search (not counting statistics reused from earlier searches); with an
    adaptive budget, what the search chose to spend."""
    seconds: float
    """Wall-clock seconds of this search (of the whole batch when trees are searched together)."""
    evaluator_calls: int
    """Evaluator calls made by the search (shared by all trees searched together)."""
    proven_value: float | None
    """Exact game value of the root for its mover when the solver proved it, else None."""
    tree_nodes: int
    """Nodes in the tree after the search."""
    proven_moves: np.ndarray | None = None
    """bool [A]: root moves the solver proved to achieve the root's proven value (None when unproven)."""
    lost_moves: np.ndarray | None = None
    """bool [A]: root moves the solver proved lost for the root's mover (None when there are none)."""
