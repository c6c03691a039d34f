"""Configuration of a distillation run: the run's budget and sizes, the optimisation settings, the network.

``python -m selfplay.distill`` generates its flags from these dataclasses and
:class:`selfplay.distill.data.LabelConfig` (:mod:`agents.flags`), so every field can be set and each
default is written once, here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from agents.nets.core import NetConfig
from games.core import InputError


class DistillError(InputError):
    """A distillation run that cannot start (bad arguments, run folder in the way, nothing to train on)."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise DistillError(message)


@dataclass(frozen=True, kw_only=True)
class TrainSettings:
    """Optimisation settings of the training phase."""

    batch_size: int = 256
    """Positions per AdamW step."""
    lr: float = 2e-3
    """Peak learning rate (cosine decay to 5% of it over the training budget)."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    value_weight: float = 1.0
    """Weight of the value MSE against the policy cross-entropy."""
    warmup_steps: int = 100
    """Linear learning-rate warm-up."""

    def __post_init__(self) -> None:
        _check(self.batch_size >= 1, f"batch_size must be >= 1; got {self.batch_size}")
        _check(self.lr > 0, f"lr must be > 0; got {self.lr}")
        _check(self.weight_decay >= 0 and self.value_weight >= 0, "weight_decay and value_weight must be >= 0")
        _check(self.warmup_steps >= 0, f"warmup_steps must be >= 0; got {self.warmup_steps}")


@dataclass(frozen=True, kw_only=True)
class DistillConfig:
    """The run: how many positions, the budget, checkpoints, threads and the network."""

    positions: int
    """Labelled positions to collect (a resumed run tops the data up to this many)."""
    minutes: float | None = None
    """Wall-clock budget of the whole run (labelling and training); None = no time limit."""
    label_share: float = 0.5
    """Largest share of ``minutes`` spent labelling."""
    epochs: float | None = None
    """Most passes over the data (None: 1 without ``minutes``, else only the time limit)."""
    workers: int = 2
    """Labelling threads, one Stockfish each."""
    checkpoints: int = 5
    """Checkpoints along training, at 1/2^(K-1), ..., 1/2, 1 of it."""
    threads: int = 2
    """Torch threads for training."""
    seed: int = 0
    """Seed of the generated games, the validation split and the initial weights."""
    net: NetConfig = field(default_factory=lambda: NetConfig(kind="resnet", blocks=6, channels=64))
    """The network (a residual tower)."""

    def __post_init__(self) -> None:
        for name in ("positions", "workers", "checkpoints", "threads"):
            _check(getattr(self, name) >= 1, f"{name} must be >= 1; got {getattr(self, name)}")
        for name in ("minutes", "epochs"):
            value = getattr(self, name)
            _check(value is None or value > 0, f"{name} must be > 0; got {value}")
        _check(0 < self.label_share <= 1, f"label_share must be in (0, 1]; got {self.label_share}")
