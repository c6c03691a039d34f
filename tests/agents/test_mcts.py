"""The ``mcts`` agent: spec parsing, tree reuse through observe(), play."""
from __future__ import annotations

import numpy as np
import pytest

from agents.core import AgentError, AgentSpecError
from agents.mcts import MCTSAgent, MCTSOptions
from agents.registry import agent_kind, make_agent
from games.registry import make_game

C4 = make_game("connect_four")


def test_spec_parsing_to_options_and_config() -> None:
    agent = make_agent("mcts:sims=64,eval=uniform,c_puct=2.0,gumbel=1,considered=8,dirichlet=0.25,batch=4", C4, 3)
    assert isinstance(agent, MCTSAgent)
    cfg = agent.search.config
    assert (cfg.num_simulations, cfg.c_puct, cfg.gumbel, cfg.gumbel_num_considered) == (64, 2.0, True, 8)
    assert (cfg.dirichlet_fraction, cfg.leaves_per_eval, cfg.seed, cfg.max_seconds) == (0.25, 4, 3, 0.0)
    timed = make_agent("mcts:time=0.5", C4).search.config  # type: ignore[attr-defined]
    assert (timed.num_simulations, timed.max_seconds) == (0, 0.5)
    assert make_agent("mcts", C4).search.config.num_simulations == 800  # type: ignore[attr-defined]
    assert agent_kind("mcts").options is MCTSOptions


@pytest.mark.parametrize("spec", ["mcts:sims=abc", "mcts:eval=stockfish", "mcts:bogus=1", "mcts:sims=0",
                                  "mcts:time=-1", "mcts:gumbel=maybe"])
def test_bad_specs_raise_agent_spec_error(spec: str) -> None:
    with pytest.raises(AgentSpecError):
        make_agent(spec, C4)


def test_material_needs_chess_and_net_needs_a_loadable_checkpoint(tmp_path: object) -> None:
    with pytest.raises(AgentError):
        make_agent("mcts:eval=material", C4)
    with pytest.raises(AgentError):
        make_agent(f"mcts:net={tmp_path}/missing.pt", C4)


def test_observe_keeps_the_tree_for_both_players_moves() -> None:
    agent = make_agent("mcts:sims=300,eval=rollout", C4, 0)
    assert isinstance(agent, MCTSAgent)
    state = C4.new_state()
    action = agent.act(state)
    mine = int(agent.last_summary.visit_counts[action])  # type: ignore[union-attr]
    agent.observe(state, action)
    state.apply(action)
    assert agent.search.root_visits(0) == mine
    reply = int(np.argmax(agent.last_summary.visit_counts * 0 + 1))  # any legal reply: column 0
    grand = agent.search.tree
    first = grand.first_edge[0, 0]
    kids = grand.edge_child[0, first:first + grand.num_edges[0, 0]]
    expected = int(grand.visits[0, kids[reply]]) if kids[reply] >= 0 else 0
    agent.observe(state, reply)
    state.apply(reply)
    assert agent.search.root_visits(0) == expected
    agent.act(state)
    other = C4.new_state()
    other.apply(6)
    agent.observe(other, 5)  # a state the tree does not know: reset
    assert agent.search.root_visits(0) == 0


def test_agent_wins_against_random_play() -> None:
    rng = np.random.default_rng(0)
    wins = 0
    for game_index in range(4):
        agent = make_agent("mcts:sims=200", C4, game_index)
        state = C4.new_state()
        seat = game_index % 2
        while not state.is_terminal():
            if state.current_player == seat:
                action, policy = agent.act_with_policy(state)
                assert abs(policy.sum() - 1.0) < 1e-6 and policy[action] > 0
            else:
                legal = state.legal_actions()
                action = int(legal[rng.integers(len(legal))])
            agent.observe(state, action)
            state.apply(action)
        wins += state.returns()[seat] > 0
    assert wins == 4


def test_net_checkpoint_drives_the_search(tmp_path: "object") -> None:
    torch = pytest.importorskip("torch")
    from agents.nets.checkpoint import TrainingMetadata, save_checkpoint
    from agents.nets.core import NetConfig, build_network

    torch.manual_seed(0)
    net = build_network(NetConfig(kind="mlp", blocks=1, channels=16), C4.spec).eval()
    path = save_checkpoint(f"{tmp_path}/000001.pt", net, "connect_four", TrainingMetadata())
    agent = make_agent(f"mcts:net={path},sims=32,batch=4", C4, 0)
    assert isinstance(agent, MCTSAgent) and agent.search.compiled_leaves  # compiled leaves, network in Python
    state = C4.new_state()
    action, policy = agent.act_with_policy(state)
    assert state.is_legal(action) and abs(policy.sum() - 1.0) < 1e-6
    assert agent.last_summary.simulations == 32  # type: ignore[union-attr]
    assert agent.search.evaluator_calls == 1 + 8  # root, then one call per 4 leaves


def test_options_take_defaults_from_mcts_config_and_count_simulations() -> None:
    import dataclasses

    from search.mcts import MCTSConfig

    shared = {f.name: f.metadata["config"] for f in dataclasses.fields(MCTSOptions) if "config" in f.metadata}
    assert {"c_puct", "c_base", "fpu", "gumbel", "considered", "dirichlet", "alpha", "temperature", "batch",
            "max_nodes", "adaptive", "max_extend"} <= set(shared)
    defaults = MCTSConfig()
    for option, name in shared.items():
        assert getattr(MCTSOptions(), option) == getattr(defaults, name)
    cfg = make_agent("mcts:sims=50,adaptive=1,max_extend=3,visit_gap=0.2,q_gap=0.01,value_drift=0.1", C4)
    assert isinstance(cfg, MCTSAgent)
    c = cfg.search.config
    assert (c.adaptive, c.max_extend, c.extend_visit_gap, c.extend_q_gap, c.extend_value_drift) == \
        (True, 3.0, 0.2, 0.01, 0.1)
    with pytest.raises(AgentSpecError, match="dirichlet must be in"):  # the config's check, in spec names
        make_agent("mcts:dirichlet=2", C4)
    with pytest.raises(AgentSpecError, match="gumbel"):
        make_agent("mcts:adaptive=1,gumbel=1", C4)
    state = C4.new_state()
    assert np.isnan(cfg.mean_simulations)
    for _ in range(3):
        action = cfg.act(state)
        cfg.observe(state, action)
        state.apply(action)
    assert cfg.searches == 3 and cfg.simulations == 3 * cfg.mean_simulations > 0
