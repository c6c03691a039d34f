"""Networks: shapes for every family, value range, think-longer iterations, progressive loss, FLOPs."""
from __future__ import annotations

import pytest
import torch

from agents.nets.recurrent import RecurrentNet
from agents.nets.core import (NetConfig, NetConfigError, build_network, count_parameters, default_net_config,
                             flops_per_evaluation)
from games.core import GameSpec, UnsupportedGameError

BOARD = GameSpec(name="board", num_players=2, num_actions=7, observation_shape=(3, 6, 7), max_game_length=42,
                 min_utility=-1, max_utility=1, zero_sum=True, perfect_information=True, has_chance=False)
CHESSLIKE = GameSpec(name="chesslike", num_players=2, num_actions=4672, observation_shape=(119, 8, 8),
                     max_game_length=500, min_utility=-1, max_utility=1, zero_sum=True, perfect_information=True,
                     has_chance=False)
VECTOR = GameSpec(name="vec", num_players=2, num_actions=3, observation_shape=(30,), max_game_length=10,
                  min_utility=-13, max_utility=13, zero_sum=True, perfect_information=False, has_chance=True)


@pytest.mark.parametrize("spec,config", [
    (BOARD, NetConfig(kind="resnet", blocks=2, channels=8)),
    (CHESSLIKE, NetConfig(kind="resnet", blocks=1, channels=8)),
    (BOARD, NetConfig(kind="recurrent", blocks=1, channels=8, iters=2)),
    (VECTOR, NetConfig(kind="mlp", blocks=2, channels=16)),
])
def test_output_shapes_and_value_range(spec: GameSpec, config: NetConfig) -> None:
    net = build_network(config, spec).eval()
    obs = torch.randn(5, *spec.observation_shape) * 10
    logits, values = net(obs)
    assert logits.shape == (5, spec.num_actions) and values.shape == (5,)
    assert torch.all(values.abs() <= 1.0)
    assert count_parameters(net) > 0


def test_recurrent_thinks_longer_with_the_same_weights() -> None:
    torch.manual_seed(0)
    net = build_network(NetConfig(kind="recurrent", blocks=1, channels=8, iters=2), BOARD).eval()
    assert isinstance(net, RecurrentNet)
    obs = torch.rand(4, 3, 6, 7)
    with torch.no_grad():
        l2, _ = net(obs)
        l2b, _ = net(obs, iters=2)
        l6, v6 = net(obs, iters=6)
        # iterating by hand: 6 iterations == 2 then 4 more from the state
        state = net.iterate(obs, net.initial_state(obs), 2)
        l6b, v6b = net.heads(net.iterate(obs, state, 4))
    assert torch.equal(l2, l2b)
    assert not torch.allclose(l2, l6)
    assert torch.allclose(l6, l6b) and torch.allclose(v6, v6b)
    assert flops_per_evaluation(net, iters=6) > flops_per_evaluation(net, iters=2)


def test_progressive_forward_has_gradients_through_shared_block() -> None:
    net = build_network(NetConfig(kind="recurrent", blocks=1, channels=4, iters=3), BOARD)
    full, partial = net.progressive_forward(torch.rand(2, 3, 6, 7), torch.Generator().manual_seed(1))
    (full[0].sum() + partial[1].sum()).backward()
    assert net.recall.weight.grad is not None and net.recall.weight.grad.abs().sum() > 0


def test_flops_match_hand_count_for_mlp() -> None:
    net = build_network(NetConfig(kind="mlp", blocks=1, channels=16, value_hidden=8), VECTOR)
    # linear layers: 30->16, 16->3, 16->8, 8->1; 2 flops per multiply-add
    assert flops_per_evaluation(net) == 2 * (30 * 16 + 16 * 3 + 16 * 8 + 8 * 1)


def test_config_errors_and_round_trip() -> None:
    cfg = NetConfig(kind="recurrent", blocks=2, channels=16, iters=5)
    assert NetConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(NetConfigError, match="unknown network kind"):
        NetConfig(kind="transformer")  # type: ignore[arg-type]
    with pytest.raises(NetConfigError, match="channels"):
        NetConfig(channels=0)
    with pytest.raises(NetConfigError, match="unknown network config field"):
        NetConfig.from_dict({"kind": "resnet", "width": 3})
    with pytest.raises(UnsupportedGameError, match="mlp"):
        build_network(NetConfig(kind="resnet"), VECTOR)
    assert default_net_config(VECTOR).kind == "mlp" and default_net_config(BOARD).kind == "resnet"
