"""Configuration of a thinking-network training run (saved as ``RUN/config.json``; the flags of
``python -m selfplay.sudoku_think`` are generated from it by :mod:`agents.flags`)."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from agents.nets.core import NetConfig
from games.core import InputError


class ThinkConfigError(InputError):
    """A training configuration that cannot be run (a bad value, an unknown field)."""


@dataclass(frozen=True, kw_only=True)
class ThinkTrainConfig:
    """One training run of a :class:`~agents.nets.sudoku_think.SudokuThinkNet` (saved as ``config.json``)."""

    channels: int = 32
    """Hidden width per (cell, digit) pair (the per-pair MLP is twice as wide)."""
    blocks: int = 1
    """Message-passing layers inside the weight-tied block."""
    iters: int = 16
    """Training depth m: iterations of the full-depth loss, and the most of the progressive loss."""
    value_hidden: int = 64
    """Hidden units of the value and halting heads."""
    progressive_alpha: float = 0.5
    """Weight of the progressive loss (Bansal et al. 2022): loss = (1 - alpha) full + alpha progressive,
    the progressive output taken after n ~ U{0..m-1} iterations without gradients and k ~ U{1..m-n} with."""
    every_iteration: bool = True
    """Full-depth loss at the output of every iteration, averaged (as recurrent relational networks train);
    off: at the last iteration only."""
    halt_weight: float = 0.5
    """Weight of the halting head's loss (binary cross-entropy of "the grid read is right")."""
    value_weight: float = 0.25
    """Weight of the class-balanced value loss ("still solvable")."""
    puzzle_share: float = 0.6
    """Share of the positions that are bare puzzles (the task: answer the whole puzzle in one pass)."""
    partial_share: float = 0.2
    """Share that are puzzles with a random share of their blanks filled from the solution; the rest are
    such positions with one wrong legal digit (no solution: a uniform policy and value -1), the states a
    guided search shows the network off the solution path."""
    min_guesses: int = 0
    """Training puzzles need at least this many exact-solver guesses at level 1 (0: any minimal puzzle; about
    80% have 20 or more)."""
    batch_size: int = 32
    """Positions per optimizer step."""
    lr: float = 2e-3
    """Peak AdamW learning rate (linear warm-up, then a cosine to 5% at the last step)."""
    warmup_steps: int = 100
    """Steps of linear learning-rate warm-up."""
    weight_decay: float = 1e-4
    """AdamW weight decay."""
    grad_clip: float = 1.0
    """Gradient-norm clip."""
    steps: int = 2000
    """Optimizer steps of the whole run (the schedule's length; a resumed run goes on to it)."""
    minutes: float = 0.0
    """Wall-clock limit of one invocation (0 = none); a checkpoint is written when it is reached."""
    checkpoint_every: int = 500
    """Steps between checkpoints (and one at the last step)."""
    log_every: int = 20
    """Steps between ``metrics.jsonl`` lines."""
    eval_every: int = 250
    """Steps between held-out measurements (0 = none): raw solve rate at m, 2m and 4m iterations."""
    eval_puzzles: int = 32
    """Held-out puzzles per measurement, from each of the hard and hardest files (never trained on)."""
    workers: int = 1
    """Ray actors making positions in parallel with training (0 = made in the learner's process)."""
    puzzles_per_call: int = 64
    """Puzzles a worker generates and labels per call (each gives one position)."""
    max_in_flight: int = 2
    """Calls in flight per worker (``ray.wait`` bounds them)."""
    pool_size: int = 200_000
    """Positions kept for training (the newest; a random grid symmetry is applied at each draw)."""
    min_pool: int = 256
    """Positions needed before the first step."""
    max_reuse: float = 8.0
    """The learner waits for new positions while it has drawn more than this many times the positions it
    received (each position is drawn about this many times at most, under fresh symmetries)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the learner trains: auto = cuda when available."""
    bf16: bool = True
    """On CUDA, train under bfloat16 autocast (ignored on CPU)."""
    seed: int = 0
    """Seed of the weights, the positions drawn and the workers' puzzles."""

    def __post_init__(self) -> None:
        positive = ("channels", "blocks", "iters", "value_hidden", "batch_size", "steps", "checkpoint_every",
                    "log_every", "eval_puzzles", "puzzles_per_call", "max_in_flight", "pool_size", "min_pool")
        for name in positive:
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ThinkConfigError(f"{name} must be a positive integer; got {getattr(self, name)!r}")
        if not 0 <= self.progressive_alpha <= 1:
            raise ThinkConfigError(f"progressive_alpha must be in [0, 1]; got {self.progressive_alpha}")
        if min(self.halt_weight, self.value_weight, self.weight_decay, self.minutes) < 0:
            raise ThinkConfigError("halt_weight, value_weight, weight_decay and minutes must be >= 0")
        if not (0 <= self.puzzle_share and 0 <= self.partial_share and self.puzzle_share + self.partial_share <= 1):
            raise ThinkConfigError(f"puzzle_share and partial_share must be >= 0 with a sum <= 1; got "
                                   f"{self.puzzle_share} and {self.partial_share}")
        if self.lr <= 0 or self.grad_clip <= 0 or self.max_reuse <= 0:
            raise ThinkConfigError(f"lr, grad_clip and max_reuse must be > 0; got {self.lr}, {self.grad_clip} and "
                                   f"{self.max_reuse}")
        if min(self.warmup_steps, self.eval_every, self.workers, self.min_guesses) < 0:
            raise ThinkConfigError("warmup_steps, eval_every, workers and min_guesses must be >= 0")
        if self.min_pool > self.pool_size:
            raise ThinkConfigError(f"min_pool ({self.min_pool}) must not exceed pool_size ({self.pool_size})")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ThinkConfigError(f"device must be auto, cpu or cuda; got {self.device}")

    def net_config(self) -> NetConfig:
        """The network: kind ``sudoku_think`` with this run's width, layers and training depth."""
        return NetConfig(kind="sudoku_think", channels=self.channels, blocks=self.blocks, iters=self.iters,
                         value_hidden=self.value_hidden)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (``config.json``)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ThinkTrainConfig":
        """Inverse of :meth:`to_dict`; unknown fields raise :class:`ThinkConfigError`."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ThinkConfigError(f"unknown config field(s) {', '.join(unknown)}")
        return cls(**data)

    @classmethod
    def load(cls, path: str | Path) -> "ThinkTrainConfig":
        """Read ``config.json`` (its ``game`` key, if any, is skipped)."""
        try:
            data = json.loads(Path(path).read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise ThinkConfigError(f"cannot read config {path}: {err}") from None
        data.pop("game", None)
        return cls.from_dict(data)
