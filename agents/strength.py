"""The ``strength`` agent on no-limit hold'em: raises strong hands, calls medium ones, folds the rest.

A hand's strength is its equity against a uniformly random hand: before the flop the Monte Carlo equity
of its class (:func:`search.cfr.abstraction.preflop_equities`), after it the chance of beating a random
hand on the board as it stands (:func:`search.cfr.equity.strengths`). With strength at least ``raise_at``
it raises ``size`` times the pot (calls if it cannot raise); at least ``call_at`` it checks or calls;
below, it checks when it can and folds to a bet. Deterministic given the cards.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from agents.cfr_nolimit import HandPolicyAgent, require_nolimit
from agents.core import AgentKind
from games.core import Game, State
from games.poker.base import CALL, FOLD
from search.cfr.abstraction import COMBOS, preflop_equities
from search.cfr.equity import strengths
from search.cfr.nl_betting import betting_of, fraction_to_raise
from search.cfr.nl_buckets import preflop_buckets


@dataclass(frozen=True)
class StrengthOptions:
    """Options of ``strength``."""

    raise_at: float = 0.75
    """Raise with at least this strength."""
    call_at: float = 0.5
    """Call with at least this strength (and fold below it when facing a bet)."""
    size: float = 1.0
    """Raise size as a fraction of the pot (after calling)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.call_at <= self.raise_at <= 1.0 or self.size <= 0.0:
            raise ValueError("need 0 <= call_at <= raise_at <= 1 and size > 0")


@cache
def preflop_strengths() -> np.ndarray:
    """float64 [1326]: each combo's preflop equity against a random hand (Monte Carlo, seeded)."""
    return preflop_equities(2000, 0)[preflop_buckets(COMBOS)]


class StrengthAgent(HandPolicyAgent):
    """Raise / call / fold by thresholds on hand strength."""

    def __init__(self, game: Game, options: StrengthOptions, seed: int) -> None:
        super().__init__(game, seed)
        self.options = options
        self.stack = game.rules.stack  # type: ignore[attr-defined]

    def hand_policy(self, state: State) -> tuple[np.ndarray, np.ndarray]:
        board = state.board  # type: ignore[attr-defined]
        s = strengths(board) if board else preflop_strengths()
        betting = betting_of(state)
        raise_to = fraction_to_raise(self.options.size, betting, self.stack)
        low = FOLD if betting.facing_bet() else CALL
        actions = sorted({low, CALL} | ({raise_to} if raise_to is not None else set()))
        choice = np.where(s >= self.options.raise_at, raise_to if raise_to is not None else CALL,
                          np.where(s >= self.options.call_at, CALL, low))
        probs = (choice[:, None] == np.asarray(actions)[None, :]).astype(np.float64)
        return np.asarray(actions, dtype=np.int64), probs


def _build(game: Game, options: StrengthOptions, seed: int) -> StrengthAgent:
    require_nolimit(game, "strength")
    return StrengthAgent(game, options, seed)


AGENT = AgentKind(name="strength", options=StrengthOptions, build=_build,
                  help="holdem_nolimit baseline: raise strong hands (raise_at=0.75, size=1 pot), call medium "
                       "ones (call_at=0.5), fold the rest")
