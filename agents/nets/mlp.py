"""A small perceptron policy/value network for vector observations (poker information states)."""
from __future__ import annotations

import math

import torch
from torch import nn

from agents.nets.core import NetConfig, PolicyValueNet
from games.core import GameSpec


class MLPNet(PolicyValueNet):
    """Flattened observation -> ``config.blocks`` hidden layers of ``config.channels`` -> two heads."""

    def __init__(self, config: NetConfig, spec: GameSpec) -> None:
        super().__init__()
        self.config = config
        self.spec = spec
        layers: list[nn.Module] = []
        width = math.prod(spec.observation_shape)
        for _ in range(config.blocks):
            layers += [nn.Linear(width, config.channels), nn.ReLU()]
            width = config.channels
        self.trunk = nn.Sequential(*layers)
        self.policy = nn.Linear(width, spec.num_actions)
        self.value = nn.Sequential(nn.Linear(width, config.value_hidden), nn.ReLU(), nn.Linear(config.value_hidden, 1))

    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``obs`` [B, *obs_shape] -> (logits [B, A], values [B] in [-1, 1]); ``iters`` is ignored."""
        h = self.trunk(obs.flatten(1))
        return self.policy(h), torch.tanh(self.value(h)).squeeze(1)
