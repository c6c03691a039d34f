"""The random agent: legal, seeded, uniform."""
from __future__ import annotations

import numpy as np
import pytest

from agents.core import AgentSpecError
from agents.random import RandomAgent
from agents.registry import make_agent
from games.core import random_playout
from games.registry import make_game


def test_plays_only_legal_actions_in_many_positions() -> None:
    game = make_game("connect_four")
    agent = make_agent("random", game, seed=3)
    rng = np.random.default_rng(0)
    for _ in range(200):
        state = game.new_state()
        for _ in range(rng.integers(0, 30)):
            if state.is_terminal():
                break
            state.apply(agent.act(state))
        if not state.is_terminal():
            assert state.is_legal(agent.act(state))


def test_same_seed_same_moves_other_seed_other_moves() -> None:
    game = make_game("connect_four")
    state = game.new_state()
    first = [RandomAgent(7).act(state) for _ in range(1)]
    a, b, c = RandomAgent(7), RandomAgent(7), RandomAgent(8)
    seq_a = [a.act(state) for _ in range(50)]
    assert seq_a == [b.act(state) for _ in range(50)]
    assert seq_a != [c.act(state) for _ in range(50)]
    assert first[0] == seq_a[0]


def test_uniform_over_legal_actions() -> None:
    game = make_game("connect_four")
    state = game.state_from_string("000000")  # column 0 full: 6 legal columns
    agent = RandomAgent(1)
    counts = np.bincount([agent.act(state) for _ in range(6000)], minlength=7)
    assert counts[0] == 0
    assert np.all(np.abs(counts[1:] - 1000) < 150)  # ~5 standard deviations
    action, policy = agent.act_with_policy(state)
    assert policy[0] == 0 and np.allclose(policy[1:], 1 / 6) and action in range(1, 7)


def test_seed_option_and_bad_option() -> None:
    game = make_game("openspiel:kuhn_poker")
    state = random_playout(game.new_state(), np.random.default_rng(0))
    assert state.is_terminal()
    fixed = [make_agent("random:seed=5", game, seed=s) for s in (0, 1)]
    board = make_game("connect_four").new_state()
    assert [fixed[0].act(board) for _ in range(20)] == [fixed[1].act(board) for _ in range(20)]
    with pytest.raises(AgentSpecError):
        make_agent("random:speed=3", game)
