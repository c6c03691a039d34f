"""The MCTS agent: ``mcts:sims=800,eval=rollout``, ``mcts:time=1.0,eval=material``, ``mcts:net=ckpt.pt``.

The agent keeps its search tree between moves: :meth:`MCTSAgent.observe` advances the tree with every
action played in the game (its own and the opponent's); a state the tree does not know resets it.
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Sequence

import numpy as np

from agents.core import Agent, AgentError, AgentKind, MultiGameAgent
from games.core import Game, State
from search.core import Evaluator
from search.evaluators import MaterialEvaluator, RolloutEvaluator, StateEvaluator, UniformEvaluator
from search.mcts import BatchedMCTS, MCTSConfig, MCTSConfigError, SearchSummary

DEFAULT_SIMULATIONS = 800
"""Simulations per move when neither ``sims`` nor ``time`` is given."""


def _from_config(name: str) -> Any:
    """A spec option that sets ``MCTSConfig.<name>``: default (and documentation) are the config's."""
    return field(default=MCTSConfig.__dataclass_fields__[name].default, metadata={"config": name})


@dataclass(frozen=True)
class MCTSOptions:
    """Options of the ``mcts`` agent (spec ``mcts:key=value,...``).

    Options marked "MCTSConfig.x" set that field of :class:`search.mcts.MCTSConfig` (its default, its
    documentation); the others belong to the agent.
    """

    sims: int | None = None
    """Simulations per move (default 800 without ``time``, unlimited with it); with ``adaptive``, the
    nominal budget."""
    time: float = 0.0
    """Seconds per move (0 = no time limit)."""
    eval: Literal["auto", "rollout", "uniform", "material"] = "auto"
    """Leaf evaluator without a network: auto = material for chess, rollout otherwise."""
    net: str | None = None
    """Checkpoint path: a network evaluates leaves (needs agents.nets.core)."""
    backend: str = "auto"
    """Network inference backend (agents.nets.backends): auto (cuda with a GPU, else onnx), torch, onnx, cuda."""
    device: str = "cpu"
    """Where the network runs: cpu or cuda."""
    reuse: bool = True
    """Keep the tree between moves."""
    c_puct: float = _from_config("c_puct")
    """MCTSConfig.c_puct."""
    c_base: float = _from_config("c_base")
    """MCTSConfig.c_base."""
    fpu: float = _from_config("fpu")
    """MCTSConfig.fpu."""
    gumbel: bool = _from_config("gumbel")
    """MCTSConfig.gumbel."""
    considered: int = _from_config("gumbel_num_considered")
    """MCTSConfig.gumbel_num_considered."""
    dirichlet: float = _from_config("dirichlet_fraction")
    """MCTSConfig.dirichlet_fraction."""
    alpha: float = _from_config("dirichlet_alpha")
    """MCTSConfig.dirichlet_alpha."""
    temperature: float = _from_config("temperature")
    """MCTSConfig.temperature."""
    batch: int = _from_config("leaves_per_eval")
    """MCTSConfig.leaves_per_eval."""
    max_nodes: int = _from_config("max_nodes")
    """MCTSConfig.max_nodes."""
    compiled: bool = _from_config("compiled")
    """MCTSConfig.compiled (0 = replay paths through the Python State, e.g. python-chess)."""
    adaptive: bool = _from_config("adaptive")
    """MCTSConfig.adaptive."""
    max_extend: float = _from_config("max_extend")
    """MCTSConfig.max_extend."""
    visit_gap: float = _from_config("extend_visit_gap")
    """MCTSConfig.extend_visit_gap."""
    q_gap: float = _from_config("extend_q_gap")
    """MCTSConfig.extend_q_gap."""
    value_drift: float = _from_config("extend_value_drift")
    """MCTSConfig.extend_value_drift."""

    def __post_init__(self) -> None:
        if self.sims is not None and self.sims < 1:
            raise ValueError(f"sims must be >= 1; got {self.sims}")
        if self.time < 0:
            raise ValueError(f"time must be >= 0; got {self.time}")
        try:
            self.config(0)  # MCTSConfig checks the rest
        except MCTSConfigError as err:
            raise ValueError(_spec_names(str(err))) from None

    def config(self, seed: int) -> MCTSConfig:
        """The :class:`MCTSConfig` these options describe."""
        sims = self.sims if self.sims is not None else (0 if self.time > 0 else DEFAULT_SIMULATIONS)
        shared = {f.metadata["config"]: getattr(self, f.name) for f in fields(self) if "config" in f.metadata}
        return MCTSConfig(num_simulations=sims, max_seconds=self.time, seed=seed, **shared)


_SPEC_NAMES = {"num_simulations": "sims", "max_seconds": "time"} | {
    f.metadata["config"]: f.name for f in fields(MCTSOptions) if "config" in f.metadata}
"""MCTSConfig field -> spec option that sets it."""


def _spec_names(message: str) -> str:
    """A config error message with the config's field names replaced by the spec's option names."""
    return re.sub(r"\b[a-z_]+\b", lambda m: _SPEC_NAMES.get(m.group(0), m.group(0)), message)


def make_evaluator(game: Game, options: MCTSOptions, seed: int) -> Evaluator | StateEvaluator:
    """The leaf evaluator the options ask for."""
    if options.net is not None:
        try:
            backends = importlib.import_module("agents.nets.backends")
        except ModuleNotFoundError as err:
            if err.name in ("agents.nets.backends", "torch"):
                raise AgentError("net= needs torch (agents.nets)") from None
            raise
        return backends.agent_evaluator(options.net, game, backend=options.backend, device=options.device)
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


class MCTSAgent(MultiGameAgent):
    """Plays the move a (reused) MCTS tree recommends; with ``slots`` > 1, one tree per game in flight and
    one search (one network call per step) for all the slots to move."""

    def __init__(self, game: Game, options: MCTSOptions, seed: int = 0, slots: int = 1) -> None:
        self.game, self.options, self.slots = game, options, slots
        self.search = BatchedMCTS(game, options.config(seed), make_evaluator(game, options, seed), num_trees=slots)
        self.last_summary: SearchSummary | None = None
        """The :class:`search.mcts.SearchSummary` of the last move (of the last slot searched)."""
        self.searches = 0
        """Moves searched since the agent was built (kept across games; :meth:`reset` keeps it)."""
        self.simulations = 0
        """Simulations those searches ran (what an adaptive budget chose to spend)."""
        self.seconds = 0.0
        """Wall-clock seconds those searches took."""

    @property
    def mean_simulations(self) -> float:
        """Mean simulations per searched move (NaN before the first)."""
        return self.simulations / self.searches if self.searches else float("nan")

    def act_many(self, states: Sequence[State], slots: Sequence[int]) -> list[int]:
        return [action for action, _ in self._search(states, slots)]

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        return self._search([state], [0])[0]

    def _search(self, states: Sequence[State], slots: Sequence[int]) -> list[tuple[int, np.ndarray]]:
        summaries = self.search.search(list(states), indices=list(slots))
        self.last_summary = summaries[-1]
        self.searches += len(summaries)
        self.simulations += sum(s.simulations for s in summaries)
        self.seconds += summaries[-1].seconds
        return [(s.action, s.policy.astype(np.float64)) for s in summaries]

    def observe_slot(self, slot: int, state: State, action: int) -> None:
        if self.options.reuse and state.current_player >= 0:
            self.search.advance(slot, int(action), expected=state)
        else:
            self.search.reset(slot)

    def new_game_slot(self, slot: int, seed: int) -> None:
        self.search.reseed(slot, seed)
        self.last_summary = None

    def reset(self) -> None:
        self.search.reset()
        self.last_summary = None


def _build(game: Game, options: MCTSOptions, seed: int) -> Agent:
    return MCTSAgent(game, options, seed)


def _build_multi(game: Game, options: MCTSOptions, seed: int, slots: int) -> MultiGameAgent:
    return MCTSAgent(game, options, seed, slots=slots)


AGENT = AgentKind(name="mcts", options=MCTSOptions, build=_build, multi=_build_multi,
                  help="Monte Carlo tree search: sims=800 | time=SECONDS, eval=rollout|uniform|material, net=PATH, "
                       "adaptive=1 (smart pruning, longer thinking when unsure)")
