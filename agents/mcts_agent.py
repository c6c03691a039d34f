"""The MCTS agent: ``mcts:sims=800,eval=rollout``, ``mcts:time=1.0,eval=material``, ``mcts:net=ckpt.pt``.

The agent keeps its search tree between moves: :meth:`MCTSAgent.observe` advances the tree with every
action played in the game (its own and the opponent's); a state the tree does not know resets it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Literal

import numpy as np

from agents.core import Agent, AgentError, AgentKind
from games.core import Game, State
from search.core import Evaluator
from search.evaluators import MaterialEvaluator, RolloutEvaluator, StateEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig

DEFAULT_SIMULATIONS = 800
"""Simulations per move when neither ``sims`` nor ``time`` is given."""


@dataclass(frozen=True)
class MCTSOptions:
    """Options of the ``mcts`` agent (spec ``mcts:key=value,...``)."""

    sims: int | None = None
    """Simulations per move (default 800 without ``time``, unlimited with it)."""
    time: float = 0.0
    """Seconds per move (0 = no time limit)."""
    eval: Literal["auto", "rollout", "uniform", "material"] = "auto"
    """Leaf evaluator without a network: auto = material for chess, rollout otherwise."""
    net: str | None = None
    """Checkpoint path: a network evaluates leaves (needs agents.networks)."""
    c_puct: float = 1.25
    """PUCT exploration constant (AlphaZero's c_init 1.25)."""
    c_base: float = 19652.0
    """PUCT c_base (AlphaZero 19652)."""
    fpu: float = 0.0
    """First-play urgency reduction."""
    gumbel: bool = False
    """Gumbel root selection with sequential halving."""
    considered: int = 16
    """Actions Gumbel considers at the root."""
    dirichlet: float = 0.0
    """Root Dirichlet noise fraction (0 = off)."""
    alpha: float = 0.3
    """Root Dirichlet concentration."""
    temperature: float = 0.0
    """Move choice temperature over visit counts (0 = most visited)."""
    batch: int = 1
    """Leaves per evaluator call (virtual loss)."""
    reuse: bool = True
    """Keep the tree between moves."""
    max_nodes: int = 1 << 20
    """Most nodes in the tree."""

    def __post_init__(self) -> None:
        if self.sims is not None and self.sims < 1:
            raise ValueError(f"sims must be >= 1; got {self.sims}")
        if self.time < 0:
            raise ValueError(f"time must be >= 0; got {self.time}")

    def config(self, seed: int) -> MCTSConfig:
        """The :class:`MCTSConfig` these options describe."""
        sims = self.sims if self.sims is not None else (0 if self.time > 0 else DEFAULT_SIMULATIONS)
        return MCTSConfig(num_simulations=sims, max_seconds=self.time, c_puct=self.c_puct, c_base=self.c_base,
                          fpu=self.fpu, gumbel=self.gumbel, gumbel_num_considered=self.considered,
                          gumbel_scale=1.0, dirichlet_fraction=self.dirichlet, dirichlet_alpha=self.alpha,
                          temperature=self.temperature, leaves_per_eval=self.batch, max_nodes=self.max_nodes,
                          seed=seed)


def make_evaluator(game: Game, options: MCTSOptions, seed: int) -> Evaluator | StateEvaluator:
    """The leaf evaluator the options ask for."""
    if options.net is not None:
        try:
            networks = importlib.import_module("agents.networks")
        except ModuleNotFoundError as err:
            if err.name in ("agents.networks", "torch"):
                raise AgentError("net= needs agents.networks") from None
            raise
        factory = getattr(networks, "evaluator_from_checkpoint", None)
        if factory is None:
            raise AgentError("net= needs agents.networks.evaluator_from_checkpoint")
        return factory(options.net, game)
    kind = options.eval
    if kind == "auto":
        kind = "material" if game.spec.name == "chess" else "rollout"
    if kind == "material":
        if game.spec.name != "chess":
            raise AgentError(f"eval=material needs chess; the game is {game.spec.name}")
        return MaterialEvaluator()
    if kind == "uniform":
        return UniformEvaluator()
    return RolloutEvaluator(seed=seed)


class MCTSAgent(Agent):
    """Plays the move a (reused) MCTS tree recommends."""

    def __init__(self, game: Game, options: MCTSOptions, seed: int = 0) -> None:
        self.game, self.options = game, options
        self.search = BatchedMCTS(game, options.config(seed), make_evaluator(game, options, seed), num_trees=1)
        self.last_summary = None
        """The :class:`search.mcts.SearchSummary` of the last move."""

    def act(self, state: State) -> int:
        return self.act_with_policy(state)[0]

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        summary = self.search.search([state])[0]
        self.last_summary = summary
        return summary.action, summary.policy.astype(np.float64)

    def observe(self, state: State, action: int) -> None:
        if self.options.reuse and state.current_player >= 0:
            self.search.advance(0, int(action), expected=state)
        else:
            self.search.reset(0)

    def reset(self) -> None:
        self.search.reset()
        self.last_summary = None


def _build(game: Game, options: MCTSOptions, seed: int) -> Agent:
    return MCTSAgent(game, options, seed)


AGENT = AgentKind(name="mcts", options=MCTSOptions, build=_build,
                  help="Monte Carlo tree search: sims=800 | time=SECONDS, eval=rollout|uniform|material, net=PATH")
