"""Replay buffer: bounded ring, whole games in, uniform and recency sampling, resignation counters."""
from __future__ import annotations

import numpy as np
import pytest

from selfplay.core import PlayedGame, ReplayConfig
from selfplay.replay_buffer import ReplayBuffer


def _game(start: int, n: int, resign_check_player: int = -1, returns: tuple[float, float] = (1.0, -1.0)) -> PlayedGame:
    ids = np.arange(start, start + n, dtype=np.float32)
    return PlayedGame(
        observations=np.broadcast_to(ids[:, None, None, None], (n, 1, 2, 2)).copy(),
        legal_masks=np.ones((n, 3), bool), policies=np.full((n, 3), 1 / 3, np.float32), values=ids.copy(),
        full_search=np.ones(n, bool), returns=np.array(returns), model_version=0, plies=n,
        resign_check_player=resign_check_player)


def test_ring_keeps_the_newest_positions() -> None:
    buf = ReplayBuffer(ReplayConfig(capacity=10, min_positions=1), seed=0)
    buf.add_games([_game(0, 4), _game(4, 4), _game(8, 5)])
    assert buf.size == 10 and buf.positions_added == 13 and buf.games_added == 3
    batch = buf.sample(500)
    held = set(np.unique(batch["values"]).astype(int))
    assert held == set(range(3, 13))
    np.testing.assert_array_equal(batch["observations"][:, 0, 0, 0], batch["values"])  # rows stay aligned
    assert batch["policies"].shape == (500, 3) and batch["legal_masks"].dtype == bool


def test_recency_sampling_prefers_new_positions() -> None:
    buf = ReplayBuffer(ReplayConfig(capacity=100, sampling="recency", recency_half_life=10, min_positions=1), seed=1)
    buf.add_game(_game(0, 100))
    v = buf.sample(20000)["values"]
    # weight halves every 10 positions of age: P(age < 10) = 1 - 2^-1 (over a long window) ~ 0.5
    assert abs(np.mean(v >= 90) - 0.5) < 0.03
    uniform = ReplayBuffer(ReplayConfig(capacity=100, min_positions=1), seed=1)
    uniform.add_game(_game(0, 100))
    assert abs(np.mean(uniform.sample(20000)["values"] >= 90) - 0.1) < 0.02


def test_resignation_false_positive_rate_and_empty_buffer() -> None:
    buf = ReplayBuffer(ReplayConfig(capacity=50, min_positions=1))
    with pytest.raises(ValueError, match="empty"):
        buf.sample(1)
    buf.add_games([_game(0, 2, resign_check_player=0), _game(0, 2, resign_check_player=1), _game(0, 2)])
    stats = buf.stats()
    assert stats["resign_checks"] == 2 and stats["resign_false_positive_rate"] == 0.5
