"""The ``random`` agent: a uniformly random legal action, from a seeded generator."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.core import Agent, AgentKind
from games.core import Game, State


@dataclass(frozen=True)
class RandomOptions:
    """Options of ``random`` (none needed; the seed comes from the match)."""

    seed: int | None = None
    """Fixed seed for this agent's generator; None uses the seed the match gives."""


class RandomAgent(Agent):
    """Plays uniformly among the legal actions, drawn from (its seed, the game's seed) once a match
    announces the game (:meth:`new_game`), else from its seed alone."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def new_game(self, seed: int) -> None:
        self.reset()
        self.rng = np.random.default_rng([self.seed, seed])

    def act(self, state: State) -> int:
        legal = state.legal_actions()
        return int(legal[self.rng.integers(len(legal))])

    def act_with_policy(self, state: State) -> tuple[int, np.ndarray]:
        policy = state.legal_action_mask().astype(np.float64)
        policy /= policy.sum()
        return self.act(state), policy


def _build(game: Game, options: RandomOptions, seed: int) -> RandomAgent:
    return RandomAgent(seed if options.seed is None else options.seed)


AGENT = AgentKind(name="random", options=RandomOptions, build=_build,
                  help="uniformly random legal moves (random[:seed=N])")
