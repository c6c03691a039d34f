"""Openings of a match: how many random plies start each pair of games, and playing them.

Matches (``agents.play``), tournaments and training curves play each opening twice with the seats
swapped, so that a random start is fair to both agents while games still differ.
"""
from __future__ import annotations

import numpy as np

from games.core import Game, State

MAX_OPENING_TRIES = 50
"""Random openings tried before giving up on one that does not end the game."""


def default_opening_plies(game: Game, start_given: bool = False) -> int:
    """Random plies before each pair of games when none are asked for: 4 for chess, 2 for other games
    without chance, 0 for games with chance or when the match starts from a given position."""
    if start_given or game.spec.has_chance:
        return 0
    return 4 if game.spec.name == "chess" else 2


def random_opening(game: Game, base: State | None, plies: int, rng: np.random.Generator) -> State | None:
    """``plies`` uniformly random moves from ``base``, retried until the position is not over."""
    if plies <= 0:
        return base
    for _ in range(MAX_OPENING_TRIES):
        state = base.copy() if base is not None else game.new_state(rng)
        for _ in range(plies):
            if state.is_terminal():
                break
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
        if not state.is_terminal():
            return state
    return base
