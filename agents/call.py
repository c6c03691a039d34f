"""The ``call`` agent on no-limit hold'em: always checks or calls (a calling station)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.cfr_nolimit import HandPolicyAgent, require_nolimit
from agents.core import AgentKind
from games.core import Game, State
from games.poker.base import CALL


@dataclass(frozen=True)
class CallOptions:
    """Options of ``call`` (none)."""


class CallAgent(HandPolicyAgent):
    """Checks or calls with every hand."""

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        return np.array([CALL], dtype=np.int64), np.ones((1326, 1))


def _build(game: Game, options: CallOptions, seed: int) -> CallAgent:
    require_nolimit(game, "call")
    return CallAgent(game, seed)


AGENT = AgentKind(name="call", options=CallOptions, build=_build,
                  help="holdem_nolimit baseline: always check or call")
