"""Configuration of a sudoku training run (saved as ``config.json``; ``python -m selfplay.sudoku_train``
generates its flags from it, :mod:`agents.flags`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agents.nets.core import NetConfig
from games.core import InputError
from selfplay.sudoku_train.data import Targets


@dataclass(frozen=True, kw_only=True)
class SudokuTrainConfig:
    """One training run (saved as ``config.json``)."""

    puzzles: int = 2000
    """Training puzzles generated."""
    minutes: float = 5.0
    """Wall-clock training budget."""
    max_steps: int = 0
    """Stop after this many optimizer steps (0 = only the time budget); when set, checkpoints follow steps."""
    net: Literal["sudoku", "resnet", "recurrent"] = "sudoku"
    """Network family: sudoku (:mod:`agents.nets.sudoku`, recurrent over rows/columns/boxes), or the
    convolutional resnet or recurrent (ablations)."""
    iters: int = 4
    """Training iterations of the recurrent network."""
    blocks: int = 1
    """Residual blocks (resnet) or layers inside the weight-tied block (recurrent, sudoku)."""
    channels: int = 32
    """Convolution channels, or per-cell hidden width (sudoku)."""
    targets: Targets = "search"
    """``search`` (labels from the exact solver, network's own placements) or ``solution`` (ablation)."""
    batch_size: int = 32
    """Positions per optimizer step (half correct, half off-path)."""
    lr: float = 3e-3
    """Peak AdamW learning rate (warm-up over the first steps, cosine decay to 5% over the budget)."""
    warmup_steps: int = 50
    """Steps of linear learning-rate warm-up."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    value_weight: float = 0.25
    """Weight of the (class-balanced) value loss."""
    progressive_alpha: float = 0.5
    """Recurrent networks: weight of the progressive loss."""
    max_fill: int = 8
    """Most placements of the network added to an off-path position (``search`` targets)."""
    checkpoints: int = 4
    """Checkpoints after the initial one, at 1/2^k of the budget."""
    seed: int = 0
    """Seed of the puzzles, positions and initial weights."""

    def __post_init__(self) -> None:
        if self.net not in ("sudoku", "resnet", "recurrent"):
            raise InputError(f"--net must be sudoku, resnet or recurrent; got {self.net}")
        if self.targets not in ("search", "solution"):
            raise InputError(f"--targets must be search or solution; got {self.targets}")
        if self.puzzles < 1 or self.minutes <= 0 or self.max_steps < 0 or self.checkpoints < 1:
            raise InputError("need --puzzles >= 1, --minutes > 0, --max-steps >= 0, --checkpoints >= 1")
        if min(self.iters, self.blocks, self.channels, self.batch_size, self.max_fill) < 1 or self.batch_size < 2:
            raise InputError("--iters, --blocks, --channels, --max-fill must be >= 1 and --batch-size >= 2")
        if self.lr <= 0 or self.value_weight < 0 or self.warmup_steps < 0 or not 0 <= self.progressive_alpha <= 1:
            raise InputError(f"need --lr > 0, --value-weight >= 0, --progressive-alpha in [0, 1] and warmup_steps "
                             f">= 0; got {self.lr}, {self.value_weight}, {self.progressive_alpha}, {self.warmup_steps}")

    def net_config(self) -> NetConfig:
        """The network; convolutional ones get 18 policy channels, a positive and a negative part per digit
        (:func:`per_cell_policy`)."""
        if self.net == "sudoku":
            return NetConfig(kind="sudoku", blocks=self.blocks, channels=self.channels, iters=self.iters,
                             value_hidden=64)
        return NetConfig(kind=self.net, blocks=self.blocks, channels=self.channels, iters=self.iters,
                         policy_channels=18, value_hidden=64)
