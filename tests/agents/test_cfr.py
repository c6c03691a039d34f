"""The ``cfr`` and ``subgame`` agents on the project's Kuhn and Leduc games."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from agents.core import AgentSpecError
from agents.registry import make_agent
from games.core import UnsupportedGameError
from games.registry import make_game
from search.cfr import game_tree, information_state_string, node_from_history


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GAMESEARCH_CACHE", str(tmp_path / "cache"))


def _decision_states(game, rng, count):
    states = []
    while len(states) < count:
        state = game.new_state()
        while not state.is_terminal():
            if state.is_chance_node():
                actions, probs = state.chance_outcomes()
                state.apply(int(rng.choice(actions, p=probs)))
                continue
            states.append(state.copy())
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))
    return states


@pytest.mark.parametrize("name", ["kuhn_poker", "leduc_poker"])
def test_cfr_agent_plays_its_blueprint(tmp_path, name: str) -> None:
    game = make_game(name)
    agent = make_agent("cfr:iters=200,algo=cfr+", game, seed=1)
    assert (tmp_path / "cache" / "cfr" / f"{name}-cfrplus-200.npy").exists()
    tree = game_tree(name)
    for state in _decision_states(game, np.random.default_rng(0), 200):
        action, policy = agent.act_with_policy(state)
        assert action in state.legal_actions()
        node = node_from_history(tree, state.history)
        player = state.current_player
        # the agent's node is the state's information set, open_spiel's string on both sides
        assert information_state_string(tree, node, state.history[player]) == state.information_state_string(player)
        expected = agent.strategy[tree.decision_index[node], state.history[player], : len(tree.legal_actions(node))]
        np.testing.assert_allclose(policy[tree.legal_actions(node)], expected / expected.sum(), atol=1e-12)
    cached = make_agent("cfr:iters=200,algo=cfr+", game, seed=2)  # from disk
    np.testing.assert_array_equal(cached.strategy, agent.strategy)


@pytest.mark.parametrize("options", ["iters=100,safe=1", "iters=30,horizon=round,first=0,every=1,safe=0"])
def test_subgame_agent_acts_legally_in_whole_games(options: str) -> None:
    game = make_game("leduc_poker")
    agent = make_agent(f"subgame:blueprint=30,{options}", game, seed=0)
    rng = np.random.default_rng(3)
    tree = game_tree("leduc_poker")
    for state in _decision_states(game, rng, 100):
        action, policy = agent.act_with_policy(state)
        assert action in state.legal_actions()
        node = node_from_history(tree, state.history)
        expected = agent.full_strategy()[tree.decision_index[node], state.history[state.current_player]]
        np.testing.assert_allclose(policy[tree.legal_actions(node)], expected[: len(tree.legal_actions(node))],
                                   atol=1e-12)
    assert agent.resolver.stats.subgames > 0


def test_bad_specs_and_games() -> None:
    with pytest.raises(AgentSpecError):
        make_agent("cfr:iters=0", make_game("kuhn_poker"))
    with pytest.raises(AgentSpecError):
        make_agent("subgame:leaf=network", make_game("kuhn_poker"))
    with pytest.raises(AgentSpecError):
        make_agent("subgame:horizon=street", make_game("kuhn_poker"))
    with pytest.raises(UnsupportedGameError):
        make_agent("cfr:iters=10", make_game("connect_four"))


def test_play_cli_subgame_against_blueprint(tmp_path) -> None:
    env = dict(os.environ, GAMESEARCH_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-m", "agents.play", "leduc_poker", "subgame:blueprint=30,iters=50",
                           "cfr:iters=30", "--games", "40", "--json", "--out", str(tmp_path / "m")],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["games"] == 40
