"""Residual convolutional policy/value tower (AlphaZero style) for board planes ``[C, H, W]``."""
from __future__ import annotations

import torch
from torch import nn

from agents.nets.core import NetConfig, PolicyValueNet
from games.core import GameSpec


class ResidualBlock(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the input, then ReLU."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(x + self.bn2(self.conv2(y)))


class PolicyValueHeads(nn.Module):
    """Policy head (1x1 conv -> linear to A logits) and value head (1x1 conv -> MLP -> tanh)."""

    def __init__(self, config: NetConfig, spec: GameSpec) -> None:
        super().__init__()
        _, height, width = spec.observation_shape
        c = config.channels
        self.policy_conv = nn.Conv2d(c, config.policy_channels, 1)
        self.policy_fc = nn.Linear(config.policy_channels * height * width, spec.num_actions)
        self.value_conv = nn.Conv2d(c, 1, 1)
        self.value_fc1 = nn.Linear(height * width, config.value_hidden)
        self.value_fc2 = nn.Linear(config.value_hidden, 1)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``h`` [B, C, H, W] -> (logits [B, A], values [B] in [-1, 1])."""
        logits = self.policy_fc(torch.relu(self.policy_conv(h)).flatten(1))
        v = torch.relu(self.value_fc1(torch.relu(self.value_conv(h)).flatten(1)))
        return logits, torch.tanh(self.value_fc2(v)).squeeze(1)


class ResNet(PolicyValueNet):
    """Stem conv, ``config.blocks`` residual blocks of ``config.channels``, policy and value heads."""

    def __init__(self, config: NetConfig, spec: GameSpec) -> None:
        super().__init__()
        self.config = config
        self.spec = spec
        in_channels = spec.observation_shape[0]
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, config.channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(config.channels),
            nn.ReLU(),
        )
        self.tower = nn.Sequential(*[ResidualBlock(config.channels) for _ in range(config.blocks)])
        self.heads = PolicyValueHeads(config, spec)

    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``obs`` [B, C, H, W] -> (logits [B, A], values [B]); ``iters`` is ignored (not recurrent)."""
        return self.heads(self.tower(self.stem(obs)))
