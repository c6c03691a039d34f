"""The subgame-solving agent ``subgame:blueprint=30,iters=1000,depth=0,leaf=blueprint,safe=1``.

On top of a cached CFR blueprint it re-solves subgames (after the blueprint's first ``first``
actions: at the start of every betting round, every ``depth`` actions, or at every decision with
``every=1``) from both players' ranges under the strategy played so far, to the end of the hand
(``horizon=game``) or of the round with blueprint-valued leaves (``horizon=round``); ``safe=1`` keeps
only re-solved strategies that pass the safety check (see :mod:`search.cfr.resolve`). Solved
subgames are kept for the agent's life: the composed strategy is a function of the public state,
so later hands reuse them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from agents.cfr_agent import HOLDEM, Algo, TabularPokerAgent, blueprint, poker_tree
from agents.core import Agent, AgentKind
from games.core import Game
from search.cfr import ResolveConfig, Resolver


@dataclass(frozen=True)
class SubgameOptions:
    """Options of the ``subgame`` agent."""

    blueprint: int = 100
    """Iterations of the blueprint solve (cached on disk like the ``cfr`` agent's)."""
    blueprint_algo: Algo = "dcfr"
    """CFR variant of the blueprint."""
    iters: int = 1000
    """Iterations per re-solved subgame (0 = play the blueprint)."""
    algo: Algo = "dcfr"
    """CFR variant for the subgames."""
    depth: int = 0
    """Actions per subgame before blueprint-valued leaves; 0 = to the horizon."""
    horizon: Literal["round", "game"] = "game"
    """Subgames end at the end of the betting round (blueprint-valued leaves) or of the hand."""
    every: bool = False
    """Re-solve at every decision (continual re-solving), not only at round starts and depth steps."""
    first: int = 1
    """Player actions the blueprint plays before the first re-solve point."""
    leaf: Literal["blueprint"] = "blueprint"
    """Leaf values: the blueprint's continuation values."""
    safe: bool = True
    """Safe re-solving (never more exploitable than the blueprint); 0 = unsafe, for comparison."""
    buckets: int = 8
    """holdem_limit: hand-strength buckets per round of the blueprint's card abstraction."""

    def __post_init__(self) -> None:
        if self.blueprint < 1:
            raise ValueError(f"blueprint must be >= 1; got {self.blueprint}")
        if self.iters < 0 or self.depth < 0 or self.first < 0:
            raise ValueError("iters, depth and first must be >= 0")


class SubgameAgent(TabularPokerAgent):
    """Plays the strategy composed by re-solving subgames over the blueprint."""

    def __init__(self, game: Game, options: SubgameOptions, seed: int) -> None:
        super().__init__(game, poker_tree(game), seed)
        bp = blueprint(self.tree.rules.name, options.blueprint_algo, options.blueprint)
        config = ResolveConfig(iterations=options.iters, algo=options.algo, depth=options.depth, safe=options.safe,
                               horizon=options.horizon, every=options.every, first=options.first)
        self.resolver = Resolver(self.tree, bp, config)

    def strategy_at(self, node: int) -> np.ndarray:
        return self.resolver.strategy_at(node)

    def full_strategy(self) -> np.ndarray:
        return self.resolver.resolve_all()


def _build(game: Game, options: SubgameOptions, seed: int) -> Agent:
    if game.spec.name == HOLDEM:
        from agents.holdem_agent import HoldemSubgameAgent

        return HoldemSubgameAgent(game, options.blueprint, options.buckets, seed, options.iters, options.algo,
                                  options.safe)
    return SubgameAgent(game, options, seed)


AGENT = AgentKind(name="subgame", options=SubgameOptions, build=_build,
                  help="CFR subgame solving on a blueprint: blueprint=100, iters=1000, depth=0, horizon=game|round, "
                       "every=0, first=1, safe=1 (holdem_limit: river re-solving, buckets=8)")
