"""Recurrent ("deep thinking") policy/value network: one weight-tied block iterated, input recalled.

Bansal et al. 2022, "End-to-end Algorithm Synthesis with Recurrent Networks: Logical Extrapolation
Without Overthinking": the input is concatenated to the hidden state at every iteration (recall), so the
block can be run more times at test time than in training ("think longer") without drifting, and
training uses the progressive loss: from a detached state after ``n`` random iterations, ``k`` more
iterations with gradients must also give the right answer (:meth:`RecurrentNet.progressive_forward`).
"""
from __future__ import annotations

import torch
from torch import nn

from agents.nets.resnet import PolicyValueHeads
from agents.nets.core import NetConfig, PolicyValueNet
from games.core import GameSpec


class PlainResidualBlock(nn.Module):
    """conv3x3-ReLU-conv3x3 plus the input, then ReLU (no normalisation, as in DeepThinking nets)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(x + self.conv2(torch.relu(self.conv1(x))))


class RecurrentNet(PolicyValueNet):
    """Projection conv, a weight-tied block (recall conv + ``config.blocks`` residual blocks), heads.

    ``forward(obs, iters)`` iterates the block ``iters`` times (default ``config.iters``).
    """

    def __init__(self, config: NetConfig, spec: GameSpec) -> None:
        super().__init__()
        self.config = config
        self.spec = spec
        in_channels = spec.observation_shape[0]
        c = config.channels
        self.projection = nn.Conv2d(in_channels, c, 3, padding=1, bias=False)
        self.recall = nn.Conv2d(c + in_channels, c, 3, padding=1, bias=False)
        self.block = nn.Sequential(*[PlainResidualBlock(c) for _ in range(config.blocks)])
        self.heads = PolicyValueHeads(config, spec)

    def initial_state(self, obs: torch.Tensor) -> torch.Tensor:
        """Hidden state [B, C, H, W] before the first iteration."""
        return torch.relu(self.projection(obs))

    def iterate(self, obs: torch.Tensor, state: torch.Tensor, iters: int) -> torch.Tensor:
        """Apply the weight-tied block ``iters`` times, feeding ``obs`` back in at every iteration."""
        for _ in range(iters):
            state = self.block(torch.relu(self.recall(torch.cat([state, obs], dim=1))))
        return state

    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """``obs`` [B, C, H, W] -> (logits [B, A], values [B]) after ``iters`` iterations."""
        n = self.config.iters if iters is None else int(iters)
        if n < 1:
            raise ValueError(f"recurrent network needs iters >= 1; got {n}")
        return self.heads(self.iterate(obs, self.initial_state(obs), n))

    def progressive_forward(self, obs: torch.Tensor, generator: torch.Generator | None = None
                            ) -> tuple[tuple[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]:
        """Outputs for the progressive loss: (output after ``config.iters`` iterations, output after
        ``n`` detached iterations followed by ``k`` with gradients), ``n ~ U{0..m-1}``, ``k ~ U{1..m-n}``.
        """
        m = self.config.iters
        full = self.forward(obs, m)
        n = int(torch.randint(0, m, (1,), generator=generator))
        k = int(torch.randint(1, m - n + 1, (1,), generator=generator))
        with torch.no_grad():
            state = self.iterate(obs, self.initial_state(obs), n)
        state = state.detach()
        partial = self.heads(self.iterate(obs, state, k))
        return full, partial
