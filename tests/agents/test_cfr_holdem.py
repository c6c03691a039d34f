"""The ``cfr`` and ``subgame`` agents on limit hold'em (a tiny cached blueprint)."""
from __future__ import annotations

import numpy as np
import pytest

from agents.core import AgentSpecError
from agents.registry import make_agent
from games.registry import make_game
from search.cfr.holdem_tree import betting_tree, node_of_sequences

SPEC = "blueprint=150,buckets=3"


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GAMESEARCH_CACHE", str(tmp_path_factory.getbasetemp() / "holdem-cache"))


def _play(game, seats, rng):
    state = game.new_state()
    river_decisions = 0
    while not state.is_terminal():
        if state.is_chance_node():
            actions, probs = state.chance_outcomes()
            state.apply(int(rng.choice(actions, p=probs)))
            continue
        agent = seats[state.current_player]
        action, policy = agent.act_with_policy(state)
        assert action in state.legal_actions() and policy.sum() == pytest.approx(1.0)
        assert np.all(policy[[a for a in range(3) if a not in state.legal_actions()]] == 0.0)
        river_decisions += state.round == 3
        state.apply(action)
    for agent in seats:
        agent.reset()
    return river_decisions


def test_blueprint_agent_plays_the_bucket_strategy() -> None:
    game = make_game("holdem_limit")
    agent = make_agent("cfr:iters=150,buckets=3", game, seed=0)
    state = game.new_state()
    for card in (48, 49, 20, 1):  # AcAd for player 0, 7c2d for player 1 (to act first)
        state.apply(card)
    _, policy = agent.act_with_policy(state)
    node = node_of_sequences(betting_tree(), state.sequences)
    bucket = agent.blueprint.abstraction.bucket((20, 1), [])
    np.testing.assert_allclose(policy, agent.blueprint.action_probs(node, bucket) /
                               agent.blueprint.action_probs(node, bucket).sum())


def test_subgame_agent_resolves_rivers_in_whole_hands() -> None:
    game = make_game("holdem_limit")
    blueprint = make_agent("cfr:iters=150,buckets=3", game, seed=1)
    resolver = make_agent(f"subgame:{SPEC},iters=20,safe=1", game, seed=2)
    rng = np.random.default_rng(4)
    rivers = sum(_play(game, (resolver, blueprint) if i % 2 else (blueprint, resolver), rng) for i in range(12))
    assert rivers > 0 and resolver.resolves > 0
    with pytest.raises(AgentSpecError):
        make_agent("cfr:iters=10,buckets=1", game)
