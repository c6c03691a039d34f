"""Chess observations and legal masks along one seeded random game, for the self-play network tests."""
from __future__ import annotations

import numpy as np

from games.registry import make_game


def chess_positions(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(observations, legal masks) of the first ``n`` positions of a random game drawn with ``seed``."""
    game = make_game("chess")
    rng = np.random.default_rng(seed)
    state, obs, masks = game.new_state(), [], []
    for _ in range(n):
        obs.append(state.observation())
        masks.append(state.legal_action_mask())
        state.apply(int(rng.choice(state.legal_actions())))
    return np.stack(obs), np.stack(masks)
