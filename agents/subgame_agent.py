"""The subgame-solving agent ``subgame:blueprint=30,iters=1000,depth=0,leaf=blueprint,safe=1``.

On top of a cached CFR blueprint it re-solves the subgame at the start of every betting round (and
every ``depth`` actions), from both players' ranges under the strategy played so far, with leaves
valued by the blueprint; ``safe=1`` keeps only re-solved strategies that pass the safety check
(see :mod:`search.cfr.resolve`). Solved subgames are kept for the agent's life: the composed
strategy is a function of the public state, so later hands reuse them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from agents.cfr_agent import Algo, TabularPokerAgent, blueprint, poker_tree
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
    """Actions per subgame before blueprint-valued leaves; 0 = to the end of the betting round."""
    leaf: Literal["blueprint"] = "blueprint"
    """Leaf values: the blueprint's continuation values."""
    safe: bool = True
    """Safe re-solving (never more exploitable than the blueprint); 0 = unsafe, for comparison."""

    def __post_init__(self) -> None:
        if self.blueprint < 1:
            raise ValueError(f"blueprint must be >= 1; got {self.blueprint}")
        if self.iters < 0 or self.depth < 0:
            raise ValueError("iters and depth must be >= 0")


class SubgameAgent(TabularPokerAgent):
    """Plays the strategy composed by re-solving subgames over the blueprint."""

    def __init__(self, game: Game, options: SubgameOptions, seed: int) -> None:
        super().__init__(game, poker_tree(game), seed)
        bp = blueprint(self.tree.rules.name, options.blueprint_algo, options.blueprint)
        config = ResolveConfig(iterations=options.iters, algo=options.algo, depth=options.depth, safe=options.safe)
        self.resolver = Resolver(self.tree, bp, config)

    def strategy_at(self, node: int) -> np.ndarray:
        return self.resolver.strategy_at(node)


def _build(game: Game, options: SubgameOptions, seed: int) -> Agent:
    return SubgameAgent(game, options, seed)


AGENT = AgentKind(name="subgame", options=SubgameOptions, build=_build,
                  help="CFR subgame solving on a blueprint: blueprint=100, iters=1000, depth=0, safe=1")
