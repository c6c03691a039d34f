"""The ``fold`` agent on no-limit hold'em: folds whenever it faces a bet, checks otherwise."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.cfr_nolimit import HandPolicyAgent, require_nolimit
from agents.core import AgentKind
from games.core import Game, State
from games.poker.base import CALL, FOLD


@dataclass(frozen=True)
class FoldOptions:
    """Options of ``fold`` (none)."""


class FoldAgent(HandPolicyAgent):
    """Folds to any bet (the big blind included), checks when it can."""

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        facing = state.spent[state.current_player] < state.max_spent  # type: ignore[attr-defined]
        return np.array([FOLD if facing else CALL], dtype=np.int64), np.ones((1326, 1))


def _build(game: Game, options: FoldOptions, seed: int) -> FoldAgent:
    require_nolimit(game, "fold")
    return FoldAgent(game, seed)


AGENT = AgentKind(name="fold", options=FoldOptions, build=_build,
                  help="holdem_nolimit baseline: fold to any bet, check otherwise")
