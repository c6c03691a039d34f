"""The Leduc leaf value network: encoding, leaf function, checkpoint round trip, and ``subgame:...,leaf=net:PATH``."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import CheckpointError, TrainingMetadata
from agents.core import AgentSpecError
from agents.nets.leduc_value import (NUM_FEATURES, POTS, LeafNetConfig, LeafValueNet, NetLeafValues, deal_weight,
                                    encode, load_leaf_net, save_leaf_net)
from agents.registry import make_agent
from games.core import UnsupportedGameError
from games.registry import make_game
from search.cfr import game_tree, node_from_history
from search.cfr.leaf_solve import LeafValueError
from search.cfr.tree import CHANCE


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GAMESEARCH_CACHE", str(tmp_path / "cache"))


def _net(path, seed: int = 0):
    torch.manual_seed(seed)
    model = LeafValueNet(LeafNetConfig(hidden=16, layers=2))
    save_leaf_net(path, model, TrainingMetadata(learner_steps=3, training="test"))
    return model


def test_encode_normalises_ranges_and_one_hots_the_pot() -> None:
    ranges = np.array([[[1, 1, 0, 0, 2, 0], [0, 0, 0, 0, 0, 0]]], dtype=float)
    x = encode(np.array([3]), ranges)
    assert x.shape == (1, NUM_FEATURES) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, 1: 1 + len(POTS)], [0, 1, 0])
    np.testing.assert_allclose(x[0, -12:-6], [0.25, 0.25, 0, 0, 0.5, 0])
    np.testing.assert_allclose(x[0, -6:], np.full(6, 1 / 6))  # an empty range reads as uniform


def test_leaf_function_scales_by_the_deal_and_refuses_other_nodes(tmp_path) -> None:
    tree = game_tree("leduc_poker")
    model = _net(tmp_path / "v.pt")
    leaf = NetLeafValues(model, tree)
    nodes = np.flatnonzero((tree.kind == CHANCE) & (tree.round == 0))
    ranges = np.random.default_rng(0).random((len(nodes), 2, 6))
    out = leaf(nodes, ranges)
    assert out.shape == (len(nodes), 6, 6) and np.all(np.diag(out[0]) == 0.0)
    with torch.inference_mode():
        raw = model(torch.from_numpy(encode(tree.contrib[nodes, 0], ranges))).double().numpy()
    np.testing.assert_allclose(out, raw * 10.0 * deal_weight(), rtol=1e-6)
    with pytest.raises(LeafValueError):
        leaf(np.array([0]), ranges[:1])
    with pytest.raises(LeafValueError):
        NetLeafValues(model, game_tree("kuhn_poker"))


def test_checkpoint_round_trip_and_bad_files(tmp_path) -> None:
    model = _net(tmp_path / "v.pt")
    loaded, meta = load_leaf_net(tmp_path / "v.pt")
    assert meta.learner_steps == 3 and loaded.config == LeafNetConfig(hidden=16, layers=2)
    x = torch.rand(4, NUM_FEATURES)
    with torch.inference_mode():
        torch.testing.assert_close(loaded(x), model.eval()(x))
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    torch.save({"format": "something-else"}, tmp_path / "other.pt")
    torch.save({"format": "gamesearch-leaf-value", "version": 1, "game": "leduc_poker",
                "config": {"hidden": 8, "layers": 1}, "weights": model.state_dict()}, tmp_path / "misfit.pt")
    for name in ("missing.pt", "junk.pt", "other.pt", "misfit.pt"):
        with pytest.raises(CheckpointError):
            load_leaf_net(tmp_path / name)


def test_subgame_agent_with_net_leaves_plays(tmp_path) -> None:
    _net(tmp_path / "v.pt")
    game = make_game("leduc_poker")
    agent = make_agent(f"subgame:blueprint=30,iters=20,horizon=round,leaf=net:{tmp_path / 'v.pt'}", game, seed=0)
    tree = game_tree("leduc_poker")
    rng = np.random.default_rng(0)
    for _ in range(20):
        state = game.new_state()
        while not state.is_terminal():
            if state.is_chance_node():
                actions, probs = state.chance_outcomes()
                state.apply(int(rng.choice(actions, p=probs)))
                continue
            action, policy = agent.act_with_policy(state)
            assert action in state.legal_actions()
            node = node_from_history(tree, state.history)
            expected = agent.full_strategy()[tree.decision_index[node], state.history[state.current_player]]
            np.testing.assert_allclose(policy[tree.legal_actions(node)], expected[: len(tree.legal_actions(node))],
                                       atol=1e-12)
            state.apply(action)
    assert agent.resolver.leaf_fn is not None and agent.resolver.leaf_fn.calls > 0


def test_net_leaf_specs_are_checked(tmp_path) -> None:
    _net(tmp_path / "v.pt")
    game = make_game("leduc_poker")
    for spec in (f"subgame:leaf=net:{tmp_path / 'v.pt'}",  # horizon game has no leaves to value
                 f"subgame:horizon=round,depth=1,leaf=net:{tmp_path / 'v.pt'}", "subgame:horizon=round,leaf=net:",
                 "subgame:leaf=nets", "subgame:horizon=round,leaf_every=0"):
        with pytest.raises(AgentSpecError):
            make_agent(spec, game)
    with pytest.raises(CheckpointError):
        make_agent(f"subgame:horizon=round,leaf=net:{tmp_path / 'missing.pt'}", game)
    with pytest.raises(UnsupportedGameError):
        make_agent(f"subgame:horizon=round,leaf=net:{tmp_path / 'v.pt'}", make_game("kuhn_poker"))


def test_shipped_leaf_network_beats_predicting_zero() -> None:
    """models/leduc_value/leaf_value.pt loads and values exact leaf labels better than 0 does."""
    from pathlib import Path

    from search.cfr.leaf_solve import ExactLeafValues

    path = Path(__file__).resolve().parents[3] / "models" / "leduc_value" / "leaf_value.pt"
    model, meta = load_leaf_net(path)
    assert meta.learner_steps > 0
    tree = game_tree("leduc_poker")
    leaf_fn = NetLeafValues(model, tree)
    exact = ExactLeafValues(tree, iterations=300)
    rng = np.random.default_rng(3)
    leaves = np.flatnonzero(tree.kind == CHANCE)
    err_net = err_zero = 0.0
    for _ in range(3):
        ranges = rng.dirichlet(np.ones(tree.num_hands), size=(len(leaves), 2))
        want = exact(leaves, ranges)
        got = leaf_fn(leaves, ranges)
        err_net += float(np.sum((got - want) ** 2))
        err_zero += float(np.sum(want ** 2))
    assert err_net < 0.5 * err_zero
