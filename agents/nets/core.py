"""Policy/value networks: their configuration, construction, compute cost and the checkpoint evaluator.

Every network maps observations ``float32 [B, *observation_shape]`` to ``(logits [B, A], values [B])``,
values for the player to move in ``[-1, 1]`` (tanh head). Three families, chosen by
:attr:`NetConfig.kind`:

* ``resnet``: residual convolutional tower (:mod:`agents.nets.resnet`), for board planes ``[C, H, W]``;
* ``recurrent``: one weight-tied block iterated ``iters`` times with the input fed back at every
  iteration, which can think longer at test time (:mod:`agents.nets.recurrent`, Bansal et al. 2022);
* ``mlp``: a small perceptron for vector observations such as poker (:mod:`agents.nets.mlp`).
"""
from __future__ import annotations

import abc
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import torch
from torch import nn

from games.core import Game, GameSpec, InputError, UnsupportedGameError

if TYPE_CHECKING:
    from agents.nets.evaluator import TorchEvaluator

NetKind = Literal["resnet", "recurrent", "mlp", "sudoku", "sudoku_think"]


class NetConfigError(InputError):
    """A network configuration that cannot be built (unknown kind, non-positive size, bad field)."""


@dataclass(frozen=True, kw_only=True)
class NetConfig:
    """Architecture of a policy/value network."""

    kind: NetKind = "resnet"
    """Family: ``resnet``, ``recurrent`` (weight-tied, iterable), ``mlp``, ``sudoku`` (:mod:`agents.nets.sudoku`) or
    ``sudoku_think`` (:mod:`agents.nets.sudoku_think`: iterable, with a halting head)."""
    blocks: int = 4
    """Residual blocks of the tower (resnet) or inside the weight-tied block (recurrent); hidden layers (mlp)."""
    channels: int = 64
    """Convolution channels (resnet, recurrent) or hidden units (mlp)."""
    iters: int = 4
    """Iterations of the weight-tied block in training and by default at test time (recurrent only)."""
    value_hidden: int = 64
    """Hidden units of the value head."""
    policy_channels: int = 2
    """1x1-convolution channels of the policy head (resnet, recurrent)."""

    def __post_init__(self) -> None:
        if self.kind not in ("resnet", "recurrent", "mlp", "sudoku", "sudoku_think"):
            raise NetConfigError(f"unknown network kind '{self.kind}' (known: resnet, recurrent, mlp, sudoku, "
                                 "sudoku_think)")
        for name in ("blocks", "channels", "iters", "value_hidden", "policy_channels"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise NetConfigError(f"network {name} must be a positive integer; got {value!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON and ``torch.load(weights_only=True)`` safe)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NetConfig":
        """Inverse of :meth:`to_dict`; unknown keys raise :class:`NetConfigError`."""
        if not isinstance(data, dict):
            raise NetConfigError(f"network config must be a mapping; got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise NetConfigError(f"unknown network config field(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        return cls(**data)


class PolicyValueNet(nn.Module, metaclass=abc.ABCMeta):
    """Abstract base: ``forward(obs [B, *obs_shape], iters=None) -> (logits [B, A], values [B])``."""

    config: NetConfig
    spec: GameSpec

    @abc.abstractmethod
    def forward(self, obs: torch.Tensor, iters: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Policy logits and values in [-1, 1] for a batch of observations (``iters``: recurrent only)."""


def build_network(config: NetConfig, spec: GameSpec) -> PolicyValueNet:
    """The network ``config`` describes, shaped for ``spec`` (observation shape, number of actions).

    Raises:
        UnsupportedGameError: a convolutional network for a game whose observations are not ``[C, H, W]``.
    """
    if config.kind == "mlp":
        from agents.nets.mlp import MLPNet

        return MLPNet(config, spec)
    if config.kind == "sudoku":
        from agents.nets.sudoku import SudokuNet

        return SudokuNet(config, spec)
    if config.kind == "sudoku_think":
        from agents.nets.sudoku_think import SudokuThinkNet

        return SudokuThinkNet(config, spec)
    if len(spec.observation_shape) != 3:
        raise UnsupportedGameError(
            f"a {config.kind} network needs [C, H, W] observations; {spec.name} has {spec.observation_shape} (use kind mlp)")
    if config.kind == "resnet":
        from agents.nets.resnet import ResNet

        return ResNet(config, spec)
    from agents.nets.recurrent import RecurrentNet

    return RecurrentNet(config, spec)


def default_net_config(spec: GameSpec) -> NetConfig:
    """A reasonable small network for a game: resnet for board planes, mlp for vectors."""
    if len(spec.observation_shape) == 3:
        return NetConfig(kind="resnet", blocks=4, channels=64)
    return NetConfig(kind="mlp", blocks=2, channels=128)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def flops_per_evaluation(model: PolicyValueNet, iters: int | None = None) -> int:
    """Floating-point operations (2 x multiply-adds of convolutions and linear layers) of one position.

    Measured by running one dummy observation through the network with hooks on every ``Conv2d`` and
    ``Linear``; ``iters`` is the recurrent network's iteration count (default: its training count).
    """
    total = 0

    def conv_hook(module: nn.Conv2d, _inp: Any, out: torch.Tensor) -> None:
        nonlocal total
        kh, kw = module.kernel_size
        total += 2 * out.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module: nn.Linear, _inp: Any, out: torch.Tensor) -> None:
        nonlocal total
        total += 2 * out.numel() * module.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            model(torch.zeros((1, *model.spec.observation_shape)), iters=iters)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    return total


def evaluator_from_checkpoint(path: str, game: Game, *, device: str = "cpu", iters: int | None = None,
                              cache_size: int = 0, batch_size: int = 1024) -> "TorchEvaluator":
    """A :data:`search.core.Evaluator` running the network stored in checkpoint ``path``.

    Args:
        path: checkpoint file written by :func:`agents.nets.checkpoint.save_checkpoint`.
        game: the game to play; must be the checkpoint's game.
        device: ``"cpu"`` or ``"cuda"``.
        iters: iterations of a recurrent network (default: its training count).
        cache_size: positions kept in the evaluator's cache (0 = no cache).
        batch_size: most positions per forward pass.

    Raises:
        agents.nets.checkpoint.CheckpointError: unreadable, corrupt or foreign file, or another game's network.
    """
    from agents.nets.checkpoint import load_network
    from agents.nets.evaluator import TorchEvaluator

    model, _ckpt = load_network(path, game=game, device=device)
    return TorchEvaluator(model, device=device, iters=iters, cache_size=cache_size, batch_size=batch_size)
