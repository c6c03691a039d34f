"""Agent net:PATH: plays legal moves, best = argmax of the network, sampling follows the softmax."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from agents.nets.checkpoint import TrainingMetadata, save_checkpoint
from agents.core import AgentSpecError, InputError
from agents.net import masked_softmax
from agents.nets.core import NetConfig, build_network
from agents.registry import make_agent
from games.registry import make_game


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.nn.Module]:
    torch.manual_seed(3)
    game = make_game("connect_four")
    net = build_network(NetConfig(kind="resnet", blocks=1, channels=8), game.spec).eval()
    path = save_checkpoint(tmp_path_factory.mktemp("ck") / "000001.pt", net, "connect_four", TrainingMetadata())
    return path, net


def test_best_move_is_network_argmax_over_legal(ckpt: tuple[Path, torch.nn.Module]) -> None:
    path, net = ckpt
    game = make_game("connect_four")
    agent = make_agent(f"net:{path}", game)
    rng = np.random.default_rng(0)
    for _ in range(20):
        state = game.new_state()
        while not state.is_terminal():
            mask = state.legal_action_mask()
            with torch.no_grad():
                logits = net(torch.from_numpy(state.observation()[None]))[0][0].numpy()
            action, policy = agent.act_with_policy(state)
            assert mask[action] and action == int(np.argmax(np.where(mask, logits, -np.inf)))
            assert policy[~mask].sum() == 0 and abs(policy.sum() - 1) < 1e-9
            legal = state.legal_actions()
            state.apply(int(legal[rng.integers(len(legal))]))


def test_sampling_follows_softmax(ckpt: tuple[Path, torch.nn.Module]) -> None:
    path, net = ckpt
    game = make_game("connect_four")
    agent = make_agent(f"net:{path},sample=1", game, seed=5)
    state = game.new_state()
    for a in (3, 3, 3, 3, 3, 3):  # fill column 3: it becomes illegal
        state.apply(a)
    counts = np.bincount([agent.act(state) for _ in range(3000)], minlength=7)
    with torch.no_grad():
        logits = net(torch.from_numpy(state.observation()[None]))[0][0].numpy()
    expected = masked_softmax(logits, state.legal_action_mask())
    assert counts[3] == 0
    assert np.abs(counts / 3000 - expected).max() < 0.04


def test_recurrent_iters_option_thinks_longer(tmp_path: Path) -> None:
    game = make_game("connect_four")
    torch.manual_seed(0)
    net = build_network(NetConfig(kind="recurrent", blocks=1, channels=8, iters=2), game.spec).eval()
    path = save_checkpoint(tmp_path / "r.pt", net, "connect_four", TrainingMetadata())
    state = game.new_state()
    with torch.no_grad():
        expected = masked_softmax(net(torch.from_numpy(state.observation()[None]), iters=7)[0][0].numpy(),
                                  state.legal_action_mask())
    _, policy = make_agent(f"net:{path},iters=7", game).act_with_policy(state)
    _, policy2 = make_agent(f"net:{path}", game).act_with_policy(state)
    np.testing.assert_allclose(policy, expected, atol=1e-6)
    assert not np.allclose(policy, policy2)


def test_bad_specs(tmp_path: Path) -> None:
    game = make_game("connect_four")
    with pytest.raises(InputError, match="does not exist"):
        make_agent(f"net:{tmp_path / 'x.pt'}", game)
    with pytest.raises(AgentSpecError, match="temperature"):
        make_agent(f"net:{tmp_path / 'x.pt'},sample=1,temperature=0", game)
